#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Makes the field corpus: trace files the way users make them, from the
# bundled recordings (plain tracefs + trace-cmd extract), with Debian's
# trace-cmd and pttrace's tc-convert (zlib), never with pttrace record:
#   NAME.v7-zstd.dat  the recording as trace-cmd extract wrote it
#   NAME.v7-none.dat  trace-cmd convert --compression none
#   NAME.v7-zlib.dat  build/tests/tc-convert (zlib, as most trace-cmd builds write)
#   NAME.v6.dat       trace-cmd convert --file-version 6 (uncompressed)
#   NAME.v6-cut.dat   the v6 file without its last 200 KB (a copy that died)
#   hostwide.dat      two VMs at once, no thread names (d3-access + healthy)
#   hostwide-named.dat  the same with QEMU's debug-threads names, thread ids adjacent
# usage: tests/field/make-corpus.sh OUTDIR
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
mkdir -p "$out"

raw_pages() {	# raw_pages V6FILE PREFIX: PREFIX.cpuN for each cpu with data
	local cpu=0
	trace-cmd dump --flyrecord -i "$1" 2> /dev/null |
		awk '/\[offset, size of cpu/ && $1 ~ /^[0-9]+$/ && $2 > 0 { print $1, $2 }' |
		while read -r off size; do
			dd if="$1" of="$2.cpu$cpu" bs=4096 skip=$((off / 4096)) count=$((size / 4096)) status=none
			cpu=$((cpu + 1))
		done
}

for name in d3-access healthy stray-mmio; do
	src=$top/samples/traces/$name.dat
	cp "$src" "$out/$name.v7-zstd.dat"
	trace-cmd convert -i "$src" -o "$out/$name.v7-none.dat" --compression none > /dev/null 2>&1
	trace-cmd convert -i "$src" -o "$out/$name.v6.dat" --file-version 6 > /dev/null 2>&1
	"$top/build/tests/tc-convert" "$src" "$out/$name.v7-zlib.dat" 7 zlib > /dev/null
	size=$(stat -c %s "$out/$name.v6.dat")
	head -c $((size - 200000)) "$out/$name.v6.dat" > "$out/$name.v6-cut.dat"
done

# Two VMs on one host: d3-access (QEMU pid 5943, crashes by pvpanic) and
# healthy (pid 6021), started together: healthy's times moved onto d3-access's.
raw_pages "$out/d3-access.v6.dat" "$out/raw-d3"
raw_pages "$out/healthy.v6.dat" "$out/raw-healthy"
first_ts() { trace-cmd report -t -i "$1" 2> /dev/null | awk '/kvm_/ { sub(":", "", $3); print $3; exit }'; }
shift=$(awk -v a="$(first_ts "$out/d3-access.v6.dat")" -v b="$(first_ts "$out/healthy.v6.dat")" \
	'BEGIN { printf "%d", (a - b) * 1e9 }')
python3 "$top/tests/field/hostwide.py" "$out/d3-access.v6.dat" "$out/hostwide.dat" \
	"$out/raw-d3.cpu0:0:0" "$out/raw-d3.cpu1:0:0" \
	"$out/raw-healthy.cpu0:0:$shift" "$out/raw-healthy.cpu1:0:$shift"
# the same with names, healthy's threads renumbered right after d3-access's
python3 "$top/tests/field/hostwide.py" "$out/d3-access.v6.dat" "$out/hostwide-named.dat" --names \
	"$out/raw-d3.cpu0:0:0" "$out/raw-d3.cpu1:0:0" \
	"$out/raw-healthy.cpu0:-70:$shift" "$out/raw-healthy.cpu1:-70:$shift"
trace-cmd convert -i "$out/hostwide.dat" -o "$out/hostwide.v7-zstd.dat" > /dev/null 2>&1
rm -f "$out"/raw-*
