# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace record when the VM does not stay still: the VM dying, two
# recordings at once, Ctrl-C, and --stream.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
mounts=()
cleanup_faults() {
	for m in "${mounts[@]}"; do umount "$m" 2> /dev/null; done
	[ -n "${LAB_PID:-}" ] && kill "$LAB_PID" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$T"
}
trap cleanup_faults EXIT

# (kill -9 and the OOM killer: record-kill.sh; full disks and write errors:
# record-disk.sh)
lab_start healthy pt-f1 --duration 120
kill -USR1 "$LAB_PID"

# the VM dies while recorded: stop, and a readable file
"$PTTRACE" record --vm pt-f1 -o "$T/died.dat" > "$T/died.rec" 2>&1 &
rec=$!
wait_for "$T/died.rec" armed
sleep 1
stop_lab
wait $rec
rc=$?
[ $rc = 0 ] && ok "VM died: record exits 0" || { not_ok "VM died: record exits 0 (got $rc)"; diag "$T/died.rec"; }
grep -q "^stopped: *the VM exited" "$T/died.rec" && ok "VM died: stopped because the VM exited" ||
	{ not_ok "VM died: stopped because the VM exited"; diag "$T/died.rec"; }
run trace-cmd report "$T/died.dat"
expect_out "kvm_mmio" "VM died: trace-cmd reads what was captured"
run "$PTTRACE" analyze "$T/died.dat"
expect_rc 0 "VM died: analyze reads it (healthy, nothing suspicious)"

# two VMs recorded at once: each file has its own VM's events only
lab_start d3-access pt-a
pid_a=$QEMU_PID
lab_a=$LAB_PID
lab_start lost-msi pt-b
pid_b=$QEMU_PID
lab_b=$LAB_PID
ls "/proc/$pid_a/task" > "$T/a.threads"
ls "/proc/$pid_b/task" > "$T/b.threads"
"$PTTRACE" record --vm pt-a -o "$T/a.dat" > "$T/a.rec" 2>&1 &
rec_a=$!
"$PTTRACE" record --vm pt-b -o "$T/b.dat" > "$T/b.rec" 2>&1 &
rec_b=$!
wait_for "$T/a.rec" armed
wait_for "$T/b.rec" armed
kill -USR1 "$lab_a" "$lab_b"
wait $rec_a $rec_b "$lab_a" "$lab_b"
LAB_PID=""
trace-cmd report "$T/a.dat" 2> /dev/null | grep -oE 'qemu-system-x86-[0-9]+' | sort -u > "$T/a.tids"
trace-cmd report "$T/b.dat" 2> /dev/null | grep -oE 'qemu-system-x86-[0-9]+' | sort -u > "$T/b.tids"
[ -s "$T/a.tids" ] && [ -s "$T/b.tids" ] && [ -z "$(comm -12 "$T/a.tids" "$T/b.tids")" ] &&
	ok "two recordings: no thread in both files" || not_ok "two recordings: no thread in both files"
sed 's/.*-//' "$T/a.tids" | sort > "$T/a.seen"
if [ -s "$T/a.seen" ] && [ -z "$(comm -23 "$T/a.seen" <(sort "$T/a.threads"))" ]; then
	ok "two recordings: every thread in A's file is one of A's QEMU's"
else
	not_ok "two recordings: every thread in A's file is one of A's QEMU's"
fi
if trace-cmd report "$T/a.dat" 2> /dev/null | grep -q "gpa 0xfea000"; then
	not_ok "two recordings: A (e1000e) has none of B's edu accesses"
else
	ok "two recordings: A (e1000e) has none of B's edu accesses"
fi
run "$PTTRACE" analyze --json "$T/b.dat"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["findings"][0]["detector"]=="lost-irq"' "$T/out" &&
	ok "two recordings: B's root cause" || not_ok "two recordings: B's root cause"

# Ctrl-C writes what was captured
lab_start healthy pt-f3 --duration 120
"$PTTRACE" record --vm pt-f3 -o "$T/int.dat" > "$T/int.rec" 2>&1 &
rec=$!
wait_for "$T/int.rec" armed
kill -USR1 "$LAB_PID"
sleep 2
kill -INT $rec
wait $rec
rc=$?
[ $rc = 0 ] && ok "Ctrl-C: record exits 0" || not_ok "Ctrl-C: record exits 0 (got $rc)"
grep -q "^stopped: *signal" "$T/int.rec" && ok "Ctrl-C: stopped by the signal" || not_ok "Ctrl-C: stopped by the signal"
run trace-cmd report "$T/int.dat"
expect_out "kvm_mmio" "Ctrl-C: the file has the events"

# --stream: everything from the start, not only the last buffer-full
"$PTTRACE" record --vm pt-f3 --stream "$T/stream.dat" -b 64 --duration 3 > "$T/stream.rec" 2>&1
rc=$?
stop_lab
[ $rc = 0 ] && ok "--stream: exit 0" || { not_ok "--stream: exit 0 (got $rc)"; diag "$T/stream.rec"; }
run "$PTTRACE" analyze --json "$T/stream.dat"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["metadata"]["recording"]["mode"]=="stream"; assert d["trace"]["events"] > 10000, d["trace"]["events"]' "$T/out" &&
	ok "--stream: more events than a 64 KB buffer holds, mode stream" ||
	{ not_ok "--stream: more events than a 64 KB buffer holds"; diag "$T/stream.rec"; }

# --stream with a buffer far too small: the drops are said, by record and by analyze
# Attached to a guest that runs already: recording a stream from the
# firmware's first instructions was seen to keep ~10 events of SeaBIOS and
# then none, uncounted, in about one run in three (not understood yet; the
# flight recorder is not affected), so this test does not start at boot.
lab_start mmio-loop pt-f4 --duration 60
kill -USR1 "$LAB_PID"
wait_for "$T/pt-f4.lab" "second 1" || not_ok "the mmio-loop guest runs"
run "$PTTRACE" record --vm pt-f4 --stream "$T/drops.dat" -b 4 --duration 2
stop_lab
expect_out "^WARNING: +[0-9]+ events were dropped: the buffer was full" "record says events were dropped"
run "$PTTRACE" analyze "$T/drops.dat"
expect_out "^WARNING: +the recorder's buffer was full and refused [0-9]+ events" "analyze warns about the gaps"

left=$(ls "$TRACEFS/instances" | grep -E '^pttrace-[0-9]+-pt-f' || true)
[ -z "$left" ] && ok "no instance left behind" || not_ok "instances left: $left"
