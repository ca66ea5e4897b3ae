#!/bin/bash
# pttrace's main job on a bundled sample, as far as it is built today:
# crash a lab VM while its kvm events are recorded, then show what the
# guest driver did to its device just before the crash.
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
	echo "== $why: showing the bundled recording of '$scenario' instead"
	trace=$top/samples/traces/$scenario.dat
fi

echo
echo "== $trace: events per kind"
trace-cmd report "$trace" 2>/dev/null | grep -oE ' kvm_[a-z_]+:' | sort | uniq -c | sort -rn
echo
echo "== the last device accesses before the crash (BAR MMIO, PCI config, interrupts, pvpanic)"
trace-cmd report "$trace" 2>/dev/null |
	grep -E 'kvm_mmio: +mmio (read|write) .*gpa 0xf[de]|pio_(read|write) at 0xcf[8c-f]|kvm_msi_set_irq|kvm_set_irq: +gsi 2[0-3]|pio_write at 0x505|KVM_EXIT_SHUTDOWN' |
	tail -25 | sed -E 's/^[^:]+: +//'
echo
echo "== read it yourself: trace-cmd report $trace"
