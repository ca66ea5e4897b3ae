# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace report: every event decoded, one a line, in the words of analyze's
# evidence; CSV and JSON lines of the same events; the filters; the errors.
. "$(dirname "$0")/../lib.sh"
DIR=$TOP/samples/traces
RIP=$DIR/pttrace-rip

# The evidence of analyze's first finding, each line found, same words, at its time.
for f in "$DIR"/*.dat "$DIR"/pttrace/*.dat; do
	name=${f#"$DIR"/}
	run "$PTTRACE" analyze "$f"
	awk '/^ *1\. \[/ { on = 1; next } /^ *2\. \[|^DEVICES/ { on = 0 } on && / <- / { print }' "$T/out" |
		sed -E 's/  <- .*$//; s/^ +//' > "$T/evidence"
	run "$PTTRACE" report "$f"
	if [ "$rc" != 0 ] || [ ! -s "$T/out" ]; then
		not_ok "$name: report prints its events (exit $rc)"
		diag "$T/err"
		continue
	fi
	cp "$T/out" "$T/text"
	if [ ! -s "$T/evidence" ]; then
		# no finding: the crash signal's line, as analyze words it
		sed -n 's/^SIGNAL: *//p' < <("$PTTRACE" analyze "$f") > "$T/evidence"
	fi
	missing=0 n=0
	while IFS= read -r line; do
		n=$((n + 1))
		when=${line%% *}
		words=$(sed -E 's/^[^ ]+ +(vcpu [0-9]+ +)?//' <<< "$line")
		vcpu=$(sed -nE 's/^[^ ]+ +vcpu ([0-9]+) .*/\1/p' <<< "$line")
		if [ "$when" = "$line" ] || [[ $when != [-+]* ]]; then	# the SIGNAL line: no time
			grep -qF -- "$line" "$T/text" || missing=$((missing + 1))
		elif ! awk -v t="$when" -v v="$vcpu" -v w="$words" '
			$1 == t && index($0, w) && (v == "" || $3 == "vcpu" && $4 == v) { found = 1 }
			END { exit !found }' "$T/text"; then
			missing=$((missing + 1))
			echo "# missing: $line"
		fi
	done < "$T/evidence"
	if [ "$n" -gt 0 ] && [ "$missing" = 0 ]; then
		ok "$name: the $n evidence lines of analyze's first finding are in report's text, same words, same time"
	else
		not_ok "$name: $missing of $n evidence lines not in report's text"
	fi
done

F=$DIR/d3-access.dat
run "$PTTRACE" report "$F"
cp "$T/out" "$T/text"
lines=$(wc -l < "$T/text")
expect_out "^ +-1\.030137 [0-9]+\.[0-9]{9} vcpu 0  pio write   00:04\.0 config\+0xcc PM\.PMCSR port 0xcfc len 2 val 0x3 \{ POWER_STATE = D3hot \}$" \
	"text: the PMCSR write decoded: device, register, fields, time from the crash and the trace clock"
if awk '{ if (NR > 1 && $2 + 0 < prev) bad = 1; prev = $2 + 0 } END { exit bad || NR < 1000 }' "$T/text"; then
	ok "text: $lines events in time order"
else
	not_ok "text: events in time order"
fi
tc_events=$(trace-cmd report "$F" 2> /dev/null | grep -c ': kvm_' || true)
if [ "$tc_events" -gt 0 ] && [ "$lines" -le "$tc_events" ] && [ "$lines" -ge $((tc_events / 2)) ]; then
	ok "text: every pttrace event of trace-cmd report's $tc_events kvm records ($lines: exits and entries pair up)"
elif ! command -v trace-cmd > /dev/null; then
	skip "trace-cmd not installed"
else
	not_ok "text: $lines lines against trace-cmd report's $tc_events kvm records"
fi

# CSV: parses, a header, as many rows as text lines
run "$PTTRACE" report --csv "$F"
if [ "$rc" = 0 ] && python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head = rows[0]
assert head[:4] == ["time", "time_rel", "vcpu", "kind"] and "register" in head, head
assert all(len(r) == len(head) for r in rows), "ragged rows"
body = rows[1:]
assert len(body) == int(sys.argv[2]), (len(body), sys.argv[2])
reg = head.index("register"); fields = head.index("fields")
w = [r for r in body if r[reg] == "PM.PMCSR" and r[head.index("value")] == "0x3"]
assert w and w[0][fields] == "{ POWER_STATE = D3hot }" and w[0][head.index("device")] == "00:04.0", w
assert w[0][head.index("bar")] == "config" and w[0][head.index("offset")] == "0xcc"
' "$T/out" "$lines" 2> "$T/py"; then
	ok "csv: parses with python's csv, header row, $lines rows as text has lines, PMCSR decoded"
else
	not_ok "csv: parses with the same row count as text"
	diag "$T/py"
fi
run "$PTTRACE" report --format csv "$F" --kind msi
expect_out "^time,time_rel,vcpu,kind," "--format csv has the header too"

# JSON lines: each parses; 64-bit values are exact hex strings
run "$PTTRACE" report --json "$F"
if [ "$rc" = 0 ] && python3 -c 'import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    n += 1
    for k in ("addr", "value"):
        assert isinstance(e[k], str) and e[k].startswith("0x"), (k, e)
        int(e[k], 16)
    assert isinstance(e["time"], str) and isinstance(e["time_rel"], float)
assert n == int(sys.argv[2]), (n, sys.argv[2])
' "$T/out" "$lines" 2> "$T/py"; then
	ok "json: $lines lines, each parses, values and addresses as hex strings"
else
	not_ok "json: each line parses"
	diag "$T/py"
fi
# all-ones reads of a 64-bit width and MSI addresses past 2^53 stay exact: the
# values are printed from the record, as text shows them
if [ "$rc" = 0 ] && python3 -c 'import json, re, sys
text = [l.split() for l in open(sys.argv[2])]
n = 0
for line, words in zip(open(sys.argv[1]), text):
    e = json.loads(line)
    if "val" in words:
        v = words[words.index("val") + 1]
        assert int(v, 16) == int(e["value"], 16), (v, e)
        n += 1
assert n > 1000, n
' "$T/out" "$T/text" 2> "$T/py"; then
	ok "json: every value is exactly the one text shows"
else
	not_ok "json: values match text"
	diag "$T/py"
fi
run "$PTTRACE" report --json "$DIR/stray-mmio.dat"
if [ "$rc" = 0 ] && python3 -c 'import json, sys
vals = [int(json.loads(l)["value"], 16) for l in open(sys.argv[1])]
big = [v for v in vals if v > 2**53]
assert big and big[0] == 0x0606060606060606, [hex(v) for v in big[:3]]
' "$T/out" 2> "$T/py"; then
	ok "json: a 64-bit value past 2^53 parses back exactly (0x0606060606060606)"
else
	not_ok "json: all-ones reads parse back exactly"
	diag "$T/py"
fi

# filters
count() { "$PTTRACE" report "$@" 2> /dev/null | wc -l; }
run "$PTTRACE" report "$F" --from -2s --to 0
n_window=$(wc -l < "$T/out")
if [ "$rc" = 0 ] && [ "$n_window" -gt 0 ] && [ "$n_window" -lt "$lines" ] &&
	awk '{ t = $1 + 0; if (t < -2 || t > 0) bad = 1 } END { exit bad }' "$T/out"; then
	ok "--from -2s --to 0: $n_window events, all within 2 s before the crash"
else
	not_ok "--from -2s --to 0 narrows to the last 2 s ($n_window of $lines)"
fi
abs=$(awk '$1 == "-1.030137" { print $2; exit }' "$T/text")
run "$PTTRACE" report "$F" --from "$abs" --to "$abs"
expect_out "^ +-1\.030137 $abs vcpu 0  pio write .*PM\.PMCSR" "--from/--to on the trace clock: the event at that time"
if [ "$(wc -l < "$T/out")" = 1 ]; then ok "--from T --to T: that one event"; else not_ok "--from T --to T: one event"; fi
run "$PTTRACE" report "$F" --from -1030138us --to -1030137us
expect_out "PM\.PMCSR" "--from/--to with us from the crash"
run "$PTTRACE" report "$F" --device 00:04.0
expect_out "00:04\.0" "--device: its events"
expect_absent "00:1f\.2|00:09\.0" "--device: no other device's events"
run "$PTTRACE" report "$F" --vcpu 0
expect_absent " msi " "--vcpu 0: MSIs (no vcpu) left out"
run "$PTTRACE" report "$F" --kind "mmio write"
expect_out "mmio write " "--kind 'mmio write': mmio writes"
expect_absent "mmio read|pio |msi |exit " "--kind 'mmio write': nothing else"
run "$PTTRACE" report "$F" --kind msi,pio
expect_out " msi " "--kind msi,pio: MSIs"
expect_out "pio (read|write) " "--kind msi,pio: port accesses"
expect_absent "mmio |exit " "--kind msi,pio: nothing else"
run "$PTTRACE" report "$F" --reg PMCSR
expect_out "PM\.PMCSR" "--reg PMCSR (a name): PMCSR accesses"
expect_absent "STATUS|ICR" "--reg PMCSR: nothing else"
n_name=$(wc -l < "$T/out")
run "$PTTRACE" report "$F" --reg config+0xcc
expect_out "PM\.PMCSR" "--reg config+0xcc (an offset): PMCSR accesses"
if [ "$n_name" -gt 0 ] && [ "$(wc -l < "$T/out")" = "$n_name" ]; then
	ok "--reg by name and by offset give the same $n_name events"
else
	not_ok "--reg by name and by offset give the same events"
fi
run "$PTTRACE" report "$F" --reg BAR0+0x8 --kind "mmio read"
expect_out "BAR0\+0x0008 STATUS" "--reg BAR0+0x8: STATUS"
expect_absent "ICR|ICS|PMCSR" "--reg BAR0+0x8: nothing else"
run "$PTTRACE" report "$F" --reg STATUS --from -0.01 --to 0 --csv
if [ "$rc" = 0 ] && [ "$(wc -l < "$T/out")" = 2 ] && grep -q ",STATUS," "$T/out"; then
	ok "filters together: STATUS in the last 10 ms is one access (csv)"
else
	not_ok "filters together: STATUS in the last 10 ms"
	diag "$T/out"
fi
run "$PTTRACE" report "$F" --filter "kind=mmio rw=w"
expect_out "mmio write" "--filter takes the TUI's terms"
expect_absent "mmio read" "--filter kind=mmio rw=w: no reads"

# negation and OR lists, for every key (review D26): the rip traces are mostly emulate rows
kinds() { cut -d, -f4 "$T/out" | tail -n +2 | sort -u | tr '\n' '/'; }
run "$PTTRACE" report "$RIP/d3-access.dat" --csv
all=$(($(wc -l < "$T/out") - 1))
emulate=$(cut -d, -f4 "$T/out" | grep -c '^emulate$')
run "$PTTRACE" report "$RIP/d3-access.dat" --csv --filter "kind!=emulate"
expect_rc 0 "kind!=emulate: exit 0"
[ "$emulate" -gt 1000 ] && [ "$(($(wc -l < "$T/out") - 1))" = "$((all - emulate))" ] && ! kinds | grep -q emulate &&
	ok "kind!=emulate: every event but the $emulate emulate ones" ||
	{ not_ok "kind!=emulate: every event but the emulate ones ($all, $emulate, $(kinds))"; }
run "$PTTRACE" report "$F" --csv --filter "kind=mmio,pio"
[ "$(kinds)" = "mmio read/mmio write/pio read/pio write/" ] && ok "kind=mmio,pio: mmio and pio, nothing else" ||
	not_ok "kind=mmio,pio: mmio and pio, nothing else ($(kinds))"
cp "$T/out" "$T/or.csv"
run "$PTTRACE" report "$F" --csv --kind mmio --kind pio
cmp -s "$T/out" "$T/or.csv" && ok "kind=mmio,pio: the same as --kind mmio --kind pio" ||
	not_ok "kind=mmio,pio: the same as --kind mmio --kind pio"
run "$PTTRACE" report "$F" --csv --filter "kind=mmio,pio dev!=00:04.0 rw!=r"
[ "$(kinds)" = "mmio write/pio write/" ] && ok "kind=mmio,pio rw!=r: the writes" ||
	not_ok "kind=mmio,pio rw!=r: the writes ($(kinds))"
cut -d, -f5 "$T/out" | grep -q '^00:04\.0$' && not_ok "dev!=00:04.0: none of its events" ||
	ok "dev!=00:04.0: none of its events"
cut -d, -f5 "$T/out" | grep -q '^00:1f\.' && ok "dev!=00:04.0: the other devices' events" ||
	not_ok "dev!=00:04.0: the other devices' events"
run "$PTTRACE" report "$F" --csv --filter "vcpu!=0"
expect_rc 0 "vcpu!=0 of a one-vcpu trace: exit 0"
[ "$(tail -n +2 "$T/out" | cut -d, -f3 | sort -u)" = "" ] && [ "$(wc -l < "$T/out")" -gt 1 ] &&
	ok "vcpu!=0 of a one-vcpu trace: the events of no vcpu (interrupts)" ||
	not_ok "vcpu!=0 of a one-vcpu trace: the events of no vcpu (interrupts)"
run "$PTTRACE" report "$F" --filter "kind!="
expect_rc 2 "kind!= alone: exit 2"
expect_err "^pttrace: kind!= wants a value$" "kind!= alone: says it wants a value"
run "$PTTRACE" report "$F" --filter "kind=mmio,,pio"
expect_rc 2 "an empty value in a list: exit 2"
expect_err "kind= wants a value between each two commas" "an empty value in a list: says so"

# filters that match nothing say so
run "$PTTRACE" report "$F" --device 7f:1f.7
expect_rc 1 "--device with no event: exit 1"
expect_err "no event matches the filters: dev=7f:1f\.7" "--device with no event says so"
expect_err "^pttrace: note: no device 7f:1f\.7 in this trace \(devices: .*00:04\.0" \
	"--device of no device: a note with the devices, as analyze's"
run "$PTTRACE" analyze "$F" --device 7f:1f.7
grep "note: no device" "$T/err" > "$T/analyze-note"
run "$PTTRACE" report "$F" --device 7f:1f.7
if grep "note: no device" "$T/err" | cmp -s - "$T/analyze-note" && [ -s "$T/analyze-note" ]; then
	ok "--device of no device: the same note as analyze"
else
	not_ok "--device of no device: the same note as analyze"; diag "$T/err"; diag "$T/analyze-note"
fi
run "$PTTRACE" report "$F" --vcpu 7
expect_rc 1 "--vcpu of no vcpu: exit 1"
expect_err "^pttrace: note: no event of vcpu 7 in this trace \(vcpus: 0\)" "--vcpu of no vcpu: a note with the vcpus"
run "$PTTRACE" report "$F" --device 00:04.0
expect_rc 0 "--device of a device the trace has: exit 0"
[ -s "$T/err" ] && { not_ok "--device of a device the trace has: no note"; diag "$T/err"; } ||
	ok "--device of a device the trace has: no note"
run "$PTTRACE" report "$F" --reg NO_SUCH_REG
expect_rc 1 "--reg with no event: exit 1"
expect_err "no event matches" "--reg with no event says so"
run "$PTTRACE" report "$F" --from 1s
expect_rc 1 "--from after the last event: exit 1"
expect_err "no event matches the filters" "--from after the last event says so"

# guest functions
run "$PTTRACE" report --guest-elf "$RIP/pttrace-lab.elf" "$RIP/d3-access.dat" --kind mmio
expect_out "mmio read +00:04\.0 BAR0\+0x0008 STATUS .* by scenario_d3_access\+0x[0-9a-f]+$" "--guest-elf: accesses name their function"
run "$PTTRACE" report --json --guest-elf "$RIP/pttrace-lab.elf" "$RIP/d3-access.dat" --kind mmio
expect_out '"rip":"0x[0-9a-f]+","function":"scenario_d3_access\+0x[0-9a-f]+"' "--guest-elf: JSON has rip and function"

# errors: one line, exit 2
run "$PTTRACE" report "$T/missing.dat"
expect_rc 2 "a missing file: exit 2"
if [ "$(wc -l < "$T/err")" = 1 ] && grep -q "cannot open '.*missing.dat'" "$T/err"; then
	ok "a missing file: one line, naming it"
else
	not_ok "a missing file: one line"
	diag "$T/err"
fi
for bad in 2x abc -- "" 1.2.3 -inf 0x10; do
	run "$PTTRACE" report "$F" --from="$bad"
	if [ "$rc" = 2 ] && [ "$(wc -l < "$T/err")" = 1 ] && grep -q -- "--from wants a time" "$T/err"; then
		ok "--from '$bad': one line, exit 2"
	else
		not_ok "--from '$bad': one line, exit 2 (exit $rc)"
		diag "$T/err"
	fi
done
run "$PTTRACE" report "$F" --to=-1s --from=0
expect_rc 2 "--from after --to: exit 2"
run "$PTTRACE" report "$F" --format xml
expect_rc 2 "--format xml: exit 2"
expect_err "--format wants text, csv or json" "--format xml says what it takes"
run "$PTTRACE" report "$F" --reg 'BAR9+x'
expect_rc 2 "--reg nonsense: exit 2"
run "$PTTRACE" report
expect_rc 2 "no file: exit 2"
run "$PTTRACE" report - < "$F"
expect_rc 2 "standard input: exit 2 (the file is read twice)"
expect_err "give a file, not standard input" "standard input: says to give a file"

# a text trace: the same events, the same decoding
if command -v trace-cmd > /dev/null; then
	trace-cmd report "$F" > "$T/d3.txt" 2> /dev/null
	run "$PTTRACE" report "$T/d3.txt" --reg PMCSR
	expect_out "^ +-1\.0301[0-9]+ 539\.217182000 vcpu 0  pio write   00:04\.0 config\+0xcc PM\.PMCSR port 0xcfc len 2 val 0x3 \{ POWER_STATE = D3hot \}$" \
		"a text trace (trace-cmd report's): PMCSR decoded the same (times in us)"
	n_txt=$(count "$T/d3.txt")
	if [ "$n_txt" -gt 0 ] && [ "$n_txt" = "$lines" ]; then ok "a text trace: the same $lines events"; else not_ok "a text trace: $n_txt events, not $lines"; fi
else
	skip "trace-cmd not installed: no text trace to read"
	skip "trace-cmd not installed"
fi
