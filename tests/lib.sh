# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for pttrace's shell tests.  Each test file prints TAP lines
# (ok / not ok / ok # SKIP), which tests/run.sh counts.
#
#   run CMD...            runs CMD; its exit status in $rc, output in $T/out and $T/err
#   expect_rc N DESC      ok when $rc is N
#   expect_out RE DESC    ok when stdout matches the extended regex RE
#   expect_err RE DESC    ok when stderr matches RE
#   expect_absent RE DESC ok when the command gave its output (exit 0 or 1,
#                         stdout not empty) and stdout does not match RE
#   expect_one_line DESC RE  ok when it failed (exit 2) with one line on stderr matching RE
# expect_rc 2 also wants a message on stderr: pttrace never fails silently,
# so a check of a failure cannot pass on a pttrace that fails for nothing
# (tests/mutation.sh runs the tests with such a pttrace).
#   need_root_kvm         skips the whole file without root, /dev/kvm or QEMU

TOP=$(cd "$(dirname "$0")/../.." && pwd)
PTTRACE=${PTTRACE:-$TOP/pttrace}
T=$(mktemp -d /tmp/pttrace-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
tap_n=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
skip_all() { echo "ok 1 # SKIP $*"; exit 0; }
diag() { sed 's/^/#   /' "$@" | head -20; }

run() {
	"$@" > "$T/out" 2> "$T/err"
	rc=$?
}

expect_rc() {
	if [ "$rc" = "$1" ] && [ "$1" = 2 ] && [ ! -s "$T/err" ]; then
		not_ok "$2 (exit 2 without a message)"
	elif [ "$rc" = "$1" ]; then
		ok "$2"
	else
		not_ok "$2 (exit $rc, expected $1)"
		diag "$T/out" "$T/err"
	fi
}

expect_out() {
	if grep -Eq -- "$1" "$T/out"; then
		ok "$2"
	else
		not_ok "$2 (stdout does not match /$1/)"
		diag "$T/out"
	fi
}

expect_err() {
	if grep -Eq -- "$1" "$T/err"; then
		ok "$2"
	else
		not_ok "$2 (stderr does not match /$1/)"
		diag "$T/err"
	fi
}

expect_absent() {
	if [ "$rc" -gt 1 ] || [ ! -s "$T/out" ]; then
		not_ok "$2 (no output to look in: exit $rc)"
		diag "$T/err"
	elif grep -Eq -- "$1" "$T/out"; then
		not_ok "$2 (stdout matches /$1/)"
		diag "$T/out"
	else
		ok "$2"
	fi
}

# expect_one_line DESC RE: ok when the command failed (exit 2) with one line
# on stderr, matching RE
expect_one_line() {
	if [ "$rc" = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -Eq -- "$2" "$T/err"; then
		ok "$1"
	else
		not_ok "$1 (exit $rc)"
		diag "$T/err"
	fi
}

need_root_kvm() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	[ -c /dev/kvm ] && [ -w /dev/kvm ] || skip_all "needs /dev/kvm"
	command -v "${PTTRACE_QEMU:-qemu-system-x86_64}" > /dev/null ||
		skip_all "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"
}

# Mounts tracefs when it is not, as pttrace record will; skips without it.
need_tracefs() {
	TRACEFS=/sys/kernel/tracing
	[ -d $TRACEFS/instances ] || mount -t tracefs nodev $TRACEFS 2> /dev/null ||
		skip_all "needs tracefs on $TRACEFS"
	[ -d $TRACEFS/events/kvm ] || skip_all "needs the kvm trace events"
}

# stop_lab: ends the lab VM lab_start started (its QEMU with it)
stop_lab() {
	kill -TERM "$LAB_PID" 2> /dev/null
	wait "$LAB_PID" 2> /dev/null
	LAB_PID=""
}

# lab_start SCENARIO NAME [lab args]: a paused lab VM; sets LAB_PID and QEMU_PID
lab_start() {
	local s=$1 name=$2 i
	shift 2
	rm -f "$T/$name.pid"
	"$PTTRACE" lab run "$s" --name "$name" --paused --pid-file "$T/$name.pid" "$@" \
		> "$T/$name.lab" 2>&1 &
	LAB_PID=$!
	for i in $(seq 300); do
		[ -s "$T/$name.pid" ] && break
		sleep 0.1
	done
	QEMU_PID=$(cat "$T/$name.pid" 2> /dev/null)
}

# wait_for FILE REGEX: up to 30 s for FILE to show REGEX
wait_for() {
	local i
	for i in $(seq 300); do
		grep -Eq -- "$2" "$1" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}

# need_fake_qemu: FAKE and PY to run tests/lab/fake-qemu.py as
# `exec -a qemu-system-x86_64 "$PY" "$FAKE" MODE ...`; skips without python3
need_fake_qemu() {
	command -v python3 > /dev/null || skip_all "needs python3"
	FAKE=$TOP/tests/lab/fake-qemu.py
	# the interpreter itself: a wrapper script (pyenv) would lose exec -a's
	# argv[0]; and its home, which it would otherwise look for from that argv[0]
	PY=$(python3 -c 'import sys; print(sys.executable)')
	export PYTHONHOME
	PYTHONHOME=$(python3 -c 'import sys; print(sys.base_prefix)')
}

# fake_qemu MODE NAME [QEMU args]: after need_fake_qemu, tests/lab/fake-qemu.py
# as a process that looks like QEMU (exec -a), called NAME, its QMP socket
# $T/NAME.sock; sets FAKE_PID once it listens (the caller's trap kills it)
fake_qemu() {
	local mode=$1 name=$2
	shift 2
	rm -f "$T/$name.sock"
	(exec -a qemu-system-x86_64 "$PY" "$FAKE" "$mode" -name "$name" \
		-qmp "unix:$T/$name.sock,server=on,wait=off" "$@") > "$T/$name.fake" 2>&1 &
	FAKE_PID=$!
	wait_for "$T/$name.fake" ready || { not_ok "fake QEMU $name starts"; diag "$T/$name.fake"; return 1; }
}

# pttrace record's fault tests (tests/lab/record-*.sh)

# the watchdog's pid and the scratch of a recording, from /run/pttrace
scratch_of() { cat "/run/pttrace/record.$1" 2> /dev/null; }
watchdog_of() { sed -n 's/^watchdog //p' "$(scratch_of "$1")/state" 2> /dev/null; }

# gone PID [TENTHS]: up to TENTHS tenths of a second (default 10 s) for the process to end
gone() {
	local i
	for i in $(seq "${2:-100}"); do
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

# machine_as_it_was PREFIX: no instance of a VM named PREFIX*, no scratch in
# $T and no registry entry of a recorder that is gone
machine_as_it_was() {
	local left reg
	left=$(ls "$TRACEFS/instances" | grep -E "^pttrace-[0-9]+-$1" || true)
	[ -z "$left" ] && ok "no tracefs instance left" || not_ok "instances left: $left"
	left=$(find "$T" -name '.pttrace-record.*' -o -name '*.tmp.*' 2> /dev/null)
	[ -z "$left" ] && ok "no scratch or temporary file left" || not_ok "left: $left"
	for reg in /run/pttrace/record.*; do
		[ -e "$reg" ] || continue
		case $(cat "$reg" 2> /dev/null) in "$T"/*) not_ok "registry entry left: $reg"; return ;; esac
	done
	ok "no registry entry left"
}
