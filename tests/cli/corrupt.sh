# SPDX-License-Identifier: GPL-2.0-or-later
# Damaged trace files: pttrace analyze (built with ASan and UBSan) on 1000+
# variants of the bundled samples, v6 and v7, compressed and not, each with
# one thing wrong (tests/corrupt/mkcorpus.c says what).  Every variant must
# end in a report (exit 0 or 1, valid JSON) or a one-line error (exit 2,
# nothing on stdout): no signal, no sanitizer report, no hang.
#   PTTRACE_CORRUPT_TIMEOUT   seconds a run may take (10)
# The variants that fail are kept in build/corrupt-failures/<check>/.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
ASAN=build/asan/pttrace MK=build/tests/mkcorpus JC=build/tests/jsoncheck
for p in $ASAN $MK $JC; do
	[ -x $p ] || skip_all "$p not built (make test-progs)"
done
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
command -v timeout > /dev/null || skip_all "needs timeout (coreutils)"

KEEP=$TOP/build/corrupt-failures
TMO=${PTTRACE_CORRUPT_TIMEOUT:-10}
rm -rf "$KEEP"
ulimit -c 0
# every sanitizer finding aborts (exit 1 is pttrace's "findings"); leaks are
# not looked for (libtraceevent leaks on its own error paths)
# (a trace of a few MB has no use for 1 GB: more is a huge allocation)
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0:symbolize=0:hard_rss_limit_mb=1024:max_allocation_size_mb=1024
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export PTTRACE_NO_PLUGINS=1 NO_COLOR=1
start=$SECONDS

# ---- the undamaged files: v7 zstd as bundled, then v6 and uncompressed ----
mkdir -p "$T/base" "$T/corpus" "$T/o"
P=samples/traces/pttrace T0=samples/traces
cp $P/stray-mmio.dat "$T/base/p7z.dat"
cp $P/lost-msi.dat "$T/base/l7z.dat"
cp $T0/stray-mmio.dat "$T/base/t7z.dat"
convert() {	# IN OUT ARGS...: trace-cmd convert, quiet
	local in=$1 out=$2
	shift 2
	trace-cmd convert -i "$in" -o "$out" "$@" > "$T/convert.log" 2>&1 ||
		{ not_ok "trace-cmd convert $* $in"; diag "$T/convert.log"; exit 1; }
}
convert $P/stray-mmio.dat "$T/base/p6.dat" --file-version 6 --compression none
convert $P/stray-mmio.dat "$T/base/p7n.dat" --compression none
convert $P/lost-msi.dat "$T/base/l6.dat" --file-version 6 --compression none
convert $T0/stray-mmio.dat "$T/base/t6.dat" --file-version 6 --compression none
convert $T0/stray-mmio.dat "$T/base/t7n.dat" --compression none

# the originals are read whole, with valid JSON: the test cannot pass by
# pttrace failing on everything
bad=
for f in "$T"/base/*.dat; do
	timeout "$TMO" $ASAN analyze --json "$f" > "$T/out" 2> "$T/err"
	rc=$?
	if [ $rc -gt 1 ] || ! $JC "$T/out" > "$T/why"; then
		bad="$bad ${f##*/}(exit $rc)"
		diag "$T/err" "$T/why"
	fi
done
if [ -z "$bad" ]; then
	ok "the undamaged samples (v6, v7 zstd, v7 uncompressed): a report with valid JSON"
else
	not_ok "undamaged samples fail:$bad"
fi

# ---- the corpus ----
mk() {	# NAME MAX
	$MK --max "$2" "$T/corpus" "$1" "$T/base/$1.dat" > "$T/mk.log" 2>&1 ||
		{ not_ok "mkcorpus $1"; diag "$T/mk.log"; exit 1; }
	sed 's/^/# /' "$T/mk.log" > "$T/mk.$1"
}
mk p7z 250; mk p6 250; mk p7n 250; mk l7z 100; mk l6 100
mk t7z 30; mk t6 20; mk t7n 20
total=$(find "$T/corpus" -name '*.dat' | wc -l)
if [ "$total" -ge 1000 ]; then
	ok "corpus: $total variants of 8 files (v6, v7 zstd, v7 uncompressed)"
else
	not_ok "corpus: only $total variants (1000 or more wanted)"
fi

# ---- the runs: JSON on all, the text report and the tui's open on a twentieth ----
cat > "$T/one.sh" << 'EOF'
# one.sh MODE FILE: runs it, prints "MODE FILE CHECK..." (no check: all good)
mode=$1 f=$2 b=${2##*/}
o=$T/o/$mode.$b
case $mode in
json) timeout -k 2 "$TMO" $ASAN analyze --json "$f" > "$o.out" 2> "$o.err" ;;
text) timeout -k 2 "$TMO" $ASAN analyze "$f" > "$o.out" 2> "$o.err" ;;
tui)  timeout -k 2 "$TMO" $ASAN tui "$f" < /dev/null > "$o.out" 2> "$o.err" ;;
esac
rc=$? bad= why=
if [ $rc = 124 ] || [ $rc = 137 ]; then
	bad=hang why="killed after $TMO s"
elif [ $rc -gt 128 ] || grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|UndefinedBehaviorSanitizer' "$o.err"; then
	bad=signal
	why=$(grep -m1 -E '^SUMMARY|runtime error:' "$o.err" | sed 's/^SUMMARY: //; s/ in .*//; s/.*runtime error: /UBSan: /' | cut -c1-60)
	[ -n "$why" ] || why="signal $((rc - 128))"
elif [ $rc -gt 2 ]; then
	bad=exit
	why="exit $rc"
else
	if [ $rc = 2 ]; then
		if [ "$(wc -l < "$o.err")" != 1 ] || [ "$(tail -c1 "$o.err" | od -An -c | tr -d ' ')" != '\n' ]; then
			bad="$bad errlines"
			why=$(head -c 120 "$o.err")
		elif ! $JC --text "$o.err" > /dev/null; then
			bad="$bad errbytes"
		fi
		[ -s "$o.out" ] && [ $mode != tui ] && bad="$bad stdout"
	elif [ $mode = tui ]; then
		bad="$bad exit"	# no terminal: always an error
		why="exit $rc"
	elif [ $mode = json ]; then
		why=$($JC "$o.out") || bad="$bad json"
	else
		why=$($JC --text "$o.out") || bad="$bad textbytes"
	fi
fi
printf '%s %s|%s|%s\n' "$mode" "$b" "${bad# }" "$(printf %s "$why" | tr '|\n' '/ ')"
rm -f "$o.out" "$o.err"
EOF
export T TMO ASAN JC
(cd "$T/corpus" && ls) | sort | awk -v d="$T/corpus" '
	{ print "json " d "/" $0 }
	NR % 20 == 3 { print "text " d "/" $0 }
	NR % 20 == 13 { print "tui " d "/" $0 }' > "$T/jobs"
# (stderr: bash saying "Aborted" for each crash)
xargs -P2 -L1 bash "$T/one.sh" < "$T/jobs" > "$T/results" 2> /dev/null
runs=$(wc -l < "$T/results")
[ "$runs" = "$(wc -l < "$T/jobs")" ] || not_ok "only $runs of $(wc -l < "$T/jobs") runs reported"

# check DESC CLASS MODES: one TAP line, the failing variants kept
check() {
	local desc=$1 cls=$2 modes=$3 n files
	local of f=$T/fail.$cls
	awk -F'|' -v m="^($modes) " -v c="(^| )$cls( |\$)" '$1 ~ m && $2 ~ c' "$T/results" > "$f"
	n=$(wc -l < "$f")
	of=$(grep -cE "^($modes) " "$T/results")
	if [ "$n" = 0 ]; then
		ok "$of runs ($modes): $desc: none"
		return
	fi
	mkdir -p "$KEEP/$cls"
	files=$(awk -F'|' '{ sub(/^[a-z]+ /, "", $1); print $1 }' "$f" | sort -u)
	for b in $files; do cp "$T/corpus/$b" "$KEEP/$cls/"; done
	not_ok "$of runs ($modes): $n $desc (kept in $KEEP/$cls): $(echo $files | cut -c1-400)"
	# the kinds, most frequent first
	awk -F'|' '{ print $3 }' "$f" | sort | uniq -c | sort -rn | head -8 | diag /dev/stdin
}
check "signals or sanitizer reports" signal 'json|text|tui'
check "hangs (over ${TMO} s)" hang 'json|text|tui'
check "exits other than 0, 1, 2 (tui: other than 2)" exit 'json|text|tui'
check "reports that are not valid JSON" json json
check "errors (exit 2) not on exactly one line" errlines 'json|text|tui'
check "errors with control or non-UTF-8 bytes" errbytes 'json|text|tui'
check "errors (exit 2) with something on stdout" stdout 'json|text'
check "text reports with raw control (escape) or non-UTF-8 bytes" textbytes text
echo "# $total variants, $runs runs in $((SECONDS - start)) s"
cat "$T"/mk.*
