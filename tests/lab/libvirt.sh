# A real libvirtd and a real domain: the lab guest booted by libvirt
# directly (<os><kernel>), with the lab's e1000e and <panic model='isa'/>,
# as a transient domain (virsh create).  pttrace vms, check (by name, UUID
# and id), record --vm DOMAIN stopping at the guest's crash (the in-kernel
# trigger, then libvirt's crash event alone), and analyze on what it wrote,
# with the guest BARs that query-pci gave through libvirt.  libvirtd and
# virtlogd are started when they are not running, and stopped at the end
# only when this test started them; the domain is destroyed, also on
# failure.  Without /dev/kvm the domain runs under TCG (type='qemu'):
# everything but the kvm events is tested (discovery, XML, QMP through
# libvirt, libvirt's crash event) and the recording is skipped with why.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root (libvirt's system daemon, tracefs)"
for c in libvirtd virtlogd virsh; do
	command -v $c > /dev/null ||
		skip_all "needs $c (apt-get install libvirt-daemon-system libvirt-clients)"
done
command -v "${PTTRACE_QEMU:-qemu-system-x86_64}" > /dev/null ||
	skip_all "needs qemu-system-x86_64 (apt-get install qemu-system-x86)"
GUEST_ELF=$TOP/build/guest/pttrace-lab.elf
WATCH=$TOP/build/tests/virt-watch
[ -f "$GUEST_ELF" ] && [ -x "$WATCH" ] || skip_all "needs make test-progs ($GUEST_ELF, $WATCH)"

KVM=0
[ -c /dev/kvm ] && [ -w /dev/kvm ] && KVM=1
# PTTRACE_TEST_TCG=1 runs the TCG path on a KVM host too
[ "${PTTRACE_TEST_TCG:-0}" = 1 ] && KVM=0
DOM=pttrace-lv-$$
UUID=$(cat /proc/sys/kernel/random/uuid)
VIRSH="virsh -q -c qemu:///system"
started=()	# "pidfile" of each daemon this test started

cleanup_libvirt() {
	[ -n "${REC:-}" ] && kill "$REC" 2> /dev/null
	$VIRSH destroy "$DOM" > /dev/null 2>&1
	for f in "${started[@]}"; do
		p=$(cat "$f" 2> /dev/null)
		[ -n "$p" ] && kill "$p" 2> /dev/null
	done
	wait 2> /dev/null
	rm -rf "$T"
}
trap cleanup_libvirt EXIT

# start_daemon NAME PIDFILE SOCKET: unless SOCKET answers, start NAME -d
start_daemon() {
	local i
	[ -S "$3" ] && return 0
	"$1" -d -p "$2" || return 1
	started+=("$2")
	for i in $(seq 100); do
		[ -S "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
start_daemon virtlogd /run/pttrace-test-virtlogd.pid /run/libvirt/virtlogd-sock ||
	skip_all "virtlogd did not start"
if ! $VIRSH version > /dev/null 2>&1; then
	start_daemon libvirtd /run/pttrace-test-libvirtd.pid /run/libvirt/libvirt-sock ||
		skip_all "libvirtd did not start"
	for i in $(seq 100); do
		$VIRSH version > /dev/null 2>&1 && break
		sleep 0.1
	done
fi
$VIRSH version > /dev/null 2>&1 || skip_all "libvirtd does not answer on qemu:///system"
ok "libvirtd answers (started here: ${#started[@]} daemon(s))"

# the guest where libvirt's QEMU user can read it
mkdir -p "$T/vm"
chmod 755 "$T" "$T/vm"
cp "$GUEST_ELF" "$T/vm/guest.elf"
chmod 644 "$T/vm/guest.elf"

# domain_xml SCENARIO ON_CRASH: the lab's VM as libvirt runs it (lab/lab.c):
# q35, 64 MB, one vcpu, no default devices, the lab's e1000e at 04.0
# without ROM (key=value, through <qemu:commandline>), pvpanic at 0x505.
# Its QEMU runs as root (a static DAC label, nothing relabelled): /dev/kvm
# is root's alone on some hosts (this project's), not the kvm group's.
domain_xml() {
	cat <<EOF
<domain type='$([ $KVM = 1 ] && echo kvm || echo qemu)' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$DOM</name>
  <uuid>$UUID</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$T/vm/guest.elf</kernel>
    <cmdline>scenario=$1</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>$2</on_crash>
  <devices>
    <emulator>$(command -v "${PTTRACE_QEMU:-qemu-system-x86_64}")</emulator>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
    <serial type='file'><source path='$T/vm/serial.log'/></serial>
    <panic model='isa'><address type='isa' iobase='0x505'/></panic>
  </devices>
  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
  <qemu:commandline>
    <qemu:arg value='-device'/>
    <qemu:arg value='e1000e,addr=04.0,romfile='/>
  </qemu:commandline>
</domain>
EOF
}

# create SCENARIO ON_CRASH: a transient domain, paused
create() {
	$VIRSH destroy "$DOM" > /dev/null 2>&1
	domain_xml "$1" "$2" > "$T/dom.xml"
	run $VIRSH create "$T/dom.xml" --paused
	if [ "$rc" != 0 ]; then
		not_ok "virsh create $1"
		diag "$T/out" "$T/err"
		exit 1
	fi
}

create d3-access destroy
DOMID=$($VIRSH domid "$DOM")
QPID=$(cat "/run/libvirt/qemu/$DOM.pid")

# pttrace vms: the domain, its JSON -device (pvpanic) and the lab's key=value one
run "$PTTRACE" vms
expect_rc 0 "vms"
expect_out "^$DOM +$QPID +1 +[0-9]+ +(.*pvpanic.*e1000e addr=04\.0|.*e1000e addr=04\.0.*pvpanic).* \(libvirt\)$" \
	"vms: the domain, with libvirt's JSON -device and the key=value one"
expect_out "^ +libvirt: domain id $DOMID, uuid $UUID, on_crash destroy, panic isa$" \
	"vms: id, UUID, on_crash, panic from the live XML"
run "$PTTRACE" vms --json
python3 -c '
import json, sys
v = [x for x in json.load(open(sys.argv[1])) if x["name"] == sys.argv[2]][0]
d = v["domain"]
assert v["libvirt"] and d["uuid"] == sys.argv[3] and d["id"] == int(sys.argv[4]), v
assert d["panic"] == ["isa"] and d["type"] in ("kvm", "qemu"), d
assert "pvpanic" in [x["driver"] for x in v["devices"]], v["devices"]' \
	"$T/out" "$DOM" "$UUID" "$DOMID" && ok "vms --json: the domain" || { not_ok "vms --json"; diag "$T/out"; }

# pttrace check, by name, UUID and id
run "$PTTRACE" check --vm "$DOM"
expect_out "^VM '$DOM' \(pid $QPID, libvirt domain id $DOMID, uuid $UUID\)$" "check --vm NAME"
expect_out "^ok +domain-xml +libvirt domain '$DOM', id $DOMID, uuid $UUID \(/run/libvirt/qemu/$DOM.xml\): 0 hostdevs$" \
	"check: the live XML read"
expect_out "^ok +crash-signal +crash signal: pvpanic$" "check: <panic model='isa'/> is a crash signal"
expect_out "^note +on-crash +on_crash destroy: libvirt destroys the guest at its panic" "check: on_crash destroy"
expect_out "<on_crash>preserve</on_crash>" "check: on-crash advice in domain XML"
run "$PTTRACE" check --vm "$UUID"
expect_out "^VM '$DOM' " "check --vm UUID"
run "$PTTRACE" check --vm "$DOMID"
expect_out "^VM '$DOM' " "check --vm ID"

if [ $KVM = 0 ]; then
	# TCG: QMP and the crash event through libvirt, without pttrace record
	"$WATCH" "$UUID" 60 > "$T/watch" 2>&1 &
	W=$!
	sleep 1
	$VIRSH resume "$DOM" > /dev/null
	wait $W
	grep -q "^pci 00:04.0 8086:10d3 " "$T/watch" && ok "query-pci through libvirt (TCG)" ||
		{ not_ok "query-pci through libvirt (TCG)"; diag "$T/watch"; }
	grep -q "^crash: libvirt lifecycle event: crashed (guest panicked)$" "$T/watch" &&
		ok "libvirt's crash event (TCG)" || { not_ok "libvirt's crash event (TCG)"; diag "$T/watch"; }
	skip "record --vm $DOM: needs /dev/kvm (kvm events fire only for a KVM guest; this domain runs under TCG)"
	exit 0
fi

need_tracefs

# record_crash ARGS...: pttrace record ARGS, armed before the paused domain
# resumes, until it stops (60 s at most); its output in $T/out, exit in $rc
record_crash() {
	"$PTTRACE" record "$@" > "$T/rec" 2>&1 &
	REC=$!
	wait_for "$T/rec" "armed; waiting" || { not_ok "record $* armed"; diag "$T/rec"; }
	$VIRSH resume "$DOM" > /dev/null
	for i in $(seq 600); do [ -d /proc/$REC ] || break; sleep 0.1; done
	wait $REC
	rc=$?
	RECORDER=$REC
	REC=
	cp "$T/rec" "$T/out"
	: > "$T/err"
}

# record: the in-kernel pvpanic trigger stops it; libvirt then destroys the VM
record_crash --vm "$DOM" -o "$T/crash.dat"
expect_rc 0 "record --vm $DOM: exit 0"
expect_out "^pttrace: recording VM '$DOM' \(pid $QPID" "record: the domain found by name"
expect_out "^stopped: +in-kernel crash trigger after" "record: stopped by the in-kernel pvpanic trigger"
expect_out "^crash: +guest panic \(pvpanic\)" "record: the crash is the guest's panic"
expect_out "^pttrace: libvirt domain '$DOM' \(id $DOMID\): query-pci and its crash events through libvirt$" \
	"record: QMP through libvirt"
expect_absent "QMP socket|no guest BARs|give --qmp" "record: no QMP complaint"
ls /sys/kernel/tracing/instances | grep -q "^pttrace-$RECORDER-" && not_ok "no instance left" || ok "no tracefs instance left"

run "$PTTRACE" analyze "$T/crash.dat"
expect_out "^VM: +$DOM \(pid $QPID, libvirt domain\), recorded by pttrace record" "analyze: a libvirt domain's recording"
expect_out "^CRASH: +guest panic \(pvpanic\)" "analyze: the crash"
expect_out "^PROBABLE CAUSE: .*(D3|powered)" "analyze: names the D3hot access as the cause"
run "$PTTRACE" analyze --json "$T/crash.dat"
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["metadata"]
assert m["recording"]["qmp"] == "libvirt", m["recording"]
assert m["vm"]["libvirt"] and m["vm"]["domain"]["uuid"] == sys.argv[2], m["vm"]
nic = [d for d in m["pci"] if d["bdf"] == "00:04.0"][0]
assert nic["vendor"] == 0x8086 and nic["bars"][0]["address"] > 0, nic' "$T/out" "$UUID" &&
	ok "metadata: guest BARs from query-pci through libvirt, the domain's UUID" ||
	{ not_ok "metadata: guest BARs through libvirt"; diag "$T/out"; }

# libvirt's crash event alone: no kvm_pio (no pvpanic trigger), on_crash preserve
create d3-access preserve
QPID=$(cat "/run/libvirt/qemu/$DOM.pid")
record_crash --vm "$UUID" -e kvm_mmio -e kvm_msi_set_irq -o "$T/crash2.dat"
expect_rc 0 "record --vm UUID without the pvpanic trigger: exit 0"
# QEMU's GUEST_PANICKED, forwarded by libvirt, often comes before libvirt's own crashed event
expect_out "^stopped: +libvirt crash event \((libvirt lifecycle event: crashed \(guest panicked\)|QMP GUEST_PANICKED \(through libvirt\))\) after" \
	"record: stopped by libvirt's crash event"
[ "$($VIRSH domstate "$DOM" 2> /dev/null)" = crashed ] && ok "on_crash preserve: the domain stays, crashed" ||
	not_ok "on_crash preserve: the domain stays ($($VIRSH domstate "$DOM" 2>&1))"
run "$PTTRACE" analyze "$T/crash2.dat"
expect_out "^VM: +$DOM \(pid $QPID, libvirt domain\)" "analyze: the second recording"
$VIRSH destroy "$DOM" > /dev/null 2>&1
$VIRSH domstate "$DOM" > /dev/null 2>&1 && not_ok "the transient domain is gone" || ok "the transient domain is gone"
