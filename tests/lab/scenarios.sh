# SPDX-License-Identifier: GPL-2.0-or-later
# Every lab scenario on real KVM: the crash it should end in, within 30 s,
# with no QEMU and no tracefs instance left behind.
. "$(dirname "$0")/../lib.sh"
need_root_kvm

instances() { ls /sys/kernel/tracing/instances 2> /dev/null | sort; }

for s in d3-access hang-reset bugcheck irq-storm lost-msi stray-mmio busmaster-off intx-disabled healthy; do
	before=$(instances)
	start=$(date +%s%N)
	run "$PTTRACE" lab run "$s" --name "pttrace-test-$s"
	elapsed_ms=$((($(date +%s%N) - start) / 1000000))
	expect_rc 0 "$s: ends as the scenario says"
	case $s in
	stray-mmio) expect_out "^lab: $s: triple fault after .*SHUTDOWN, reason guest-reset" "$s: triple fault seen as SHUTDOWN" ;;
	healthy) expect_out "^lab: $s: no crash in 5 s" "$s: no crash" ;;
	*) expect_out "^lab: $s: guest panic \(pvpanic\) after .*GUEST_PANICKED" "$s: pvpanic seen as GUEST_PANICKED" ;;
	esac
	expect_out "^guest\| scenario $s$" "$s: the guest console is shown"
	if [ "$s" = bugcheck ]; then
		expect_out "^guest\| bugcheck: 0x00000116 \(0x[0-9a-f]{16}, 0x[0-9a-f]{16}, 0xffffffffc000009a, 0x0000000400000000\)$" \
			"$s: the guest bugchecks with VIDEO_TDR_FAILURE"
		# hv-crash where KVM has the crash MSRs: QMP's panic carries the code; else #GP, caught, then pvpanic
		if grep -q "^lab: hv-crash on" "$T/out"; then
			expect_out "^lab: $s: .*hyper-v bugcheck 0x116" "$s: hv-crash: GUEST_PANICKED carries the bugcheck"
		else
			expect_out "^lab: hv-crash off: .*refused \(#GP\)$" "$s: the lab says hv-crash is off, and why"
			expect_out "^guest\| hv: 6 of 6 crash MSR writes refused \(#GP\)" "$s: the guest caught the #GP of every crash MSR write"
			expect_out "^guest\| \*\*\* STOP: VIDEO_TDR_FAILURE" "$s: and went on to pvpanic"
		fi
	fi
	if [ "$elapsed_ms" -lt 30000 ]; then
		ok "$s: finished in ${elapsed_ms} ms (< 30 s)"
	else
		not_ok "$s: took ${elapsed_ms} ms (>= 30 s)"
	fi
	pid=$(sed -n 's/^lab: VM .* is qemu pid \([0-9]*\),.*/\1/p' "$T/out")
	if [ -n "$pid" ] && [ ! -d "/proc/$pid" ]; then
		ok "$s: QEMU (pid $pid) is gone"
	else
		not_ok "$s: QEMU (pid ${pid:-unknown}) is gone"
		[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null
	fi
	if [ "$(instances)" = "$before" ]; then
		ok "$s: no tracefs instance left"
	else
		not_ok "$s: no tracefs instance left"
	fi
done

case $(ls -d /tmp/pttrace-lab.* 2> /dev/null) in
"") ok "no run directory left in /tmp" ;;
*) not_ok "no run directory left in /tmp: $(ls -d /tmp/pttrace-lab.*)" ;;
esac
