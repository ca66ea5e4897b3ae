# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace diff on the lab's traces: the healthy run against each scenario
# puts the scenario's cause first or near the top; healthy against itself
# ranks nothing high; --json parses; errors are one line, exit 2.
. "$(dirname "$0")/../lib.sh"
S=$TOP/samples/traces/pttrace
H=$S/healthy.dat

# top N: the first N differences' lines
top() { grep -E '^ *[0-9]+\. ' "$T/out" | head -n "$1"; }
# expect_top N RE DESC: one of the first N differences matches the extended regex RE
expect_top() {
	if top "$1" | grep -Eq -- "$2"; then
		ok "$3"
	else
		not_ok "$3 (not in the first $1)"
		diag "$T/out"
	fi
}

run "$PTTRACE" diff "$H" "$S/d3-access.dat"
expect_rc 1 "d3-access: high differences, exit 1"
expect_out '^BASELINE: .*healthy.dat: no crash signal' "text: the baseline's header"
expect_out '^CRASH: .*d3-access.dat: guest panic \(pvpanic\)' "text: the crash's header"
expect_top 1 '00:04.0 \[8086:10d3\].*D3hot only in the crash.*power-state' "d3-access: BAR accesses in D3hot first"
expect_out 'first: -1\.020073 vcpu 0 mmio read gpa 0xfeba0008' "d3-access: evidence from the crash"
expect_top 2 'power state at the end: D3hot in the crash, D0 in the baseline' "d3-access: the power state it ends in second"
expect_out 'last: +-1\.030112 vcpu 0 pio write port 0xcfc len 2 val 0x3$' "d3-access: the PMCSR write to D3hot as evidence"
expect_out 'last: +-0\.150666 vcpu 0 pio write port 0xcfc len 2 val 0x0$' "d3-access: the baseline's PMCSR write to D0 as evidence"
expect_top 3 '\[high, [0-9]+\] 00:04.0 \[8086:10d3\] powered-down: accessed in D3hot: 600 BAR accesses .*\(only in the crash\)  \(finding\)$' "d3-access: analyze's finding, only in the crash, in the first three"

run "$PTTRACE" diff "$H" "$S/irq-storm.dat"
expect_rc 1 "irq-storm: exit 1"
expect_top 3 'vector 0x20: interrupts [0-9]{4}/s in the crash, [0-9.]+/s in the baseline' "irq-storm: the vector's rate in the first three"

run "$PTTRACE" diff "$H" "$S/lost-msi.dat"
expect_rc 1 "lost-msi: exit 1"
expect_top 2 'MSI.ADDR_LO: written with values only in the crash' "lost-msi: the MSI address in the first two"
expect_top 1 'address 0xfee0 data 0x0020 in the crash' "lost-msi: the MSI programming first"

run "$PTTRACE" diff "$H" "$S/hang-reset.dat"
expect_rc 1 "hang-reset: exit 1"
expect_top 1 'reset: did not recover from its RBBM_SOFT_RESET.*\(only in the crash\)' "hang-reset: analyze's reset finding first"
expect_top 2 'BAR2\+0x0710 CP_RB_RPTR: read only in the crash .8724 reads' "hang-reset: the register polled only in the crash second"
# analyze's two findings (reset, polling) rank with the register differences
expect_top 8 'CP_RB_WPTR: written only in the crash' "hang-reset: the ring restarted only in the crash"

run "$PTTRACE" diff "$H" "$S/stray-mmio.dat"
expect_rc 1 "stray-mmio: exit 1"
expect_top 3 'MMIO to no BAR: .*1 in the crash, 0 in the baseline' "stray-mmio: MMIO to no BAR in the first three"
expect_top 4 'BAR0 moved from 0xfea00000 to 0xe0000000 only in the crash' "stray-mmio: the BAR move in the first four"
expect_top 3 'stray-mmio: MMIO to 0xfea00080: BAR0 of .* until it moved.*\(only in the crash\)' "stray-mmio: analyze's finding in the first three"

run "$PTTRACE" diff "$S/irq-storm.dat" "$S/irq-storm.dat"
expect_rc 0 "irq-storm against itself: exit 0 (what fires in the baseline too ranks low)"
expect_top 1 '\[low, [0-9]+\] 00:03.0 \[1234:11e8\] irq-storm: .*\(also in baseline\)  \(finding\)$' "irq-storm against itself: the finding is also in the baseline"
expect_absent 'only in the crash' "irq-storm against itself: nothing only in the crash"

run "$PTTRACE" diff "$H" "$H"
expect_rc 0 "healthy against itself: exit 0"
expect_out '^none: the two traces show the same' "healthy against itself: no difference"

# --json, parsed
run "$PTTRACE" diff --json "$H" "$S/d3-access.dat"
expect_rc 1 "--json: exit 1"
if python3 - "$T/out" > "$T/py" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["comparable"] is True, d["comparable"]
assert d["baseline"]["file"].endswith("healthy.dat")
assert d["crash"]["crash"] == "guest panic (pvpanic)"
first = d["differences"][0]
assert first["rank"] == 1 and first["kind"] == "power-state", first
assert first["device"] == "00:04.0" and first["id"] == "8086:10d3", first
assert first["level"] == "high"
assert first["baseline"]["count"] == 0
assert first["crash"]["count"] == 600, first["crash"]
assert first["crash"]["event"]["addr"] == "0xfeba0008", first["crash"]["event"]
assert first["crash"]["event"]["kind"] == "mmio read"
assert any(x["kind"] == "config-write" or x["kind"] == "register-values" for x in d["differences"])
f = [x for x in d["differences"] if x["kind"] == "finding"]
assert f and f[0]["detector"] == "powered-down" and f[0]["level"] == "high", f
assert f[0]["baseline"] is None and f[0]["crash"]["event"] is not None, f[0]
assert all(x["detector"] is None for x in d["differences"] if x["kind"] != "finding")
print("ok")
PY
then ok "--json parses with the D3hot difference first and its evidence"
else not_ok "--json"; diag "$T/py"; fi

run "$PTTRACE" diff --json "$H" "$H"
expect_rc 0 "--json healthy against itself: exit 0"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["differences"] == [], d' "$T/out" 2> "$T/py" &&
	ok "--json healthy against itself: no differences" || { not_ok "--json self"; diag "$T/py"; }

run "$PTTRACE" diff --limit 2 "$H" "$S/lost-msi.dat"
expect_out '^\.\.\. [0-9]+ more \(--limit 0 shows all\)' "--limit 2 says how many more"
[ "$(top 100 | wc -l)" = 2 ] && ok "--limit 2 shows two" || not_ok "--limit 2 shows two"

# errors: one line, exit 2
run "$PTTRACE" diff "$H"
expect_rc 2 "one file: exit 2"
expect_err 'pttrace diff: diff wants two trace files' "one file: says it wants two"
run "$PTTRACE" diff "$H" "$T/none.dat"
expect_rc 2 "a missing file: exit 2"
[ "$(wc -l < "$T/err")" = 1 ] && expect_err "none.dat" "a missing file: one line naming it" ||
	{ not_ok "a missing file: one line"; diag "$T/err"; }
run "$PTTRACE" diff --limit x "$H" "$H"
expect_rc 2 "--limit x: exit 2"
expect_err "--limit wants a number, not 'x'" "--limit x: says why"
run "$PTTRACE" diff --bogus "$H" "$H"
expect_rc 2 "an unknown option: exit 2"
