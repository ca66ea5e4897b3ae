#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes a large trace.dat of real kvm events for the benchmarks: records the
# lab's healthy VM once (raw ring-buffer pages of a private tracefs
# instance), repeats those pages shifted in time until the trace has
# EVENTS records, and has `trace-cmd restore` write the file (trace.dat v6).
# On a host without /dev/kvm the pages come from samples/traces/healthy.dat.
#
# usage: bench/mktrace.sh EVENTS OUT.dat        (root, KVM, tracefs)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
want=$1 out=$2
cache=$top/build/bench
mkdir -p "$cache"

# Without KVM: the raw pages of a bundled recording of the same lab VM,
# made on a host of this kind (its event ids must match this kernel's,
# which `trace-cmd restore -c` writes into the header).
from_sample() {
	local sample=$top/samples/traces/healthy.dat v6=$cache/sample-v6.dat
	trace-cmd convert -i "$sample" -o "$v6" --file-version 6 --compression none > /dev/null 2>&1
	local cpu=0
	trace-cmd dump --flyrecord -i "$v6" 2> /dev/null |
		awk '/\[offset, size of cpu/ && $1 ~ /^[0-9]+$/ && $2 > 0 { print $1, $2 }' |
		while read -r off size; do
			dd if="$v6" of="$cache/raw.cpu$cpu" bs=4096 skip=$((off / 4096)) \
				count=$((size / 4096)) status=none
			cpu=$((cpu + 1))
		done
	rm -f "$v6"
	trace-cmd restore -c -o "$cache/head.dat" > /dev/null 2>&1
}

if [ ! -s "$cache/raw.cpu0" ] && [ ! -e /dev/kvm ]; then
	from_sample
fi
if [ ! -s "$cache/raw.cpu0" ]; then
	. "$top/bench/lab-trace.sh"
	trap 'lab_trace_cleanup; rm -f "$cache/qemu.pid"' EXIT
	lab_trace_start healthy pttrace-bench 6 65536 "$cache"
	lab_trace_go
	wait "$lab" || true
	lab=""
	echo 0 > "$inst/tracing_on"
	python3 "$top/bench/capture-raw.py" "$inst" "$cache/raw"
	trace-cmd restore -c -o "$cache/head.dat" > /dev/null 2>&1
fi

cpus=$(ls "$cache"/raw.cpu* | sort -V)
trace-cmd restore -i "$cache/head.dat" -o "$cache/one.dat" $cpus > /dev/null 2>&1
per=$(trace-cmd report "$cache/one.dat" 2> /dev/null | grep -c ': kvm_')
times=$(( (want + per - 1) / per ))
parts=()
i=0
for c in $cpus; do
	python3 "$top/bench/multiply-raw.py" "$c" "$cache/big.cpu$i" "$times" 10000000000
	parts+=("$cache/big.cpu$i")
	i=$((i + 1))
done
trace-cmd restore -i "$cache/head.dat" -o "$out" "${parts[@]}" > /dev/null 2>&1
rm -f "${parts[@]}"
echo $((per * times)) > "$out.records"
echo "$out: $((per * times)) records ($per x $times), $(stat -c %s "$out") bytes" >&2
