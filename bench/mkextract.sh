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
tracefs=/sys/kernel/tracing
work=$(mktemp -d /tmp/pttrace-mkextract.XXXXXX)
[ -e /dev/kvm ] || { echo "mkextract: needs /dev/kvm (the lab guest makes the events)" >&2; exit 2; }
[ -d $tracefs/instances ] || mount -t tracefs nodev $tracefs
inst_name=pttrace-bench-extract-$$
inst=$tracefs/instances/$inst_name
lab=""
cleanup() {
	[ -n "$lab" ] && kill "$lab" 2> /dev/null && wait "$lab" 2> /dev/null
	[ -d "$inst" ] && { echo 0 > "$inst/tracing_on"; rmdir "$inst"; }
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$top/pttrace" lab run mmio-loop --name pttrace-bench-extract --duration 60 --paused -q \
	--pid-file "$work/qemu.pid" > /dev/null 2>&1 &
lab=$!
for _ in $(seq 300); do [ -s "$work/qemu.pid" ] && break; sleep 0.1; done
qemu=$(cat "$work/qemu.pid")
mkdir "$inst"
echo 0 > "$inst/tracing_on"
# room for more than EVENTS (about 40 bytes a record): the run stops at EVENTS
echo $(( want * 64 / 1024 + 1024 )) > "$inst/buffer_size_kb"
for ev in kvm_mmio kvm_pio kvm_msr kvm_userspace_exit kvm_exit kvm_entry kvm_page_fault \
	kvm_inj_exception kvm_inj_virq kvm_msi_set_irq kvm_set_irq kvm_ioapic_set_irq \
	kvm_pic_set_irq kvm_apic_accept_irq kvm_eoi kvm_ack_irq; do
	[ -d "$inst/events/kvm/$ev" ] && echo 1 > "$inst/events/kvm/$ev/enable"
done
for t in /proc/"$qemu"/task/*; do echo "${t##*/}" >> "$inst/set_event_pid"; done
entries() {
	local n=0 e
	for s in "$inst"/per_cpu/cpu*/stats; do
		e=$(awk '/^entries:/ { print $2 }' "$s")
		n=$((n + e))
	done
	echo $n
}
echo 1 > "$inst/tracing_on"
kill -USR1 "$lab"
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
