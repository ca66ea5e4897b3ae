# SPDX-License-Identifier: GPL-2.0-or-later
# The VM is who it says it is: pttrace record, as root, against processes
# that only look like QEMU (tests/lab/fake-qemu.py under exec -a), with
# real tracefs: one without KVM is refused, one naming libvirt's monitor
# without libvirt's pid file is refused, a QMP socket not held by the VM or
# owned by another user is not used, and hostile QMP peers (silent,
# flooding, huge and nested replies) are dropped with a message while the
# recording goes on, in bounded time and memory.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
need_fake_qemu
pids=()
cleanup_identity() {
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	[ -n "${LAB_PID:-}" ] && kill "$LAB_PID" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$T"
}
trap cleanup_identity EXIT

# fake MODE NAME [extra QEMU args]: lib.sh's fake_qemu, killed at the end
fake() {
	local rc=0
	fake_qemu "$@" || rc=1
	pids+=("$FAKE_PID")
	[ "$rc" = 0 ] || exit 1
}

no_instance() {
	! ls "$TRACEFS/instances" | grep -q "^pttrace-[0-9]*-$1"
}

# a QEMU command line without KVM
fake nokvm tcgvm
run "$PTTRACE" record --vm tcgvm -o "$T/tcg.dat" --duration 1
expect_rc 2 "no KVM: exit 2"
expect_err "^pttrace: process $FAKE_PID has a QEMU command line but holds no /dev/kvm or kvm-vm descriptor and has no 'CPU n/KVM' thread: not a KVM guest \(a TCG guest makes no kvm events\): not recorded$" \
	"no KVM: refused, and why"
no_instance tcgvm && [ ! -e "$T/tcg.dat" ] && ok "no KVM: nothing armed, nothing written" || not_ok "no KVM: nothing armed"

# a process that names libvirt's monitor, not in libvirt's pid files
fake good libfake -chardev socket,id=charmonitor,path=/var/lib/libvirt/qemu/domain-9-libfake/monitor.sock,server=on,wait=off \
	-mon chardev=charmonitor,id=monitor,mode=control
run "$PTTRACE" record --vm libfake -o "$T/lib.dat" --duration 1
expect_rc 2 "libvirt's monitor, no pid file: exit 2"
expect_err "names libvirt's monitor '/var/lib/libvirt/qemu/domain-9-libfake/monitor.sock', but no pid file of libvirt's \(/run/libvirt/qemu/\*.pid\) names it: not recorded" \
	"libvirt's monitor without libvirt's pid file: refused"

# the fake holds /dev/kvm and its own QMP socket: it is recorded, QMP answers
fake good goodvm
run "$PTTRACE" record --vm goodvm -o "$T/good.dat" --duration 1
expect_rc 0 "a process holding /dev/kvm and its QMP socket: recorded"
grep -q "QMP socket .* not used" "$T/err" && not_ok "its own QMP socket is used" || ok "its own QMP socket is used"

# a socket where the command line points, not held by the VM
fake good planted
kill "$FAKE_PID"
wait "$FAKE_PID" 2> /dev/null
rm -f "$T/planted.sock"
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); print("ready", flush=True); time.sleep(60)' \
	"$T/planted.sock" > "$T/planter" &
pids+=($!)
wait_for "$T/planter" ready
(exec -a qemu-system-x86_64 "$PY" "$FAKE" nolisten -name planted2 -qmp "unix:$T/planted.sock,server=on") > "$T/p2.fake" 2>&1 &
pids+=($!)
p2=$!
wait_for "$T/p2.fake" ready || { not_ok "fake QEMU planted2 starts"; diag "$T/p2.fake"; }
run "$PTTRACE" record --vm planted2 -o "$T/planted.dat" --duration 1
expect_err "QMP socket '$T/planted.sock' not used: no socket bound to '$T/planted.sock' is open in the VM's process \(pid $p2\)" \
	"a socket another process holds at the VM's path is not used"

# the socket file owned by another user than the VM's
fake good otheruser
chown nobody "$T/otheruser.sock"
run "$PTTRACE" record --vm otheruser -o "$T/other.dat" --duration 1
expect_err "QMP socket '$T/otheruser.sock' not used: '$T/otheruser.sock' is owned by uid [0-9]+, the VM \(pid $FAKE_PID\) runs as uid 0" \
	"a socket file owned by another user is not used"

# hostile peers: dropped with a message, the recording goes on, bounded
for mode in silent flood huge nested; do
	fake $mode "h$mode"
	start=$(date +%s)
	"$PTTRACE" record --vm "h$mode" -o "$T/$mode.dat" --duration 3 > "$T/$mode.out" 2> "$T/$mode.err" &
	rec=$!
	hwm=0
	while [ -d "/proc/$rec" ]; do
		h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$rec/status" 2> /dev/null)
		[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
		sleep 0.2
	done
	wait $rec
	rc=$?
	took=$(($(date +%s) - start))
	case $mode in
	silent) want="QMP socket '$T/hsilent.sock' not used: no QMP greeting on '$T/hsilent.sock' in 1000 ms" ;;
	flood) want="the QMP peer sent more than 5000 messages in a second: disconnected; recording goes on without QMP" ;;
	huge) want="QMP (socket|peer).*(larger than 16777216 bytes|no QMP greeting)" ;;
	nested) want="the QMP peer sent what is not JSON \(.*\): disconnected" ;;
	esac
	[ $rc = 0 ] && [ -s "$T/$mode.dat" ] && ok "$mode QMP peer: the recording goes on and is written" ||
		{ not_ok "$mode QMP peer: the recording goes on (exit $rc)"; diag "$T/$mode.err"; }
	grep -Eq "$want" "$T/$mode.err" && ok "$mode QMP peer: dropped, and said" ||
		{ not_ok "$mode QMP peer: dropped, and said"; diag "$T/$mode.err"; }
	[ "$took" -le 12 ] && ok "$mode QMP peer: bounded in time (${took} s for a 3 s recording)" ||
		not_ok "$mode QMP peer: bounded in time (${took} s)"
	[ "$hwm" -le $((96 * 1024)) ] && ok "$mode QMP peer: bounded in memory (peak RSS ${hwm} kB)" ||
		not_ok "$mode QMP peer: bounded in memory (peak RSS ${hwm} kB)"
done
ls "$TRACEFS/instances" | grep -q "^pttrace-" && not_ok "no instance left" || ok "no instance left"
