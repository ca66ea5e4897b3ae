#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
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
	printf '%-36s %3d passed, %d failed, %d skipped  %4d s\n' "$name" "$p" "$f" "$s" \
		$((SECONDS - started))
	grep -E '^ok [0-9]+ # SKIP' "$out" | sed 's/^ok [0-9]* # SKIP/    skipped:/'
	if [ "$f" != 0 ]; then
		failures+=("$name")
		grep -E -A20 '^not ok' "$out" | grep -E '^(not ok|#)' | sed 's/^/    /'
	fi
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# every tests/unit/test_*.c, built or not: one that was not built is a failure
for src in tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	t=build/tests/$name
	case unit/$name in *"$filter"*) ;; *) continue ;; esac
	if [ -x "$t" ]; then
		started=$SECONDS
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" > "$out" 2>&1
		tally "unit/$name" "$out" $?
	else
		started=$SECONDS
		echo "not ok - $t was not built (make test-progs)" > "$out"
		tally "unit/$name" "$out" 1
	fi
done

for t in tests/cli/*.sh tests/tui/*.sh tests/lab/*.sh; do
	[ -f "$t" ] || continue
	case ${t#tests/} in *"$filter"*) ;; *) continue ;; esac
	started=$SECONDS
	bash "$t" > "$out" 2>&1
	tally "${t#tests/}" "$out" $?
done

[ ${#failures[@]} = 0 ] || echo "failed: ${failures[*]}"
echo "$skipped skipped"
echo "$SECONDS s in all"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
