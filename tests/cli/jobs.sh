# SPDX-License-Identifier: GPL-2.0-or-later
# --jobs: the reports from several threads are byte for byte those of one,
# on every trace the tests have: the samples, the field corpus (every
# version and codec, cut short, host-wide with two VMs) and damaged files
# (tests/corrupt/mkcorpus: bad timestamps, so time going back on a cpu,
# bad commits, cut chunks).  stdout, stderr and the exit status.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
MK=build/tests/mkcorpus
[ -x $MK ] || skip_all "$MK not built (make test-progs)"
export PTTRACE_NO_PLUGINS=1 NO_COLOR=1

# same LABEL FILE ARGS...: the command's output with --jobs 1 and with 2, 3 and 8;
# REPORTS counts the files one thread made a report of (exit 0 or 1, something printed)
mismatch= reports=0
same() {
	local label=$1 f=$2 rc
	shift 2
	"$PTTRACE" "$@" --jobs 1 "$f" > "$T/one.out" 2> "$T/one.err"
	rc=$?
	[ $rc -le 1 ] && [ -s "$T/one.out" ] && reports=$((reports + 1))
	echo "exit $rc" >> "$T/one.out"
	for j in 2 3 8; do
		"$PTTRACE" "$@" --jobs $j "$f" > "$T/many.out" 2> "$T/many.err"
		echo "exit $?" >> "$T/many.out"
		if ! cmp -s "$T/one.out" "$T/many.out" || ! cmp -s "$T/one.err" "$T/many.err"; then
			mismatch="$mismatch $label(--jobs $j)"
			diff "$T/one.out" "$T/many.out" | head -5 > "$T/last-diff"
			return 1
		fi
	done
}

# judge MIN-REPORTS DESC: one TAP line for the runs since mismatch and reports were cleared
judge() {
	if [ -z "$mismatch" ] && [ "$reports" -ge "$1" ]; then
		ok "$2"
	else
		not_ok "$2 ($reports reports, $1 wanted):$mismatch"
		[ -n "$mismatch" ] && diag "$T/last-diff"
	fi
	mismatch= reports=0
}

# every bundled trace: analyze's text and JSON, and report's every event
n=0
for f in samples/traces/*.dat samples/traces/pttrace/*.dat samples/traces/pttrace-rip/*.dat; do
	same "${f#samples/traces/}" "$f" analyze
	same "${f#samples/traces/}:json" "$f" analyze --json
	n=$((n + 1))
done
judge 40 "$n samples: analyze and analyze --json the same with --jobs 1, 2, 3 and 8"
for f in samples/traces/pttrace/*.dat; do
	same "${f##*/}:report" "$f" report
done
judge 7 "pttrace report: every event the same with --jobs 1, 2, 3 and 8"
same "stray-mmio:diff" samples/traces/pttrace/stray-mmio.dat diff samples/traces/pttrace/healthy.dat
judge 1 "pttrace diff: the same with --jobs 1, 2, 3 and 8"

# the field corpus: the files as users make them
F=$T/field
if tests/field/make-corpus.sh "$F" > "$T/make.log" 2>&1; then
	n=0
	for f in "$F"/*.dat tests/field/after-boot/*.dat; do
		same "${f##*/}" "$f" analyze --json
		n=$((n + 1))
	done
	judge 20 "field corpus ($n files, v6/v7, none/zstd/zlib, cut, host-wide): the same"
else
	not_ok "make-corpus.sh"
	diag "$T/make.log"
fi

# damaged files: v7 zstd and v6, every kind of damage mkcorpus makes
mkdir -p "$T/base" "$T/corpus"
trace-cmd convert -i samples/traces/pttrace/stray-mmio.dat -o "$T/base/p6.dat" \
	--file-version 6 --compression none > /dev/null 2>&1
cp samples/traces/pttrace/lost-msi.dat "$T/base/l7z.dat"
$MK --max 120 "$T/corpus" p6 "$T/base/p6.dat" > "$T/mk.log" 2>&1 &&
	$MK --max 80 "$T/corpus" l7z "$T/base/l7z.dat" >> "$T/mk.log" 2>&1 ||
	{ not_ok "mkcorpus"; diag "$T/mk.log"; }
n=0 stamps=0
for f in "$T"/corpus/*.dat; do
	same "${f##*/}" "$f" analyze --json
	n=$((n + 1))
	case $f in *stamp*|*timestamp*) stamps=$((stamps + 1)) ;; esac
done
# most damaged files still give a report: the rest an error, the same either way
judge 100 "$n damaged files ($stamps with a bad page timestamp): the same with --jobs 1, 2, 3 and 8"

# the option itself
run "$PTTRACE" analyze --jobs 0 samples/traces/healthy.dat
expect_rc 2 "--jobs 0 is refused"
expect_err "pttrace analyze: --jobs wants a number of threads from 1 to 1024, not '0'" "--jobs 0: the message"
run "$PTTRACE" report --jobs x samples/traces/healthy.dat
expect_rc 2 "report --jobs x is refused"
run "$PTTRACE" tui --jobs 2.5 samples/traces/healthy.dat
expect_rc 2 "tui --jobs 2.5 is refused"

# nothing left allocated at exit, the exiting thread's zstd context included
# (no key destructor runs for it), with one thread and with decoding ones
if command -v valgrind > /dev/null; then
	for j in 1 2; do
		valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
			--error-exitcode=9 "$PTTRACE" analyze --jobs $j samples/traces/pttrace/d3-access.dat \
			> /dev/null 2> "$T/vg.err"
		if [ $? = 1 ] && ! grep -q "==[0-9]*==" "$T/vg.err"; then
			ok "analyze --jobs $j of a zstd trace frees all it allocated"
		else
			not_ok "analyze --jobs $j of a zstd trace frees all it allocated"
			diag "$T/vg.err"
		fi
	done
else
	skip "needs valgrind (apt-get install valgrind)"
fi
