# SPDX-License-Identifier: GPL-2.0-or-later
# The one detector list: `analyze --list-detectors` prints the table in
# analyzer/detectors.c, every detector file is registered there, and the
# README's copy is that output.
. "$(dirname "$0")/../lib.sh"

run "$PTTRACE" --no-plugins analyze --list-detectors
expect_rc 0 "--list-detectors exits 0"
cp "$T/out" "$T/list"
n=$(wc -l < "$T/list")
# the checks below look for what is wrong in the list: they need a list
[ "$n" -ge 10 ] || { not_ok "--list-detectors lists $n detectors"; exit 1; }
ok "--list-detectors lists $n detectors"
grep -Evq '^[a-z][a-z-]+ +[^ ].*' "$T/list" && not_ok "each line is a name and a summary" ||
	ok "each line is a name and a summary"
[ -z "$(cut -d' ' -f1 "$T/list" | sort | uniq -d)" ] && ok "no name twice" || not_ok "a name twice"

# every file in analyzer/detectors/ is in the table (an unregistered one
# would silently never run), and every name has its file
missing=""
for f in "$TOP"/analyzer/detectors/*.c; do
	name=$(basename "$f" .c)
	grep -q "^$name " "$T/list" || missing="$missing $name"
done
[ -z "$missing" ] && ok "every detector file is registered" || not_ok "not registered:$missing"
missing=""
for name in $(cut -d' ' -f1 "$T/list"); do
	[ -f "$TOP/analyzer/detectors/$name.c" ] ||
		missing="$missing $name"
done
[ -z "$missing" ] && ok "every listed detector has its file" || not_ok "no file for:$missing"

# the README's copy, indented by four spaces, is the output itself
awk '/^    powered-down /{p=1} p&&/^$/{exit} p' "$TOP/README.md" | sed 's/^    //' > "$T/readme"
diff "$T/list" "$T/readme" > "$T/diff" && ok "the README's list is --list-detectors' output" ||
	{ not_ok "the README's list is --list-detectors' output (README.md, analyze section)"; diag "$T/diff"; }

# the JSON schema does not keep a copy of its own
grep -q "powered-down, all-ones" "$TOP/docs/analyze-json.md" && not_ok "docs/analyze-json.md keeps no hand list" ||
	ok "docs/analyze-json.md keeps no hand list"

run "$PTTRACE" analyze --list-detectors "$TOP/samples/traces/healthy.dat"
expect_rc 2 "--list-detectors with a file: usage error"
expect_err "^pttrace analyze: --list-detectors takes no trace file" "and says why"
