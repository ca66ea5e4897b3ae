# SPDX-License-Identifier: GPL-2.0-or-later
# The reader's threads under ThreadSanitizer (build/tsan/pttrace and the
# reader's unit test, build/tsan/test_reader_jobs): analyze,
# report and diff with several jobs on every sample (uncompressed, zstd and
# zlib) and on damaged files (bad timestamps and commits, cut chunks, a
# cut file): no data race, no lock misuse, and the reports of one thread.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
TSAN=build/tsan/pttrace MK=build/tests/mkcorpus
for p in $TSAN $MK build/tests/tc-convert build/tsan/test_reader_jobs; do
	[ -x $p ] || skip_all "$p not built (make test-progs)"
done
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
export PTTRACE_NO_PLUGINS=1 NO_COLOR=1

# clean LABEL CMD...: no ThreadSanitizer report, and the exit of a report or an
# error; REPORTS counts the reports (exit 0 or 1, something printed)
races= reports=0
clean() {
	local label=$1
	shift
	"$@" > "$T/out" 2> "$T/err"
	local rc=$?
	[ $rc -le 1 ] && [ -s "$T/out" ] && reports=$((reports + 1))
	if [ $rc -gt 2 ] || grep -q "ThreadSanitizer" "$T/err"; then
		races="$races $label(exit $rc)"
		grep -m3 -E "WARNING: ThreadSanitizer|#0 " "$T/err" > "$T/why"
	fi
}

mkdir -p "$T/files" "$T/corpus"
for f in samples/traces/pttrace/*.dat samples/traces/*.dat; do
	cp "$f" "$T/files/$(basename "$(dirname "$f")")-${f##*/}"
done
build/tests/tc-convert samples/traces/irq-storm.dat "$T/files/zlib.dat" 7 zlib > /dev/null 2>&1
trace-cmd convert -i samples/traces/pttrace/lost-msi.dat -o "$T/files/v6.dat" --file-version 6 \
	--compression none > /dev/null 2>&1
n=0
for f in "$T"/files/*.dat; do
	for j in 2 3; do
		clean "${f##*/}/--jobs $j" $TSAN analyze --json --jobs $j "$f"
	done
	n=$((n + 1))
done
[ -z "$races" ] && [ $reports -ge 28 ] && ok "$n traces, analyze --jobs 2 and 3: no race" ||
	{ not_ok "analyze under ThreadSanitizer ($n traces):$races"; diag "$T/why"; }

races= reports=0
clean report $TSAN report --jobs 3 samples/traces/pttrace/hang-reset.dat
clean diff $TSAN diff --jobs 2 samples/traces/pttrace/healthy.dat samples/traces/pttrace/stray-mmio.dat
[ -z "$races" ] && [ $reports = 2 ] && ok "report --jobs 3 and diff --jobs 2: no race" ||
	{ not_ok "report and diff under ThreadSanitizer:$races"; diag "$T/why"; }

# damaged: the threads stop early, skip chunks, meet time going back
races= n=0 reports=0
$MK --max 40 "$T/corpus" l7z samples/traces/pttrace/lost-msi.dat > "$T/mk.log" 2>&1 &&
	$MK --max 40 "$T/corpus" v6 "$T/files/v6.dat" >> "$T/mk.log" 2>&1 || { not_ok "mkcorpus"; diag "$T/mk.log"; }
head -c 900000 samples/traces/pttrace/lost-msi.dat > "$T/corpus/cut.dat"
for f in "$T"/corpus/*.dat; do
	clean "${f##*/}" $TSAN analyze --json --jobs 3 "$f"
	n=$((n + 1))
done
[ -z "$races" ] && [ $reports -ge 40 ] && ok "$n damaged files, analyze --jobs 3: no race" ||
	{ not_ok "damaged files under ThreadSanitizer ($n):$races"; diag "$T/why"; }

# the reader's unit test: a reader closed while its threads read, the end
if build/tsan/test_reader_jobs > "$T/unit" 2>&1 && ! grep -q ThreadSanitizer "$T/unit"; then
	ok "test_reader_jobs under ThreadSanitizer: closed mid-read, read to the end: no race"
else
	not_ok "test_reader_jobs under ThreadSanitizer"
	grep -m5 -E "WARNING: ThreadSanitizer|#0 |FAILED" "$T/unit" | diag /dev/stdin
fi
