#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace tui on the 20-million-record trace of bench/mktrace.sh (root, KVM):
# targets: first screen < 0.2 s, the whole index in 0.95 s (issue 15: half
# of one thread's 1.9 s), no visible delay scrolling or jumping, a search
# over the whole trace in about a second, <= 16 bytes an event.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
f=$top/build/bench/kvm-20000000.dat
status=0
[ -s "$f" ] || "$top/bench/mktrace.sh" 20000000 "$f" || { echo "bench: cannot make $f"; exit 2; }
cat "$f" > /dev/null
# the best of RUNS (3) runs: a shared machine only ever adds
bench_best() {	# bench_best OUT [JOBS]
	local out=$1 try=$top/build/bench/tui-try.out
	rm -f "$out"
	for _ in $(seq "${RUNS:-3}"); do
		"$top/build/bench/tui-bench" "$f" ${2:+"$2"} > "$try" || exit 2
		if [ ! -s "$out" ] || awk -v a="$(sed -n 's/^index_s //p' "$try")" \
			-v b="$(sed -n 's/^index_s //p' "$out")" 'BEGIN { exit !(a < b) }'; then
			cp "$try" "$out"
		fi
	done
}
bench_best "$top/build/bench/tui-1.out" 1
bench_best "$top/build/bench/tui.out"
echo "  one thread (--jobs 1): index $(sed -n 's/^index_s //p' "$top/build/bench/tui-1.out") s"
echo "  one thread per cpu (the default):"
cat "$top/build/bench/tui.out" | sed 's/^/    /'
val() { sed -n "s/^$1 \\([0-9.]*\\).*/\\1/p" "$top/build/bench/tui.out"; }
check() {
	if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
		printf '  %-40s %s (target %s %s): ok\n' "$1" "$2" "$3" "$4"
	else
		printf '  %-40s %s (target %s %s): FAILED\n' "$1" "$2" "$3" "$4"
		status=1
	fi
}
check "first screen's events ready (s)" "$(val first_screen_s)" "<" 0.2
# issue 15: half the 1.9 s one thread took before
check "whole index (s)" "$(val index_s)" "<=" 0.95
check "search over the whole trace (s)" "$(val search_s)" "<=" 1.2
check "a page of 50 rows read again (ms)" "$(val page_ms)" "<" 50
check "jump to the crash (ms)" "$(val crash_jump_ms)" "<" 50
check "index bytes per event" "$(val index_bytes_per_event)" "<=" 16

# the real first screen: pttrace tui in tmux, polled until its header shows
if command -v tmux > /dev/null; then
	export TMUX_TMPDIR=$(mktemp -d)
	start=$(date +%s%N)
	tmux new-session -d -s bench -x 80 -y 24 "env TERM=xterm $top/pttrace tui $f; sleep 30"
	while ! tmux capture-pane -p -t bench 2> /dev/null | grep -q "<- crash\|pio write\|mmio"; do
		sleep 0.01
	done
	first=$(( ($(date +%s%N) - start) / 1000000 ))
	tmux kill-server
	rm -rf "$TMUX_TMPDIR"
	check "first screen in tmux (s)" "$(awk -v m="$first" 'BEGIN { printf "%.3f", m / 1000 }')" "<" 0.5
fi
exit $status
