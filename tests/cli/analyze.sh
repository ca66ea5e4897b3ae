# pttrace analyze on the lab traces: the root cause first, golden reports,
# the options, the exit status.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2

first_finding() {	# detector, device and register of the first finding, from --json
	python3 -c 'import json,sys
f = json.load(open(sys.argv[1]))["findings"]
print(f[0]["detector"], f[0]["device"], f[0]["register"], f[0]["severity"]) if f else print("none")' "$1"
}

expect_first() {	# SCENARIO DETECTOR DEVICE REGISTER
	run "$PTTRACE" analyze --json "samples/traces/$1.dat"
	got=$(first_finding "$T/out")
	case $got in
	"$2 $3 $4 "*) ok "$1: the root cause comes first ($got)" ;;
	*) not_ok "$1: the root cause comes first: got '$got', want '$2 $3 $4'" ;;
	esac
}

expect_first d3-access powered-down 00:04.0 BAR0+0x0008
expect_first hang-reset reset 00:05.0 BAR2+0x00f0
expect_first bugcheck polling 00:05.0 BAR2+0x0710
expect_first irq-storm irq-storm 00:03.0 BAR0+0x0024
expect_first lost-msi lost-irq 00:03.0 config+0x44
expect_first stray-mmio stray-mmio 00:03.0 BAR0+0x0080

# the same scenarios as pttrace record wrote them, with its metadata
for s in d3-access:powered-down hang-reset:reset bugcheck:polling irq-storm:irq-storm lost-msi:lost-irq stray-mmio:stray-mmio; do
	run "$PTTRACE" analyze --json "samples/traces/pttrace/${s%%:*}.dat"
	got=$(first_finding "$T/out")
	case $got in
	"${s#*:} "*) ok "pttrace/${s%%:*}: the root cause comes first ($got)" ;;
	*) not_ok "pttrace/${s%%:*}: the root cause comes first: got '$got'" ;;
	esac
done
run "$PTTRACE" analyze samples/traces/pttrace/healthy.dat
expect_rc 0 "pttrace/healthy: nothing suspicious"
expect_out "^VM: +pt-sample-healthy \(pid [0-9]+\), recorded by pttrace record, flight-recorder" \
	"the metadata's VM line"

run "$PTTRACE" analyze --json samples/traces/healthy.dat
expect_rc 0 "healthy: exit 0, nothing suspicious"
if python3 -c 'import json,sys
f = json.load(open(sys.argv[1]))["findings"]
sys.exit(any(x["severity"] != "info" for x in f))' "$T/out"; then
	ok "healthy: no finding above info"
else
	not_ok "healthy: no finding above info"
fi

for f in samples/traces/*.dat; do
	s=$(basename "$f" .dat)
	run "$PTTRACE" analyze "$f"
	[ "$s" = healthy ] && want=0 || want=1
	expect_rc $want "$s: exit status $want"
	if diff -u "tests/golden/$s.txt" "$T/out" > "$T/diff"; then
		ok "$s: text report matches tests/golden/$s.txt"
	else
		not_ok "$s: text report matches tests/golden/$s.txt"
		diag "$T/diff"
	fi
	run "$PTTRACE" analyze --json "$f"
	if diff -u "tests/golden/$s.json" "$T/out" > "$T/diff"; then
		ok "$s: JSON report matches tests/golden/$s.json"
	else
		not_ok "$s: JSON report matches tests/golden/$s.json"
		diag "$T/diff"
	fi
done

run "$PTTRACE" analyze samples/traces/stray-mmio.dat
expect_out "^CRASH: +triple fault \(KVM_EXIT_SHUTDOWN\)$" "stray-mmio: the crash is the triple fault"
expect_out "^PROBABLE CAUSE: MMIO to 0xfea00080: BAR0 of 00:03.0" "stray-mmio: probable cause line"
run "$PTTRACE" analyze samples/traces/d3-access.dat
expect_out "^CRASH: +guest panic \(pvpanic\)$" "d3-access: the crash is the pvpanic write"
expect_out "^kvm_exit +none in the trace: no kvm_exit: no exit reasons" "a missing kvm_exit is said, with what it hides"
expect_out "^0x21 +352 +352 " "interrupt statistics per vector"
expect_out "^vcpu 0: [0-9]+ events" "statistics per vcpu"
expect_out "userspace exits: .*KVM_EXIT_IO [0-9]+, KVM_EXIT_MMIO [0-9]+" "userspace exit reasons"

# the Windows bluescreen path on a host whose KVM has no Hyper-V crash MSRs:
# the bugcheck named, the refused writes said, the stalled ring the cause
for f in samples/traces/bugcheck.dat samples/traces/pttrace/bugcheck.dat; do
	run "$PTTRACE" analyze "$f"
	expect_out "^CRASH: +Windows bugcheck \(Hyper-V crash MSRs\)$" "$f: the crash is the crash-control MSR write"
	expect_out "^SIGNAL: +msr write +msr 0x40000105 val 0x8000000000000000 refused \(#GP\)$" \
		"$f: the signal is the refused CRASH_NOTIFY write"
	expect_out "^BUGCHECK: +0x116 VIDEO_TDR_FAILURE \(0x113450, 0x101170, 0xffffffffc000009a, 0x400000000\)$" \
		"$f: VIDEO_TDR_FAILURE and its four parameters"
	expect_out "^REFUSED: +KVM refused all 6 crash MSR writes with #GP: this host's KVM has no Hyper-V crash MSRs.* would not have bugchecked this way on this host" \
		"$f: the refused writes said plainly"
	expect_out "^PROBABLE CAUSE: 00:05.0 \[1002:5159\] BAR2\+0x0710 CP_RB_RPTR polled [0-9]+ times in 2.0[0-9] s, always 0x0, until the crash$" \
		"$f: the stalled ring's read pointer is the probable cause"
done
run "$PTTRACE" analyze --json samples/traces/pttrace/bugcheck.dat
if python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
b = d["crash"]["bugcheck"]
assert b["code"] == 0x116 and b["name"] == "VIDEO_TDR_FAILURE" and b["source"] == "msr"
assert b["parameters_hex"][2] == "0xffffffffc000009a" and b["msr_writes"] == 6 and b["msr_refused"] == 6
assert d["crash"]["event"]["refused"] is True and d["crash"]["event"]["addr_hex"] == "0x40000105"
m = d["metadata"]
assert "traceoff if write == 1 && ecx == 0x40000105" in m["recording"]["triggers"]
assert m["guest_panicked"]["action"] and "info" not in m["guest_panicked"]
assert d["trace"]["after_crash"] == 0' "$T/out"; then
	ok "pttrace/bugcheck: JSON bugcheck, refused writes, the trigger stopped on it, pvpanic's GUEST_PANICKED kept"
else
	not_ok "pttrace/bugcheck: JSON bugcheck, refused writes, the trigger stopped on it, pvpanic's GUEST_PANICKED kept"
	diag "$T/out"
fi

run "$PTTRACE" analyze --device 00:03.0 samples/traces/d3-access.dat
expect_rc 0 "--device of an innocent device: nothing suspicious"
expect_out "^PROBABLE CAUSE: nothing suspicious found" "--device narrows the findings"
run "$PTTRACE" analyze --window 0.5 samples/traces/stray-mmio.dat
expect_out "^WINDOW: +findings of the last 0.500 s only" "--window is said"
run "$PTTRACE" analyze --vcpu 1 samples/traces/d3-access.dat
expect_rc 0 "--vcpu of a vcpu with no events: nothing suspicious"
run "$PTTRACE" analyze --at 536.0 samples/traces/d3-access.dat
expect_out "^CRASH: +given with --at" "--at sets the crash point"
expect_out "^AT: +536.000000 " "--at time"

run "$PTTRACE" analyze
expect_rc 2 "no file: usage error"
run "$PTTRACE" analyze --window soon samples/traces/healthy.dat
expect_rc 2 "bad --window"
expect_err "--window wants seconds, not 'soon'" "bad --window message"
run "$PTTRACE" analyze --device 3 samples/traces/healthy.dat
expect_err "--device wants a BDF like 00:03.0, not '3'" "bad --device message"
run "$PTTRACE" analyze --device 00:03.0:7=0x1 samples/traces/healthy.dat
expect_rc 2 "bad --device BAR hint"
expect_err "bad --device '00:03.0:7=0x1'" "bad --device BAR hint message"
