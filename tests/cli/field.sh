# SPDX-License-Identifier: GPL-2.0-or-later
# The field corpus: trace files made the way users make them (plain
# trace-cmd, every version and codec, cut short, host-wide with two VMs,
# text pasted from a bug report), each with its expected answer.
# tests/field/make-corpus.sh makes the files from the bundled recordings.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 2
command -v trace-cmd > /dev/null || skip_all "needs trace-cmd (apt-get install trace-cmd)"
command -v python3 > /dev/null || skip_all "needs python3"
F=$T/field
tests/field/make-corpus.sh "$F" > "$T/make.log" 2>&1 || { not_ok "make-corpus.sh"; diag "$T/make.log"; exit 1; }

report() {	# the report without its first line (the command, with the file's name)
	"$PTTRACE" analyze "$@" 2>&1 | tail -n +2
}

# every version and codec: the same report as the recording itself
for name in d3-access healthy stray-mmio; do
	for kind in v7-zstd v7-none v7-zlib v6; do
		if diff <(report "$F/$name.$kind.dat") <(tail -n +2 "tests/golden/$name.txt") > "$T/diff"; then
			ok "$name.$kind: the same report as the golden one"
		else
			not_ok "$name.$kind: the same report as the golden one"
			diag "$T/diff"
		fi
	done
	run "$PTTRACE" analyze --json "$F/$name.v7-zlib.dat"
	if diff <(sed 's/"file": "[^"]*"//' "$T/out") <(sed 's/"file": "[^"]*"//' "tests/golden/$name.json") > "$T/diff"; then
		ok "$name.v7-zlib: the same JSON as the golden one"
	else
		not_ok "$name.v7-zlib: the same JSON as the golden one"
		diag "$T/diff"
	fi
	# cut short: what is left is analysed, and the report says the file is cut
	run "$PTTRACE" analyze "$F/$name.v6-cut.dat"
	case $rc in 0|1) ok "$name.v6-cut: analysed (exit $rc)" ;; *) not_ok "$name.v6-cut: analysed (exit $rc)"; diag "$T/err" ;; esac
	expect_out "^WARNING: +the file is cut short: it ends at byte [0-9]+, [0-9]+% into cpu 0's data" \
		"$name.v6-cut: the WARNING says where the file ends"
done
run "$PTTRACE" analyze "$F/d3-access.v6-cut.dat"
expect_out "^PROBABLE CAUSE: nothing suspicious found in what the file holds \(it is damaged or cut short" \
	"d3-access.v6-cut (its crash is in the lost part): no clean bill of health"

# a codec pttrace cannot read: named, with what to do, in one line
sed 's/zstd\x001\.5/lzma\x001\.5/' "$F/healthy.v7-zstd.dat" > "$T/lzma.dat"
run "$PTTRACE" analyze "$T/lzma.dat"
expect_rc 2 "an lzma-compressed file: exit 2"
expect_err "^pttrace: cannot read '.*lzma.dat': it is compressed with 'lzma' 1\.5\.[0-9]+, which pttrace cannot decompress \(it reads zstd, zlib\); convert it where it was made: trace-cmd convert --compression none" \
	"an lzma-compressed file: the codec and what to do"
[ "$(wc -l < "$T/err")" = 1 ] && ok "... in one line" || not_ok "... in one line"

# host-wide: two VMs, never one device model
for f in hostwide.dat hostwide.v7-zstd.dat; do
	run "$PTTRACE" analyze "$F/$f"
	expect_rc 1 "$f: findings (exit 1)"
	expect_out "^VMS: +2 in this trace \(host-wide\): pid 5943 qemu-system-x86 \(1 vcpu, [0-9]+ events\) <- analysed; pid 6021 " \
		"$f: two VMs listed, the crashed one (QEMU 5943) analysed"
	expect_out "^PROBABLE CAUSE: 00:04.0 \[8086:10d3\] accessed in D3hot" "$f: the crashed VM's root cause"
	expect_out "^NOTE: +VMs told apart by thread ids alone" "$f: says the grouping is a guess (no thread names)"
done
run "$PTTRACE" analyze "$F/hostwide.dat" --vm 6021
expect_rc 0 "hostwide --vm 6021: the healthy VM alone is clean (exit 0)"
expect_out "pid 6021 qemu-system-x86 \(1 vcpu, [0-9]+ events\) <- analysed" "hostwide --vm 6021: that VM analysed"
run "$PTTRACE" analyze "$F/hostwide.dat" --json
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["trace"]; v=t["vms"]
assert len(v) == 2 and v[0]["analysed"] and not v[1]["analysed"] and t["vms_guessed"], t' "$T/out" 2> "$T/py" &&
	ok "hostwide --json: trace.vms, the analysed one marked" || { not_ok "hostwide --json: trace.vms"; diag "$T/py"; }
run "$PTTRACE" analyze "$F/hostwide-named.dat"
expect_out "^VMS: +2 in this trace \(host-wide\): pid 5943 qemu-system-x86 .*<- analysed; pid 5951 " \
	"hostwide-named (adjacent thread ids, 'CPU 0/KVM' names): two VMs"
expect_absent "told apart by thread ids" "hostwide-named: grouped by vcpu names, not a guess"
run "$PTTRACE" analyze "$F/hostwide-named.dat" --vm qemu-system-x86
expect_rc 2 "--vm with a name two VMs share: exit 2"
expect_err "^pttrace: more than one VM 'qemu-system-x86' in .*: 5943 qemu-system-x86, 5951 qemu-system-x86$" "... the VMs listed"
run "$PTTRACE" analyze "$F/hostwide.dat" --vm 1234
expect_err "^pttrace: no VM '1234' in .*; its VMs \(by QEMU pid\): 5943 qemu-system-x86, 6021 qemu-system-x86$" "--vm of no VM: the VMs listed"

# report --vm: one VM's events of a host-wide trace, the same as its own
# recording's (the times aside: the host-wide file moved them)
events() {	# report's lines without the two times
	"$PTTRACE" report "$@" 2> /dev/null | sed -E 's/^ *[-+][0-9.]+ [0-9]+\.[0-9]+ //'
}
same_events() {	# same_events DESC FILE [ARGS]... -- OWN: report of FILE ARGS is OWN's
	local desc=$1 own
	shift
	own=${*: -1}
	set -- "${@:1:$#-2}"
	events "$@" > "$T/vm.txt"
	events "$own" > "$T/own.txt"
	if [ -s "$T/own.txt" ] && cmp -s "$T/vm.txt" "$T/own.txt"; then
		ok "$desc ($(wc -l < "$T/vm.txt") events)"
	else
		not_ok "$desc ($(wc -l < "$T/vm.txt") events, $(wc -l < "$T/own.txt") in its own recording)"
		diff "$T/vm.txt" "$T/own.txt" | head -5 > "$T/diff"; diag "$T/diff"
	fi
}
same_events "report hostwide --vm 6021: the healthy VM's events only" "$F/hostwide.dat" --vm 6021 -- "$F/healthy.v6.dat"
same_events "report hostwide --vm 5943: the crashed VM's events only" "$F/hostwide.dat" --vm 5943 -- "$F/d3-access.v6.dat"
same_events "report hostwide (no --vm): the crashed VM's, as analyze" "$F/hostwide.dat" -- "$F/d3-access.v6.dat"
# by name: the healthy VM's threads renamed (same length: the file's layout is unchanged)
LC_ALL=C sed 's/5951 qemu-system-x86/5951 vm-healthy-0001/; s/5957 qemu-system-x86/5957 vm-healthy-0001/' \
	"$F/hostwide-named.dat" > "$T/hostwide-renamed.dat"
run "$PTTRACE" analyze "$T/hostwide-renamed.dat"
expect_out "^VMS: .*pid 5951 vm-healthy-0001 " "the renamed VM is named so"
same_events "report --vm vm-healthy-0001: that VM's events by its name" "$T/hostwide-renamed.dat" --vm vm-healthy-0001 -- "$F/healthy.v6.dat"
same_events "report --vm qemu-system-x86: the other VM's by its name" "$T/hostwide-renamed.dat" --vm qemu-system-x86 -- "$F/d3-access.v6.dat"
run "$PTTRACE" report "$F/hostwide.dat" --vm 1234
expect_rc 2 "report --vm of no VM: exit 2"
expect_err "^pttrace: no VM '1234' in .*; its VMs \(by QEMU pid\): 5943 qemu-system-x86, 6021 qemu-system-x86$" "report --vm of no VM: the VMs listed"

# text: trace-cmd report output, as pasted into a bug report, gives the binary file's findings
findings() { sed -n '/^PROBABLE/,/^DEVICES/p'; }
for name in d3-access healthy stray-mmio; do
	trace-cmd report -t -i "$F/$name.v7-zstd.dat" > "$T/$name.txt" 2> /dev/null
	if diff <(report "$T/$name.txt" | findings) <(tail -n +2 "tests/golden/$name.txt" | findings) > "$T/diff"; then
		ok "$name as trace-cmd report text: the same findings"
	else
		not_ok "$name as trace-cmd report text: the same findings"
		diag "$T/diff"
	fi
done
{ echo "Hi all, here is the trace around the BSOD:"; echo; sed 's/^/> /' "$T/d3-access.txt" | fold -w 72; } > "$T/mail.txt"
run "$PTTRACE" analyze - < "$T/mail.txt"
expect_out "^PROBABLE CAUSE: 00:04.0 \[8086:10d3\] accessed in D3hot" "a mail-quoted, wrapped text on standard input: the root cause"
trace-cmd report -t -i "$F/hostwide.dat" > "$T/hostwide.txt" 2> /dev/null
run "$PTTRACE" analyze "$T/hostwide.txt"
expect_out "^VMS: +2 in this trace" "host-wide text: two VMs"

# files that are not traces are named
run "$PTTRACE" analyze /bin/true
expect_err "^pttrace: cannot read '/bin/true': an ELF file, not a trace.dat file$" "an ELF file is named"
gzip -c "$F/healthy.v6.dat" > "$T/h.dat.gz"
run "$PTTRACE" analyze "$T/h.dat.gz"
expect_err "a gzip file: gunzip it first" "a gzipped trace: gunzip it first"
printf 'PERFILE2\0\0\0\0' > "$T/perf.data"
run "$PTTRACE" analyze "$T/perf.data"
expect_err "a perf.data file \(perf record\)" "a perf.data file is named"

# a v7 file cut before its last options section (where trace-cmd says where
# each cpu's data is): the data is found by walking the sections
for f in d3-access.v7-none d3-access.v7-zstd; do
	size=$(stat -c %s "$F/$f.dat")
	head -c $((size - 400)) "$F/$f.dat" > "$T/$f-cut.dat"
	run "$PTTRACE" analyze "$T/$f-cut.dat"
	expect_rc 1 "$f without its last 400 bytes: analysed (exit 1)"
	expect_out "^WARNING: +the file is cut short: it ends at byte [0-9]+, before its options section at byte [0-9]+; 1 cpus' data found by walking the file" \
		"$f without its last 400 bytes: the WARNING says the data was found by walking"
	expect_out "^PROBABLE CAUSE: 00:04.0 \[8086:10d3\] accessed in D3hot" "$f without its last 400 bytes: the root cause"
done

# the guest's file of a host-guest recording (trace-cmd record -A) carries a
# TIME_SHIFT option: made here by turning one option of a v7 file into one
python3 - "$F/healthy.v7-none.dat" "$T/guest.dat" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
pos = d.index(b"\0", 10) + 1 + 6
pos = d.index(b"\0", d.index(b"\0", pos) + 1) + 1
opts = struct.unpack_from("<Q", d, pos)[0]
off = opts + 16
while True:
    oid, size = struct.unpack_from("<HI", d, off)
    if oid not in (0, 3):
        struct.pack_into("<H", d, off, 12)
        break
    off += 6 + size
open(sys.argv[2], "wb").write(d)
PY
run "$PTTRACE" analyze "$T/guest.dat"
expect_rc 2 "a guest-side file of trace-cmd record -A: exit 2"
expect_err "is the guest side of a host-guest recording \(trace-cmd record -A\): it holds the guest's own events; analyze the host's file" \
	"a guest-side file: named as what it is"
