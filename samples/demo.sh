#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace's main job on a bundled sample: a lab VM is started, pttrace
# record arms its kvm events and stops by itself at the guest's crash, and
# pttrace analyze says what the driver did wrong.
#   samples/demo.sh [SCENARIO]     (default d3-access)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pttrace=$top/pttrace
scenario=${1:-d3-access}
out=$top/build/demo
trace=$out/crash.dat
lab=""
rec=""
trap '[ -n "$rec" ] && kill "$rec" 2> /dev/null; [ -n "$lab" ] && kill "$lab" 2> /dev/null; wait' EXIT

mkdir -p "$out"
why=""
[ "$(id -u)" = 0 ] || why="not root"
[ -z "$why" ] && [ ! -c /dev/kvm ] && why="no /dev/kvm"
if [ -z "$why" ]; then
	rm -f "$out/qemu.pid"
	echo "== pttrace lab run $scenario --name demo --paused   (a VM whose driver misbehaves)"
	"$pttrace" lab run "$scenario" --name demo --paused --pid-file "$out/qemu.pid" > "$out/lab.log" 2>&1 &
	lab=$!
	for _ in $(seq 300); do [ -s "$out/qemu.pid" ] && break; sleep 0.1; done
	echo "== pttrace record --vm demo -o $trace"
	"$pttrace" record --vm demo -o "$trace" > "$out/record.log" 2>&1 &
	rec=$!
	for _ in $(seq 300); do grep -q armed "$out/record.log" && break; sleep 0.1; done
	kill -USR1 "$lab"
	wait "$rec" || { cat "$out/record.log"; exit 1; }
	rec=""
	wait "$lab"
	lab=""
	sed 's/^/   /' "$out/record.log"
	echo "   guest console:"
	grep '^guest|' "$out/lab.log" | sed 's/^/   /'
else
	echo "== $why: using the bundled recording of '$scenario' (made by pttrace record)"
	trace=$top/samples/traces/pttrace/$scenario.dat
fi
echo
echo "== pttrace analyze $trace"
echo
"$pttrace" analyze "$trace"
rc=$?
echo
echo "== the raw events: trace-cmd report $trace"
# exit 1 means findings were made: that is the demo working
[ $rc -le 1 ]
