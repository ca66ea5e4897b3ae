# libvirt domains on fake /proc, /sys and /run/libvirt trees (--sysroot):
# QEMU's JSON -device as libvirt >= 8 writes it, the live domain XML
# (hostdevs, panic models, multifunction addresses, on_crash, UUID, id),
# --vm by name, UUID and id, and check's advice in domain XML.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fake-root.sh"

# domstatus NAME ID UUID ON_CRASH DEVICES [FEATURES]: libvirt's live XML
domstatus() {
	cat <<EOF
<!--
WARNING: THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
OVERWRITTEN AND LOST. Changes to this xml configuration should be made using:
  virsh edit $1
-->

<domstatus state='running' reason='booted' pid='4242'>
  <taint flag='high-privileges'/>
  <monitor path='/var/lib/libvirt/qemu/domain-$2-$1/monitor.sock' type='unix'/>
  <domain type='kvm' id='$2'>
    <name>$1</name>
    <uuid>$3</uuid>
    <memory unit='KiB'>8388608</memory>
    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
    <features><acpi/>$6</features>
    <on_poweroff>destroy</on_poweroff>
    <on_reboot>restart</on_reboot>
    $4
    <devices>
      <emulator>/usr/bin/qemu-system-x86_64</emulator>
      $5
    </devices>
  </domain>
</domstatus>
EOF
}

# hostdev HOSTFN ALIAS MANAGED BUS SLOT FN [MULTIFUNCTION]
hostdev() {
	cat <<EOF
<hostdev mode='subsystem' type='pci' managed='$3'>
  <driver name='vfio'/>
  <source><address domain='0x0000' bus='0x${1:5:2}' slot='0x${1:8:2}' function='0x${1:11:1}'/></source>
  <alias name='$2'/>
  <address type='pci' domain='0x0000' bus='$4' slot='$5' function='$6'${7:+ multifunction='$7'}/>
</hostdev>
EOF
}

# win10: done right: the GPU and its audio in one guest slot (bus 4, as
# libvirt puts them behind a root port), managed, pvpanic; on_crash destroy
fake_vm 5100 5100:qemu-system-x86 5101:"CPU 0/KVM" -- \
	/usr/bin/qemu-system-x86_64 -name guest=win10,debug-threads=on -S \
	-object '{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain-3-win10/master-key.aes"}' \
	-machine pc-q35-7.2,usb=off,vmport=off,dump-guest-core=off -accel kvm -cpu host,migratable=on \
	-smp 4,sockets=1,dies=1,cores=4,threads=1 \
	-chardev socket,id=charmonitor,fd=31,server=on,wait=off -mon chardev=charmonitor,id=monitor,mode=control \
	-device '{"driver":"pcie-root-port","port":19,"chassis":4,"id":"pci.4","bus":"pcie.0","addr":"0x2.0x3"}' \
	-device '{"driver":"vfio-pci","host":"0000:03:00.0","id":"hostdev0","bus":"pci.4","multifunction":true,"addr":"0x0"}' \
	-device '{"driver":"vfio-pci","host":"0000:03:00.1","id":"hostdev1","bus":"pci.4","addr":"0x0.0x1"}' \
	-device '{"driver":"pvpanic","ioport":1285}' -msg timestamp=on
fake_pci 0000:03:00.0 1002 73bf 030000 vfio-pci 12
fake_pci 0000:03:00.1 1002 ab28 040300 vfio-pci 12
domstatus win10 3 5f3c1a2e-8d4b-4c6e-9a1f-2b7d3e4c5a6b '<on_crash>destroy</on_crash>' \
	"$(hostdev 0000:03:00.0 hostdev0 yes 0x04 0x00 0x0 on)
	 $(hostdev 0000:03:00.1 hostdev1 yes 0x04 0x00 0x1)
	 <panic model='isa'><address type='isa' iobase='0x505'/></panic>" | fake_domain win10 5100

# win11: as virt-manager adds two hostdevs: one root port each, so the
# GPU's audio function sits in another guest slot; the audio is managed='no'
# and still on the host's sound driver; no <panic>
fake_vm 5200 5200:qemu-system-x86 -- \
	/usr/bin/qemu-system-x86_64 -name guest=win11,debug-threads=on \
	-device '{"driver":"vfio-pci","host":"0000:0a:00.0","id":"hostdev0","bus":"pci.5","addr":"0x0"}' \
	-device '{"driver":"vfio-pci","host":"0000:0a:00.1","id":"hostdev1","bus":"pci.6","addr":"0x0"}'
fake_pci 0000:0a:00.0 10de 2484 030000 vfio-pci 14
fake_pci 0000:0a:00.1 10de 228b 040300 snd_hda_intel 14
domstatus win11 4 0b1e2d3c-4a5b-6c7d-8e9f-a0b1c2d3e4f5 '' \
	"$(hostdev 0000:0a:00.0 hostdev0 yes 0x05 0x00 0x0)
	 $(hostdev 0000:0a:00.1 hostdev1 no 0x06 0x00 0x0)" | fake_domain win11 5200

# hv: Hyper-V's crash MSRs through <panic model='hyperv'/> (-cpu ...,hv-crash),
# on_crash preserve, both functions in one slot but function 0 without
# multifunction='on', x-no-mmap given with <qemu:override> (JSON true)
fake_vm 5300 5300:qemu-system-x86 -- \
	/usr/bin/qemu-system-x86_64 -name guest=hv,debug-threads=on -cpu host,migratable=on,hv-crash \
	-device '{"driver":"vfio-pci","host":"0000:05:00.0","id":"hostdev0","bus":"pci.3","addr":"0x0","x-no-mmap":true}' \
	-device '{"driver":"vfio-pci","host":"0000:05:00.1","id":"hostdev1","bus":"pci.3","addr":"0x0.0x1","x-no-mmap":true}'
fake_pci 0000:05:00.0 8086 56a0 030000 vfio-pci 16
fake_pci 0000:05:00.1 8086 4f90 040300 vfio-pci 16
domstatus hv 7 c0ffee00-1111-2222-3333-444455556666 '<on_crash>preserve</on_crash>' \
	"$(hostdev 0000:05:00.0 hostdev0 yes 0x03 0x00 0x0)
	 $(hostdev 0000:05:00.1 hostdev1 yes 0x03 0x00 0x1)
	 <panic model='hyperv'/>" | fake_domain hv 5300

# a domain called "3", whose own id is 9: --vm 3 is this one, not win10 (id 3)
fake_vm 5400 5400:qemu-system-x86 -- /usr/bin/qemu-system-x86_64 -name guest=3,debug-threads=on \
	-device '{"driver":"pvpanic","ioport":1285}'
domstatus 3 9 99999999-8888-7777-6666-555555555555 '' '' | fake_domain 3 5400

# libvirt's pid file, but its XML is broken: the command line still counts
fake_vm 5500 5500:qemu-system-x86 -- /usr/bin/qemu-system-x86_64 -name guest=broken \
	-device '{"driver":"vfio-pci","host":"0000:07:00.0","id":"hostdev0"}' -device '{not json'
fake_pci 0000:07:00.0 1b21 1242 0c0330 vfio-pci 18
printf '<domstatus><domain type="kvm" id="1"><name>broken</nam></domain>' | fake_domain broken 5500

run "$PTTRACE" vms --sysroot "$R"
expect_rc 0 "vms exits 0"
expect_out '^win10 +5100 +1 +2 +pcie-root-port addr=0x2.0x3, vfio-pci host=0000:03:00.0 addr=0x0, vfio-pci host=0000:03:00.1 addr=0x0.0x1, pvpanic \(libvirt\)$' \
	"vms: JSON -device read, not garbled"
expect_out '^ +libvirt: domain id 3, uuid 5f3c1a2e-8d4b-4c6e-9a1f-2b7d3e4c5a6b, on_crash destroy, panic isa$' \
	"vms: the domain's id, UUID, on_crash and panic from its live XML"
expect_out '^ +hostdev: 0000:03:00.0 -> guest 0000:04:00.0 \(hostdev0, managed, multifunction\)$' \
	"vms: a hostdev with host and guest address, managed, multifunction"
expect_out '^ +hostdev: 0000:0a:00.1 -> guest 0000:06:00.0 \(hostdev1, not managed\)$' "vms: managed='no'"
expect_out '^ +libvirt: domain id 7, .*on_crash preserve, panic hyperv$' "vms: <panic model='hyperv'/>"
expect_out '^broken +5500 .*vfio-pci host=0000:07:00.0 \(libvirt\)$' "vms: a -device that is not JSON is left out"
expect_out "^ +libvirt: cannot read '.*/run/libvirt/qemu/broken.xml': not well-formed XML \(line 1: " \
	"vms: a broken domain XML is named, with the parser's reason"

run "$PTTRACE" vms --json --sysroot "$R"
if python3 - "$T/out" <<'EOF'
import json, sys
v = {x["name"]: x for x in json.load(open(sys.argv[1]))}
w = v["win10"]
assert w["libvirt"] is True and w["qmp"] == []
assert [d["driver"] for d in w["devices"]] == ["pcie-root-port", "vfio-pci", "vfio-pci", "pvpanic"]
assert w["devices"][1] == {"driver": "vfio-pci", "host": "0000:03:00.0", "addr": "0x0", "assigned": True}
d = w["domain"]
assert d["uuid"] == "5f3c1a2e-8d4b-4c6e-9a1f-2b7d3e4c5a6b" and d["id"] == 3 and d["type"] == "kvm"
assert d["panic"] == ["isa"] and d["on_crash"] == "destroy"
assert d["hostdevs"][1] == {"host": "0000:03:00.1", "guest": "0000:04:00.0".replace(".0", ".1"),
                            "alias": "hostdev1", "managed": True, "multifunction": False}
assert v["win11"]["domain"]["on_crash"] == "destroy"     # libvirt's default
assert v["broken"]["domain"] is None
EOF
then ok "vms --json: devices and the domain"; else not_ok "vms --json: devices and the domain"; diag "$T/out"; fi

# --vm: name, UUID (any case), id; a name wins over an id
run "$PTTRACE" check --vm 5F3C1A2E-8D4B-4C6E-9A1F-2B7D3E4C5A6B --sysroot "$R"
expect_out "^VM 'win10' \(pid 5100, libvirt domain id 3, uuid 5f3c1a2e-8d4b-4c6e-9a1f-2b7d3e4c5a6b\)$" "--vm UUID"
run "$PTTRACE" check --vm 4 --sysroot "$R"
expect_out "^VM 'win11' \(pid 5200, " "--vm domain id"
run "$PTTRACE" check --vm 3 --sysroot "$R"
expect_out "^VM '3' \(pid 5400, libvirt domain id 9," "--vm 3: the domain called 3 before the one with id 3"
run "$PTTRACE" check --vm 12345678-0000-0000-0000-000000000000 --sysroot "$R"
expect_rc 2 "--vm an unknown UUID: error"
expect_err "no VM called '12345678-0000-0000-0000-000000000000'; running VMs: " "an unknown UUID lists the VMs"

# win10: nothing worse than notes, and the notes speak domain XML
run "$PTTRACE" check --vm win10 --sysroot "$R"
expect_rc 0 "check win10: a good libvirt set-up exits 0"
expect_absent "^(warning|error)" "win10: no warning (JSON -device read: assigned devices, pvpanic)"
expect_out "^ok +domain-xml +libvirt domain 'win10', id 3, uuid 5f3c1a2e-8d4b-4c6e-9a1f-2b7d3e4c5a6b \(.*/run/libvirt/qemu/win10.xml\): 2 hostdevs$" \
	"rule domain-xml: the live XML read"
expect_out "^ok +driver +host device 0000:03:00.0 \[1002:73bf\] is bound to vfio-pci$" "JSON host= reaches the driver rule"
expect_out "^ok +crash-signal +crash signal: pvpanic$" "pvpanic from JSON -device and <panic model='isa'/>"
expect_absent "multifunction" "one slot, functions as on the host, multifunction='on': no multifunction item"
expect_out "^note +mmap +0000:03:00.0: its BARs are mmapped" "rule mmap on a libvirt hostdev"
expect_out "<qemu:override><qemu:device alias='hostdev0'><qemu:frontend><qemu:property name='x-no-mmap' type='bool' value='true'/>" \
	"mmap advice: x-no-mmap through <qemu:override> for that hostdev's alias"
expect_out "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'" "mmap advice: the qemu namespace"
expect_out "<qemu:commandline> with -set device.hostdev1.x-no-mmap=on" "mmap advice: the older libvirt's way"
expect_absent "add x-no-mmap=on to this -device" "no QEMU command-line advice for a libvirt domain"
expect_out "^note +on-crash +on_crash destroy: libvirt destroys the guest at its panic" "rule on-crash: destroy"
expect_out "<on_crash>preserve</on_crash>" "on-crash advice in domain XML"

# win11: the split card, the unmanaged audio on the host's driver, no panic
run "$PTTRACE" check --vm win11 --sysroot "$R"
expect_rc 1 "check win11: exit 1"
expect_out "^warning +multifunction +0000:0a:00.0 and 0000:0a:00.1 are functions of one host device but sit in different guest slots \(bus 0x05 slot 0x00 function 0x0, bus 0x06 slot 0x00 function 0x0\)$" \
	"multifunction: libvirt's one-root-port-per-hostdev split found (same addr=0x0, other bus)"
expect_out "give <hostdev> 0000:0a:00.0 <address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0' multifunction='on'/> and <hostdev> 0000:0a:00.1 the same bus and slot with function='0x1'" \
	"multifunction advice as a guest <address/>"
expect_out "^error +driver +host device 0000:0a:00.1 \[10de:228b\] is bound to snd_hda_intel" "driver rule on a hostdev"
expect_out "managed='no': detach it before the domain starts \(virsh nodedev-detach pci_0000_0a_00_1\), or set managed='yes'" \
	"driver advice for managed='no'"
expect_out "^warning +crash-signal +no crash signal configured" "no <panic>: crash-signal warning"
expect_out "add <panic model='isa'/> to <devices> .* or <panic model='hyperv'/>" "crash-signal advice in domain XML"
expect_absent "-device pvpanic" "no -device advice for a libvirt domain"
expect_absent "on-crash" "no on-crash item without a panic device (libvirt ignores on_crash then)"

# hv: hv-crash from <panic model='hyperv'/>, on_crash preserve, function 0 without multifunction
run "$PTTRACE" check --vm hv --sysroot "$R"
expect_rc 0 "check hv: exit 0"
expect_out "^ok +crash-signal +crash signal: hv-crash$" "<panic model='hyperv'/>: hv-crash"
expect_out "^ok +on-crash +on_crash preserve" "rule on-crash: preserve is ok"
expect_out "^note +multifunction +0000:05:00.0 and 0000:05:00.1 share guest slot 00 without multifunction='on' on function 0" \
	"multifunction='on' missing on function 0's guest address"
expect_out "add multifunction='on' to the guest <address type='pci' .../> of <hostdev> 0000:05:00.0" \
	"its advice names the hostdev"
expect_absent "mmap" "x-no-mmap true in JSON -device: no mmap note"

# broken: the XML cannot be read; the command line still gives the devices
run "$PTTRACE" check --vm broken --sysroot "$R"
expect_out "^VM 'broken' \(pid 5500, libvirt\)$" "a libvirt VM without its XML"
expect_out "^note +domain-xml +libvirt runs this VM but its live XML was not read \(cannot read '.*broken.xml': not well-formed XML .*\): the advice is in QEMU command-line terms" \
	"rule domain-xml: the reason"
expect_out "^ +-> for a debugging run add x-no-mmap=on to this -device" "without the XML the advice falls back to QEMU's terms"

# key=value -device of a plain QEMU next to JSON: the same fields
fake_vm 5600 5600:qemu-system-x86 -- qemu-system-x86_64 -name plain \
	-device vfio-pci,host=0000:03:00.0,id=gpu,bus=pcie.0,addr=06.0,multifunction=on,x-no-mmap=on \
	-device pvpanic,ioport=0x505
run "$PTTRACE" vms --json --sysroot "$R"
if python3 -c '
import json, sys
v = {x["name"]: x for x in json.load(open(sys.argv[1]))}
p = v["plain"]
assert p["libvirt"] is False and p["domain"] is None, p
assert p["devices"][0] == {"driver": "vfio-pci", "host": "0000:03:00.0", "addr": "06.0", "assigned": True}
assert p["devices"][1]["driver"] == "pvpanic"' "$T/out"; then
	ok "key=value -device: the same fields"
else
	not_ok "key=value -device: the same fields"
	diag "$T/out"
fi
