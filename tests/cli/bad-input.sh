# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input to pttrace analyze: a one-line error or an explicit warning,
# never a crash, a hang or a silent wrong answer.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
sample=samples/traces/stray-mmio.dat

# runs analyze with a time limit; a signal (exit > 128) or the limit (124) fails
analyze() {
	run timeout 60 "$PTTRACE" analyze "$@"
}

expect_one_line_error() {	# DESC REGEX
	expect_one_line "$1: one-line error" "$2"
}

analyze /nonexistent/crash.dat
expect_one_line_error "missing file" "^pttrace: cannot open '/nonexistent/crash.dat': No such file or directory$"
: > "$T/empty.dat"
analyze "$T/empty.dat"
expect_one_line_error "zero-length file" "the file is empty"
analyze "$T"
expect_one_line_error "a directory" "it is a directory"
printf 'this is not a trace\n' > "$T/text.dat"
analyze "$T/text.dat"
expect_one_line_error "a text file" "not a trace.dat file"
analyze build/guest/pttrace-lab.elf
expect_one_line_error "an ELF file" "not a trace.dat file"
head -c 65536 /dev/urandom > "$T/random.dat"
analyze "$T/random.dat"
expect_one_line_error "random bytes" "not a trace.dat file"
printf '\027\010\104tracing6\0\0' > "$T/magic.dat"
analyze "$T/magic.dat"
expect_one_line_error "a trace.dat magic and nothing else" "cut short inside its header"

# judge DESC: after analysing a damaged copy of $sample, one of three
# answers is right: a one-line error, the undamaged report (what was hit
# was not needed), or a different report that carries a WARNING
judge() {
	if [ "$rc" = 2 ] && [ "$(wc -l < "$T/err")" = 1 ]; then
		ok "$1: a one-line error"
	elif [ "$rc" -le 1 ] && tail -n +2 "$T/out" | cmp -s - "$T/clean"; then
		ok "$1: the undamaged report (nothing needed was hit)"
	elif [ "$rc" -le 1 ] && grep -q "^CRASH:" "$T/out" && cat "$T/out" "$T/err" | grep -q "WARNING"; then
		ok "$1: another report, with a WARNING"
	else
		not_ok "$1 (exit $rc): neither an error, the undamaged report, nor a warned one"
		diag "$T/out" "$T/err"
	fi
}
analyze "$sample"
tail -n +2 "$T/out" > "$T/clean"

size=$(stat -c %s "$sample")
for n in 16 4096 $((size / 2)) $((size - 4096)); do
	head -c "$n" "$sample" > "$T/trunc.dat"
	analyze "$T/trunc.dat"
	judge "truncated to $n bytes"
done

# bytes changed all over the file
for seed in $(seq 1 12); do
	python3 - "$sample" "$T/corrupt.dat" "$seed" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
random.seed(int(sys.argv[3]))
for _ in range(4):
    data[random.randrange(len(data))] = random.randrange(256)
open(sys.argv[2], "wb").write(data)
PY
	analyze "$T/corrupt.dat"
	judge "corrupted bytes, seed $seed"
done

# damage inside the event data of an uncompressed trace is seen and said
if command -v trace-cmd > /dev/null &&
   trace-cmd convert --compression none -i samples/traces/irq-storm.dat -o "$T/plain.dat" > /dev/null 2>&1; then
	python3 - "$T/plain.dat" "$T/damaged.dat" <<'PY'
import random, sys
data = bytearray(open(sys.argv[1], "rb").read())
random.seed(4)
for _ in range(300):
    data[random.randrange(len(data) * 3 // 4, len(data) - 4096)] = random.randrange(256)
open(sys.argv[2], "wb").write(data)
PY
	analyze "$T/damaged.dat"
	expect_out "^WARNING: +[0-9]+ records cannot be right" "damaged event data: said in the report"
	analyze "$T/plain.dat"
	expect_absent "^WARNING" "the undamaged copy has no warning"
else
	skip "needs trace-cmd convert to make an uncompressed trace"
fi

# a trace with the kvm formats but no events, made with trace-cmd restore
if [ "$(id -u)" = 0 ] && command -v trace-cmd > /dev/null &&
   { [ -d /sys/kernel/tracing/events/kvm ] || mount -t tracefs nodev /sys/kernel/tracing 2> /dev/null; } &&
   [ -d /sys/kernel/tracing/events/kvm ]; then
	: > "$T/empty.cpu0"
	(cd "$T" && trace-cmd restore -c -o head.dat > /dev/null 2>&1 &&
	 trace-cmd restore -i head.dat -o noevents.dat empty.cpu0 > /dev/null 2>&1)
	analyze "$T/noevents.dat"
	expect_one_line_error "a trace with no kvm events" "has kvm event formats but no kvm events"
else
	skip "needs root, trace-cmd and tracefs to make a trace with no events"
fi
