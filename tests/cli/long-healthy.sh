# SPDX-License-Identifier: GPL-2.0-or-later
# A long healthy trace: the lab's healthy VM recorded once and its pages
# repeated to 3 million events (bench/mktrace.sh), so that the VM boots
# again and again, as a flight recorder holds it across guest reboots.
# Firmware re-enumerating after a reboot is no reset the driver got wrong:
# nothing above info.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
[ "$(id -u)" = 0 ] || skip_all "needs root (trace-cmd restore reads the kernel's event formats)"
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
[ -d /sys/kernel/tracing/events/kvm ] || mount -t tracefs nodev /sys/kernel/tracing 2> /dev/null
[ -d /sys/kernel/tracing/events/kvm ] || skip_all "needs the kvm trace events"

if bash bench/mktrace.sh 3000000 "$T/long.dat" > "$T/mk.log" 2>&1; then
	ok "bench/mktrace.sh makes a 3-million-event healthy trace"
else
	not_ok "bench/mktrace.sh makes a 3-million-event healthy trace"
	diag "$T/mk.log"
	exit 1
fi
run "$PTTRACE" analyze "$T/long.dat"
expect_rc 0 "the repeated healthy VM: nothing above info"
expect_out "^PROBABLE CAUSE: nothing suspicious found" "the report says so"
rm -f "$T/long.dat"
