# pttrace record's arguments, refused before anything is armed (issue 13,
# part 7; the new user's review, D4-D10): on a fake /proc (--sysroot), which
# record only checks and never arms.
. "$(dirname "$0")/../lib.sh"
R=$T/root

# a QEMU/KVM-looking process called win7 (its vcpu threads make it KVM)
mkdir -p "$R/proc/4242/task/4242" "$R/proc/4242/task/4250"
echo qemu-system-x86 > "$R/proc/4242/task/4242/comm"
echo "CPU 0/KVM" > "$R/proc/4242/task/4250/comm"
printf '%s\0' /usr/bin/qemu-system-x86_64 -name win7 -enable-kvm -device pvpanic > "$R/proc/4242/cmdline"

rec() { run "$PTTRACE" record --vm win7 --sysroot "$R" "$@"; }

# D6: -b is digits within the range; -5 no longer wraps to 4294967291
for b in -5 0 abc 3 1048577 99999999999999999999 ""; do
	rec -o "$T/x.dat" -b "$b"
	expect_rc 2 "-b '$b' refused"
	expect_err "^pttrace record: -b wants KB per cpu, from 4 to 1048576, not '$b'$" "-b '$b': the allowed range said"
done
mem=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
cpus=$(getconf _NPROCESSORS_CONF)
if [ $((mem / 2 / cpus)) -lt 1048576 ]; then
	rec -o "$T/x.dat" -b $((mem / 2 / cpus + 1))
	expect_one_line "-b more than half the host's memory is refused" \
		"more than half of this host's memory \([0-9]+ MB\): at most [0-9]+ KB"
else
	skip "this host has so much memory that every -b up to 1048576 fits"
fi

# D4: -o naming a directory or a place that cannot be written
rec -o "$T"
expect_one_line "-o a directory: refused up front" \
	"^pttrace: cannot write '$T': it is a directory; give a file name \(-o $T/crash.dat\)$"
rec -o "$T/"
expect_one_line "-o a directory with a slash" "\(-o $T/crash.dat\)$"
rec -o "$T/nodir/crash.dat"
expect_one_line "-o in a missing directory" "^pttrace: cannot write '$T/nodir/crash.dat': No such file or directory$"
rec -o /dev/null
expect_one_line "-o a device: refused (the rename would replace it)" \
	"^pttrace: cannot write '/dev/null': it is not a regular file"
[ -c /dev/null ] && ok "/dev/null is still a device" || not_ok "/dev/null is still a device"
rec --stream "$T"
expect_one_line "--stream a directory: refused too" "it is a directory"
[ -z "$(ls -A "$T" | grep -vE '^(root|out|err)$')" ] && ok "nothing was made in the directory" ||
	{ not_ok "nothing was made in the directory"; ls -A "$T" | sed 's/^/#   /'; }

# D5: -o - is refused with the reason
rec -o -
expect_one_line "-o - refused" "^pttrace: cannot write the trace to standard output \('-'\): a trace.dat is read by seeking in it; give a file name \(-o crash.dat\)$"
[ ! -e ./- ] && ok "no file named '-' made" || not_ok "no file named '-' made"
run "$PTTRACE" record --recover "$T/nosuch" -o -
expect_one_line "--recover -o - refused too" "^pttrace: cannot write the trace to standard output"

# D9: --vm and --pid together
run "$PTTRACE" record --vm win7 --pid 4242 --sysroot "$R"
expect_rc 2 "record --vm --pid: error"
expect_err "^pttrace record: --vm and --pid are exclusive: give one$" "record --vm --pid: says they are exclusive"
run "$PTTRACE" check --vm win7 --pid 4242 --sysroot "$R"
expect_rc 2 "check --vm --pid: error"
expect_err "^pttrace check: --vm and --pid are exclusive: give one$" "check --vm --pid: says they are exclusive"
run "$PTTRACE" check --sysroot "$R"
expect_err "check wants --vm NAME or --pid PID" "check with neither: still says what it wants"

if [ "$(id -u)" != 0 ]; then
	rec -o "$T/x.dat"
	expect_err "needs root" "the rest needs root"
	exit 0
fi

# D10: --sysroot is a documented dry run: every check, nothing armed
before=$(ls /sys/kernel/tracing/instances 2> /dev/null | grep -c '^pttrace-' || true)
rec -o "$T/x.dat" -q
expect_rc 0 "--sysroot: the checks pass, exit 0"
expect_out "^checked:  VM 'win7' \(pid 4242\), output '$T/x.dat': nothing armed \(--sysroot" \
	"--sysroot: says nothing was armed"
after=$(ls /sys/kernel/tracing/instances 2> /dev/null | grep -c '^pttrace-' || true)
[ "$before" = "$after" ] && ok "no tracefs instance made" || not_ok "no tracefs instance made ($before, $after)"
[ ! -e "$T/x.dat" ] && ok "no file written" || not_ok "no file written"
run "$PTTRACE" record --help
expect_out "^    --sysroot <dir>     for tests: find the VM in <dir>/proc and <dir>/sys" "--sysroot is in --help"

# D7: a --qmp socket that cannot be used is named, with the reason, also with -q
rec -o "$T/x.dat" --qmp /nonexistent.sock -q
expect_one_line "--qmp missing: one line" \
	"^pttrace: cannot connect to QMP socket '/nonexistent.sock': No such file or directory$"
: > "$T/plain"
rec -o "$T/x.dat" --qmp "$T/plain"
expect_one_line "--qmp a plain file" "^pttrace: cannot connect to QMP socket '$T/plain': not a socket$"
if python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/other.sock" 2> /dev/null; then
	rec -o "$T/x.dat" --qmp "$T/other.sock"
	expect_one_line "--qmp a socket the VM does not hold: refused, with why" \
		"^pttrace: will not use QMP socket '$T/other.sock': no socket bound to '$T/other.sock' is open in the VM's process \(pid 4242\)$"
else
	skip "needs python3 to make a unix socket"
fi

# D8: a typo in -e is one clear line
if [ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2> /dev/null; then
	rec -o "$T/x.dat" -e nosuch
	expect_one_line "-e nosuch: one line" "^pttrace: unknown event 'nosuch' \(ls /sys/kernel/tracing/events/kvm\)$"
	rec -o "$T/x.dat" -e +nosys:nosuch
	expect_one_line "-e +nosys:nosuch: one line" "^pttrace: unknown event 'nosys:nosuch' \(ls /sys/kernel/tracing/events/nosys\)$"
	if [ -d /sys/kernel/tracing/events/kvm/kvm_mmio ]; then
		rec -o "$T/x.dat" -e kvm_mmio -e kvm:kvm_pio
		expect_rc 0 "-e of events the kernel has: accepted"
	else
		skip "needs the kvm trace events"
	fi
else
	skip "needs tracefs for -e"
fi
