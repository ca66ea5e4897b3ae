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
