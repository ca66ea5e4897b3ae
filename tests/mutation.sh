#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The mutation check: runs the shell tests with a pttrace that fails and
# prints nothing, and lists every check that still passes.  A check that
# passes without pttrace working can pass with pttrace broken; each one
# left must be in tests/mutation.allow with the reason it is right to pass
# (it checks the machine or a file, not pttrace's output).
#   tests/mutation.sh [FILTER]   only the test files whose path contains FILTER
# MUTATE_LAB=1 includes tests/lab (each waits for VMs that never start).
# Ends with one line: N survived (not allowed), N allowed.
set -u
cd "$(dirname "$0")/.." || exit 2

filter=${1:-}
T=$(mktemp -d /tmp/pttrace-mutation.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf '#!/bin/sh\nexit 2\n' > "$T/pttrace"
chmod +x "$T/pttrace"

files=(tests/cli/*.sh tests/tui/*.sh)
[ "${MUTATE_LAB:-0}" = 1 ] && files+=(tests/lab/*.sh)
survived=0 allowed=0
for t in "${files[@]}"; do
	case ${t#tests/} in *"$filter"*) ;; *) continue ;; esac
	name=${t#tests/}
	PTTRACE=$T/pttrace timeout 600 bash "$t" > "$T/out" 2>&1
	while IFS= read -r line; do
		desc=${line#ok * - }
		if grep -v '^#' tests/mutation.allow | awk -F'\t' -v f="$name" -v d="$desc" \
			'f ~ ("^" $1 "$") && d ~ $2 { found = 1 } END { exit !found }'; then
			allowed=$((allowed + 1))
		else
			echo "survived: $name: $desc"
			survived=$((survived + 1))
		fi
	done < <(grep -E '^ok [0-9]+ - ' "$T/out")
done
echo "$survived survived (not allowed), $allowed allowed"
[ "$survived" = 0 ]
