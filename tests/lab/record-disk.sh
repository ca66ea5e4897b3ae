# SPDX-License-Identifier: GPL-2.0-or-later
# Nothing captured is lost when the disk fails pttrace record: outputs it
# cannot write at all (a missing directory, a read-only file system, no room
# for the ring buffers: said before arming), scratch placement (--tmpdir,
# TMPDIR), a disk that fills while it waits (the capture is kept; --recover
# finishes it), an output disk that fills at the stop (a second place), a
# disk that fills while streaming, and EIO while streaming and while writing
# (tests/tools/eio.c).
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
EIO=$TOP/build/tests/eio.so
mounts=()
cleanup_disk() {
	[ -n "${REC:-}" ] && kill -9 "$REC" 2> /dev/null
	[ -n "${LAB_PID:-}" ] && kill "$LAB_PID" 2> /dev/null
	wait 2> /dev/null
	for m in "${mounts[@]}"; do umount "$m" 2> /dev/null; done
	"$PTTRACE" record --cleanup > /dev/null 2>&1
	rm -rf "$T"
}
trap cleanup_disk EXIT

# outputs it cannot write: an error before arming, and no file
lab_start healthy pt-d1 --duration 300
kill -USR1 "$LAB_PID"
run "$PTTRACE" record --vm pt-d1 -o /nonexistent-dir/crash.dat
expect_rc 2 "missing directory: exit 2"
expect_err "^pttrace: cannot write '/nonexistent-dir/crash.dat': No such file or directory$" "missing directory: one line"
mkdir -p "$T/ro" "$T/full"
if mount -t tmpfs -o ro,size=1m tmpfs "$T/ro"; then
	mounts+=("$T/ro")
	run "$PTTRACE" record --vm pt-d1 -o "$T/ro/crash.dat"
	expect_err "cannot write '$T/ro/crash.dat': Read-only file system" "read-only file system: said before arming"
else
	skip "cannot mount a read-only tmpfs"
fi
if mount -t tmpfs -o size=16k tmpfs "$T/full"; then
	mounts+=("$T/full")
	run "$PTTRACE" record --vm pt-d1 -o "$T/full/crash.dat" --duration 2
	expect_rc 2 "full disk: exit 2"
	expect_err "^pttrace: not enough space in '$T/full' for the capture" "full disk: said before arming"
	[ -z "$(ls -A "$T/full")" ] && ok "full disk: no file left, not even a temporary one" ||
		not_ok "full disk: no file left: $(ls -A "$T/full")"
else
	skip "cannot mount a small tmpfs"
fi

run "$PTTRACE" record --vm pt-d1 -o "$T/clean.dat" --tmpdir "$T/tmpdir-does-not-exist"
expect_rc 2 "--tmpdir that does not exist: exit 2"
expect_err "^pttrace: cannot use '$T/tmpdir-does-not-exist' for scratch files: No such file or directory$" \
	"--tmpdir that does not exist: said before arming"

# TMPDIR is the default when --tmpdir is not given
mkdir "$T/envtmp"
TMPDIR=$T/envtmp start_rec env --vm pt-d1 -o "$T/env.dat"
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
	run "$PTTRACE" record --vm pt-d1 -o "$T/tiny/crash.dat" -b 1024
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
	start_rec full --vm pt-d1 -o "$T/small/crash.dat" -b 1024
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
	run "$PTTRACE" record --vm pt-d1 -o "$T/other.dat" --duration 1
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
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trace"]["events"] > 100; assert d["metadata"]["vm"]["name"] == "pt-d1"' "$T/out" &&
		ok "--recover: the events and the metadata" || not_ok "--recover: the events and the metadata"
	run "$PTTRACE" record --recover "$T"
	expect_err "is not a pttrace record scratch directory" "--recover of another directory: refused"

	# the output's disk fills, the scratch is elsewhere: a second place
	rm -f "$T/small/crash.dat"
	start_rec second --vm pt-d1 -o "$T/small/crash.dat" -b 1024 --tmpdir "$T/elsewhere"
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

# the scratch's disk fills while streaming: what was drained is kept, --recover finishes it
mkdir -p "$T/sfull"
if mount -t tmpfs -o size=8m tmpfs "$T/sfull"; then
	mounts+=("$T/sfull")
	start_rec sfull --vm pt-d1 --stream "$T/sfull.dat" -b 1024 --tmpdir "$T/sfull"
	dd if=/dev/zero of="$T/sfull/filler" bs=1M 2> /dev/null
	wait $REC
	rc=$?
	REC=""
	[ $rc = 2 ] && ok "disk full while streaming: exit 2" || not_ok "disk full while streaming: exit 2 (got $rc)"
	grep -Eq "^pttrace: cannot write '$SCRATCH/vm.cpu[0-9]+': No space left on device; recording stopped, and the capture is kept in '$SCRATCH' and tracefs instance '$INST': make room, then pttrace record --recover $SCRATCH$" "$T/sfull.rec" &&
		ok "disk full while streaming: says where the capture is" || { not_ok "disk full while streaming: says where the capture is"; diag "$T/sfull.rec"; }
	rm -f "$T/sfull/filler"
	run "$PTTRACE" record --recover "$SCRATCH"
	expect_rc 0 "disk full while streaming: --recover after making room"
	run "$PTTRACE" analyze --json "$T/sfull.dat"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["trace"]["events"] > 100, d["trace"]; assert d["metadata"]["recording"]["mode"] == "stream"' "$T/out" &&
		ok "disk full while streaming: the recovered stream has its events" || { not_ok "disk full while streaming: the recovered stream"; diag "$T/out" "$T/err"; }
else
	skip "cannot mount a small tmpfs"
fi

# EIO on the scratch while streaming: kept, and the advice is not "make room"
if [ -f "$EIO" ]; then
	mkdir -p "$T/eio"
	PTTRACE_TEST_EIO=/vm.cpu LD_PRELOAD=$EIO start_rec eiostream --vm pt-d1 --stream "$T/eiostream.dat" --tmpdir "$T/eio"
	wait $REC
	rc=$?
	REC=""
	[ $rc = 2 ] && ok "EIO while streaming: exit 2" || not_ok "EIO while streaming: exit 2 (got $rc)"
	grep -Eq "^pttrace: cannot write '$SCRATCH/vm.cpu[0-9]+': Input/output error; recording stopped, and the capture is kept in '$SCRATCH' and tracefs instance '$INST': once that is fixed, pttrace record --recover $SCRATCH$" "$T/eiostream.rec" &&
		ok "EIO while streaming: kept, and said" || { not_ok "EIO while streaming: kept, and said"; diag "$T/eiostream.rec"; }
	run "$PTTRACE" record --recover "$SCRATCH"
	expect_rc 0 "EIO while streaming: --recover once the disk is good"
	[ -s "$T/eiostream.dat" ] && [ ! -e "$SCRATCH" ] && ok "EIO while streaming: recovered, scratch removed" ||
		not_ok "EIO while streaming: recovered, scratch removed"

	# EIO on the output's disk at the stop: a second place, even on the same file system
	mkdir -p "$T/bad"
	PTTRACE_TEST_EIO=$T/bad/ LD_PRELOAD=$EIO run "$PTTRACE" record --vm pt-d1 -o "$T/bad/crash.dat" --duration 1 --tmpdir "$T/eio"
	expect_rc 2 "EIO while writing: exit 2"
	alt=$(sed -n "s/^pttrace: cannot write '.*': Input\/output error; wrote '\(.*\)' instead$/\1/p" "$T/err")
	[ -n "$alt" ] && [ -s "$alt" ] && ok "EIO while writing: written to a second place, and said ($alt)" ||
		{ not_ok "EIO while writing: a second place"; diag "$T/err"; }
	[ -z "$(ls -A "$T/bad")" ] && ok "EIO while writing: nothing half-written left" || not_ok "EIO while writing: left $(ls -A "$T/bad")"
	run "$PTTRACE" analyze "$alt"
	[ "$rc" = 0 ] || [ "$rc" = 1 ] && ok "EIO while writing: the second place's file analyses" || not_ok "EIO while writing: the file analyses (exit $rc)"
	rm -f "$alt"
else
	skip "build/tests/eio.so is not built (make test-progs)"
fi
stop_lab
machine_as_it_was pt-d
