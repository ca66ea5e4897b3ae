# SPDX-License-Identifier: GPL-2.0-or-later
# The lab VM's life: paused start, signals, and a runner killed with -9.
. "$(dirname "$0")/../lib.sh"
need_root_kvm

wait_for_file() {
	local i
	for i in $(seq 200); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# --paused: QEMU waits with -S until SIGUSR1, and the pid file names it
"$PTTRACE" lab run lost-msi --name pttrace-test-paused --paused --pid-file "$T/pid" \
	> "$T/paused.out" 2>&1 &
lab=$!
if wait_for_file "$T/pid"; then
	ok "--pid-file is written"
	qemu=$(cat "$T/pid")
	if tr '\0' ' ' < "/proc/$qemu/cmdline" | grep -q -- "-name pttrace-test-paused .*-S "; then
		ok "the paused VM runs as 'qemu-system-x86_64 -name pttrace-test-paused ... -S'"
	else
		not_ok "the paused VM's command line"
	fi
	sleep 1
	grep -q "^guest| scenario" "$T/paused.out" && not_ok "the guest waits while paused" ||
		ok "the guest waits while paused"
	kill -USR1 $lab
	wait $lab
	rc=$?
	[ $rc = 0 ] && ok "after SIGUSR1 the guest runs to its crash" ||
		{ not_ok "after SIGUSR1 the guest runs to its crash (exit $rc)"; diag "$T/paused.out"; }
	gone "$qemu" 50 && ok "QEMU is gone after the paused run" || { not_ok "QEMU is gone after the paused run"; kill -9 "$qemu"; }
	[ ! -e "$T/pid" ] && ok "the pid file is removed" || not_ok "the pid file is removed"
else
	not_ok "--pid-file is written"
	kill $lab
	wait $lab
fi

# SIGTERM: the runner ends QEMU and says it was stopped
"$PTTRACE" lab run healthy --name pttrace-test-term --duration 60 --pid-file "$T/pid" \
	> "$T/term.out" 2>&1 &
lab=$!
if wait_for_file "$T/pid"; then
	qemu=$(cat "$T/pid")
	sleep 1
	kill -TERM $lab
	wait $lab
	rc=$?
	[ $rc = 1 ] && ok "SIGTERM: exit 1" || not_ok "SIGTERM: exit 1 (got $rc)"
	grep -q "^lab: healthy: stopped by a signal" "$T/term.out" && ok "SIGTERM: says it was stopped" ||
		{ not_ok "SIGTERM: says it was stopped"; diag "$T/term.out"; }
	gone "$qemu" 50 && ok "SIGTERM: QEMU is gone" || { not_ok "SIGTERM: QEMU is gone"; kill -9 "$qemu"; }
else
	not_ok "healthy VM started for the SIGTERM test"
	kill $lab
	wait $lab
fi

# kill -9 of the runner: QEMU dies with it (PR_SET_PDEATHSIG)
"$PTTRACE" lab run healthy --name pttrace-test-kill --duration 60 --pid-file "$T/pid" \
	> "$T/kill.out" 2>&1 &
lab=$!
if wait_for_file "$T/pid"; then
	qemu=$(cat "$T/pid")
	kill -9 $lab
	wait $lab 2> /dev/null
	gone "$qemu" 50 && ok "kill -9 of pttrace: QEMU dies too" || { not_ok "kill -9 of pttrace: QEMU dies too"; kill -9 "$qemu"; }
	# the killed runner could not remove its run directory
	rundir=$(sed -n 's|^lab: VM .* QMP \(/tmp/pttrace-lab\.[^/]*\)/qmp.sock$|\1|p' "$T/kill.out")
	[ -n "$rundir" ] && rm -rf "$rundir"
else
	not_ok "healthy VM started for the kill -9 test"
	kill $lab
	wait $lab
fi
