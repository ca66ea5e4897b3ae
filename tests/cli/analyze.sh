# SPDX-License-Identifier: GPL-2.0-or-later
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
expect_out "^WINDOW: +findings of the last 0.500 s only \(the events and summaries: the whole trace\)" \
	"--window is said, with what it does not narrow"
# --window narrows the findings only (review D16): what is documented is what it does
summaries() { sed -n '/^DEVICES$/,$p' "$T/out"; }
run "$PTTRACE" analyze samples/traces/pttrace/irq-storm.dat
summaries > "$T/all"
run "$PTTRACE" analyze --window 0.5 samples/traces/pttrace/irq-storm.dat
if [ -s "$T/all" ] && summaries | cmp -s - "$T/all"; then
	ok "--window: DEVICES, INTERRUPTS and VCPUS as without it"
else
	not_ok "--window: DEVICES, INTERRUPTS and VCPUS as without it"; summaries | diff - "$T/all" | head > "$T/d"; diag "$T/d"
fi
run "$PTTRACE" analyze --help
expect_out "^ +--window <s> +only findings whose last evidence is in the last <s>" "--help: --window keeps findings by their last evidence"
expect_out "seconds before the crash\.  It narrows the findings, not" "--help: --window narrows the findings, not the events"
run "$PTTRACE" tui --help
expect_out "^only: the event list, the timeline and the registers show the whole trace" "tui --help: what --window leaves alone"
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

# --at outside the trace is an error naming the trace's span, not a clean
# report "4.5e9 s before the crash"; a time no clock reaches is a usage error
for at in 0 99999; do
	run "$PTTRACE" analyze --at $at samples/traces/d3-access.dat
	expect_rc 2 "--at $at: exit 2"
	expect_err "^pttrace: --at $at\.000000 is outside the trace: its events run from [0-9]+\.[0-9]{6} to [0-9]+\.[0-9]{6} " \
		"--at $at: outside the trace, and its span"
done
for at in inf 1e400 -1; do
	run "$PTTRACE" analyze --at $at samples/traces/d3-access.dat
	expect_rc 2 "--at $at: exit 2"
	expect_err "^pttrace analyze: --at wants a time in seconds" "--at $at: a usage error"
done

# filters that match nothing say so, with what there is
run "$PTTRACE" analyze --vcpu 7 samples/traces/pttrace/d3-access.dat
expect_err "^pttrace: note: no event of vcpu 7 in this trace \(vcpus: 0\)$" "--vcpu of no vcpu: a note with the vcpus"
expect_out "^CRASH:" "--vcpu of no vcpu: the report still comes"
run "$PTTRACE" analyze --device 00:1f.7 samples/traces/pttrace/d3-access.dat
expect_err "^pttrace: note: no device 00:1f.7 in this trace \(devices: .*00:04\.0" "--device of no device: a note with the devices"
run "$PTTRACE" analyze --device 00:04.0 samples/traces/pttrace/d3-access.dat
[ "$rc" -le 1 ] && [ -s "$T/out" ] && ! grep -q "note:" "$T/err" && ok "--device of a device: no note" ||
	not_ok "--device of a device: no note"
expect_out "^00:04.0 " "--device of a device: its summary"

# --device BDF:BAR0=... as the reports spell BARs, the same as BDF:0=...
run "$PTTRACE" analyze --device 00:03.0:BAR0=0xfea00000+0x100000 samples/traces/healthy.dat
expect_rc 0 "--device BDF:BAR0=...: accepted"
cp "$T/out" "$T/bar0"
run "$PTTRACE" analyze --device 00:03.0:0=0xfea00000+0x100000 samples/traces/healthy.dat
[ -s "$T/bar0" ] && cmp -s "$T/out" "$T/bar0" && ok "--device BDF:BAR0= and BDF:0= are the same" ||
	not_ok "--device BDF:BAR0= and BDF:0= are the same"

# getopt's errors: one line with the command, then the hint
run "$PTTRACE" record --vm
expect_rc 2 "record --vm without a name: exit 2"
expect_err "^pttrace record: option '--vm' requires an argument$" "getopt's error names the command"
[ "$(wc -l < "$T/err")" = 2 ] && ok "getopt's error: one line and the hint" || { not_ok "getopt's error: one line and the hint"; diag "$T/err"; }
run "$PTTRACE" tui --bogus samples/traces/healthy.dat
expect_err "^pttrace tui: unrecognized option '--bogus'$" "tui's unknown option is said as such"
[ "$rc" = 2 ] && [ -s "$T/err" ] && ! grep -q "wants one trace file" "$T/err" &&
	ok "tui's unknown option is not called a missing file" || not_ok "tui's unknown option is not called a missing file"

# --color: the severities in colour, as git and ls do it
esc=$(printf '\033')
run "$PTTRACE" analyze --color=always samples/traces/irq-storm.dat
expect_out "^ 1\. \[${esc}\[[0-9;]*mcritical${esc}\[m, " "--color=always: the severity in colour"
expect_out "^PROBABLE CAUSE: ${esc}\[" "--color=always: the probable cause in its severity's colour"
run env NO_COLOR=1 "$PTTRACE" analyze --color=always samples/traces/irq-storm.dat
expect_out "${esc}\[" "--color=always wins over NO_COLOR"
run "$PTTRACE" analyze --color samples/traces/irq-storm.dat
expect_out "${esc}\[" "--color alone is always"
for when in --color=never --color=auto ""; do
	run "$PTTRACE" analyze $when samples/traces/irq-storm.dat
	expect_absent "${esc}" "${when:-no --color}: no escape on a pipe"
done
run "$PTTRACE" analyze --color=sometimes samples/traces/irq-storm.dat
expect_rc 2 "--color=sometimes: exit 2"
expect_err "--color wants auto, always or never, not 'sometimes'" "--color=sometimes: said why"
# auto on a terminal: script(1) gives the report a pty
if command -v script > /dev/null; then
	tty_report() {	# ENV...: the report printed to a pty, in $T/out
		env "$@" script -qec "$PTTRACE analyze samples/traces/irq-storm.dat" /dev/null \
			< /dev/null > "$T/out" 2> "$T/err"
		rc=$?
	}
	tty_report TERM=xterm NO_COLOR=
	expect_out "${esc}\[[0-9;]*mcritical" "--color=auto on a terminal: colour"
	tty_report TERM=xterm NO_COLOR=1
	expect_absent "${esc}\[[0-9;]*m" "--color=auto on a terminal with NO_COLOR: none"
	tty_report TERM=dumb NO_COLOR=
	expect_absent "${esc}\[[0-9;]*m" "--color=auto on a dumb terminal: none"
else
	skip "--color=auto on a terminal: needs script(1)"
fi
