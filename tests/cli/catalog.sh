# SPDX-License-Identifier: GPL-2.0-or-later
# The pass-through failure catalogue (tests/catalog/README.md): a trace.dat
# for every scenario and every healthy twin, written by
# tests/catalog/mkcatalog.py the way the kernel records them (ring-buffer
# pages, then trace-cmd restore), and pttrace analyze --json's report on
# each checked against the expected answer (tests/catalog/expected.json),
# one TAP line per expected item, and the same report read on one thread
# (--jobs 1) as on several.  The held-out set (tests/catalog/HOLDOUT.md:
# mkholdout.py, holdout.json), written later by someone who had not read the
# analyzer, is checked the same way.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
[ "$(id -u)" = 0 ] || skip_all "needs root (trace-cmd restore -c reads the kernel's event formats)"
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
command -v python3 > /dev/null || skip_all "needs python3"
TRACEFS=/sys/kernel/tracing
[ -d $TRACEFS/events ] || mount -t tracefs nodev $TRACEFS 2> /dev/null || skip_all "needs tracefs on $TRACEFS"
[ -d $TRACEFS/events/kvm ] || skip_all "needs the kvm trace events ($TRACEFS/events/kvm)"
[ -x "$PTTRACE" ] || { not_ok "$PTTRACE is built (make)"; exit 1; }
CAT=tests/catalog

# run_set GENERATOR EXPECTED LABEL: every trace of one set, every expected item
run_set() {
	local gen=$CAT/$1 exp=$CAT/$2 label=$3 C=$T/$3 passed=0 total=0 name f rc jobs_differ=

	if TRACEFS=$TRACEFS python3 "$gen" "$C" > "$T/mk.log" 2>&1; then
		ok "$label: ${gen##*/} writes its traces ($(ls "$C"/*.dat | wc -l))"
	else
		not_ok "$label: ${gen##*/} writes its traces"
		diag "$T/mk.log"
		return
	fi
	python3 "$gen" --list > "$T/names"
	if python3 - "$exp" "$T/names" > "$T/py" 2>&1 <<'PY'
import json, sys
exp = set(json.load(open(sys.argv[1]))["traces"])
names = set(open(sys.argv[2]).read().split())
assert exp == names, "no expected answer: %s; no trace: %s" % (sorted(names - exp), sorted(exp - names))
PY
	then
		ok "$label: every trace has an expected answer, every expected answer a trace"
	else
		not_ok "$label: every trace has an expected answer, every expected answer a trace"
		diag "$T/py"
	fi
	while read -r name; do
		f=$C/$name.dat
		# the file decodes with trace-cmd: the records are what the kernel writes
		trace-cmd report "$f" < /dev/null 2> /dev/null | head -400 > "$T/tc"
		if grep -q ' kvm_' "$T/tc" && ! grep -q 'FAILED TO PARSE' "$T/tc"; then
			ok "$name: trace-cmd report decodes it"
		else
			not_ok "$name: trace-cmd report decodes it"
			diag "$T/tc"
		fi
		"$PTTRACE" analyze --json "$f" < /dev/null > "$T/report.json" 2> "$T/report.err"
		rc=$?
		# read on one thread: the very same report (issue 15)
		"$PTTRACE" analyze --json --jobs 1 "$f" < /dev/null > "$T/one.json" 2> "$T/one.err"
		[ $? = $rc ] && [ -s "$T/report.json" ] && cmp -s "$T/report.json" "$T/one.json" &&
			cmp -s "$T/report.err" "$T/one.err" ||
			jobs_differ="$jobs_differ $name"
		python3 $CAT/check.py "$exp" "$name" "$T/report.json" $rc < /dev/null > "$T/items"
		while IFS=$'\t' read -r verdict desc why; do
			total=$((total + 1))
			if [ "$verdict" = ok ]; then
				passed=$((passed + 1))
				ok "$desc"
			else
				not_ok "$desc"
				echo "#   $why"
				[ -s "$T/report.err" ] && diag "$T/report.err"
			fi
		done < "$T/items"
	done < "$T/names"
	echo "# $label: $passed of $total expected items as expected"
	if [ -z "$jobs_differ" ]; then
		ok "$label: every report the same with --jobs 1"
	else
		not_ok "$label: reports differ with --jobs 1:$jobs_differ"
	fi
	rm -rf "$C"
}

run_set mkcatalog.py expected.json catalogue
run_set mkholdout.py holdout.json holdout
