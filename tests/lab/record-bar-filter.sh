# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace record arms kvm_page_fault with a filter on the guest's BARs:
# not before query-pci shows them (a paused VM), then in the private
# instance, matching every programmed memory BAR and nothing else, kept in
# the file's metadata; not at all without QMP.  Only private instances,
# removed at the end; top-level tracing unchanged; only our QEMUs killed.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"

instances_before=$(ls $TRACEFS/instances | sort)
tracing_before=$(cat $TRACEFS/tracing_on $TRACEFS/set_event $TRACEFS/set_event_pid)
own_qemu=""
trap 'for p in $own_qemu; do kill -9 "$p" 2> /dev/null; done; rm -rf "$T"' EXIT

# instance_file NAME FILE: FILE of pttrace's instance for VM NAME (not the -host one)
instance_file() {
	local i
	for i in $TRACEFS/instances/pttrace-*-"$1"; do
		[ -d "$i" ] && { cat "$i/$2"; return; }
	done
	echo "(no instance)"
}

# --- a paused lab VM: not armed until the BIOS has programmed the BARs ---
name=pt-bf-healthy
lab_start healthy "$name"
"$PTTRACE" record --vm "$name" -o "$T/h.dat" --duration 4 > "$T/h.rec" 2>&1 &
rec=$!
wait_for "$T/h.rec" "armed; waiting" || { not_ok "record armed"; diag "$T/h.rec"; }
paused_enable=$(instance_file "$name" events/kvm/kvm_page_fault/enable)
paused_filter=$(instance_file "$name" events/kvm/kvm_page_fault/filter)
[ "$paused_enable" = 0 ] && ok "paused VM: kvm_page_fault not enabled" ||
	not_ok "paused VM: kvm_page_fault not enabled (enable=$paused_enable, filter=$paused_filter)"
grep -q "kvm_page_fault not armed: QMP query-pci shows no programmed memory BAR" "$T/h.rec" &&
	ok "record says why it is not armed yet" || { not_ok "record says why it is not armed yet"; diag "$T/h.rec"; }
kill -USR1 "$LAB_PID"
if wait_for "$T/h.rec" "kvm_page_fault armed on [0-9]+ BARs of every device"; then
	ok "armed once the guest's BARs are programmed"
else
	not_ok "armed once the guest's BARs are programmed"
	diag "$T/h.rec"
fi
armed_enable=$(instance_file "$name" events/kvm/kvm_page_fault/enable)
armed_filter=$(instance_file "$name" events/kvm/kvm_page_fault/filter)
[ "$armed_enable" = 1 ] && ok "kvm_page_fault enabled in the instance" ||
	not_ok "kvm_page_fault enabled in the instance (enable=$armed_enable)"
wait "$rec"
rc=$?
wait "$LAB_PID"
[ $rc = 0 ] && ok "record exits 0" || { not_ok "record exits 0 (got $rc)"; diag "$T/h.rec"; }
printf '%s\n' "$armed_filter" > "$T/filter"

run "$PTTRACE" analyze --json "$T/h.dat"
# the instance's filter: the metadata's, covering every programmed memory BAR of query-pci
# (the lab's edu, e1000e, ati-vga and AHCI), excluding RAM and the BARs' neighbourhood
if python3 - "$T/out" "$T/filter" > "$T/check" 2>&1 << 'PY'
import json, re, sys
m = json.load(open(sys.argv[1]))["metadata"]
text = open(sys.argv[2]).read().strip()
pf = m["recording"]["page_faults"]
assert pf["armed"] and pf["field"] == "fault_address", pf
last = pf["filters"][-1]
assert last["filter"] == text, (last["filter"], text)
assert "kvm:kvm_page_fault" in m["recording"]["events"]
terms = [(int(a, 16), int(b, 16)) for a, b in
         re.findall(r"fault_address >= (0x[0-9a-f]+) && fault_address < (0x[0-9a-f]+)", text)]
assert terms and len(terms) == text.count("||") + 1, text
inside = lambda a: any(s <= a < e for s, e in terms)
bars = [(d["bdf"], b["bar"], int(b["address"]), int(b["size"])) for d in m["pci"] for b in d["bars"]
        if b["type"] == "memory" and 0 <= b["address"] < 2**64 - 1]
assert len(bars) >= 6, bars
for bdf, bar, a, s in bars:
    assert inside(a) and inside(a + s - 1), (bdf, bar, hex(a), text)
covered = {(r["bdf"], r["bar"], r["start"], r["end"]) for r in last["ranges"]}
assert covered == {(bdf, bar, a, a + s) for bdf, bar, a, s in bars}, (covered, bars)
# the guest's RAM (64 MiB at 0) and the 4 GiB above are outside it
assert not inside(0) and not inside(0x100000) and not inside(0x3fff000) and not inside(2**32)
print(len(terms), "terms over", len(bars), "BARs:", text)
PY
then
	ok "the instance's filter covers every memory BAR query-pci shows, no RAM"
	diag "$T/check"
else
	not_ok "the instance's filter covers every memory BAR query-pci shows, no RAM"
	diag "$T/check"
fi
# every kvm_page_fault the file holds is on a BAR (none fires on PVM-based KVM);
# the file must be there and read, or "none" proves nothing
trace-cmd report "$T/h.dat" > "$T/h.txt" 2> /dev/null
grep -oE 'kvm_page_fault: .*address 0x[0-9a-f]+' "$T/h.txt" | grep -oE '0x[0-9a-f]+$' > "$T/faults"
if grep -q "kvm_" "$T/h.txt" && python3 -c 'import re,sys
terms=[(int(a,16),int(b,16)) for a,b in re.findall(r">= (0x[0-9a-f]+) && fault_address < (0x[0-9a-f]+)", open(sys.argv[1]).read())]
bad=[l for l in open(sys.argv[2]) if not any(s<=int(l,16)<e for s,e in terms)]
sys.exit(1 if bad else 0)' "$T/filter" "$T/faults"; then
	ok "every recorded kvm_page_fault is on a BAR ($(wc -l < "$T/faults") in the file)"
else
	not_ok "every recorded kvm_page_fault is on a BAR"
fi

# --- a stream recording arms it too, once the BARs are there ---
name=pt-bf-stream
lab_start healthy "$name"
"$PTTRACE" record --vm "$name" --stream "$T/s.dat" --duration 4 > "$T/s.rec" 2>&1 &
rec=$!
wait_for "$T/s.rec" "armed; waiting" || not_ok "stream: record armed"
kill -USR1 "$LAB_PID"
wait_for "$T/s.rec" "kvm_page_fault armed on" && ok "stream: armed once the BARs are programmed" ||
	{ not_ok "stream: armed once the BARs are programmed"; diag "$T/s.rec"; }
wait "$rec"
wait "$LAB_PID"
run "$PTTRACE" analyze --json "$T/s.dat"
python3 -c 'import json,sys; pf=json.load(open(sys.argv[1]))["metadata"]["recording"]["page_faults"]; assert pf["armed"] and pf["filters"]' "$T/out" &&
	ok "stream: the filter is in the metadata" || not_ok "stream: the filter is in the metadata"

# --- no QMP at all: said, not armed, and the metadata says why ---
# (an HMP monitor, which is not QMP, resumes the paused guest once armed)
name=pt-bf-noqmp
"${PTTRACE_QEMU:-qemu-system-x86_64}" -name "$name" -enable-kvm -machine q35 -m 64 -nodefaults \
	-display none -device edu,addr=03.0 -serial none -S -monitor unix:"$T/hmp.sock",server=on,wait=off \
	-kernel "$TOP/build/guest/pttrace-lab.elf" -append scenario=healthy > "$T/noqmp.qemu" 2>&1 &
qpid=$!
own_qemu="$qpid"
for i in $(seq 50); do [ -S "$T/hmp.sock" ] && break; sleep 0.1; done
"$PTTRACE" record --vm "$name" -o "$T/n.dat" --duration 2 > "$T/n.rec" 2>&1 &
rec=$!
wait_for "$T/n.rec" "armed; waiting" || { not_ok "no QMP: record armed"; diag "$T/n.rec"; }
python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.2); s.sendall(b"cont\n"); time.sleep(0.3)' "$T/hmp.sock"
wait "$rec"
[ $? = 0 ] && ok "no QMP: record exits 0" || { not_ok "no QMP: record exits 0"; diag "$T/n.rec"; }
grep -Eq "kvm_page_fault not armed: no QMP socket answered.*give --qmp" "$T/n.rec" &&
	ok "no QMP: record says kvm_page_fault is not armed" ||
	{ not_ok "no QMP: record says kvm_page_fault is not armed"; diag "$T/n.rec"; }
run "$PTTRACE" analyze --json "$T/n.dat"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["metadata"]["recording"]; pf=r["page_faults"]
assert not pf["armed"] and "QMP" in pf["reason"] and not pf["filters"] and "kvm:kvm_page_fault" not in r["events"]' "$T/out" &&
	ok "no QMP: the metadata says it was not armed, and why" ||
	{ not_ok "no QMP: the metadata says it was not armed, and why"; diag "$T/err" "$T/noqmp.qemu"; }
kill "$qpid" 2> /dev/null
wait "$qpid" 2> /dev/null
own_qemu=""

[ "$(ls $TRACEFS/instances | sort)" = "$instances_before" ] && ok "no tracefs instance left" ||
	not_ok "no tracefs instance left: $(ls $TRACEFS/instances)"
[ "$(cat $TRACEFS/tracing_on $TRACEFS/set_event $TRACEFS/set_event_pid)" = "$tracing_before" ] &&
	ok "top-level tracing unchanged" || not_ok "top-level tracing unchanged"
