# SPDX-License-Identifier: GPL-2.0-or-later
# Nothing captured is lost and nothing is left armed when pttrace record is
# killed: kill -9 while it arms, while armed (flight recorder and --stream)
# and while it writes the file (gdb stops it at each phase), a real OOM kill
# in a memory cgroup, its watchdog killed (replaced) and both killed
# together (the next run and --cleanup remove what is left).
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
command -v gdb > /dev/null || skip_all "needs gdb (apt-get install gdb)"
CG=""
cleanup_kill() {
	[ -n "${REC:-}" ] && kill -9 "$REC" 2> /dev/null
	[ -n "${HOG:-}" ] && kill -9 "$HOG" 2> /dev/null
	[ -n "${LAB_PID:-}" ] && kill "$LAB_PID" 2> /dev/null
	wait 2> /dev/null
	[ -n "$CG" ] && rmdir "$CG" 2> /dev/null
	"$PTTRACE" record --cleanup > /dev/null 2>&1
	rm -rf "$T"
}
trap cleanup_kill EXIT

# kill_at FUNCTION NAME ARGS...: pttrace record under gdb, killed (SIGKILL)
# where it first calls FUNCTION; its watchdog, not traced, goes on
kill_at() {
	local fn=$1 name=$2
	shift 2
	gdb -q -batch -ex 'set detach-on-fork on' -ex 'set breakpoint pending on' \
		-ex "break $fn" -ex run -ex 'info inferiors' -ex kill --args "$PTTRACE" record "$@" \
		> "$T/$name.gdb" 2>&1
	REC=$(sed -n 's/^\* *1 *process \([0-9]*\).*/\1/p' "$T/$name.gdb")
	grep -q "^Breakpoint 1, " "$T/$name.gdb" && [ -n "$REC" ] ||
		{ not_ok "$name: gdb stopped the recorder in $fn"; diag "$T/$name.gdb"; }
}

lab_start healthy pt-k1 --duration 300
kill -USR1 "$LAB_PID"

# kill -9 while arming: the instance exists, the events are half set
kill_at pt_inst_set_pids arming --vm pt-k1 -o "$T/arming.dat"
inst="pttrace-$REC-pt-k1"
for i in $(seq 100); do [ -e "/run/pttrace/record.$REC" ] || break; sleep 0.1; done
REC=""
[ ! -d "$TRACEFS/instances/$inst" ] && [ ! -d "$TRACEFS/instances/$inst-host" ] &&
	ok "kill -9 while arming: no instance left armed" || not_ok "kill -9 while arming: $inst is left"
grep -q "^pttrace: wrote '$T/arming.dat'$" "$T/arming.gdb" && ok "kill -9 while arming: the watchdog finishes, and says so" ||
	{ not_ok "kill -9 while arming: the watchdog says what it did"; diag "$T/arming.gdb"; }
run trace-cmd report "$T/arming.dat"
expect_rc 0 "kill -9 while arming: trace-cmd reads the (empty) file"

# kill -9 of a flight recorder: its watchdog stops it and writes the file
start_rec kill9 --vm pt-k1 -o "$T/kill9.dat"
[ -n "$SCRATCH" ] && [ -d "$SCRATCH" ] && [ "$(dirname "$SCRATCH")" = "$T" ] &&
	ok "the scratch is next to the output ($SCRATCH)" || not_ok "the scratch is next to the output ('$SCRATCH')"
[ "$(stat -c %a "$SCRATCH" 2> /dev/null)" = 700 ] && ok "the scratch is mode 0700" || not_ok "the scratch is mode 0700"
[ -n "$WD" ] && [ "$(cat /proc/$WD/comm 2> /dev/null)" = pttrace-watch ] &&
	ok "a watchdog runs (pid $WD, pttrace-watch)" || not_ok "a watchdog runs ('$WD')"
# lowering an OOM score needs CAP_SYS_RESOURCE, which root lacks in some containers
sleep 5 &
probe=$!
if echo -1 > /proc/$probe/oom_score_adj 2> /dev/null; then
	[ "$(cat /proc/$WD/oom_score_adj 2> /dev/null)" = -1000 ] && ok "the OOM killer spares the watchdog (oom_score_adj -1000)" ||
		not_ok "the OOM killer spares the watchdog"
else
	[ "$(cat /proc/$WD/oom_score_adj 2> /dev/null)" = "$(cat /proc/$REC/oom_score_adj)" ] &&
		skip "oom_score_adj cannot be lowered here (no CAP_SYS_RESOURCE): the watchdog keeps the recorder's" ||
		not_ok "the watchdog's oom_score_adj"
fi
kill $probe
[ "$(cat /proc/$REC/oom_score_adj)" = 0 ] && ok "the recorder's OOM score is left alone (oom_score_adj 0)" || not_ok "the recorder's OOM score is left alone"

# a watchdog that dies (its own OOM kill) is replaced
kill -9 "$WD"
for i in $(seq 50); do
	WD2=$(watchdog_of $REC)
	[ -n "$WD2" ] && [ "$WD2" != "$WD" ] && [ -d "/proc/$WD2" ] && break
	sleep 0.1
done
[ "$WD2" != "$WD" ] && [ "$(cat /proc/$WD2/comm 2> /dev/null)" = pttrace-watch ] &&
	grep -q "the watchdog (pid $WD) died (signal 9): starting another" "$T/kill9.rec" &&
	ok "a killed watchdog is replaced, and said (pid $WD2)" || { not_ok "a killed watchdog is replaced ('$WD2')"; diag "$T/kill9.rec"; }
WD=$WD2
sleep 1
kill -9 $REC
wait $REC 2> /dev/null
gone "$WD" && ok "kill -9: the watchdog ends after its work" || not_ok "kill -9: the watchdog ends"
REC=""
[ ! -d "$TRACEFS/instances/$INST" ] && ok "kill -9: the instance is removed, not left armed" ||
	not_ok "kill -9: the instance $INST is left"
[ ! -e "$SCRATCH" ] && [ ! -e "/run/pttrace/record.$REC" ] && ok "kill -9: the scratch and its registry entry are gone" ||
	not_ok "kill -9: the scratch is gone"
grep -q "its watchdog (pid $WD) stops the recording and writes it" "$T/kill9.rec" &&
	grep -q "^pttrace: wrote '$T/kill9.dat'$" "$T/kill9.rec" && ok "kill -9: the watchdog says what it did" ||
	{ not_ok "kill -9: the watchdog says what it did"; diag "$T/kill9.rec"; }
run trace-cmd report "$T/kill9.dat"
expect_out "kvm_mmio" "kill -9: trace-cmd reads the file the watchdog wrote"
run "$PTTRACE" analyze --json "$T/kill9.dat"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trace"]["events"] > 100, d["trace"]; assert d["metadata"]["vm"]["name"] == "pt-k1"' "$T/out" &&
	ok "kill -9: the file has the events and the VM's metadata" || { not_ok "kill -9: events and metadata"; diag "$T/out"; }

# kill -9 of a stream: everything it had drained, and what the buffer still held
start_rec stream --vm pt-k1 --stream "$T/stream.dat" -b 64
sleep 3
kill -9 $REC
wait $REC 2> /dev/null
gone "$WD" || not_ok "stream: the watchdog ends"
REC=""
[ ! -d "$TRACEFS/instances/$INST" ] && [ ! -e "$SCRATCH" ] && ok "kill -9 of --stream: no instance, no multi-MB scratch left" ||
	not_ok "kill -9 of --stream: something left ($INST, $SCRATCH)"
run "$PTTRACE" analyze --json "$T/stream.dat"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trace"]["events"] > 10000, d["trace"]["events"]; assert d["metadata"]["recording"]["mode"] == "stream"' "$T/out" &&
	ok "kill -9 of --stream: the file has more than a 64 KB buffer holds" || { not_ok "kill -9 of --stream: the file"; diag "$T/out" "$T/stream.rec"; }

# a real OOM kill: the recorder in a memory cgroup with a process that outgrows it
CG=/sys/fs/cgroup/memory/pttrace-test-$$
if [ -d /sys/fs/cgroup/memory ] && mkdir "$CG" 2> /dev/null; then
	start_rec oom --vm pt-k1 -o "$T/oom.dat"
	echo $((48 << 20)) > "$CG/memory.limit_in_bytes"
	echo 0 > "$CG/memory.swappiness" 2> /dev/null
	echo $REC > "$CG/cgroup.procs"
	# the victim the kernel chooses: the recorder's score is raised, as a host would for a tool
	echo 1000 > /proc/$REC/oom_score_adj
	# tail -c keeps 96 MB of a pipe in its memory: twice the cgroup's limit, bounded
	sh -c 'echo $$ > "$1/cgroup.procs" && exec sh -c "head -c 128M /dev/zero | tail -c 96M > /dev/null"' sh "$CG" &
	HOG=$!
	wait $REC 2> /dev/null
	st=$?
	REC=""
	pkill -9 -P $HOG 2> /dev/null
	kill -9 $HOG 2> /dev/null
	wait $HOG 2> /dev/null
	HOG=""
	kills=$(sed -n 's/^oom_kill //p' "$CG/memory.oom_control")
	[ "$st" = 137 ] && [ "${kills:-0}" -ge 1 ] && ok "OOM: the kernel's OOM killer killed the recorder (SIGKILL, oom_kill $kills)" ||
		not_ok "OOM: the recorder was OOM-killed (status $st, oom_kill '$kills')"
	gone "$WD" || not_ok "OOM: the watchdog ends"
	[ ! -d "$TRACEFS/instances/$INST" ] && [ ! -e "$SCRATCH" ] && ok "OOM: nothing left armed, no scratch" ||
		not_ok "OOM: something left ($INST, $SCRATCH)"
	run "$PTTRACE" analyze "$T/oom.dat"
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok "OOM: the watchdog wrote a file analyze reads" || { not_ok "OOM: the file (exit $rc)"; diag "$T/err" "$T/oom.rec"; }
	rmdir "$CG" 2> /dev/null && CG=""
else
	skip "no memory cgroup (v1) to OOM-kill in"
fi

# recorder and watchdog killed together: the next run removes what they left
start_rec both --vm pt-k1 -o "$T/both.dat"
kill -STOP $WD  # or it may act between the two kills
kill -9 $REC $WD
wait $REC 2> /dev/null
REC=""
gone "$WD"
[ -d "$TRACEFS/instances/$INST" ] && [ -d "$SCRATCH" ] && ok "both killed: instance and scratch stay behind" ||
	not_ok "both killed: instance and scratch stay behind"
run "$PTTRACE" record --vm pt-k1 -o "$T/next.dat" --duration 1
expect_rc 0 "the next record runs"
expect_err "removed tracefs instance '$INST' left by a pttrace that was killed" "the next run removes the instance"
expect_err "removed scratch directory '$SCRATCH' left by a pttrace that was killed" "and the scratch"
[ ! -d "$TRACEFS/instances/$INST" ] && [ ! -e "$SCRATCH" ] && ok "both are gone" || not_ok "both are gone"

# the same, and --cleanup
mkdir "$T/tmpdir"
start_rec clean --vm pt-k1 -o "$T/clean.dat" --tmpdir "$T/tmpdir"
[ "$(dirname "$SCRATCH")" = "$T/tmpdir" ] && ok "--tmpdir: the scratch is there" || not_ok "--tmpdir: the scratch is there ($SCRATCH)"
kill -STOP $WD  # or it may act between the two kills
kill -9 $REC $WD
wait $REC 2> /dev/null
REC=""
gone "$WD"
run "$PTTRACE" record --cleanup
expect_rc 0 "--cleanup: exit 0"
expect_out "removed tracefs instance '$INST'" "--cleanup: removes the instance"
expect_out "removed scratch directory '$SCRATCH'" "--cleanup: removes the scratch"
[ ! -d "$TRACEFS/instances/$INST" ] && [ ! -e "$SCRATCH" ] && ok "--cleanup: nothing left" || not_ok "--cleanup: nothing left"
run "$PTTRACE" record --cleanup
expect_out "^nothing to clean up" "--cleanup again: nothing to clean up"

# kill -9 while writing the file: the half-written temporary file is
# removed, and the watchdog writes the whole file in its place
kill_at tracecmd_append_cpu_data writing --vm pt-k1 -o "$T/writing.dat" --duration 2
for i in $(seq 100); do [ -e "/run/pttrace/record.$REC" ] || break; sleep 0.1; done
REC=""
grep -q "^pttrace: wrote '$T/writing.dat'$" "$T/writing.gdb" && ok "kill -9 while writing: the watchdog writes the file" ||
	{ not_ok "kill -9 while writing: the watchdog writes the file"; diag "$T/writing.gdb"; }
left=$(ls -A "$T" | grep -F "writing.dat.tmp." || true)
[ -z "$left" ] && ok "kill -9 while writing: no half-written temporary file left" ||
	not_ok "kill -9 while writing: left $left"
run "$PTTRACE" analyze --json "$T/writing.dat"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trace"]["events"] > 100, d["trace"]; assert d["metadata"]["vm"]["name"] == "pt-k1"' "$T/out" &&
	ok "kill -9 while writing: the file has the events and the VM's metadata" || { not_ok "kill -9 while writing: the file"; diag "$T/out" "$T/err"; }
stop_lab
machine_as_it_was pt-k
