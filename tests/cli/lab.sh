# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace lab without running a VM: the list, the command line, the errors.
. "$(dirname "$0")/../lib.sh"

run "$PTTRACE" lab list
expect_rc 0 "lab list exits 0"
for s in d3-access hang-reset bugcheck irq-storm lost-msi stray-mmio busmaster-off intx-disabled healthy; do
	expect_out "^$s " "lab list shows $s"
done
expect_out "^stray-mmio .*triple fault" "stray-mmio ends in a triple fault"
expect_out "^bugcheck +radeon +guest panic \(pvpanic\) +.*VIDEO_TDR_FAILURE" "bugcheck: radeon, VIDEO_TDR_FAILURE, ends in pvpanic"

run "$PTTRACE" lab list --json
expect_rc 0 "lab list --json exits 0"
if command -v python3 > /dev/null; then
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len([s for s in d if not s["benchmark"]])==9 and all("name" in s and "crash" in s for s in d)' "$T/out"; then
		ok "lab list --json is valid JSON with nine scenarios (eight failures)"
	else
		not_ok "lab list --json is valid JSON with nine scenarios (eight failures)"
		diag "$T/out"
	fi
else
	skip "python3 not available to check the JSON"
fi

run "$PTTRACE" lab run d3-access --name win7 --dry-run
expect_rc 0 "--dry-run exits 0"
expect_out "^qemu-system-x86_64 -name win7 -enable-kvm -machine q35 " "--dry-run shows the QEMU command users type"
expect_out "-device pvpanic -device e1000e,addr=04.0,romfile= " "d3-access uses e1000e and pvpanic"
expect_out "-qmp unix:QMP.sock,server=on,wait=off" "the VM gets a QMP socket"
expect_out "-append scenario=d3-access$" "the scenario reaches the guest"
expect_out "-kernel [^ ]*build/guest/pttrace-lab.elf " "the built guest is found next to the binary"

# hv-crash only where this host's KVM has the Hyper-V crash MSRs (QEMU drops it silently elsewhere)
# (KVM_CHECK_EXTENSION is _IO(0xae, 3), KVM_CAP_HYPERV 44)
hyperv=$(python3 -c 'import fcntl, os
try:
    print(1 if fcntl.ioctl(os.open("/dev/kvm", os.O_RDWR), 0xae03, 44) > 0 else 0)
except OSError:
    print(0)' 2> /dev/null)
run "$PTTRACE" lab run bugcheck --dry-run
expect_out "-append scenario=bugcheck$" "bugcheck: the scenario reaches the guest"
if [ "$hyperv" = 1 ]; then
	expect_out " -device pvpanic -cpu qemu64,hv-crash -device ati-vga,model=rv100,addr=05.0,romfile= " \
		"bugcheck: hv-crash, this host's KVM has Hyper-V"
else
	expect_out " -device pvpanic -device ati-vga,model=rv100,addr=05.0,romfile= " \
		"bugcheck: no hv-crash, this host's KVM has no Hyper-V"
fi
run "$PTTRACE" lab run hang-reset --dry-run
expect_out " -device pvpanic -device ati-vga,model=rv100,addr=05.0,romfile= " "hang-reset asks for no hv-crash"

run env PTTRACE_QEMU=/opt/q PTTRACE_LAB_GUEST=/opt/g.elf "$PTTRACE" lab run healthy --dry-run --paused
expect_out "^/opt/q .* -S .*-kernel /opt/g.elf " "PTTRACE_QEMU, PTTRACE_LAB_GUEST and --paused"

run "$PTTRACE" lab run nosuch
expect_rc 2 "unknown scenario exits 2"
expect_err "^pttrace: no such lab scenario: 'nosuch' \(see 'pttrace lab list'\)$" "unknown scenario message"
run "$PTTRACE" lab run
expect_rc 2 "missing scenario exits 2"
run "$PTTRACE" lab run healthy --duration soon
expect_rc 2 "bad --duration exits 2"
expect_err "--duration wants a number of seconds, not 'soon'" "bad --duration message"
run "$PTTRACE" lab run healthy --name "a b"
expect_rc 2 "bad VM name exits 2"
run "$PTTRACE" lab frob
expect_rc 2 "unknown lab subcommand exits 2"
expect_err "unknown lab subcommand 'frob'" "unknown lab subcommand message"

run "$PTTRACE" lab run healthy --guest /nonexistent.elf
expect_rc 2 "a missing guest exits 2"
expect_err "^pttrace: cannot read the lab guest '/nonexistent.elf': No such file or directory$" "a missing guest says so"
run "$PTTRACE" lab run healthy --qemu /nonexistent/qemu
expect_rc 2 "a missing QEMU exits 2"
expect_err "cannot run '/nonexistent/qemu': No such file or directory \(install qemu-system-x86\)" "a missing QEMU says what to install"
