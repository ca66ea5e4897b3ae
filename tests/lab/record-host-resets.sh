# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace record's probes on the host's resets of the assigned devices
# (issue 13, part 6), live: a process that looks like QEMU (fake-qemu.py)
# names a real host PCI device as its vfio-pci device.  Where the kernel has
# no kprobe events, record says so once, records the rest and the file's
# metadata and report say why.  Where it has them, the probes are defined
# as pttrace_<pid>_* while recording, enabled only in the host instance,
# fire on a harmless call (writing a device's own reset_method list back,
# which asks each reset method whether it would work and resets nothing),
# and are gone after the stop, after a kill -9 (the watchdog) and after
# --cleanup.  No device is ever reset.
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
need_fake_qemu
pids=()
restore_method=
cleanup_hr() {
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	[ -n "$restore_method" ] && echo "$restore_method" > "/sys/bus/pci/devices/$BDF/reset_method" 2> /dev/null
	wait 2> /dev/null
	rm -rf "$T"
}
trap cleanup_hr EXIT

# a host PCI device with a PM capability (a D3hot->D0 reset to ask about), else the first
BDF=
for d in /sys/bus/pci/devices/*; do
	[ -z "$BDF" ] && BDF=${d##*/}
	if [ -r "$d/config" ] && python3 -c '
import sys
c = open(sys.argv[1], "rb").read()
p = c[0x34] & ~3 if len(c) > 0x40 and c[6] & 0x10 else 0
for _ in range(48):
    if p < 0x40 or p + 2 > len(c): break
    if c[p] == 1: sys.exit(0)
    p = c[p + 1] & ~3
sys.exit(1)' "$d/config" 2> /dev/null; then
		BDF=${d##*/}
		break
	fi
done
[ -n "$BDF" ] || skip_all "needs a host PCI device in /sys/bus/pci/devices"

probes_of() { grep -c "pttrace_$1_" "$TRACEFS/kprobe_events" 2> /dev/null || true; }

fake_qemu good pt-hr -device "vfio-pci,host=$BDF" || exit 1
pids+=("$FAKE_PID")

# meta_check PYTHON-ASSERTION: the metadata the recording keeps in its scratch (a
# fake QEMU runs no guest: its file has no kvm event to analyze)
meta_check() {
	python3 -c "
import json, sys
m = json.load(open(sys.argv[1]))['recording']['host_resets']
assert $1, m
assert m['devices'][0]['host'] == sys.argv[2], m" "$SCRATCH/meta.json" "$BDF"
}

if [ ! -e "$TRACEFS/kprobe_events" ]; then
	start_rec nokp --vm pt-hr -o "$T/hr.dat"
	if meta_check "m['recorded'] is False and 'no kprobe events' in m['reason']"; then
		ok "the metadata says the resets are not recorded, and why"
	else
		not_ok "the metadata says the resets are not recorded, and why"
		diag "$SCRATCH/meta.json"
	fi
	grep -q pttrace_ "$TRACEFS/dynamic_events" 2> /dev/null && not_ok "no probe defined" ||
		ok "no probe defined (dynamic_events has no pttrace_)"
	kill -INT "$REC"
	wait "$REC"
	rc=$?
	[ $rc = 0 ] && ok "no kprobe events: record still records" || not_ok "no kprobe events: record still records ($rc)"
	grep -Eq "^pttrace: the host's resets of the assigned devices are not recorded: this kernel has no kprobe events \(no $TRACEFS/kprobe_events: CONFIG_KPROBE_EVENTS is off\)$" "$T/nokp.rec" &&
		ok "no kprobe events: said, and why" || { not_ok "no kprobe events: said, and why"; diag "$T/nokp.rec"; }
	[ "$(grep -c "resets of the assigned devices" "$T/nokp.rec")" = 1 ] && ok "said once" || not_ok "said once"
	[ -s "$T/hr.dat" ] && ok "the file is written" || not_ok "the file is written"
	skip "kprobes fire, are enabled only in the host instance and are removed on every way out: this kernel has no kprobe events (CONFIG_KPROBES is off; grep KPROBE /proc/config.gz)"
	exit 0
fi

# the kernel has kprobe events
start_rec hr --vm pt-hr -o "$T/hr.dat"
n=$(probes_of "$REC")
[ "$n" -gt 0 ] && ok "probes pttrace_${REC}_* defined while recording ($n)" ||
	{ not_ok "probes pttrace_${REC}_* defined while recording"; diag "$T/hr.rec"; }
ev=$(grep -o "pttrace_${REC}_[a-z_]*" "$TRACEFS/kprobe_events" | head -1)
if [ -n "$ev" ]; then
	[ "$(cat "$TRACEFS/instances/$INST-host/events/kprobes/$ev/enable")" = 1 ] &&
	[ "$(cat "$TRACEFS/events/kprobes/$ev/enable")" = 0 ] &&
		ok "enabled in the host instance only ($ev)" || not_ok "enabled in the host instance only ($ev)"
fi
# writing a device's own reset_method list back asks each method "would you work?": no reset
if [ -w "/sys/bus/pci/devices/$BDF/reset_method" ] && [ -n "$(cat "/sys/bus/pci/devices/$BDF/reset_method")" ] &&
   grep -q "pttrace_${REC}_pci_pm_reset" "$TRACEFS/kprobe_events"; then
	restore_method=$(cat "/sys/bus/pci/devices/$BDF/reset_method")
	echo default > "/sys/bus/pci/devices/$BDF/reset_method"
	echo "$restore_method" > "/sys/bus/pci/devices/$BDF/reset_method"
	restore_method=
	hits=$(awk -v e="pttrace_${REC}_pci_pm_reset" '$1 == e { print $2 }' "$TRACEFS/kprobe_profile")
	[ "${hits:-0}" -gt 0 ] && ok "the probe fires on a harmless call ($hits hits on pci_pm_reset)" ||
		not_ok "the probe fires on a harmless call (kprobe_profile: ${hits:-none})"
else
	skip "the harmless call: $BDF has no reset_method list to write back, or pci_pm_reset is not probed"
fi
meta_check "m['recorded'] is True and m['probes']" && ok "the metadata says they are recorded" ||
	{ not_ok "the metadata says they are recorded"; diag "$SCRATCH/meta.json"; }
kill -INT "$REC"
wait "$REC"
[ "$(probes_of "$REC")" = 0 ] && ok "removed at the stop" || not_ok "removed at the stop"
[ -s "$T/hr.dat" ] && ok "the file is written" || not_ok "the file is written"

# kill -9: the watchdog writes the file and removes them
start_rec k9 --vm pt-hr -o "$T/k9.dat"
kill -9 "$REC"
gone "$WD"
[ "$(probes_of "$REC")" = 0 ] && ok "kill -9: the watchdog removed them" || not_ok "kill -9: the watchdog removed them"

# both killed: --cleanup removes them
start_rec k2 --vm pt-hr -o "$T/k2.dat"
kill -9 "$WD" "$REC"
gone "$REC"
[ "$(probes_of "$REC")" -gt 0 ] && ok "both killed: the probes stay" || not_ok "both killed: the probes stay"
run "$PTTRACE" record --cleanup
expect_out "removed kprobe event 'pttrace_${REC}_" "--cleanup names the probes it removes"
[ "$(probes_of "$REC")" = 0 ] && ok "--cleanup removed them" || not_ok "--cleanup removed them"
