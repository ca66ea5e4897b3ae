# Nothing captured is lost and nothing is left armed: pttrace record killed
# with -9 (flight recorder and --stream), killed by a real OOM kill in a
# memory cgroup, killed together with its watchdog (the next run and
# --cleanup remove what is left), a disk that fills while it waits (the
# capture is kept; --recover finishes it), an output disk that fills (a
# second place), too little room for the scratch, --tmpdir and TMPDIR.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
mounts=()
CG=""
cleanup_keep() {
	[ -n "${REC:-}" ] && kill -9 "$REC" 2> /dev/null
	[ -n "${HOG:-}" ] && kill -9 "$HOG" 2> /dev/null
	[ -n "${LAB_PID:-}" ] && kill "$LAB_PID" 2> /dev/null
	wait 2> /dev/null
	for m in "${mounts[@]}"; do umount "$m" 2> /dev/null; done
	[ -n "$CG" ] && rmdir "$CG" 2> /dev/null
	rm -rf "$T"
}
trap cleanup_keep EXIT

stop_lab() {
	kill -TERM "$LAB_PID" 2> /dev/null
	wait "$LAB_PID" 2> /dev/null
	LAB_PID=""
}

# the watchdog's pid and the scratch of a recording, from /run/pttrace
scratch_of() { cat "/run/pttrace/record.$1" 2> /dev/null; }
watchdog_of() { sed -n 's/^watchdog //p' "$(scratch_of "$1")/state" 2> /dev/null; }

# gone PID: up to 10 s for the process to end
gone() {
	local i
	for i in $(seq 100); do
		[ -d "/proc/$1" ] || return 0
		sleep 0.1
	done
	return 1
}

inst_of() { sed -n "s/.*in tracefs instance '\([^']*\)'.*/\1/p" "$1" | head -1; }

# start_rec NAME ARGS...: record in the background, armed; sets REC, INST, SCRATCH, WD
start_rec() {
	local name=$1
	shift
	"$PTTRACE" record "$@" > "$T/$name.rec" 2>&1 &
	REC=$!
	wait_for "$T/$name.rec" "armed; waiting" || { not_ok "$name: record armed"; diag "$T/$name.rec"; }
	INST=$(inst_of "$T/$name.rec")
	SCRATCH=$(scratch_of $REC)
	WD=$(watchdog_of $REC)
}

lab_start healthy pt-k1 --duration 300
kill -USR1 "$LAB_PID"

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
run "$PTTRACE" record --vm pt-k1 -o "$T/clean.dat" --tmpdir "$T/tmpdir-does-not-exist"
expect_rc 2 "--tmpdir that does not exist: exit 2"
expect_err "^pttrace: cannot use '$T/tmpdir-does-not-exist' for scratch files: No such file or directory$" \
	"--tmpdir that does not exist: said before arming"
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

# TMPDIR is the default when --tmpdir is not given
mkdir "$T/envtmp"
TMPDIR=$T/envtmp start_rec env --vm pt-k1 -o "$T/env.dat"
[ "$(dirname "$SCRATCH")" = "$T/envtmp" ] && ok "TMPDIR: the scratch is there" || not_ok "TMPDIR: the scratch is there ($SCRATCH)"
kill -INT $REC
wait $REC
rc=$?
REC=""
[ $rc = 0 ] && [ -s "$T/env.dat" ] && [ ! -e "$SCRATCH" ] && ok "Ctrl-C: written, scratch removed" ||
	{ not_ok "Ctrl-C: written, scratch removed (exit $rc)"; diag "$T/env.rec"; }

# too little room for the ring buffers: said before arming
mkdir -p "$T/tiny" "$T/small" "$T/elsewhere"
if mount -t tmpfs -o size=1m tmpfs "$T/tiny"; then
	mounts+=("$T/tiny")
	run "$PTTRACE" record --vm pt-k1 -o "$T/tiny/crash.dat" -b 1024
	expect_rc 2 "no room for the scratch: exit 2"
	expect_err "^pttrace: not enough space in '$T/tiny' for the capture: [0-9.]+ MB free, the ring buffers need [0-9.]+ MB \(--tmpdir elsewhere, or a smaller -b\)$" \
		"no room for the scratch: said before arming"
	[ -z "$(ls -A "$T/tiny")" ] && ok "no room: nothing left in the directory" || not_ok "no room: left $(ls -A "$T/tiny")"
else
	skip "cannot mount a small tmpfs"
fi

# the disk fills while the recorder waits: the capture is kept; --recover finishes it
if mount -t tmpfs -o size=16m tmpfs "$T/small"; then
	mounts+=("$T/small")
	start_rec full --vm pt-k1 -o "$T/small/crash.dat" -b 1024
	dd if=/dev/zero of="$T/small/filler" bs=1M 2> /dev/null
	sleep 1
	kill -INT $REC
	wait $REC
	rc=$?
	REC=""
	[ $rc = 2 ] && ok "full disk at the stop: exit 2" || not_ok "full disk at the stop: exit 2 (got $rc)"
	grep -Eq "^pttrace: cannot write '$SCRATCH/vm.cpu[0-9]+': No space left on device; recording stopped, and the capture is kept in '$SCRATCH' and tracefs instance '$INST': make room, then pttrace record --recover $SCRATCH$" "$T/full.rec" &&
		ok "full disk: says where the capture is and how to finish it" || { not_ok "full disk: says where the capture is"; diag "$T/full.rec"; }
	[ -d "$TRACEFS/instances/$INST" ] && [ "$(cat "$TRACEFS/instances/$INST/tracing_on")" = 0 ] &&
		ok "full disk: the instance keeps the capture, stopped" || not_ok "full disk: the instance keeps the capture, stopped"
	gone "$WD" && ok "full disk: the watchdog ended (the recorder said what it kept)" || not_ok "full disk: the watchdog ended"
	run "$PTTRACE" record --vm pt-k1 -o "$T/other.dat" --duration 1
	expect_err "a capture that could not be written is kept in '$SCRATCH'" "the next run names the kept capture"
	[ -d "$TRACEFS/instances/$INST" ] && [ -d "$SCRATCH" ] && ok "and does not remove it" || not_ok "and does not remove it"
	run "$PTTRACE" record --recover "$SCRATCH"
	expect_rc 2 "--recover with the disk still full: exit 2"
	[ -d "$SCRATCH" ] && ok "--recover that fails keeps the capture" || not_ok "--recover that fails keeps the capture"
	rm -f "$T/small/filler"
	run "$PTTRACE" record --recover "$SCRATCH"
	expect_rc 0 "--recover after making room: exit 0"
	expect_out "^wrote: +$T/small/crash.dat$" "--recover writes the file the recording was for"
	[ ! -d "$TRACEFS/instances/$INST" ] && [ ! -e "$SCRATCH" ] && ok "--recover removes the instance and the scratch" ||
		not_ok "--recover removes the instance and the scratch"
	run trace-cmd report "$T/small/crash.dat"
	expect_out "kvm_mmio" "--recover: trace-cmd reads the file"
	run "$PTTRACE" analyze --json "$T/small/crash.dat"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trace"]["events"] > 100; assert d["metadata"]["vm"]["name"] == "pt-k1"' "$T/out" &&
		ok "--recover: the events and the metadata" || not_ok "--recover: the events and the metadata"
	run "$PTTRACE" record --recover "$T"
	expect_err "is not a pttrace record scratch directory" "--recover of another directory: refused"

	# the output's disk fills, the scratch is elsewhere: a second place
	rm -f "$T/small/crash.dat"
	start_rec second --vm pt-k1 -o "$T/small/crash.dat" -b 1024 --tmpdir "$T/elsewhere"
	dd if=/dev/zero of="$T/small/filler" bs=1M 2> /dev/null
	kill -INT $REC
	wait $REC
	rc=$?
	[ $rc = 2 ] && ok "output disk full: exit 2" || not_ok "output disk full: exit 2 (got $rc)"
	alt="$T/elsewhere/pttrace-$REC-crash.dat"
	REC=""
	grep -q "^pttrace: cannot write '$T/small/crash.dat': No space left on device; wrote '$alt' instead$" "$T/second.rec" &&
		ok "output disk full: written to a second place, and said" || { not_ok "output disk full: a second place"; diag "$T/second.rec"; }
	run "$PTTRACE" analyze "$alt"
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok "the second place's file analyses" || not_ok "the second place's file analyses (exit $rc)"
	[ "$(ls -A "$T/small")" = filler ] && ok "nothing half-written on the full disk" || not_ok "left on the full disk: $(ls -A "$T/small")"
	[ ! -e "$SCRATCH" ] && ok "the scratch is removed" || not_ok "the scratch is removed"
	rm -f "$T/small/filler"
else
	skip "cannot mount a small tmpfs"
fi
stop_lab

left=$(ls "$TRACEFS/instances" | grep -E '^pttrace-[0-9]+-pt-k' || true)
[ -z "$left" ] && ok "no instance left behind" || not_ok "instances left: $left"
