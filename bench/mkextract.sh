#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes a trace the way a user's trace-cmd makes one, for make bench: the
# lab's mmio-loop guest recorded into a private tracefs instance (the kvm
# events, its QEMU's threads) until the buffers hold about EVENTS records,
# then `trace-cmd extract -k -B INSTANCE --compression zstd`: trace.dat v7,
# zstd, with the host's kallsyms and printk formats as extract writes them.
# OUT.records gets the count of records in it.
#
# usage: bench/mkextract.sh EVENTS OUT.dat        (root, KVM, tracefs)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
want=$1 out=$(realpath -m "$2")
work=$(mktemp -d /tmp/pttrace-mkextract.XXXXXX)
[ -e /dev/kvm ] || { echo "mkextract: needs /dev/kvm (the lab guest makes the events)" >&2; exit 2; }
. "$top/bench/lab-trace.sh"
trap 'lab_trace_cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
# room for more than EVENTS (about 40 bytes a record): the run stops at EVENTS
lab_trace_start mmio-loop pttrace-bench-extract 60 $(( want * 64 / 1024 + 1024 )) "$work"
entries() {
	local n=0 e
	for s in "$inst"/per_cpu/cpu*/stats; do
		e=$(awk '/^entries:/ { print $2 }' "$s")
		n=$((n + e))
	done
	echo $n
}
lab_trace_go
for _ in $(seq 600); do
	[ "$(entries)" -ge "$want" ] && break
	sleep 0.1
done
echo 0 > "$inst/tracing_on"
kill "$lab" 2> /dev/null; wait "$lab" 2> /dev/null || true; lab=""
(cd "$work" && trace-cmd extract -k -B "$inst_name" --compression zstd -o "$out") > "$work/extract.log" 2>&1 ||
	{ cat "$work/extract.log" >&2; exit 1; }
"$top/pttrace" analyze --stats --jobs 1 "$out" 2>&1 > /dev/null |
	sed -n 's/.* \([0-9]*\) records in .*/\1/p' > "$out.records"
echo "$out: $(cat "$out.records") records, $(stat -c %s "$out") bytes (trace-cmd extract, zstd)"
