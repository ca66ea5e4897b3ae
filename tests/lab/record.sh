# SPDX-License-Identifier: GPL-2.0-or-later
# samples/record-traces.sh records a lab crash with plain tracefs and
# trace-cmd, and leaves the machine's tracing as it found it.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"

state() {
	cat $TRACEFS/tracing_on $TRACEFS/set_event $TRACEFS/set_event_pid $TRACEFS/buffer_size_kb
	ls $TRACEFS/instances
}
before=$(state)

run env PTTRACE="$PTTRACE" "$TOP/samples/record-traces.sh" -o "$T" stray-mmio
expect_rc 0 "record-traces.sh stray-mmio"
expect_out "stray-mmio: lab: stray-mmio: triple fault" "the VM crashed while recorded"
[ "$(state)" = "$before" ] && ok "top-level tracing and instances unchanged" ||
	not_ok "top-level tracing and instances unchanged"

run trace-cmd report "$T/stray-mmio.dat"
expect_rc 0 "trace-cmd report reads the recording"
expect_out "kvm_pio: +pio_write at 0xcf8 " "PCI config cycles recorded"
expect_out "kvm_mmio: +mmio read len 4 gpa 0xfea00080 " "the stale BAR read recorded"
expect_out "kvm_msi_set_irq: +dst 0 vec 32 " "MSIs recorded"
expect_out "kvm_userspace_exit: +reason KVM_EXIT_SHUTDOWN" "the triple fault recorded"
if grep -q "kvm_emulate_insn" "$T/out"; then not_ok "kvm_emulate_insn kept out"; else ok "kvm_emulate_insn kept out"; fi
pids=$(grep -oE 'qemu-system-x86-[0-9]+' "$T/out" | sort -u | wc -l)
[ "$pids" -ge 1 ] && ok "events come from QEMU's threads only" || not_ok "events come from QEMU's threads only"
if grep -vE '^(cpus=|[^:]+: +qemu-system-x86-[0-9]+ )' "$T/out" | grep -q .; then
	not_ok "no other process's events"
	grep -vE '^(cpus=|[^:]+: +qemu-system-x86-[0-9]+ )' "$T/out" | head -3 | diag /dev/stdin
else
	ok "no other process's events"
fi

# a buffer too small for the run: the flight recorder overwrites, and analyze says so
run env PTTRACE="$PTTRACE" "$TOP/samples/record-traces.sh" -o "$T/small" -b 32 irq-storm
expect_rc 0 "record-traces.sh -b 32 irq-storm"
run "$PTTRACE" analyze "$T/small/irq-storm.dat"
expect_out "^HISTORY: +[0-9]+ older events were overwritten \(flight recorder\)" "overwritten events are said in the report"
expect_out "^CRASH: +guest panic" "the crash is still found"
