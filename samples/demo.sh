#!/bin/bash
# pttrace's main job on a bundled sample: crash a lab VM while its kvm
# events are recorded, then let pttrace analyze say what the driver did.
#   samples/demo.sh [SCENARIO]     (default d3-access)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
scenario=${1:-d3-access}
out=$top/build/demo
trace=$out/$scenario.dat

mkdir -p "$out"
why=""
[ "$(id -u)" = 0 ] || why="not root"
[ -z "$why" ] && [ ! -c /dev/kvm ] && why="no /dev/kvm"
if [ -z "$why" ]; then
	echo "== crashing lab VM '$scenario' while recording its kvm events"
	"$top/samples/record-traces.sh" -o "$out" "$scenario" || exit 1
else
	echo "== $why: using the bundled recording of '$scenario'"
	trace=$top/samples/traces/$scenario.dat
fi
echo
echo "== pttrace analyze $trace"
echo
"$top/pttrace" analyze "$trace"
rc=$?
echo
echo "== the raw events: trace-cmd report $trace"
# exit 1 means findings were made: that is the demo working
[ $rc -le 1 ]
