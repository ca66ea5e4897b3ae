#!/bin/bash
# Runs every test of pttrace and ends with one line: N passed, N failed (the
# skipped ones are listed with their reasons and counted on the line above).
#   tests/run.sh [FILTER]   runs only the tests whose path contains FILTER
set -u
cd "$(dirname "$0")/.." || exit 2

filter=${1:-}
passed=0 failed=0 skipped=0
failures=()

# Counts the TAP lines in $1; a non-zero exit without a "not ok" is a failure too.
tally() {
	local name=$1 out=$2 status=$3 p f s
	p=$(grep -cE '^ok [0-9]+( -|$)' "$out")
	s=$(grep -cE '^ok [0-9]+ # SKIP' "$out")
	f=$(grep -cE '^not ok' "$out")
	p=$((p - 0))
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $name exited with status $status" >> "$out"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '%-36s %3d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
	grep -E '^ok [0-9]+ # SKIP' "$out" | sed 's/^ok [0-9]* # SKIP/    skipped:/'
	if [ "$f" != 0 ]; then
		failures+=("$name")
		grep -E -A20 '^not ok' "$out" | grep -E '^(not ok|#)' | sed 's/^/    /'
	fi
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	case unit/${t##*/} in *"$filter"*) ;; *) continue ;; esac
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" > "$out" 2>&1
	tally "unit/${t##*/}" "$out" $?
done

for t in tests/cli/*.sh tests/tui/*.sh tests/lab/*.sh; do
	[ -f "$t" ] || continue
	case ${t#tests/} in *"$filter"*) ;; *) continue ;; esac
	bash "$t" > "$out" 2>&1
	tally "${t#tests/}" "$out" $?
done

[ ${#failures[@]} = 0 ] || echo "failed: ${failures[*]}"
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
