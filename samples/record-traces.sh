#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Records lab scenarios the way a user of plain tracefs and trace-cmd would:
# a private tracefs instance, the kvm events, set_event_pid with every
# thread of the VM's QEMU, then `trace-cmd extract -B INSTANCE`.  These
# files are pttrace's proof that it reads trace-cmd's own output.
#
# usage: samples/record-traces.sh [-o DIR] [-b KB] [SCENARIO...]   (root, KVM)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
pttrace=${PTTRACE:-$top/pttrace}
outdir=$top/samples/traces
buffer_kb=8192

# Every kvm event a pass-through crash can involve, but kvm_emulate_insn:
# on hosts without VMX/SVM it fires for every emulated instruction and
# would flood the buffer.
events="kvm_mmio kvm_fast_mmio kvm_pio kvm_msr kvm_userspace_exit kvm_exit kvm_entry
	kvm_page_fault kvm_inj_exception kvm_inj_virq kvm_msi_set_irq kvm_set_irq
	kvm_ioapic_set_irq kvm_ioapic_delayed_eoi_inj kvm_pic_set_irq kvm_apic_accept_irq
	kvm_eoi kvm_ack_irq kvm_apic_ipi kvm_hv_hypercall"

while getopts "o:b:h" opt; do
	case $opt in
	o) outdir=$OPTARG ;;
	b) buffer_kb=$OPTARG ;;
	*) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
scenarios=${*:-$("$pttrace" lab list --json | grep '"benchmark": false' |
	sed -n 's/.*"name": "\([^"]*\)".*/\1/p')}

die() { echo "record-traces: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (tracefs and KVM)"
[ -c /dev/kvm ] || die "no /dev/kvm"
command -v trace-cmd >/dev/null || die "trace-cmd not found: apt-get install trace-cmd"
tracefs=/sys/kernel/tracing
if [ ! -d $tracefs/instances ]; then
	mount -t tracefs nodev $tracefs 2>/dev/null || die "cannot mount tracefs on $tracefs"
fi
[ -d $tracefs/events/kvm ] || die "no kvm trace events in $tracefs/events/kvm"
mkdir -p "$outdir" || exit 2

instance=""
lab_pid=""
work=$(mktemp -d /tmp/pttrace-record.XXXXXX)
cleanup() {
	[ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null && wait "$lab_pid" 2>/dev/null
	if [ -n "$instance" ] && [ -d "$tracefs/instances/$instance" ]; then
		echo 0 > "$tracefs/instances/$instance/tracing_on"
		rmdir "$tracefs/instances/$instance"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

record() {
	local s=$1 dir qemu_pid ev tid n=0
	instance=pttrace-record-$$-$s
	dir=$tracefs/instances/$instance

	"$pttrace" lab run "$s" --name "rec-$s" --paused --pid-file "$work/qemu.pid" \
		> "$work/lab.log" 2>&1 &
	lab_pid=$!
	while [ ! -s "$work/qemu.pid" ]; do
		kill -0 "$lab_pid" 2>/dev/null || { cat "$work/lab.log" >&2; die "$s: the lab VM did not start"; }
		n=$((n + 1)); [ $n -gt 300 ] && die "$s: the lab VM did not start in 30 s"
		sleep 0.1
	done
	qemu_pid=$(cat "$work/qemu.pid")

	mkdir "$dir" || die "cannot create tracefs instance $instance"
	echo 0 > "$dir/tracing_on"
	echo "$buffer_kb" > "$dir/buffer_size_kb"
	for ev in $events; do
		[ -d "$dir/events/kvm/$ev" ] && echo 1 > "$dir/events/kvm/$ev/enable"
	done
	for tid in /proc/"$qemu_pid"/task/*; do
		echo "${tid##*/}" >> "$dir/set_event_pid"
	done
	echo 1 > "$dir/options/event-fork"
	echo 1 > "$dir/tracing_on"

	kill -USR1 "$lab_pid"
	wait "$lab_pid"
	echo "  $s: $(tail -1 "$work/lab.log")"
	lab_pid=""
	echo 0 > "$dir/tracing_on"

	trace-cmd extract -k -B "$instance" --compression zstd \
		-o "$outdir/$s.dat" > "$work/extract.log" 2>&1 ||
		{ cat "$work/extract.log" >&2; die "$s: trace-cmd extract failed"; }
	rmdir "$dir"
	instance=""
	rm -f "$work/qemu.pid"
	echo "  $s: $outdir/$s.dat ($(stat -c %s "$outdir/$s.dat") bytes)"
}

for s in $scenarios; do
	record "$s"
done
