# SPDX-License-Identifier: GPL-2.0-or-later
# The text reader makes the binary reader's events of the same records:
# every bundled trace printed by trace-cmd report (ns and usec timestamps,
# with -l), and layouts made from that text: perf script and ftrace ones
# (constructed with sed: the same records, their columns rearranged), and
# a mail-wrapped and quoted copy (fold at 72 columns, "> " prefixes).
. "$(dirname "$0")/../lib.sh"

command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
H=$TOP/build/tests/test_text
[ -x "$H" ] || skip_all "needs build/tests/test_text (make test-progs)"

same() {	# same EXPECTED TEXT DESC
	if "$H" --text "$2" > "$T/got" 2> "$T/err" && [ -s "$1" ] && cmp -s "$1" "$T/got"; then
		ok "$3"
	else
		not_ok "$3 ($(wc -l < "$1") events expected, $(wc -l < "$T/got") read)"
		diff "$1" "$T/got" | head -5 | diag
	fi
}

for f in "$TOP"/samples/traces/*.dat "$TOP"/samples/traces/pttrace-rip/*.dat; do
	s=${f#"$TOP"/samples/traces/}
	"$H" --bin "$f" > "$T/ns" 2> /dev/null
	"$H" --bin "$f" --usec > "$T/us" 2> /dev/null
	trace-cmd report -t -i "$f" > "$T/report.txt" 2> /dev/null
	same "$T/ns" "$T/report.txt" "$s: trace-cmd report -t"
	trace-cmd report -i "$f" > "$T/report-us.txt" 2> /dev/null
	same "$T/us" "$T/report-us.txt" "$s: trace-cmd report (usecs)"
	trace-cmd report -l -t -i "$f" > "$T/lat.txt" 2> /dev/null
	same "$T/ns" "$T/lat.txt" "$s: trace-cmd report -l"
	sed -E 's/^([^ ]+: +)?(.*)-([0-9]+) +\[([0-9]+)\] +([0-9.]+): +([a-z_0-9]+): +/\2 \3 [\4] \5: kvm:\6: /' \
		"$T/report.txt" > "$T/perf.txt"
	same "$T/ns" "$T/perf.txt" "$s: perf script layout"
	{ echo "# tracer: nop"; echo "#"; sed -E '/^cpus=/d; s/^([^ ]+: +)?(.*-[0-9]+) +\[([0-9]+)\] +([0-9.]+): /\2 [\3] d..1. \4: /' "$T/report.txt"; } > "$T/ftrace.txt"
	same "$T/ns" "$T/ftrace.txt" "$s: ftrace layout"
	{ echo "Hi, the trace from the crash:"; echo; fold -w 72 "$T/report.txt" | sed 's/^/> /'; echo; echo "-- "; echo "Bob"; } > "$T/mail.txt"
	same "$T/ns" "$T/mail.txt" "$s: wrapped inside words at 72 columns, quoted"
	fold -s -w 72 "$T/report.txt" | sed -E 's/ +$//; s/^/> /' > "$T/mail-s.txt"
	same "$T/ns" "$T/mail-s.txt" "$s: wrapped at spaces it dropped, quoted"
done

# stdin works, and the test can fail: one changed value is seen
f=$TOP/samples/traces/d3-access.dat
"$H" --bin "$f" > "$T/ns" 2> /dev/null
trace-cmd report -t -i "$f" 2> /dev/null | "$H" --text - > "$T/got" 2> /dev/null
cmp -s "$T/ns" "$T/got" && ok "reads stdin" || not_ok "reads stdin"
trace-cmd report -t -i "$f" 2> /dev/null | sed '0,/val 0x8f/s//val 0x8e/' | "$H" --text - > "$T/got" 2> /dev/null
cmp -s "$T/ns" "$T/got" && not_ok "a changed value differs" || ok "a changed value differs"
