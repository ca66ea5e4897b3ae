# SPDX-License-Identifier: GPL-2.0-or-later
# Guest symbols end to end: every lab scenario recorded with guest rips
# (record -e +kvm_emulate_insn), analysed with the lab guest's ELF: every
# finding names its register by name and the guest function that made the
# access.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs

ELF=build/guest/pttrace-lab.elf
[ -f "$ELF" ] || skip_all "no $ELF: run make"

# Every finding: a function, and a named register (its own, or its
# evidence's when it is about a device rather than one register; none
# when its accesses went to no device at all, MMIO to nowhere).
check_findings() {
	python3 - "$1" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = []
for f in d["findings"]:
    ev = [e for e in f["evidence"] if e.get("register_name") and e["event"].get("function")]
    to_devices = [e for e in f["evidence"] if e.get("device")]
    named = f.get("register_name") or (f["register"] is None and (ev or not to_devices))
    if not f.get("function") or not named:
        bad.append("%s: %s (function %s)" % (f["detector"], f["title"], f.get("function")))
if not d["findings"]:
    bad.append("no findings")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}

# emulate_insn fires for every guest instruction on hosts without VMX/SVM:
# the buffer must hold the seconds between each scenario's cause and crash
for s in d3-access hang-reset bugcheck irq-storm lost-msi stray-mmio; do
	name=pt-sym-$s
	lab_start "$s" "$name"
	"$PTTRACE" record --vm "$name" -o "$T/$s.dat" -b 262144 -e +kvm_emulate_insn \
		> "$T/$s.rec" 2>&1 &
	rec=$!
	wait_for "$T/$s.rec" "armed" || { not_ok "$s: record armed"; diag "$T/$s.rec"; }
	kill -USR1 "$LAB_PID"
	wait "$rec"
	rc=$?
	wait "$LAB_PID"
	[ -d "/proc/$QEMU_PID" ] && kill -9 "$QEMU_PID"
	[ $rc = 0 ] && ok "$s: recorded with kvm_emulate_insn" ||
		{ not_ok "$s: recorded with kvm_emulate_insn (exit $rc)"; diag "$T/$s.rec"; continue; }
	run "$PTTRACE" analyze --guest-elf "$ELF" "$T/$s.dat"
	# lost-msi's cause is seconds older than its crash: kvm_emulate_insn can flood it out
	if [ "$s" = lost-msi ] && grep -q "^PROBABLE CAUSE: not found" "$T/out"; then
		expect_out "the flight recorder overwrote older events|older ones were overwritten" \
			"$s: the cause was overwritten, and the report says so"
		rm -f "$T/$s.dat"
		continue
	fi
	run "$PTTRACE" analyze --json --guest-elf "$ELF" "$T/$s.dat"
	if check_findings "$T/out" > "$T/$s.bad"; then
		ok "$s: every finding names its register and the guest function"
	else
		not_ok "$s: every finding names its register and the guest function"
		diag "$T/$s.bad"
	fi
	run "$PTTRACE" analyze --guest-elf "$ELF" "$T/$s.dat"
	expect_out "^    by:  [a-z_]+[a-z0-9_.]*\+0x[0-9a-f]+ \(guest rip 0x[0-9a-f]+\)" \
		"$s: the text report says which function (by: func+0xoff)"
	rm -f "$T/$s.dat"
done
