#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The recorder's cost, measured on the lab's mmio-loop guest (root, KVM):
#   1. the guest's MMIO throughput untraced, then while pttrace record runs,
#      one after the other in this run (target: >= 90% kept);
#   2. the time from the stop to crash.dat renamed in place, with a full
#      64 MiB per-cpu flight-recorder buffer (target: < 1 s).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pttrace=$top/pttrace
work=$(mktemp -d /tmp/pttrace-bench.XXXXXX)
lab=""
trap '[ -n "$lab" ] && kill "$lab" 2> /dev/null; wait; rm -rf "$work"' EXIT
status=0
secs=10

# mean accesses per second over seconds 3..N-1 of a lab log
throughput() {
	awk -v last=$((secs - 1)) '/mmio-loop: second/ { s = $4 + 0; if (s >= 3 && s <= last) { sum += $5; n++ } }
		END { if (n) printf "%.0f", sum / n; else print 0 }' "$1"
}

"$pttrace" lab run mmio-loop --name bench-plain --duration "$secs" > "$work/plain.log" 2>&1
plain=$(throughput "$work/plain.log")

"$pttrace" lab run mmio-loop --name bench-traced --duration "$secs" --paused \
	--pid-file "$work/qemu.pid" > "$work/traced.log" 2>&1 &
lab=$!
for _ in $(seq 300); do [ -s "$work/qemu.pid" ] && break; sleep 0.1; done
"$pttrace" record --vm bench-traced -o "$work/traced.dat" -b 8192 > "$work/rec.log" 2>&1 &
rec=$!
for _ in $(seq 300); do grep -q armed "$work/rec.log" && break; sleep 0.1; done
kill -USR1 "$lab"
wait "$lab"
lab=""
wait "$rec"
traced=$(throughput "$work/traced.log")
kept=$(awk -v p="$plain" -v t="$traced" 'BEGIN { printf "%.1f", p ? 100 * t / p : 0 }')
echo "guest MMIO throughput: untraced $plain/s, while pttrace record runs $traced/s: $kept% kept"
awk -v k="$kept" 'BEGIN { exit !(k >= 90) }' && echo "  kept >= 90%: ok" || { echo "  kept >= 90%: FAILED"; status=1; }

# fill both cpus' 64 MiB buffers, then stop
"$pttrace" lab run mmio-loop --name bench-full --duration 120 --paused \
	--pid-file "$work/full.pid" > "$work/full.log" 2>&1 &
lab=$!
for _ in $(seq 300); do [ -s "$work/full.pid" ] && break; sleep 0.1; done
"$pttrace" record --vm bench-full -o "$work/full.dat" -b 65536 --duration 45 > "$work/rec-full.log" 2>&1 &
rec=$!
for _ in $(seq 300); do grep -q armed "$work/rec-full.log" && break; sleep 0.1; done
kill -USR1 "$lab"
wait "$rec"
kill "$lab"
wait "$lab"
lab=""
grep -E '^(events|wrote):' "$work/rec-full.log" | sed 's/^/  /'
write=$(sed -n 's/.* in \([0-9.]*\) s after the stop/\1/p' "$work/rec-full.log")
over=$(sed -n 's/.*; \([0-9]*\) older ones overwritten.*/\1/p' "$work/rec-full.log")
echo "crash.dat written ${write} s after the stop, 64 MiB per cpu buffer (${over} events overwritten: full)"
awk -v w="$write" -v o="$over" 'BEGIN { exit !(w < 1 && o > 0) }' && echo "  < 1 s with a full buffer: ok" ||
	{ echo "  < 1 s with a full buffer: FAILED"; status=1; }
exit $status
