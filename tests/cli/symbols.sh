# SPDX-License-Identifier: GPL-2.0-or-later
# --guest-elf: guest rips named from the guest's ELF, checked against nm;
# stripped files, a bias, bad arguments.
. "$(dirname "$0")/../lib.sh"
command -v nm > /dev/null || skip_all "needs nm (binutils)"
DIR=samples/traces/pttrace-rip
ELF=$DIR/pttrace-lab.elf
TRACE=$DIR/stray-mmio.dat

run "$PTTRACE" analyze "$TRACE"
expect_out "^    by:  0x[0-9a-f]+ \(guest rip 0x[0-9a-f]+\)" "without --guest-elf the rip is a number"

run "$PTTRACE" analyze --guest-elf "$ELF" "$TRACE"
expect_rc 1 "analyze --guest-elf exits 1 on a suspicious trace"
line=$(grep -m1 "^    by:" "$T/out")
fn=$(sed -E 's/^    by:  ([^+]+)\+0x([0-9a-f]+) \(guest rip 0x([0-9a-f]+)\)$/\1 \2 \3/' <<< "$line")
read -r name off rip <<< "$fn"
addr=$(nm "$ELF" | awk -v n="$name" '$3 == n { print $1 }')
if [ -n "$addr" ] && [ $((0x$addr + 0x$off)) = $((0x$rip)) ]; then
	ok "the finding's function+offset is its rip by nm ($name+0x$off = 0x$rip)"
else
	not_ok "the finding's function+offset is its rip by nm: '$line', nm says '$addr'"
fi
expect_out "^    by:  scenario_stray_mmio\+0x[0-9a-f]+ " "the stray MMIO is made by scenario_stray_mmio"
expect_out "mmio read .* by scenario_stray_mmio\+0x[0-9a-f]+  <- " "evidence lines name the function"

run "$PTTRACE" analyze --json --guest-elf "$ELF" "$TRACE"
if python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
f = d["findings"][0]
assert f["function"].startswith("scenario_stray_mmio+0x") and f["rip"] > 0
assert any(e["event"].get("function") == f["function"] for e in f["evidence"])' "$T/out"; then
	ok "the JSON report has the function and rip of findings and evidence"
else
	not_ok "the JSON report has the function and rip of findings and evidence"
fi

# a bias moves every symbol: far away, nothing is named
run "$PTTRACE" analyze --guest-elf "$ELF@0x40000000" "$TRACE"
expect_out "^    by:  0x[0-9a-f]+ " "a bias moves the symbols (FILE@0x40000000 names none of these rips)"
run "$PTTRACE" analyze --guest-elf "$ELF@0" "$TRACE"
expect_out "^    by:  scenario_stray_mmio\+" "FILE@0 is the file as linked"

mkdir -p "$T/user@host"
cp "$ELF" "$T/user@host/guest.elf"
run "$PTTRACE" analyze --guest-elf "$T/user@host/guest.elf" "$TRACE"
expect_out "^    by:  scenario_stray_mmio\+" "an '@' in a directory is part of the path"

objcopy --strip-all "$ELF" "$T/stripped.elf"
run "$PTTRACE" analyze --guest-elf "$T/stripped.elf" "$TRACE"
expect_rc 1 "a stripped file is not an error"
expect_err "^pttrace: note: '$T/stripped.elf' has no function symbols \(stripped\?\)" \
	"a stripped file gives a note"
expect_out "^    by:  0x[0-9a-f]+ " "and its rips stay numbers"

run "$PTTRACE" analyze --guest-elf "$T/nope.elf" "$TRACE"
expect_rc 2 "a missing file is an error"
expect_err "^pttrace: cannot open '$T/nope.elf': No such file or directory$" "  with the reason"
run "$PTTRACE" analyze --guest-elf README.md "$TRACE"
expect_err "^pttrace: cannot read 'README.md': not an ELF file$" "a file that is not ELF is refused"
run "$PTTRACE" analyze --guest-elf "$ELF@zz" "$TRACE"
expect_err "the bias after '@' is not an address" "a bad bias is refused"
# D12, D13: a bias or a file that cannot be right names nothing rather than wrongly
run "$PTTRACE" analyze --guest-elf "$ELF@-5" "$TRACE"
expect_rc 2 "a negative bias is refused"
expect_err "the bias after '@' is negative" "  and said so"
run "$PTTRACE" analyze --guest-elf "$ELF@0xffffffffffffffff" "$TRACE"
expect_rc 2 "a bias that wraps past the top of the address space is refused"
expect_err "ends past the top of the address space" "  and said so"
run "$PTTRACE" analyze --guest-elf "$PTTRACE" "$TRACE"
expect_out "^    by:  0x[0-9a-f]+ \(guest rip" "a wrong ELF (pttrace itself): no symbol+far offset, the number"
expect_absent "_fini\+|\+0x[0-9a-f]{5,} " "  no symbol with an offset past its end"
expect_err "^pttrace: warning: --guest-elf names none of the trace's guest rips" "  a warning that nothing resolves"
[ "$(grep -c "names none" "$T/err")" = 1 ] && ok "  said once" || not_ok "  said once ($(grep -c "names none" "$T/err"))"
run "$PTTRACE" analyze --guest-elf "$ELF" "$TRACE"
[ "$rc" = 1 ] && ! grep -q "names none" "$T/err" && ok "the right ELF: no warning" ||
	not_ok "the right ELF: no warning (exit $rc)"
# report says it too, from the same place
run "$PTTRACE" report --guest-elf "$PTTRACE" "$TRACE"
expect_rc 0 "report with a wrong ELF: the events still (exit 0)"
expect_err "^pttrace: warning: --guest-elf names none of the trace's guest rips \([0-9]+ looked at\)" \
	"report with a wrong ELF: analyze's warning"
[ "$(grep -c "names none" "$T/err")" = 1 ] && ok "  said once" || not_ok "  said once ($(grep -c "names none" "$T/err"))"
run "$PTTRACE" report --guest-elf "$ELF" "$TRACE"
[ "$rc" = 0 ] && ! grep -q "names none" "$T/err" && ok "report with the right ELF: no warning" ||
	not_ok "report with the right ELF: no warning (exit $rc)"
run "$PTTRACE" report "$TRACE"
! grep -q "names none" "$T/err" && ok "report without --guest-elf: no warning" ||
	not_ok "report without --guest-elf: no warning"
run "$PTTRACE" tui --guest-elf "$T/nope.elf" "$TRACE"
expect_err "^pttrace: cannot open '$T/nope.elf'" "tui takes --guest-elf too"

# the bundled traces with rips: every finding names the guest function
for f in "$DIR"/*.dat; do
	run "$PTTRACE" analyze --json --guest-elf "$ELF" "$f"
	if python3 -c 'import json,sys
fs = json.load(open(sys.argv[1]))["findings"]
sys.exit(0 if all(f["function"] for f in fs) else 1)' "$T/out"; then
		ok "$(basename "$f"): every finding names the guest function"
	else
		not_ok "$(basename "$f"): every finding names the guest function"
	fi
done
