# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by bench/mktrace.sh and bench/mkextract.sh: a lab VM, paused, and
# a private tracefs instance that records its QEMU threads' kvm events.
#   lab_trace_start SCENARIO VM-NAME SECONDS BUFFER-KB WORKDIR
#       sets lab (the lab runner's pid), inst (the instance's directory)
#       and inst_name, and arms the instance; the guest is still paused
#   lab_trace_go        resumes the guest
#   lab_trace_cleanup   ends the VM and removes the instance (an EXIT trap)
tracefs=/sys/kernel/tracing
lab="" inst="" inst_name=""

lab_trace_cleanup() {
	[ -n "$lab" ] && kill "$lab" 2> /dev/null && wait "$lab" 2> /dev/null
	lab=""
	[ -n "$inst" ] && [ -d "$inst" ] && { echo 0 > "$inst/tracing_on"; rmdir "$inst"; }
	inst=""
}

lab_trace_start() {
	local scenario=$1 name=$2 secs=$3 kb=$4 work=$5 qemu t ev
	[ -d $tracefs/instances ] || mount -t tracefs nodev $tracefs
	"$top/pttrace" lab run "$scenario" --name "$name" --duration "$secs" --paused -q \
		--pid-file "$work/qemu.pid" > /dev/null 2>&1 &
	lab=$!
	for _ in $(seq 300); do [ -s "$work/qemu.pid" ] && break; sleep 0.1; done
	qemu=$(cat "$work/qemu.pid")
	inst_name=pttrace-bench-$$
	inst=$tracefs/instances/$inst_name
	mkdir "$inst"
	echo 0 > "$inst/tracing_on"
	echo "$kb" > "$inst/buffer_size_kb"
	for ev in kvm_mmio kvm_pio kvm_msr kvm_userspace_exit kvm_exit kvm_entry kvm_page_fault \
		kvm_inj_exception kvm_inj_virq kvm_msi_set_irq kvm_set_irq kvm_ioapic_set_irq \
		kvm_pic_set_irq kvm_apic_accept_irq kvm_eoi kvm_ack_irq; do
		[ -d "$inst/events/kvm/$ev" ] && echo 1 > "$inst/events/kvm/$ev/enable"
	done
	for t in /proc/"$qemu"/task/*; do echo "${t##*/}" >> "$inst/set_event_pid"; done
	echo 1 > "$inst/tracing_on"
}

lab_trace_go() {
	kill -USR1 "$lab"
}
