# SPDX-License-Identifier: GPL-2.0-or-later
# pttrace tui driven in tmux: keys sent, screens captured and read.
. "$(dirname "$0")/../lib.sh"
command -v tmux > /dev/null || skip_all "needs tmux (apt-get install tmux)"
cd "$TOP" || exit 2
S=pttrace-tui-test-$$
export TMUX_TMPDIR=$T	# a tmux server of our own
trap 'tmux kill-server 2> /dev/null; rm -rf "$T"' EXIT
# a session that outlives the tested ones: the server would exit with its
# last session and race the next new-session
tmux new-session -d -s keep-$$ "sleep 3600"
F=samples/traces/pttrace/irq-storm.dat

start() {	# start FILE [W H [ENV]]: pttrace tui in a fresh tmux session
	tmux kill-session -t $S 2> /dev/null
	tmux new-session -d -s $S -x "${2:-80}" -y "${3:-24}" \
		"env ${4:-TERM=xterm} $PTTRACE tui $1; echo tui-exit=\$?; sleep 60"
	wait_screen "irqs|tui-exit"
	wait_screen "[0-9]+/[0-9]+  .*\\? help|tui-exit"	# indexed
}
screen() { tmux capture-pane -p -t $S > "$T/screen"; }
wait_screen() {	# up to 20 s for REGEX on the screen (a loaded 2-core machine is slow)
	for _ in $(seq 200); do
		screen
		grep -Eq -- "$1" "$T/screen" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tmux send-keys -t $S "$@"; sleep 0.3; screen; }
has() {		# has REGEX DESC
	if grep -Eq -- "$1" "$T/screen"; then ok "$2"; else not_ok "$2"; diag "$T/screen"; fi
}
# hasnt REGEX DESC [SHOWN]: REGEX is not on a screen that shows SHOWN (by
# default the TUI's status line): an empty or dead screen proves nothing
hasnt() {
	if ! grep -Eq -- "${3:-[0-9]+/[0-9]+ .*\? help}" "$T/screen"; then
		not_ok "$2 (the screen does not show /${3:-the TUI}/)"
		diag "$T/screen"
	elif grep -Eq -- "$1" "$T/screen"; then not_ok "$2"; diag "$T/screen"; else ok "$2"; fi
}
status() { tail -1 "$T/screen"; }
# rows_all REGEX DESC: the list's rows on the screen, some, all match REGEX
rows_all() {
	sed -n '7,15p' "$T/screen" > "$T/rows"
	if grep -q . "$T/rows" && ! grep -vE -- "$1" "$T/rows" | grep -q .; then
		ok "$2"
	else
		not_ok "$2"
		diag "$T/rows"
	fi
}

# the main view, opened at the crash
start $F
has "^ pttrace tui +Events +Findings +Registers +Timeline +guest panic \(pvpanic\)" "header: panes and the crash"
has "^00:03.0 " "timeline: the busiest device"
has "^irqs " "timeline: the interrupt rate"
has "\^crash|crash\^" "timeline: the crash marked"
has "time +cpu +event +device +register +R/W +len +value" "event list columns"
has "^> +\+0\.000000 +0 pio write .*port 505 +W 1 0x1  <- crash" "the list opens at the crash, selected"
has "^time \+0\.000000000 s \(trace clock [0-9.]+\) +vcpu 0" "detail pane: the crash event"
has "^pio write \(kvm_pio\) +addr 0x505 +len 1 +value 0x1" "detail pane: every field"
has "^ [0-9]+/[0-9]+  t=\+0\.000000  irq-storm.dat  \? help" "status line: position, time and file"
total=$(status | sed -n 's/.* \([0-9]*\)\/\([0-9]*\) .*/\2/p')
pos=$(status | sed -n 's/.* \([0-9]*\)\/[0-9]* .*/\1/p')

keys k
[ "$(status | sed -n 's/.* \([0-9]*\)\/[0-9]* .*/\1/p')" = $((pos - 1)) ] && ok "k moves up one event" ||
	not_ok "k moves up one event ($(status))"
keys Down
[ -n "$pos" ] && [ "$(status | sed -n 's/.* \([0-9]*\)\/[0-9]* .*/\1/p')" = "$pos" ] && ok "down moves down one event" ||
	not_ok "down moves down one event"
keys g
has " 1/$total " "g: the first event"
keys PageDown
p=$(status | sed -n 's/.* \([0-9]*\)\/[0-9]* .*/\1/p')
[ "$p" -gt 5 ] && ok "PgDn moves a page ($p)" || not_ok "PgDn moves a page ($p)"
keys PageUp
has " 1/$total " "PgUp moves back"
keys G
has " $total/$total " "G: the last event"
keys c
has " $pos/$total " "c: back to the crash"

# search
keys / 0xfea00064 Enter
has "^mmio write \(kvm_mmio\) +addr 0xfea00064 " "/0xfea00064 finds the write to edu's IRQ acknowledge register"
has "search wrapped to the start" "the search wraps at the end, and says so"
keys / apic\ accept Enter Right
has "^apic accept \(kvm_apic_accept_irq\)" "/ finds an event kind"
p1=$(status | sed -n 's/.* \([0-9]*\)\/[0-9]* .*/\1/p')
keys n Right
p2=$(status | sed -n 's/.* \([0-9]*\)\/[0-9]* .*/\1/p')
[ "$p2" -gt "$p1" ] && ok "n: the next match ($p1 -> $p2)" || not_ok "n: the next match ($p1 -> $p2)"
keys N Right
has " $p1/$total " "N: the previous match"
keys / nothing-like-this Enter
has "no match for 'nothing-like-this'" "a search with no match says so"
keys / IRQ_STATUS Enter
has "^device 00:03.0 \[1234:11e8\]  BAR0\+0x0024 IRQ_STATUS" "/IRQ_STATUS: a register found by its name"
keys c / irq_stat Enter
has "^device 00:03.0 \[1234:11e8\]  BAR0\+0x0024 IRQ_STATUS" "/irq_stat: by a part of its name, case aside"

# filter
keys f "kind=mmio,pio kind!=mmio-read,pio-read dev!=00:1f.0" Enter
has "filter: kind=mmio,pio kind!=mmio-read,pio-read dev!=00:1f.0" "f with an OR list and != (D26)"
rows_all "(mmio|pio) write " "... its rows are all MMIO and port writes"
keys f "kind=mmio dev=00:03.0 rw=w" Enter
has "filter: kind=mmio dev=00:03.0 rw=w" "the filter is in the status line"
rows_all "mmio write +00:03.0 " "filtered rows are all MMIO writes to 00:03.0"
keys G
where=$(status | sed -n 's/.*  t=\([-+0-9.]*\).*/\1/p')
keys f "kind=nonsense" Enter
has "no event kind 'nonsense'" "a bad filter says why"
keys f Enter
hasnt "filter:" "an empty filter clears it"
[ -n "$where" ] && status | grep -qF "t=$where" && ok "clearing the filter keeps the selected event (t=$where)" ||
	not_ok "clearing the filter keeps the selected event (t=$where): $(status)"
has "^> *$where +[0-9]+ mmio write +00:03.0 " "... selected, on the screen"
keys f "reg=IRQ_STATUS" Enter
has "filter: reg=IRQ_STATUS" "f reg=IRQ_STATUS: a filter by a register's name"
rows_all " 00:03.0 +BAR0\+0x0024 IRQ_STATUS " "... its rows are all that register's accesses"
keys f "reg=NO_SUCH_REG" Enter
has "no register named 'NO_SUCH_REG' in the trace" "f reg= of a name not in the trace says why"
keys f Enter

# mark and delta
keys c m
has "mark set at \+0\.000000 s" "m sets the mark"
keys k k k
has "^mark at \+0\.000000 s: this is -0\.[0-9]+ s from the mark" "the detail shows the time from the mark"

# findings: Enter shows the evidence, Enter goes to the event
keys Tab
has "^> 1\. critical +90% level interrupt never acknowledged" "findings pane: the root cause first"
has "^why: " "finding detail: why"
has "^     [a-z]" "finding detail: why wrapped, not cut"
has "^try: " "finding detail: what to try"
keys G
has "^>( [2-9]|[1-9][0-9])\. " "G: the last finding"
keys g
has "^> 1\. critical" "g: the first finding"
keys Enter
has "^evidence of: level interrupt never acknowledged" "Enter: the finding's evidence"
has "line asserted" "the evidence lines"
# why:, try: and evidence wrapped in full at 80 columns: their last words are on the screen
"$PTTRACE" analyze $F > "$T/report"
for w in why try; do
	last=$(grep -m1 "^    $w: " "$T/report" | awk '{ print $(NF - 1), $NF }')
	[ -n "$last" ] && tr -s ' \n' ' ' < "$T/screen" | grep -qF -- "$last" && ok "evidence view: $w: in full ('$last')" ||
		{ not_ok "evidence view: $w: in full ('$last')"; diag "$T/screen"; }
done
awk 'length > 80' "$T/report" | grep -q "<- " && ok "the report has evidence lines over 80 columns" ||
	skip "no evidence line over 80 columns"
last=$(grep -m1 "<- " "$T/report" | awk '{ print $NF }')
[ -n "$last" ] && grep -qF -- "$last" "$T/screen" && ok "evidence view: the first evidence line in full ('$last')" ||
	{ not_ok "evidence view: the first evidence line in full ('$last')"; diag "$T/screen"; }
keys Enter
has "^ pttrace tui +Events" "Enter on evidence: back to the events"
has "^irq line \(kvm_set_irq\) +addr 0x17 +len 0 +value 0x1" "... at the evidence event (GSI 23 asserted)"

# registers: Enter filters the list to that register
keys Tab Tab
has "device +register +reads +writes +last value +first +last" "registers pane columns"
has "^>00:03.0 +BAR0\+0x0004 " "registers: the busiest device first, BARs first"
has "^ 00:03.0 +BAR0\+0x0024 IRQ_STATUS +[0-9]+ +0 +100 " "registers: IRQ status by its name, reads and last value"
# walk to the IRQ status register and open it
for _ in $(seq 20); do
	grep -Eq "^>00:03.0 +BAR0\+0x0024" "$T/screen" && break
	keys j
done
keys Enter
has "filter: dev=00:03.0 reg=BAR0\+0x0024" "Enter on a register: its accesses"
has "^>? *[-+][0-9.]+ +0 mmio read +00:03.0 BAR0\+0x0024 " "... the list shows them"

# timeline span
keys f Enter
keys Tab Tab Tab
has "^00:03.0 " "timeline pane"
keys Left Left Left Space Left Left Left Left Left Enter
has "span -[0-9.]+ s \.\. -[0-9.]+ s: [0-9]+ events \(Esc clears\)" "a timeline span narrows the list"
has "\[span\]" "the span is in the status line"
keys Escape
hasnt "\[span\]" "Esc clears the span"

# the mouse (xterm SGR reports): the wheel scrolls, a click selects a row or a pane
keys c Right
p0=$(status | sed -n 's/^ \([0-9]*\)\/.*/\1/p')
tmux send-keys -t $S -l "$(printf '\033[<64;10;10M')"
sleep 0.3
screen
p1=$(status | sed -n 's/^ \([0-9]*\)\/.*/\1/p')
[ -n "$p1" ] && [ "$p1" -lt "$p0" ] && ok "mouse wheel scrolls up ($p0 -> $p1)" || not_ok "mouse wheel scrolls up ($p0 -> $p1)"
tmux send-keys -t $S -l "$(printf '\033[<0;10;8M\033[<0;10;8m')"
sleep 0.3
screen
has "^> " "a click selects the row under it"
grep -q "^> " <(sed -n 8p "$T/screen") && ok "... the clicked row" || not_ok "... the clicked row"
tmux send-keys -t $S -l "$(printf '\033[<0;25;1M\033[<0;25;1m')"
sleep 0.3
screen
has "^> 1\. critical" "a click on a pane's name opens it"
keys Enter BTab Tab
has "^> 1\. critical" "leaving the Findings pane closes a finding's evidence"
keys Tab Tab Tab

# a terminal too small for the panes says so, and the view comes back
tmux resize-window -t $S -x 30 -y 8
sleep 0.5
screen
has "terminal too small: 30x8" "30x8: the terminal is too small, said"
hasnt "<- crash|Events" "30x8: no overlapping panes" "terminal too small"
tmux resize-window -t $S -x 80 -y 24
sleep 0.5
screen
has "^ pttrace tui +Events" "80x24 again: the view is back"

# help, resize, quit
keys ?
has "pttrace tui keys" "? shows the keys"
has "/  search" "help lists search"
# the overlay and pttrace tui --help come from the one key table: the same lines
./pttrace tui --help | sed -n '/^Keys/,$p' | sed '1d; s/^ *//' > "$T/keys"
missing=$(while read -r line; do grep -qF -- "$line" "$T/screen" || echo "$line"; done < "$T/keys")
if [ "$(wc -l < "$T/keys")" -ge 10 ] && [ -z "$missing" ]; then
	ok "the help overlay lists every key of pttrace tui --help ($(wc -l < "$T/keys"))"
else
	not_ok "the help overlay lists every key of pttrace tui --help"
	echo "$missing" | sed 's/^/#   missing: /'
fi
keys x
hasnt "pttrace tui keys" "any key closes the help"
tmux resize-window -t $S -x 100 -y 30
sleep 0.5
screen
grep -q "^ pttrace tui" "$T/screen" && [ "$(awk '{ print length }' "$T/screen" | sort -n | tail -1)" -gt 80 ] &&
	ok "resize: redrawn at the new width" ||
	not_ok "resize: redrawn at the new width"
has "<- crash|^ pttrace tui" "resize: the view survives"
tmux resize-window -t $S -x 80 -y 24
sleep 0.3
keys q
has "^tui-exit=0$" "q quits with status 0"
hasnt "pttrace tui +Events" "the terminal is restored after q" "^tui-exit=0$"

# NO_COLOR: no colour escapes in the frame
start $F 80 24 "TERM=xterm-256color"
tmux capture-pane -p -e -t $S > "$T/color"
grep -q $'\e\[3[1-7]m\|\e\[38;5' "$T/color" && ok "colours with a colour terminal" || skip "no colours seen in this tmux"
start $F 80 24 "TERM=xterm-256color NO_COLOR=1"
tmux capture-pane -p -e -t $S > "$T/nocolor"
if ! grep -q "pttrace tui" "$T/nocolor"; then
	not_ok "NO_COLOR: no colour escapes (the TUI is not on the screen)"
elif grep -q $'\e\[3[1-7]m\|\e\[38;5' "$T/nocolor"; then
	not_ok "NO_COLOR: no colour escapes"
else
	ok "NO_COLOR: no colour escapes"
fi

# SIGTERM restores the terminal too
shell=$(tmux list-panes -t $S -F '#{pane_pid}')
pid=$(pgrep -P "$shell" pttrace)
kill -TERM "$pid"
wait_screen "tui-exit="
has "^tui-exit=143$" "SIGTERM: exit 128+15, as a shell says a signal"
# restored means the TUI ran and then gave the screen back: after its exit
hasnt "pttrace tui +Events" "SIGTERM: the terminal is restored" "^tui-exit=143$"

# pttrace analyze --tui is the same browser
tmux kill-session -t $S 2> /dev/null
tmux new-session -d -s $S -x 80 -y 24 "env TERM=xterm $PTTRACE analyze --tui $F; echo tui-exit=\$?; sleep 60"
wait_screen "[0-9]+/[0-9]+  t="
has "^ pttrace tui +Events" "analyze --tui opens the browser"
keys q

# the Registers pane names registers in full where there is room
start $F 120 30
keys Tab Tab
longest=$(grep -oE "(BAR[0-5]|config)\+0x[0-9a-f]+ [A-Z_.0-9]{11,}" "$T/screen" | head -1)
[ -n "$longest" ] && ok "registers: names longer than 10 characters in full ($longest)" ||
	{ not_ok "registers: names longer than 10 characters in full"; diag "$T/screen"; }
keys q

# analyze's options: --device and --vcpu open the list filtered, --at moves the crash
start "--device 00:03.0 --vcpu 0 $F"
has "filter: dev=00:03.0 vcpu=0" "tui --device --vcpu: the list filtered"
has "^ pttrace tui +Events .*guest panic" "... at the crash"
keys f Enter
hasnt "filter:" "... a filter f clears"
keys q
start "--device 00:1f.2 $F"
keys Tab
has "^nothing suspicious found" "tui --device: the findings narrowed to the device, as in the report"
keys q
tmux kill-session -t $S 2> /dev/null
tmux new-session -d -s $S -x 80 -y 24 "env TERM=xterm $PTTRACE analyze --tui --device 00:03.0 $F; echo tui-exit=\$?; sleep 60"
wait_screen "[0-9]+/[0-9]+  .*\\? help"
has "filter: dev=00:03.0 " "analyze --tui --device: kept, the list filtered"
keys q
at=$("$PTTRACE" analyze $F | sed -n 's/^AT: *\([0-9.]*\) .*/\1/p')
at=$(echo "$at - 1" | bc)
start "--at $at $F"
has "given with --at" "tui --at: the crash where it says"
keys q
run "$PTTRACE" tui --at 99999 $F
expect_rc 2 "tui --at after the trace: exit 2"
expect_err "--at 99999.000000 is after the trace" "... said, before any screen"
run "$PTTRACE" analyze --tui --json $F
expect_err "--tui browses the analysis; --json is the report's" "analyze --tui --json: refused, not dropped"

# a file it cannot read: the same one-line error as analyze, before any screen
start /nonexistent/crash.dat
has "^pttrace: cannot open '/nonexistent/crash.dat': No such file or directory$" "a missing file: analyze's error"
grep -q "^pttrace: cannot open" "$T/screen" && has "^tui-exit=2$" "a missing file: exit 2, after the message" ||
	not_ok "a missing file: exit 2, after the message"
run "$PTTRACE" tui "$F" < /dev/null
expect_err "tui needs a terminal" "without a terminal: says so"

# --guest-elf: the detail pane and the findings name the guest code
R=samples/traces/pttrace-rip
start "--guest-elf $R/pttrace-lab.elf $R/stray-mmio.dat" 100 30
keys /
tmux send-keys -t $S "00:03.0" Enter; sleep 0.3
keys N
has "^guest code [a-z_]+[a-z0-9_.]*\+0x[0-9a-f]+  \(rip 0x[0-9a-f]+, of the nearest rip record before on this vcpu\)" \
	"--guest-elf: the detail pane names the function behind an access"
has "^device 00:03.0 \[1234:11e8\]  (BAR[0-5]|config)\+0x[0-9a-f]+ [A-Z_.]+" "the detail pane names the register"
keys Tab
has "^[a-z-]+: [a-z-]+ \(critical, [0-9]+%, [0-9]+ events, by scenario_stray_mmio\+0x[0-9a-f]+\)" \
	"the finding names the function that made the access"
keys q
# a --guest-elf that names none of the rips (pttrace itself): analyze's warning, on the screen
start "--guest-elf $PTTRACE $R/stray-mmio.dat" 100 30
has "^-- warning: --guest-elf names none of the trace's guest rips \([0-9]+ looked at\)" \
	"a --guest-elf that names nothing: analyze's warning on the message line"
keys Tab
has "^warning: --guest-elf names none of the trace's guest rips \([0-9]+ looked at\)" \
	"... and above the findings, once the message is gone"
has "^[> ] 1\. critical" "... the findings below it"
keys q
start "--guest-elf $R/pttrace-lab.elf $R/stray-mmio.dat" 100 30
keys Tab
hasnt "names none" "the right --guest-elf: no warning"
keys q

# a host-wide recording of two VMs: --vm shows one of them
if command -v python3 > /dev/null && command -v trace-cmd > /dev/null &&
	tests/field/make-corpus.sh "$T/field" > /dev/null 2>&1; then
	start "$T/field/hostwide.dat" 100 30
	total_all=$(status | sed -n 's/.* [0-9]*\/\([0-9]*\)  .*/\1/p')
	keys q
	start "--vm 6021 $T/field/hostwide.dat" 100 30
	total_vm=$(status | sed -n 's/.* [0-9]*\/\([0-9]*\)  .*/\1/p')
	has "no crash signal" "--vm 6021: the healthy VM, which has no crash signal"
	if [ -n "$total_vm" ] && [ -n "$total_all" ] && [ "$total_vm" -lt "$total_all" ]; then
		ok "--vm 6021: only that VM's events ($total_vm of $total_all)"
	else
		not_ok "--vm 6021: only that VM's events ('$total_vm' of '$total_all')"
	fi
	keys q
	trace-cmd report -i "$T/field/healthy.v6.dat" > "$T/healthy.txt" 2> /dev/null
	start "$T/healthy.txt" 250 24
	has "is a text trace: pttrace tui browses a trace.dat" "a text trace: says to analyze it instead"
else
	skip "host-wide tui: needs python3 and trace-cmd"
fi

# pttrace report decodes as the TUI does (issue 14): every row of the event
# list on the screen is a line of the report with the same time, vcpu,
# kind, device, BAR+offset, register name, length and value
D=samples/traces/pttrace/d3-access.dat
start "$D" 160 30
keys f "kind=mmio dev=00:04.0" Enter
keys g
"$PTTRACE" report "$D" --kind mmio --device 00:04.0 > "$T/report.txt" 2> /dev/null
awk 'NR > 6 && $3 == "mmio" { print }' "$T/screen" > "$T/rows"
rows=0 same=0
while read -r t cpu kind rw dev bar name _ len val; do
	rows=$((rows + 1))
	# report: "<t> <trace clock> vcpu <cpu>  <kind> <rw>  <dev> <bar> <name> ... len <len> val <val>"
	if awk -v t="$t" -v k="$cpu $kind $rw $dev $bar $name" -v tail="len $len val $val" '
		$1 == t { line = $0; sub(/^ *[-+0-9.]+ +[0-9.]+ +vcpu /, "", line); gsub(/  +/, " ", line)
			  if (index(line, k) == 1 && index(line, tail)) found = 1 }
		END { exit !found }' "$T/report.txt"; then
		same=$((same + 1))
	else
		echo "$t $cpu $kind $rw $dev $bar $name $len $val" >> "$T/unmatched"
	fi
done < "$T/rows"
if [ "$rows" -ge 10 ] && [ "$same" = "$rows" ]; then
	ok "report's lines decode the TUI's $rows rows alike (time, vcpu, kind, device, register, value)"
else
	not_ok "report's lines decode the TUI's rows alike: $same of $rows"
	diag "$T/unmatched" "$T/rows"
fi
keys q
