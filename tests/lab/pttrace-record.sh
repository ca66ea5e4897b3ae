# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace record on every lab scenario, end to end: the VM found by name,
# stopped by itself at the crash, a file trace-cmd reads, and pttrace
# analyze naming the scenario's root cause.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"

instances_before=$(ls $TRACEFS/instances | sort)
tracing_before=$(cat $TRACEFS/tracing_on $TRACEFS/set_event $TRACEFS/set_event_pid)

first_finding() {
	python3 -c 'import json,sys
f = json.load(open(sys.argv[1]))["findings"]
print(f[0]["detector"], f[0]["device"]) if f else print("none")' "$1"
}

# The Windows bluescreen path: record stops in the kernel on the
# crash-control MSR write itself (refused with #GP where KVM has no
# Hyper-V crash MSRs, so the guest's pvpanic that follows is not in the
# file), and QMP's GUEST_PANICKED is in the metadata (with hv-crash's
# bugcheck where KVM has the MSRs).
check_bugcheck() {
	run trace-cmd report "$1"
	last=$(grep -E "kvm_[a-z_]+:" "$T/out" | tail -1)
	case $last in
	*"kvm_msr:"*"msr_write 40000105 = 0x8000000000000000"*) ok "bugcheck: the file ends at the crash-control MSR write" ;;
	*) not_ok "bugcheck: the file ends at the crash-control MSR write: '$last'" ;;
	esac
	run "$PTTRACE" analyze "$1"
	expect_out "^BUGCHECK: +0x116 VIDEO_TDR_FAILURE \(" "bugcheck: analyze names VIDEO_TDR_FAILURE"
	if grep -q "(#GP)" <<< "$last"; then
		expect_out "^REFUSED: +KVM refused all 6 crash MSR writes with #GP" "bugcheck: analyze says the writes were refused"
	else
		grep -q "^REFUSED:" "$T/out" && not_ok "bugcheck: hv-crash took the writes" ||
			ok "bugcheck: hv-crash took the writes"
	fi
	run "$PTTRACE" analyze --json "$1"
	if python3 -c 'import json,sys
g = json.load(open(sys.argv[1]))["metadata"]["guest_panicked"]
info = g.get("info")
assert g["action"] and (info is None or (info["type"] == "hyper-v" and info["arg1"] == 0x116))' "$T/out"; then
		ok "bugcheck: QMP's GUEST_PANICKED is in the metadata"
	else
		not_ok "bugcheck: QMP's GUEST_PANICKED is in the metadata"
	fi
}

# scenario, how record must stop, root cause (detector device)
while IFS='|' read -r s stop cause; do
	name=pt-rec-$s
	lab_start "$s" "$name"
	extra=""
	[ "$s" = healthy ] && extra="--duration 4"
	# shellcheck disable=SC2086
	"$PTTRACE" record --vm "$name" -o "$T/$s.dat" $extra > "$T/$s.rec" 2>&1 &
	rec=$!
	if ! wait_for "$T/$s.rec" "armed"; then
		not_ok "$s: record armed"
		diag "$T/$s.rec"
	fi
	kill -USR1 "$LAB_PID"
	wait "$rec"
	rc=$?
	wait "$LAB_PID"
	[ $rc = 0 ] && ok "$s: record exits 0" || { not_ok "$s: record exits 0 (got $rc)"; diag "$T/$s.rec"; }
	if grep -q "^stopped: *$stop" "$T/$s.rec"; then
		ok "$s: stopped by the $stop"
	else
		not_ok "$s: stopped by the $stop"
		diag "$T/$s.rec"
	fi
	run trace-cmd report "$T/$s.dat"
	expect_rc 0 "$s: trace-cmd report reads pttrace's file"
	expect_out "kvm_mmio: +mmio (read|write)" "$s: MMIO in the file"
	run trace-cmd dump --summary -i "$T/$s.dat"
	expect_out "zstd" "$s: trace-cmd dump --summary reads it: v7, zstd"
	run "$PTTRACE" analyze --json "$T/$s.dat"
	got=$(first_finding "$T/out")
	if [ "$s" = healthy ]; then
		expect_rc 0 "healthy: analyze finds nothing suspicious"
	elif [ "$got" = "$cause" ]; then
		ok "$s: analyze names the root cause ($got)"
	else
		not_ok "$s: analyze names the root cause: got '$got', want '$cause'"
	fi
	if python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["metadata"]; assert m["vm"]["name"]==sys.argv[2] and m["pci"]' "$T/out" "$name"; then
		ok "$s: the VM's metadata and guest PCI devices are in the file"
	else
		not_ok "$s: the VM's metadata and guest PCI devices are in the file"
	fi
	[ "$s" = bugcheck ] && check_bugcheck "$T/$s.dat"
	[ -d "/proc/$QEMU_PID" ] && { not_ok "$s: QEMU gone"; kill -9 "$QEMU_PID"; } || ok "$s: QEMU gone"
done << 'LIST'
d3-access|in-kernel crash trigger|powered-down 00:04.0
hang-reset|in-kernel crash trigger|reset 00:05.0
bugcheck|in-kernel crash trigger|polling 00:05.0
irq-storm|in-kernel crash trigger|irq-storm 00:03.0
lost-msi|in-kernel crash trigger|lost-irq 00:03.0
stray-mmio|in-kernel crash trigger|stray-mmio 00:03.0
busmaster-off|in-kernel crash trigger|lost-irq 00:03.0
intx-disabled|in-kernel crash trigger|lost-irq 00:03.0
healthy|duration|-
LIST

[ "$(ls $TRACEFS/instances | sort)" = "$instances_before" ] && ok "no tracefs instance left" ||
	not_ok "no tracefs instance left: $(ls $TRACEFS/instances)"
[ "$(cat $TRACEFS/tracing_on $TRACEFS/set_event $TRACEFS/set_event_pid)" = "$tracing_before" ] &&
	ok "top-level tracing unchanged" || not_ok "top-level tracing unchanged"
