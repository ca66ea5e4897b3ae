#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Records lab scenarios with pttrace record itself, into samples/traces/pttrace/:
# start the lab VM paused, arm `pttrace record --vm NAME`, let the guest run
# to its crash.  (samples/record-traces.sh does the same with plain tracefs
# and trace-cmd; those files stay as trace-cmd compatibility fixtures.)
#
# usage: samples/record-pttrace.sh [-o DIR] [-e EVENT]... [SCENARIO...]   (root, KVM)
#   -e EVENT   also record EVENT (record -e +EVENT), e.g. kvm_emulate_insn for guest
#              rips; the guest ELF that ran is copied next to the traces
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pttrace=${PTTRACE:-$top/pttrace}
outdir=$top/samples/traces/pttrace
events=()

while getopts "o:e:h" opt; do
	case $opt in
	o) outdir=$OPTARG ;;
	e) events+=(-e "+$OPTARG") ;;
	*) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
scenarios=${*:-$("$pttrace" lab list --json | grep '"benchmark": false' |
	sed -n 's/.*"name": "\([^"]*\)".*/\1/p')}
[ "$(id -u)" = 0 ] || { echo "record-pttrace: must run as root" >&2; exit 2; }
mkdir -p "$outdir" || exit 2
[ ${#events[@]} = 0 ] || cp "$top/build/guest/pttrace-lab.elf" "$outdir/" || exit 2
work=$(mktemp -d /tmp/pttrace-samples.XXXXXX)
lab=""
rec=""
trap '[ -n "$rec" ] && kill "$rec" 2> /dev/null; [ -n "$lab" ] && kill "$lab" 2> /dev/null; wait; rm -rf "$work"' EXIT

for s in $scenarios; do
	name=pt-sample-$s
	"$pttrace" lab run "$s" --name "$name" --paused --pid-file "$work/qemu.pid" -q > "$work/lab.log" 2>&1 &
	lab=$!
	for _ in $(seq 300); do [ -s "$work/qemu.pid" ] && break; sleep 0.1; done
	extra=""
	[ "$s" = healthy ] && extra="--duration 5"
	# shellcheck disable=SC2086
	"$pttrace" record --vm "$name" -o "$outdir/$s.dat" -b 8192 $extra "${events[@]}" \
		> "$work/rec.log" 2>&1 &
	rec=$!
	for _ in $(seq 300); do grep -q armed "$work/rec.log" && break; sleep 0.1; done
	kill -USR1 "$lab"
	wait "$rec" || { cat "$work/rec.log" >&2; exit 1; }
	rec=""
	wait "$lab"
	lab=""
	rm -f "$work/qemu.pid"
	echo "  $s: $(grep -E '^(stopped|wrote):' "$work/rec.log" | tr '\n' ' ')"
done
