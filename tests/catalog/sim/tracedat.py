"""trace.dat: formats from tracefs, ring-buffer pages, trace-cmd restore.
The partial trace.dat (`trace-cmd restore -c`) is made from a copy of the
tracing directory's header and event format files (restore's -t DIR) with
an empty kallsyms (-k FILE), so that saved_cmdlines can carry QEMU's thread
names ("CPU 0/KVM") and the files stay small; the formats in it are this
kernel's, byte for byte.  Nothing is written to the tracing directory."""

import os
import re
import shutil
import struct
import subprocess


PAGE = 4096
PAGE_DATA = PAGE - 16          # u64 timestamp, u64 commit, then data
TYPE_PADDING, TYPE_TIME_EXTEND, TYPE_TIME_STAMP = 29, 30, 31
DELTA_MAX = (1 << 27) - 1

EVENTS = ("kvm_mmio", "kvm_pio", "kvm_msr", "kvm_msi_set_irq", "kvm_set_irq",
          "kvm_ioapic_set_irq", "kvm_apic_accept_irq", "kvm_eoi", "kvm_inj_virq",
          "kvm_inj_exception", "kvm_userspace_exit", "kvm_exit", "kvm_entry",
          "kvm_page_fault")

_PACK = {1: "<B", 2: "<H", 4: "<I", 8: "<Q"}


class Format:
    """One event's format file: id, fields (offset, size), record size."""

    def __init__(self, path):
        text = open(path).read()
        self.name = re.search(r"^name: (\S+)", text, re.M).group(1)
        self.id = int(re.search(r"^ID: (\d+)", text, re.M).group(1))
        self.fields = {}
        for m in re.finditer(r"field:([^;]*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);", text):
            decl = m.group(1).strip()
            name = re.sub(r"\[.*\]$", "", decl.split()[-1])
            self.fields[name] = (int(m.group(2)), int(m.group(3)))
        self.size = max(off + size for off, size in self.fields.values())
        self.rec = (self.size + 3) & ~3
        self.common = tuple(self.fields[f] for f in
                            ("common_type", "common_flags", "common_preempt_count", "common_pid"))
        self.packers = {}
        for name, (off, size) in self.fields.items():
            if size in _PACK and not name.startswith("common_"):
                self.packers[name] = (struct.Struct(_PACK[size]), off, (1 << (8 * size)) - 1)

    def pack(self, pid, flags, values):
        buf = bytearray(self.rec)
        (t_off, _), (f_off, _), (p_off, _), (pid_off, _) = self.common
        struct.pack_into("<H", buf, t_off, self.id)
        struct.pack_into("<B", buf, f_off, flags)
        struct.pack_into("<B", buf, p_off, 0)
        struct.pack_into("<i", buf, pid_off, pid)
        for name, val in values.items():
            st, off, mask = self.packers[name]
            st.pack_into(buf, off, int(val) & mask)
        return bytes(buf)


def load_formats(tracefs):
    fmts = {}
    for ev in EVENTS:
        path = os.path.join(tracefs, "events", "kvm", ev, "format")
        if os.path.exists(path):
            fmts[ev] = Format(path)
    return fmts


class CpuRing:
    """One cpu's ring buffer, written page by page as the kernel does."""

    def __init__(self):
        self.pages = []
        self.data = bytearray()
        self.page_ts = None
        self.last = None

    def _flush(self):
        if self.page_ts is None:
            return
        page = struct.pack("<QQ", self.page_ts, len(self.data)) + bytes(self.data)
        self.pages.append(page + b"\0" * (PAGE - len(page)))
        self.data = bytearray()
        self.page_ts = None

    def add(self, ts, payload):
        n = len(payload)
        assert n % 4 == 0 and 4 <= n <= 28 * 4, n
        delta = 0 if self.last is None else ts - self.last
        assert delta >= 0, (ts, self.last)
        extend = delta > DELTA_MAX
        need = 4 + n + (8 if extend else 0)
        if self.page_ts is None or len(self.data) + need > PAGE_DATA:
            self._flush()
            self.page_ts = ts
            delta, extend = 0, False
        if extend:
            self.data += struct.pack("<II", TYPE_TIME_EXTEND | ((delta & DELTA_MAX) << 5), delta >> 27)
            delta = 0
        self.data += struct.pack("<I", (n // 4) | (delta << 5))
        self.data += payload
        self.last = ts

    def finish(self):
        self._flush()
        return b"".join(self.pages)


def make_tracing_dir(tracefs, dest):
    """A copy of what `trace-cmd restore -c` reads from the tracing directory."""
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(os.path.join(dest, "events"))
    for f in ("header_page", "header_event"):
        shutil.copyfile(os.path.join(tracefs, "events", f), os.path.join(dest, "events", f))
    for system in ("ftrace", "kvm"):
        sysdir = os.path.join(tracefs, "events", system)
        for ev in sorted(os.listdir(sysdir)):
            src = os.path.join(sysdir, ev, "format")
            if os.path.isfile(src):
                os.makedirs(os.path.join(dest, "events", system, ev))
                shutil.copyfile(src, os.path.join(dest, "events", system, ev, "format"))
    open(os.path.join(dest, "printk_formats"), "w").close()
    open(os.path.join(dest, "saved_cmdlines"), "w").close()
    open(os.path.join(dest, "kallsyms"), "w").close()


def write_trace(out, name, events, fmts, ncpus, cmdlines, tdir):
    """events: iterable of (ts, cpu, seq, pid, flags, event, fields).
    Writes out/NAME.dat; returns the number of records."""
    rings = [CpuRing() for _ in range(ncpus)]
    count = 0
    for ts, cpu, _seq, pid, flags, ev, fields in sorted(events, key=lambda e: (e[1], e[0], e[2])):
        rings[cpu].add(ts, fmts[ev].pack(pid, flags, fields))
        count += 1
    with open(os.path.join(tdir, "saved_cmdlines"), "w") as f:
        for pid, comm in sorted(cmdlines.items()):
            f.write(f"{pid} {comm}\n")
    head = os.path.join(out, name + ".head.dat")
    subprocess.run(["trace-cmd", "restore", "-c", "-t", tdir, "-k", os.path.join(tdir, "kallsyms"),
                    "-o", head], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    raws = []
    for i, ring in enumerate(rings):
        path = os.path.join(out, f"{name}.cpu{i}.raw")
        with open(path, "wb") as f:
            f.write(ring.finish())
        raws.append(path)
    subprocess.run(["trace-cmd", "restore", "-i", head, "-o", os.path.join(out, name + ".dat")] + raws,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for p in raws + [head]:
        os.unlink(p)
    return count
