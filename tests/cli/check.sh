# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace vms and pttrace check on fake /proc and /sys trees (--sysroot):
# pass-through set-ups without pass-through hardware.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../fake-root.sh"

# a GPU and its HDMI audio split over two slots, the audio on the host's
# sound driver, a USB controller in the same IOMMU group, no crash signal
fake_vm 4242 4242:qemu-system-x86 4250:"CPU 0/KVM" 4251:"CPU 1/KVM" -- \
	/usr/bin/qemu-system-x86_64 -name guest=win7,debug-threads=on -machine q35 -smp 2 \
	-cpu host -device vfio-pci,host=0000:01:00.0,id=hostdev0,addr=05.0 \
	-device vfio-pci,host=01:00.1,id=hostdev1,addr=06.0 \
	-qmp unix:/run/win7.qmp,server=on,wait=off
fake_pci 0000:01:00.0 10de 1b80 030000 vfio-pci 5
fake_pci 0000:01:00.1 10de 10f0 040300 snd_hda_intel 5
fake_pci 0000:00:01.0 8086 1901 060400 pcieport 5
fake_pci 0000:02:00.0 1b21 1242 0c0330 xhci_hcd 5
mkdir -p "$R/run/libvirt/qemu"
echo 4242 > "$R/run/libvirt/qemu/win7.pid"

# the same card done right: one slot, functions as on the host, x-no-mmap, pvpanic
fake_vm 4343 4343:qemu-system-x86 -- \
	qemu-system-x86_64 -name good -enable-kvm -device pvpanic \
	-device vfio-pci,host=0000:03:00.0,addr=07.0,multifunction=on,x-no-mmap=on \
	-device vfio-pci,host=0000:03:00.1,addr=07.1,x-no-mmap=on
fake_pci 0000:03:00.0 1002 67df 030000 vfio-pci 7
fake_pci 0000:03:00.1 1002 aaf0 040300 vfio-pci 7

# not QEMU
fake_vm 4444 4444:bash -- /bin/bash -c true

run "$PTTRACE" vms --sysroot "$R"
expect_rc 0 "vms exits 0"
expect_out "^win7 +4242 +2 +3 +vfio-pci host=0000:01:00.0 addr=05.0, vfio-pci host=01:00.1 addr=06.0 \(libvirt\)$" \
	"vms: name from guest=, vcpus from thread names, devices, libvirt"
expect_out "^good +4343 +1 +1 +pvpanic, vfio-pci host=0000:03:00.0 addr=07.0" "vms: the second VM"
expect_absent bash "vms: not-QEMU processes left out"
run "$PTTRACE" vms --json --sysroot "$R"
if python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); w=[x for x in v if x["name"]=="win7"][0]; assert w["vcpus"]==2 and w["qmp"]==["/run/win7.qmp"] and w["devices"][0]["assigned"]' "$T/out"; then
	ok "vms --json"
else
	not_ok "vms --json"
	diag "$T/out"
fi

run "$PTTRACE" check --vm win7 --sysroot "$R"
expect_rc 1 "check of a bad set-up: exit 1"
expect_out "^warning +multifunction +0000:01:00.0 and 0000:01:00.1 are functions of one host device but sit in different guest slots \(05.0, 06.0\)" \
	"multifunction split over slots"
expect_out "addr=XX.0,multifunction=on and addr=XX.1" "multifunction advice"
expect_out "^error +driver +host device 0000:01:00.1 \[10de:10f0\] is bound to snd_hda_intel, not vfio-pci" \
	"a function on a host driver"
expect_out "^warning +iommu-group +IOMMU group 5 of 0000:01:00.0 also holds 0000:02:00.0 \(driver xhci_hcd\)" \
	"a shared IOMMU group"
expect_absent "also holds 0000:00:01.0" "the bridge in the group is fine"
expect_out "^note +mmap +0000:01:00.0: its BARs are mmapped" "mmapped BARs"
expect_out "x-no-mmap=on" "x-no-mmap advice"
expect_out "^warning +crash-signal +no crash signal configured" "no pvpanic, no hv-crash"

run "$PTTRACE" check --vm good --sysroot "$R"
expect_rc 0 "check of a good set-up: exit 0"
expect_absent "^(warning|error)" "good set-up: no warning"
expect_out "^ok +crash-signal +crash signal: pvpanic" "pvpanic seen"

# How the host can reset each assigned device (the reset rule): the devices
# sit under their bridges as in real sysfs (a symlink from bus/pci/devices),
# with reset_method and a binary config space.

# place BRIDGE BDF: BDF's sysfs node under BRIDGE ("" for the root bus)
place() {
	local dir=$R/sys/devices/pci0000:00${1:+/$1}/$2
	mkdir -p "$dir" "$R/sys/bus/pci/devices"
	ln -s "../../../devices/pci0000:00${1:+/$1}/$2" "$R/sys/bus/pci/devices/$2"
}

# fake_cfg BDF LEN FLR NO_SOFT_RESET: config space of LEN bytes with a PM
# capability at 0x40 (PMCSR No_Soft_Reset) and a PCIe one at 0x50 (DevCap FLR)
fake_cfg() {
	python3 - "$R/sys/bus/pci/devices/$1/config" "$2" "$3" "$4" <<'PY'
import struct, sys
path, length, flr, nsr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = bytearray(256)
struct.pack_into("<HH", c, 0, 0x10de, 0x1b80)
struct.pack_into("<H", c, 6, 0x10)              # status: capability list
c[0x34] = 0x40
c[0x40:0x42] = bytes([0x01, 0x50])              # PM, next PCIe
struct.pack_into("<H", c, 0x44, 0x8 if nsr else 0)
c[0x50:0x52] = bytes([0x10, 0x00])              # PCIe, last
struct.pack_into("<I", c, 0x54, (1 << 28) if flr else 0)
open(path, "wb").write(bytes(c[:length]))
PY
}

# fake_reset BDF METHODS...: its reset_method ("" for an empty one)
fake_reset() {
	local bdf=$1
	shift
	echo "$*" > "$R/sys/bus/pci/devices/$bdf/reset_method"
}

# a GPU with FLR, alone under its bridge
fake_vm 4601 4601:qemu-system-x86 -- qemu-system-x86_64 -name rst-good -device pvpanic \
	-device vfio-pci,host=0000:05:00.0,x-no-mmap=on
place 0000:00:03.0 0000:05:00.0
fake_pci 0000:05:00.0 10de 1b80 030000 vfio-pci 11
fake_cfg 0000:05:00.0 256 1 0
fake_reset 0000:05:00.0 flr bus
run "$PTTRACE" check --vm rst-good --sysroot "$R"
expect_rc 0 "reset: a device with FLR: exit 0"
expect_out "^ok +reset +host device 0000:05:00.0 can be reset by the host: reset_method: flr bus, and a bus reset$" \
	"reset: FLR and a bus reset said"

# no FLR, No_Soft_Reset, an empty reset_method, and its audio function on the
# host's sound driver under the same bridge: nothing can reset it
fake_vm 4602 4602:qemu-system-x86 -- qemu-system-x86_64 -name rst-none -device pvpanic \
	-device vfio-pci,host=0000:06:00.0,x-no-mmap=on
place 0000:00:04.0 0000:06:00.0
place 0000:00:04.0 0000:06:00.1
fake_pci 0000:06:00.0 10de 1b81 030000 vfio-pci 12
fake_pci 0000:06:00.1 10de 10f1 040300 snd_hda_intel 13
fake_cfg 0000:06:00.0 256 0 1
fake_reset 0000:06:00.0
run "$PTTRACE" check --vm rst-none --sysroot "$R"
expect_rc 1 "reset: a device nothing can reset: exit 1"
expect_out "^warning +reset +host device 0000:06:00.0 cannot be reset by the host between VM runs \(reset_method: none; no FLR in its DevCap; No_Soft_Reset set \(D3hot->D0 keeps its state\); a bus reset would also reset 0000:06:00.1 \(driver snd_hda_intel\)\)$" \
	"reset: why not, each reason"
expect_out "^ +-> shut the guest down cleanly .*vendor-reset module.*assign every function on its bus to this VM.*host reboot" \
	"reset: what to do"

# the same card with both functions passed through: vfio may reset the bus
fake_vm 4603 4603:qemu-system-x86 -- qemu-system-x86_64 -name rst-bus -device pvpanic \
	-device vfio-pci,host=0000:07:00.0,x-no-mmap=on,addr=08.0,multifunction=on \
	-device vfio-pci,host=0000:07:00.1,x-no-mmap=on,addr=08.1
place 0000:00:05.0 0000:07:00.0
place 0000:00:05.0 0000:07:00.1
fake_pci 0000:07:00.0 10de 1b81 030000 vfio-pci 14
fake_pci 0000:07:00.1 10de 10f1 040300 vfio-pci 14
fake_cfg 0000:07:00.0 256 0 1
fake_cfg 0000:07:00.1 256 0 1
fake_reset 0000:07:00.0
fake_reset 0000:07:00.1
run "$PTTRACE" check --vm rst-bus --sysroot "$R"
expect_rc 0 "reset: the whole bus passed through: exit 0"
expect_out "^note +reset +host device 0000:07:00.0 has no function level reset: the host resets it by a secondary bus reset of bridge 0000:00:05.0 \(reset_method: none; no FLR in its DevCap; No_Soft_Reset set" \
	"reset: a bus reset, when every function is the VM's"

# a kernel without reset_method (< 5.15): judged from config space; on the
# root bus a GPU has only a D3hot->D0 reset (a warning), a NIC too (a note)
fake_vm 4604 4604:qemu-system-x86 -- qemu-system-x86_64 -name rst-old -device pvpanic \
	-device vfio-pci,host=0000:00:08.0,x-no-mmap=on -device vfio-pci,host=0000:00:09.0,x-no-mmap=on
place "" 0000:00:08.0
place "" 0000:00:09.0
fake_pci 0000:00:08.0 10de 1b82 030000 vfio-pci 15
fake_pci 0000:00:09.0 8086 10d3 020000 vfio-pci 16
fake_cfg 0000:00:08.0 256 0 0
fake_cfg 0000:00:09.0 256 0 0
run "$PTTRACE" check --vm rst-old --sysroot "$R"
expect_rc 1 "reset: only D3hot->D0 for a GPU: exit 1"
expect_out "^warning +reset +host device 0000:00:08.0 can be reset by the host only by a D3hot->D0 transition, which many GPUs survive with their state \(no FLR in its DevCap; on a root bus \(no bridge to reset it\)\)$" \
	"reset: no reset_method: judged from config space"
expect_out "^note +reset +host device 0000:00:09.0 can be reset by the host only by a D3hot->D0 transition \(no FLR" \
	"reset: a NIC with a D3hot->D0 reset: a note"

# an AMD GPU advertises FLR and is known not to come back from it
fake_vm 4605 4605:qemu-system-x86 -- qemu-system-x86_64 -name rst-amd -device pvpanic \
	-device vfio-pci,host=0000:0a:00.0,x-no-mmap=on
place 0000:00:06.0 0000:0a:00.0
fake_pci 0000:0a:00.0 1002 67df 030000 vfio-pci 17
fake_cfg 0000:0a:00.0 256 1 0
fake_reset 0000:0a:00.0 flr
run "$PTTRACE" check --vm rst-amd --sysroot "$R"
expect_out "^note +reset +host device 0000:0a:00.0 \(an AMD GPU\) may not come back from the host's reset between VM runs \(reset_method: flr\)$" \
	"reset: an AMD GPU"
expect_out "vendor-reset" "reset: an AMD GPU: vendor-reset"

# without root, config space ends at 64 bytes: say so, guess nothing
fake_vm 4606 4606:qemu-system-x86 -- qemu-system-x86_64 -name rst-user -device pvpanic \
	-device vfio-pci,host=0000:0b:00.0,x-no-mmap=on
place 0000:00:07.0 0000:0b:00.0
fake_pci 0000:0b:00.0 10de 1b80 030000 vfio-pci 18
fake_cfg 0000:0b:00.0 64 1 0
run "$PTTRACE" check --vm rst-user --sysroot "$R"
expect_rc 0 "reset: 64 bytes of config space: exit 0"
expect_out "^note +reset +cannot tell how the host resets 0000:0b:00.0: no reset_method in sysfs and config space beyond 64 bytes needs root$" \
	"reset: a config space cut at 64 bytes"

fake_vm 4545 4545:qemu-system-x86 -- qemu-system-x86_64 -name good
run "$PTTRACE" check --vm good --sysroot "$R"
expect_rc 2 "two VMs with one name: error"
expect_err "more than one VM is called 'good' \(pids (4343, 4545|4545, 4343)\): use --pid" "ambiguous name says the pids"
run "$PTTRACE" check --vm nosuch --sysroot "$R"
expect_err "^pttrace: no VM called 'nosuch'; running VMs: " "no such VM lists the names"
run "$PTTRACE" check --pid 4545 --sysroot "$R"
expect_rc 1 "check --pid"
run "$PTTRACE" record --vm nosuch -o "$T/x.dat" --sysroot "$R"
expect_rc 2 "record of a missing VM: error"
if [ "$(id -u)" = 0 ]; then
	expect_err "no VM called 'nosuch'; running VMs: (win7|good)" "record says which VMs exist"
else
	expect_err "needs root" "record needs root"
fi
