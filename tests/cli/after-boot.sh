# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace analyze on traces begun after the guest booted, as plain
# `trace-cmd record -e kvm` makes them: no config cycles of the boot, no
# pttrace metadata, so no BARs (tests/field/after-boot, made by its make.sh).
# Healthy stays clean; the crashes are still found; what rests on unknown
# BARs is marked and says how to give them.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
D=tests/field/after-boot

summary() {	# one line from --json: crash, bars_known, metadata, first finding, checks
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
above = [x for x in f if x["severity"] != "info"]
first = "%s %s %s" % (above[0]["detector"], above[0]["severity"], str(above[0]["unknown_bars"]).lower()) if above else "info"
# a finding on MMIO in no known BAR that is no stale BAR must be marked
unmarked = [x["title"] for x in f if x["detector"] == "stray-mmio" and x["device"] is None and not x["unknown_bars"]]
regions = all(r["end"] > r["start"] for r in d["unknown_regions"]) and len(d["unknown_regions"]) > 0
print("|".join([d["crash"]["kind"], str(d["bars_known"]), str(d["metadata"] is None), first,
		"unmarked=%d" % len(unmarked), "regions=%s" % regions]))' "$1"
}

grep -v '^#' "$D/expected.txt" | while read -r name want_rc rest; do
	crash=$(echo "$rest" | sed -E 's/ {2,}.*//')
	first=$(echo "$rest" | sed -E 's/^.* {2,}//')
	f=$D/$name.dat
	[ -s "$f" ] || { not_ok "$name: $f exists"; continue; }
	[ "$(stat -c %s "$f")" -lt 1048576 ] && ok "$name: under 1 MB" || not_ok "$name: under 1 MB"

	run "$PTTRACE" analyze "$f"
	expect_rc "$want_rc" "$name: exit $want_rc"
	expect_out "^CRASH: +$(printf '%s' "$crash" | sed 's/[()]/\\&/g')" "$name: the crash is located ($crash)"
	expect_out "^BARS: +unknown: .*--device BDF:BAR=GPA\+SIZE.*pttrace record" \
		"$name: the report says the BARs are unknown and how to give them"
	expect_out "^unknown region 0x[0-9a-f]+-0x[0-9a-f]+: [0-9]+ reads, [0-9]+ writes" \
		"$name: DEVICES shows the unknown region"
	if [ "$name" = stray-mmio ]; then
		expect_out "^PROBABLE CAUSE: MMIO to 0xfea00080: BAR0 of 00:03.0 .*stale BAR" \
			"$name: the stale BAR, known from the guest's config cycles, is still the cause"
	else
		expect_absent "MMIO to nothing|in no BAR and no RAM" "$name: nothing is called MMIO to nothing"
	fi
	if [ ! -s "$T/out" ] || { grep -E '^ *[0-9]+\. \[info' -A1 "$T/out" | grep -q "stray-mmio" &&
	   ! grep -q "BARs unknown: this finding rests on BARs" "$T/out"; }; then
		not_ok "$name: the unknown region's finding is marked in the text"
	else
		ok "$name: the unknown region's finding is marked in the text"
	fi

	run "$PTTRACE" analyze --json "$f"
	got=$(summary "$T/out")
	case $got in
	"$crash"*"|False|True|$first|unmarked=0|regions=True")
		ok "$name: JSON: BARs unknown, no metadata, first finding $first, every finding on unknown BARs marked" ;;
	*)
		not_ok "$name: JSON: got '$got', want '$crash...|False|True|$first|unmarked=0|regions=True'" ;;
	esac
done

# healthy: nothing above info, in text too
run "$PTTRACE" analyze $D/healthy.dat
expect_out "^PROBABLE CAUSE: nothing suspicious found" "healthy: nothing suspicious"
expect_absent '^ *[0-9]+\. \[(low|medium|high|critical)' "healthy: no finding above info"

# giving the BARs, as the report says, places the accesses: the region is gone
run "$PTTRACE" analyze --json --device 00:03.0:0=0xfea00000+0x100000 $D/healthy.dat
if python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(any(r["start"] <= 0xfea00000 < r["end"] + 1 for r in d["unknown_regions"]))' "$T/out"; then
	ok "healthy --device 00:03.0:0=...: 0xfea00000 is no unknown region any more"
else
	not_ok "healthy --device 00:03.0:0=...: 0xfea00000 is no unknown region any more"
fi
run "$PTTRACE" analyze --device 00:03.0:0=0xfea00000+0x100000 $D/healthy.dat
expect_out "^00:03.0 .*" "healthy --device: the device is listed"
expect_rc 0 "healthy --device: still nothing suspicious"

# hang-reset: SCRATCH_REG[0] (BAR2+0x15e0) is only written, the page next
# to one that answers: part of the region, not "MMIO to nothing"; with the
# BAR given the hang is found on its register
run "$PTTRACE" analyze $D/hang-reset.dat
expect_out "^unknown region 0xfebf8000-0xfebf9fff: " "hang-reset: the written-only page is in the answering region"
run "$PTTRACE" analyze --device 00:05.0:2=0xfebf8000+0x4000 $D/hang-reset.dat
expect_rc 1 "hang-reset --device: a finding above info"
expect_out "^PROBABLE CAUSE: 00:05.0 BAR2\+0x0710 polled [0-9]+ times" \
	"hang-reset --device 00:05.0:2=...: the poll that never ends is the probable cause"
expect_absent "^BARS:" "hang-reset --device: BARs no longer said to be unknown"

# the files really are without pttrace's metadata (else this tests nothing)
if command -v trace-cmd > /dev/null; then
	for f in $D/*.dat; do
		if trace-cmd dump --options "$f" 2>&1 | grep -q "Unknown option"; then
			not_ok "$(basename "$f"): no pttrace metadata in the file"
		else
			ok "$(basename "$f"): no pttrace metadata in the file"
		fi
	done
else
	skip "needs trace-cmd to look at the files' options"
fi
exit 0
