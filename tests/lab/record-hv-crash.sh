# hv-crash's GUEST_PANICKED without a Hyper-V-capable KVM: a process that
# looks like QEMU (tests/lab/fake-qemu.py hvpanic, with -cpu ...,hv-crash)
# sends the panic QEMU sends for a Windows bugcheck; pttrace record stops
# on it and keeps its data in the file's metadata, the 64-bit parameters
# exact.  (The fake runs no guest, so the file has no kvm events for
# analyze; tests/unit/test_crash.c gives the analyzer such metadata.)
. "$(dirname "$0")/../lib.sh"
need_root_kvm
need_tracefs
need_fake_qemu
FAKE_PID=""
trap '[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2> /dev/null; wait 2> /dev/null; rm -rf "$T"' EXIT

name=pt-hv-$$
(exec -a qemu-system-x86_64 "$PY" "$FAKE" hvpanic -name "$name" -cpu qemu64,hv-crash \
	-qmp "unix:$T/qmp.sock,server=on,wait=off") > "$T/fake.out" 2>&1 &
FAKE_PID=$!
wait_for "$T/fake.out" ready || { not_ok "fake QEMU starts"; diag "$T/fake.out"; exit 1; }

run "$PTTRACE" record --vm "$name" -o "$T/hv.dat" --duration 20
expect_rc 0 "record exits 0"
expect_out "^stopped: +QMP GUEST_PANICKED" "record stops on QMP's GUEST_PANICKED"

# the metadata option is NUL-terminated JSON, never compressed (docs/record-metadata.md)
if python3 -c 'import json,sys
data = open(sys.argv[1], "rb").read()
start = data.index(b"{\"pttrace_metadata\"")
m = json.loads(data[start:data.index(b"\0", start)])
assert m["vm"]["hv_crash"] is True
g = m["guest_panicked"]
assert g["action"] == "pause" and g["info"]["type"] == "hyper-v" and g["info"]["arg1"] == 0x116
assert [g["info"]["arg%d" % i] for i in range(2, 6)] == \
	[0xffffe00012345000, 0xfffff80012345610, 0xffffffffc000009a, 2]' "$T/hv.dat"; then
	ok "the metadata keeps GUEST_PANICKED's hyper-v details, 64-bit values exact"
else
	not_ok "the metadata keeps GUEST_PANICKED's hyper-v details, 64-bit values exact"
fi
