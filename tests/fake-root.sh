# Fake /proc, /sys and libvirt runtime trees under $R for pttrace's
# --sysroot: pass-through set-ups without pass-through hardware or libvirt.
# Sourced after tests/lib.sh by tests/cli/check.sh and tests/cli/libvirt-fake.sh.
R=$T/root

# fake_vm PID THREADS... -- ARGV...: a process with that command line and threads
fake_vm() {
	local pid=$1
	shift
	mkdir -p "$R/proc/$pid/task"
	while [ "$1" != "--" ]; do
		mkdir -p "$R/proc/$pid/task/${1%%:*}"
		printf '%s\n' "${1#*:}" > "$R/proc/$pid/task/${1%%:*}/comm"
		shift
	done
	shift
	printf '%s\0' "$@" > "$R/proc/$pid/cmdline"
}

# fake_pci BDF VENDOR DEVICE CLASS DRIVER GROUP
fake_pci() {
	local d=$R/sys/bus/pci/devices/$1
	mkdir -p "$d" "$R/sys/bus/pci/drivers/$5" "$R/sys/kernel/iommu_groups/$6/devices"
	echo "0x$2" > "$d/vendor"
	echo "0x$3" > "$d/device"
	echo "0x$4" > "$d/class"
	[ "$5" != none ] && ln -s "../../../bus/pci/drivers/$5" "$d/driver"
	ln -s "../../../kernel/iommu_groups/$6" "$d/iommu_group"
	ln -s "../../../../bus/pci/devices/$1" "$R/sys/kernel/iommu_groups/$6/devices/$1"
}

# fake_domain NAME PID: libvirt's pid file and live XML (stdin) for NAME
fake_domain() {
	mkdir -p "$R/run/libvirt/qemu"
	echo "$2" > "$R/run/libvirt/qemu/$1.pid"
	cat > "$R/run/libvirt/qemu/$1.xml"
}
