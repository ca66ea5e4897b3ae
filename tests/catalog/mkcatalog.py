#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mkcatalog.py OUTDIR [NAME...]: writes the pass-through failure catalogue's
traces (tests/catalog/README.md) into OUTDIR, one NAME.dat per scenario and
per healthy twin, the way the kernel would have recorded them: every kvm
event a QEMU/KVM host records for the guest's driver, interrupt and crash
activity, written into per-cpu 4096-byte ring-buffer pages, then turned into
a trace.dat by `trace-cmd restore`.

Needs root (trace-cmd restore -c reads the event formats), tracefs on
/sys/kernel/tracing ($TRACEFS) and trace-cmd.  Deterministic: every scenario
draws its jitter from random.Random("1012:" + its name).
  --list   prints the names and stops
"""

import os
import random
import re
import shutil
import struct
import heapq
import subprocess
import sys
import tempfile
import zlib

# ---------------------------------------------------------------------------
# 1. trace.dat: formats from tracefs, ring-buffer pages, trace-cmd restore.
# The partial trace.dat (`trace-cmd restore -c`) is made from a copy of the
# tracing directory's header and event format files (restore's -t DIR) with
# an empty kallsyms (-k FILE), so that saved_cmdlines can carry QEMU's thread
# names ("CPU 0/KVM") and the files stay small; the formats in it are this
# kernel's, byte for byte.  Nothing is written to the tracing directory.

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


# ---------------------------------------------------------------------------
# 2. PCI functions: config space with BAR sizing, capabilities, resets, and
# the registers behind their BARs.

US = 1000
MS = 1000 * US
S = 1000 * MS


def ones(n):
    return (1 << (8 * n)) - 1


class Bar:
    def __init__(self, idx, size, kind, pref):
        self.idx, self.size, self.kind, self.pref = idx, size, kind, pref
        if kind == "io":
            self.flags = 0x1
        else:
            self.flags = (0x4 if kind == "mem64" else 0x0) | (0x8 if pref else 0)


class Dev:
    """A PCI function as the guest sees it (vfio-pci passes most of config
    space and every BAR access through)."""

    def __init__(self, bdf, vid, did, cls, rev=0, hdr=0, ssvid=0, ssid=0, pin=0, pcie=True,
                 name=""):
        self.bdf = bdf
        self.name = name
        self.cfg = bytearray(4096 if pcie else 256)
        self.ro = bytearray(len(self.cfg))     # read-only bits of each byte
        self.w(0, 2, vid)
        self.w(2, 2, did)
        self.w(8, 4, (cls << 8) | rev)
        self.cfg[0x0e] = hdr
        self.w(6, 2, 0x0010)
        if ssvid:
            self.w(0x2c, 2, ssvid)
            self.w(0x2e, 2, ssid)
        self.cfg[0x3d] = pin
        self.bars = {}
        self.assign = {}          # BAR index -> address the firmware gives it
        self.fw_cmd = 0x0007
        self.caps = {}
        self._last_cap = None
        self.alive = True
        self.not_ready_until = 0
        self.regs = {}            # (bar, off) -> stored value
        self.rd = {}              # (bar, off) -> fn(t) -> value
        self.wr = {}              # (bar, off) -> fn(t, value)
        self.msix_table = []
        self.children = []        # functions behind a bridge
        self.d3_recovery = 8 * MS # what the device really needs after D3hot->D0
        self.flr_recovery = 60 * MS
        self.link_recovery = 70 * MS
        self.power = 0
        self.on_reset = None      # fn(t): device registers back to their reset values
        self.reset_cfg = None

    # raw config space
    def r(self, off, n):
        return int.from_bytes(self.cfg[off:off + n], "little")

    def w(self, off, n, v):
        self.cfg[off:off + n] = (v & ones(n)).to_bytes(n, "little")

    def add_bar(self, idx, size, kind="mem32", pref=False, addr=None):
        b = Bar(idx, size, kind, pref)
        self.bars[idx] = b
        self.w(0x10 + 4 * idx, 4, b.flags)
        if addr is not None:
            self.assign[idx] = addr
        return b

    def add_cap(self, cid, off, body=b""):
        self.cfg[off] = cid
        self.cfg[off + 1] = 0
        self.cfg[off + 2:off + 2 + len(body)] = body
        self.ro[off] = self.ro[off + 1] = 0xff
        if self._last_cap is None:
            self.cfg[0x34] = off
        else:
            self.cfg[self._last_cap + 1] = off
        self._last_cap = off
        self.caps[cid] = off

    def cap_pm(self, off, nosoftreset=True):
        self.add_cap(0x01, off, struct.pack("<HH", 0x0003, 0x0008 if nosoftreset else 0))
        self.ro[off + 2] = self.ro[off + 3] = 0xff
        self.ro[off + 4] = 0x0c

    def cap_msi(self, off, is64=True, pvm=False):
        ctrl = (0x80 if is64 else 0) | (0x100 if pvm else 0)
        self.add_cap(0x05, off, struct.pack("<H", ctrl))
        self.msi_is64, self.msi_pvm = is64, pvm
        self.ro[off + 2] = 0x8e
        self.ro[off + 3] = 0xff

    def cap_msix(self, off, nvec, bir, table_off, pba_bir, pba_off):
        self.add_cap(0x11, off, struct.pack("<HII", nvec - 1, table_off | bir, pba_off | pba_bir))
        self.ro[off + 2] = 0xff
        self.ro[off + 3] = 0x07
        self.ro[off + 4:off + 12] = b"\xff" * 8
        self.msix_bir, self.msix_table_off, self.msix_pba = bir, table_off, (pba_bir, pba_off)
        self.msix_table = [[0, 0, 0, 1] for _ in range(nvec)]

    def cap_pcie(self, off, ptype=0, flr=True):
        self.add_cap(0x10, off, struct.pack("<HIHHIHH", 0x0002 | (ptype << 4),
                                            (1 << 28 if flr else 0) | 0x8fc1, 0x2810, 0,
                                            0x00437d04, 0x0040, 0x1043))
        self.ro[off + 2:off + 8] = b"\xff" * 6
        self.ro[off + 0xc:off + 0x10] = b"\xff" * 4
        self.ro[off + 0x12:off + 0x14] = b"\xff" * 2

    def save_reset_state(self):
        self.reset_cfg = bytes(self.cfg)
        for i, b in self.bars.items():
            self.reset_cfg = self.reset_cfg[:0x10 + 4 * i] + struct.pack("<I", b.flags) + \
                self.reset_cfg[0x14 + 4 * i:]

    # what the guest sees
    def cmd(self):
        return self.r(4, 2)

    def bar_addr(self, idx):
        b = self.bars[idx]
        lo = self.r(0x10 + 4 * idx, 4)
        if b.kind == "io":
            return lo & ~0x3
        addr = lo & ~0xf
        if b.kind == "mem64":
            addr |= self.r(0x14 + 4 * idx, 4) << 32
        return addr

    def ready(self, t):
        return self.alive and t >= self.not_ready_until

    def cfg_read(self, off, n, t):
        if not self.ready(t):
            return ones(n)
        return self.r(off, n)

    def cfg_write(self, off, n, val, t):
        if not self.ready(t):
            return
        hdr = self.cfg[0x0e] & 0x7f
        nbars = 6 if hdr == 0 else 2
        if 0x10 <= off < 0x10 + 4 * nbars and n == 4:
            idx = (off - 0x10) // 4
            if idx in self.bars:
                b = self.bars[idx]
                keep = 0xfffffffc if b.kind == "io" else 0xfffffff0
                v = (val & ~(b.size - 1) & keep) | b.flags
            elif idx - 1 in self.bars and self.bars[idx - 1].kind == "mem64":
                v = val & ~((self.bars[idx - 1].size - 1) >> 32) & 0xffffffff
            else:
                v = 0
            self.w(off, 4, v)
            return
        if off in (0x00, 0x02, 0x08, 0x0e, 0x30, 0x34, 0x3d) or (off == 0x2c and hdr == 0):
            return
        if off == 0x04:
            self.w(4, 2, val & 0x0547)
            return
        if off == 0x06:
            return
        for i in range(n):
            ro = self.ro[off + i]
            self.cfg[off + i] = (((val >> (8 * i)) & 0xff) & ~ro) | (self.cfg[off + i] & ro)
        self.after_cfg_write(off, n, val, t)

    def after_cfg_write(self, off, n, val, t):
        pm = self.caps.get(0x01)
        if pm is not None and off == pm + 4:
            new = val & 3
            if self.power == 3 and new == 0:
                self.not_ready_until = t + self.d3_recovery
                if not (self.r(pm + 4, 2) & 0x8):
                    self.reset(t)
            self.power = new
        pe = self.caps.get(0x10)
        if pe is not None and off == pe + 8 and val & 0x8000:
            self.w(pe + 8, 2, val & 0x7fff)
            self.reset(t)
            self.not_ready_until = t + self.flr_recovery
        if (self.cfg[0x0e] & 0x7f) == 1 and off == 0x3e:
            if val & 0x40:
                for c in self.children:
                    c.reset(t)
                    c.not_ready_until = 1 << 62
            else:
                for c in self.children:
                    if c.not_ready_until == 1 << 62:
                        c.not_ready_until = t + c.link_recovery

    def reset(self, t):
        """Function-level reset: config space and registers back to power-on."""
        if self.reset_cfg is not None:
            self.cfg[:] = self.reset_cfg
        self.power = 0
        self.msix_table = [[0, 0, 0, 1] for _ in self.msix_table]
        if self.on_reset:
            self.on_reset(t)

    # BAR registers
    def _msix_slot(self, bar, off):
        if not self.msix_table or bar != self.msix_bir:
            return None
        rel = off - self.msix_table_off
        if 0 <= rel < 16 * len(self.msix_table):
            return rel // 16, (rel % 16) // 4
        return None

    def mmio_read(self, bar, off, n, t):
        if not self.ready(t) or self.power == 3:
            return ones(n)
        slot = self._msix_slot(bar, off)
        if slot:
            return self.msix_table[slot[0]][slot[1]]
        f = self.rd.get((bar, off))
        if f:
            return f(t) & ones(n)
        return self.regs.get((bar, off), 0) & ones(n)

    def mmio_write(self, bar, off, n, val, t):
        if not self.ready(t) or self.power == 3:
            return
        slot = self._msix_slot(bar, off)
        if slot:
            self.msix_table[slot[0]][slot[1]] = val
            return
        f = self.wr.get((bar, off))
        if f:
            f(t, val)
        else:
            self.regs[(bar, off)] = val

    # how the function can interrupt right now
    def irq_route(self, entry=0):
        """('msi', addr, data), ('intx',) or None (it cannot signal)."""
        cmd = self.cmd()
        if self.power == 3 or not self.alive:
            return None
        x = self.caps.get(0x11)
        if x is not None and self.r(x + 2, 2) & 0x8000:
            if not cmd & 0x4 or self.r(x + 2, 2) & 0x4000:
                return None
            lo, hi, data, ctrl = self.msix_table[entry]
            return None if ctrl & 1 else ("msi", lo | (hi << 32), data)
        m = self.caps.get(0x05)
        if m is not None and self.r(m + 2, 2) & 0x1:
            if not cmd & 0x4:
                return None
            lo = self.r(m + 4, 4)
            if self.msi_is64:
                return ("msi", lo | (self.r(m + 8, 4) << 32), self.r(m + 0xc, 2))
            return ("msi", lo, self.r(m + 8, 2))
        if cmd & 0x400 or not self.cfg[0x3d]:
            return None
        return ("intx",)


def bridge(bdf, secondary, vid=0x1b36, did=0x000c):
    """QEMU's pcie-root-port: a type 1 header with a PCIe capability."""
    b = Dev(bdf, vid, did, 0x060400, hdr=0x01, pin=1)
    b.cap_pcie(0x40, ptype=4, flr=False)
    b.secondary = secondary
    b.fw_cmd = 0x0107
    return b


# ---------------------------------------------------------------------------
# 3. The guest as KVM sees it: vcpu threads, their exits, MMIO and port I/O
# through QEMU, MSRs, interrupts through the local APIC and IO-APIC, and the
# crash signals.  Every helper emits the kvm events the real path traces, in
# the kernel's order.

KVM_EXIT_IO, KVM_EXIT_MMIO, KVM_EXIT_SHUTDOWN, KVM_EXIT_SYSTEM_EVENT = 2, 6, 8, 24
VMX_EXT_INT, VMX_HLT, VMX_IO, VMX_MSR_READ, VMX_MSR_WRITE = 1, 12, 30, 31, 32
VMX_EPT_VIOLATION, VMX_EPT_MISCONFIG = 48, 49
ECAM = 0xb0000000
IOAPIC = 0xfec00000
HV_EOI, X2APIC_EOI, TSC_DEADLINE, HV_STIMER0_COUNT = 0x40000070, 0x80b, 0x6e0, 0x400000b1
HV_CRASH_P0, HV_CRASH_CTL = 0x40000100, 0x40000105
HARDIRQ = 0x08          # common_flags: TRACE_FLAG_HARDIRQ


class Thread:
    def __init__(self, pid, cpu, comm):
        self.pid, self.cpu, self.comm = pid, cpu, comm


class Vcpu(Thread):
    def __init__(self, pid, cpu, comm, idx):
        super().__init__(pid, cpu, comm)
        self.idx = idx
        self.now = 0
        self.busy = False
        self.next_tick = 0
        self.halted = False


class Guest:
    """One VM.  style: "linux" (x2APIC, EOI = MSR 0x80b, TSC-deadline timer,
    config through 0xcf8/0xcfc, pvpanic) or "windows" (Hyper-V enlightened:
    EOI = MSR 0x40000070, synthetic timer, config through ECAM, crash MSRs).
    pi: a posted-interrupt host (APICv + VT-d posting): no kvm_apic_accept_irq
    for MSIs, no kvm_inj_virq, no kvm_eoi for edge interrupts.  vmx: the
    recording has kvm_exit/kvm_entry.  names: QEMU runs with
    debug-threads=on (vcpu threads named "CPU n/KVM")."""

    def __init__(self, name, nvcpu, style, pi=False, vmx=False, names=True, qemu_pid=None,
                 t0=None):
        self.name = name
        self.rng = random.Random("1012:" + name.replace(".twin", "").replace(".afterboot", ""))
        self.style, self.pi, self.vmx = style, pi, vmx
        self.ev = []
        self.recording = True
        self.ncpus = min(4, nvcpu + 1)
        pid = qemu_pid or self.rng.randrange(2000, 60000)
        comm = "qemu-system-x86"
        self.qemu = Thread(pid, self.ncpus - 1, comm)
        self.vcpus = [Vcpu(pid + 3 + i, i % self.ncpus, f"CPU {i}/KVM" if names else comm, i)
                      for i in range(nvcpu)]
        self.kworker = Thread(self.rng.randrange(100, 900), self.ncpus - 1,
                              f"kworker/{self.ncpus - 1}:1")
        self.t0 = t0 if t0 is not None else self.rng.randrange(600, 9000) * S
        for v in self.vcpus:
            v.now = self.t0
            v.next_tick = self.t0 + self.rng.randrange(MS, 4 * MS)
        self.devs = {}
        self.rte = {}
        self.ioregsel = 0
        self.sites = {}
        self.crashed = False
        self.q = []
        self.qn = 0
        # BAR ranges QEMU still maps but the function no longer decodes
        # (its config space was reset behind QEMU's back): reads complete
        # with all-ones
        self.stale_ranges = []

    # -- a small discrete-event scheduler: fn(t) runs at t, in time order
    def at(self, t, fn):
        heapq.heappush(self.q, (int(t), self.qn, fn))
        self.qn += 1

    def run(self, until):
        while self.q and self.q[0][0] <= until and not self.crashed:
            t, _, fn = heapq.heappop(self.q)
            fn(t)

    def on(self, v, t):
        """v gets to time t (halting until then if it is early)."""
        if v.now < t:
            self.idle(v, t)
        return v

    # -- events
    def emit(self, t, th, ev, flags=0, **f):
        if self.recording:
            self.ev.append((int(t), th.cpu, len(self.ev), th.pid, flags, ev, f))

    def cmdlines(self):
        th = [self.qemu, self.kworker] + self.vcpus
        return {t.pid: t.comm for t in th}

    def j(self, lo, hi):
        """jitter, ns"""
        return self.rng.randrange(int(lo), int(hi) + 1)

    def rip(self, site):
        if site not in self.sites:
            h = zlib.crc32(site.encode())
            if site.startswith("fw!"):                  # the firmware, 32-bit flat
                self.sites[site] = 0x000e0000 + (h % 0xfff0 & ~0xf) + (h >> 24) % 16
                return self.sites[site]
            if self.style == "windows":
                base = 0xfffff80412300000 if site.startswith(("nt!", "hal!", "pci!")) else 0xfffff8046a200000
            else:
                kernel = site.startswith(("vmlinux!", "pci_", "__pci", "msix", "idle", "busy"))
                base = 0xffffffff81000000 if kernel else 0xffffffffc0a00000
            self.sites[site] = base + (h % 0x1f0000 & ~0xf) + 0x20 + (h >> 24) % 16
        return self.sites[site]

    def add(self, dev):
        self.devs[dev.bdf] = dev
        return dev

    # -- time
    def step(self, v, dt):
        """v runs guest code for dt ns; timer ticks due meanwhile happen."""
        target = v.now + int(dt)
        while v.next_tick <= target and not self.crashed:
            v.now = max(v.now, v.next_tick)
            self._tick(v)
        v.now = max(v.now, target)

    def _tick_period(self, v):
        if self.style == "windows":
            return 15625 * US
        return 4 * MS if v.busy else self.j(8 * MS, 40 * MS)

    def _tick(self, v):
        vec = 0xd1 if self.style == "windows" else 0xec
        if self.vmx and not v.halted:
            self.emit(v.now, v, "kvm_exit", exit_reason=VMX_EXT_INT, guest_rip=self.rip("busy"),
                      isa=1, vcpu_id=v.idx)
        self.emit(v.now + 400, v, "kvm_apic_accept_irq", apicid=v.idx, dm=0, tm=0, vec=vec)
        if not self.pi:
            self.emit(v.now + 900, v, "kvm_inj_virq", vector=vec, soft=0, reinjected=0)
        if self.vmx:
            self.emit(v.now + 1200, v, "kvm_entry", vcpu_id=v.idx, rip=self.rip("busy"),
                      intr_info=0x80000000 | vec)
        v.now += 3 * US
        v.halted = False
        if self.style == "windows":
            self.msr_write(v, HV_STIMER0_COUNT, self.j(156000, 156400), site="nt!HvlSetTimer")
        else:
            self.msr_write(v, TSC_DEADLINE, (v.now * 3) // 1 + 12000000, site="vmlinux!lapic_next_deadline")
        self.eoi(v, vec)
        v.next_tick = v.now + self._tick_period(v)

    def idle(self, v, until):
        """v halts until `until` (ticks wake it meanwhile)."""
        until = int(until)
        while v.now < until and not self.crashed:
            if self.vmx and not v.halted:
                self.emit(v.now, v, "kvm_exit", exit_reason=VMX_HLT, guest_rip=self.rip("idle"), isa=1,
                          vcpu_id=v.idx)
            v.halted = True
            if v.next_tick >= until:
                v.now = until
                break
            v.now = v.next_tick
            self._tick(v)

    def finish(self, until):
        for v in self.vcpus:
            self.idle(v, until)

    def wake(self, v, t):
        if v.now < t:
            self.idle(v, t)

    # -- exits
    def _resume(self, v):
        if v.halted:
            if self.vmx:
                self.emit(v.now, v, "kvm_entry", vcpu_id=v.idx, rip=self.rip("idle"))
                v.now += 500
            v.halted = False

    def _exit(self, v, reason, site, info1=0):
        self._resume(v)
        if self.vmx:
            self.emit(v.now, v, "kvm_exit", exit_reason=reason, guest_rip=self.rip(site), isa=1,
                      info1=info1, vcpu_id=v.idx)

    def _entry(self, v, t, site):
        if self.vmx:
            self.emit(t, v, "kvm_entry", vcpu_id=v.idx, rip=self.rip(site) + 3)

    # -- the physical address space
    def owner(self, gpa):
        for d in self.devs.values():
            if not d.cmd() & 0x2:
                continue
            for i, b in d.bars.items():
                if b.kind == "io":
                    continue
                base = d.bar_addr(i)
                if base and base <= gpa < base + b.size:
                    return d, i, gpa - base
        return None

    def ecam_dev(self, gpa):
        rel = gpa - ECAM
        return (rel >> 20) & 0xff, (rel >> 15) & 0x1f, (rel >> 12) & 0x7, rel & 0xfff

    def bus_read(self, gpa, n, t):
        if ECAM <= gpa < ECAM + 0x10000000:
            b, d, f, off = self.ecam_dev(gpa)
            dev = self.devs.get((b, d, f))
            return dev.cfg_read(off, n, t) if dev else ones(n)
        o = self.owner(gpa)
        if o:
            return o[0].mmio_read(o[1], o[2], n, t)
        for base, size, val in self.stale_ranges:
            if base <= gpa < base + size:
                return val & ones(n)
        return 0                                      # QEMU answers unassigned MMIO with 0

    def bus_write(self, gpa, n, val, t):
        if ECAM <= gpa < ECAM + 0x10000000:
            b, d, f, off = self.ecam_dev(gpa)
            dev = self.devs.get((b, d, f))
            if dev:
                dev.cfg_write(off, n, val, t)
            return
        o = self.owner(gpa)
        if o:
            o[0].mmio_write(o[1], o[2], n, val, t)

    # -- accesses
    def mmio_read(self, v, gpa, n=4, site="drv", val=None, lat=None):
        t = v.now
        self._exit(v, VMX_EPT_MISCONFIG, site)
        if (gpa & ~0xfff) in (IOAPIC, 0xfee00000):            # in-kernel device
            val = self._ioapic_read() if val is None else val
            self.emit(t + 400, v, "kvm_mmio", type=1, len=n, gpa=gpa, val=val)
            self._entry(v, t + 900, site)
            v.now = t + 1200
            return val
        lat = lat or self.j(2300, 6500)
        if val is None:
            val = self.bus_read(gpa, n, t + lat // 2)
        self.emit(t + 300, v, "kvm_mmio", type=0, len=n, gpa=gpa, val=0)
        self.emit(t + 500, v, "kvm_userspace_exit", reason=KVM_EXIT_MMIO, errno=0)
        self.emit(t + lat, v, "kvm_mmio", type=1, len=n, gpa=gpa, val=val)
        self._entry(v, t + lat + 300, site)
        v.now = t + lat + 600
        return val

    def mmio_write(self, v, gpa, n, val, site="drv", lat=None):
        t = v.now
        self._exit(v, VMX_EPT_MISCONFIG, site)
        self.emit(t + 300, v, "kvm_mmio", type=2, len=n, gpa=gpa, val=val)
        if (gpa & ~0xfff) in (IOAPIC, 0xfee00000):
            self._ioapic_write(gpa, val)
            self._entry(v, t + 900, site)
            v.now = t + 1200
            return
        lat = lat or self.j(1800, 4500)
        self.emit(t + 500, v, "kvm_userspace_exit", reason=KVM_EXIT_MMIO, errno=0)
        self.bus_write(gpa, n, val, t + lat // 2)
        self._entry(v, t + lat, site)
        v.now = t + lat + 300

    def pio_write(self, v, port, n, val, site="drv", lat=None):
        t = v.now
        self._exit(v, VMX_IO, site, info1=(port << 16) | (n - 1))
        self.emit(t + 300, v, "kvm_pio", rw=1, port=port, size=n, count=1, val=val)
        self.emit(t + 500, v, "kvm_userspace_exit", reason=KVM_EXIT_IO, errno=0)
        lat = lat or self.j(1500, 3500)
        self._entry(v, t + lat, site)
        v.now = t + lat + 300

    def pio_read(self, v, port, n, val, site="drv", lat=None):
        t = v.now
        self._exit(v, VMX_IO, site, info1=(port << 16) | 0x8 | (n - 1))
        self.emit(t + 300, v, "kvm_userspace_exit", reason=KVM_EXIT_IO, errno=0)
        lat = lat or self.j(1500, 4000)
        self.emit(t + lat, v, "kvm_pio", rw=0, port=port, size=n, count=1, val=val)
        self._entry(v, t + lat + 200, site)
        v.now = t + lat + 500
        return val

    def msr_write(self, v, ecx, data, site="drv", before=None):
        t = v.now
        self._exit(v, VMX_MSR_WRITE, site)
        if before:
            before(t + 300)
        self.emit(t + 500, v, "kvm_msr", write=1, ecx=ecx, data=data, exception=0)
        self._entry(v, t + 800, site)
        v.now = t + 1100

    def msr_read(self, v, ecx, data, site="drv"):
        t = v.now
        self._exit(v, VMX_MSR_READ, site)
        self.emit(t + 400, v, "kvm_msr", write=0, ecx=ecx, data=data, exception=0)
        self._entry(v, t + 700, site)
        v.now = t + 1000
        return data

    # -- PCI config space: 0xcf8/0xcfc (Linux, firmware) or ECAM MMIO (Windows)
    def cfg_read(self, v, bdf, off, n, mech=None, site="pci"):
        mech = mech or ("ecam" if self.style == "windows" else "cf8")
        dev = self.devs.get(bdf)
        if mech == "ecam":
            gpa = ECAM + (bdf[0] << 20) + (bdf[1] << 15) + (bdf[2] << 12) + off
            val = self.mmio_read(v, gpa, n, site=site, lat=self.j(1500, 3000))
        else:
            self.pio_write(v, 0xcf8, 4, 0x80000000 | (bdf[0] << 16) | (bdf[1] << 11) | (bdf[2] << 8) | (off & 0xfc),
                           site=site, lat=self.j(900, 1600))
            val = dev.cfg_read(off, n, v.now) if dev else ones(n)
            self.pio_read(v, 0xcfc + (off & 3), n, val, site=site, lat=self.j(2500, 7000))
        self.step(v, self.j(300, 1500))
        return val

    def cfg_write(self, v, bdf, off, n, val, mech=None, site="pci"):
        mech = mech or ("ecam" if self.style == "windows" else "cf8")
        dev = self.devs.get(bdf)
        if mech == "ecam":
            gpa = ECAM + (bdf[0] << 20) + (bdf[1] << 15) + (bdf[2] << 12) + off
            self.mmio_write(v, gpa, n, val, site=site, lat=self.j(1500, 3500))
        else:
            self.pio_write(v, 0xcf8, 4, 0x80000000 | (bdf[0] << 16) | (bdf[1] << 11) | (bdf[2] << 8) | (off & 0xfc),
                           site=site, lat=self.j(900, 1600))
            if dev:
                dev.cfg_write(off, n, val, v.now)
            self.pio_write(v, 0xcfc + (off & 3), n, val, site=site, lat=self.j(2500, 8000))
        self.step(v, self.j(300, 1500))

    # -- IO-APIC (in KVM: no userspace exit)
    def _ioapic_write(self, gpa, val):
        if gpa == IOAPIC:
            self.ioregsel = val & 0xff
        elif gpa == IOAPIC + 0x10 and self.ioregsel >= 0x10:
            gsi, hi = (self.ioregsel - 0x10) // 2, (self.ioregsel - 0x10) % 2
            self.rte.setdefault(gsi, [0x10000, 0])[hi] = val

    def _ioapic_read(self):
        if self.ioregsel >= 0x10:
            gsi, hi = (self.ioregsel - 0x10) // 2, (self.ioregsel - 0x10) % 2
            return self.rte.setdefault(gsi, [0x10000, 0])[hi]
        return 0x00170020 if self.ioregsel == 1 else 0

    def ioapic_program(self, v, gsi, vec, dest, level=True, masked=False, site="vmlinux!ioapic_write_entry"):
        lo = vec | (0x8000 if level else 0) | (0x2000 if level else 0) | (0x10000 if masked else 0)
        self.mmio_write(v, IOAPIC, 4, 0x11 + 2 * gsi, site=site)
        self.mmio_write(v, IOAPIC + 0x10, 4, dest << 24, site=site)
        self.mmio_write(v, IOAPIC, 4, 0x10 + 2 * gsi, site=site)
        self.mmio_write(v, IOAPIC + 0x10, 4, lo, site=site)

    def ioapic_mask(self, v, gsi, masked, site="vmlinux!ioapic_mask"):
        lo = self.rte.get(gsi, [0x10000, 0])[0]
        lo = (lo | 0x10000) if masked else (lo & ~0x10000)
        self.mmio_write(v, IOAPIC, 4, 0x10 + 2 * gsi, site=site)
        self.mmio_write(v, IOAPIC + 0x10, 4, lo, site=site)
        if masked:
            self.mmio_read(v, IOAPIC + 0x10, 4, site=site)     # io_apic_sync

    # -- interrupts
    def eoi(self, v, vec, gsi=None):
        """The guest's EOI; for a level interrupt KVM's resampler lowers the
        line (vfio then unmasks the host IRQ)."""
        if self.pi and gsi is None:
            return
        def inside(t):
            self.emit(t, v, "kvm_eoi", apicid=v.idx, vector=vec)
            if gsi is not None:
                self.emit(t + 200, v, "kvm_set_irq", gsi=gsi, level=0, irq_source_id=1)
                self.emit(t + 300, v, "kvm_ioapic_set_irq", e=self._rte64(gsi), pin=gsi, coalesced=0)
        if self.style == "windows":
            self.msr_write(v, HV_EOI, 0, site="hal!HalpApicEoi", before=inside)
        else:
            self.msr_write(v, X2APIC_EOI, 0, site="vmlinux!native_apic_msr_eoi", before=inside)

    def _rte64(self, gsi):
        lo, hi = self.rte.get(gsi, [0x10000, 0])
        return lo | (hi << 32)

    def vcpu_by_apic(self, apicid):
        return self.vcpus[apicid] if apicid < len(self.vcpus) else None

    def inject(self, v, vec):
        """KVM injects vec on v's next entry (v was halted or running)."""
        if self.vmx and not v.halted:
            self.emit(v.now, v, "kvm_exit", exit_reason=VMX_EXT_INT, guest_rip=self.rip("busy"), isa=1,
                      vcpu_id=v.idx)
        v.halted = False
        if not self.pi:
            self.emit(v.now + 600, v, "kvm_inj_virq", vector=vec, soft=0, reinjected=0)
        if self.vmx:
            self.emit(v.now + 900, v, "kvm_entry", vcpu_id=v.idx, rip=self.rip("busy"), intr_info=0x80000000 | vec)
        v.now += 1500

    def msi(self, t, addr, data, src=None, handler=None, flags=0):
        """An MSI (vfio's irqfd, or QEMU's KVM_SIGNAL_MSI): kvm_msi_set_irq,
        then delivery to the destination's local APIC, the handler, the EOI.
        Returns the vcpu that took it, or None (no such APIC id)."""
        src = src or self.qemu
        self.emit(t, src, "kvm_msi_set_irq", flags, address=addr, data=data)
        v = self.vcpu_by_apic((addr >> 12) & 0xff)
        if v is None:
            return None
        vec = data & 0xff
        if not self.pi:
            self.emit(t + 700, src, "kvm_apic_accept_irq", flags, apicid=v.idx, dm=(data >> 8 & 7) << 8, tm=0, vec=vec)
        self.wake(v, t + self.j(2 * US, 5 * US))
        self.inject(v, vec)
        if handler:
            handler(v)
        self.eoi(v, vec)
        return v

    def intx(self, t, gsi, src=None):
        """A level INTx through vfio's resampling irqfd: the line goes high;
        the IO-APIC delivers it unless the entry is masked.  Returns the vcpu."""
        src = src or self.kworker
        self.emit(t, src, "kvm_set_irq", gsi=gsi, level=1, irq_source_id=1)
        self.emit(t + 400, src, "kvm_ioapic_set_irq", e=self._rte64(gsi), pin=gsi, coalesced=0)
        lo, hi = self.rte.get(gsi, [0x10000, 0])
        if lo & 0x10000:
            return None
        v = self.vcpu_by_apic(hi >> 24)
        if v is None:
            return None
        self.emit(t + 900, src, "kvm_apic_accept_irq", apicid=v.idx, dm=0, tm=1, vec=lo & 0xff)
        return v

    def device_irq(self, t, dev, entry=0, handler=None, gsi=None, src=None):
        """dev raises interrupt `entry` at t; what reaches the guest depends on
        its config (bus master, MSI/MSI-X enables and masks, INTx disable)."""
        if not dev.ready(t):
            return None
        route = dev.irq_route(entry)
        if route is None:
            return None
        if route[0] == "msi":
            return self.msi(t, route[1], route[2], src=src, handler=handler)
        v = self.intx(t, gsi if gsi is not None else dev.cfg[0x3c], src=src)
        if v is None:
            return None
        self.wake(v, t + self.j(3 * US, 6 * US))
        self.inject(v, self.rte[gsi if gsi is not None else dev.cfg[0x3c]][0] & 0xff)
        if handler:
            handler(v)
        g = gsi if gsi is not None else dev.cfg[0x3c]
        self.eoi(v, self.rte[g][0] & 0xff, gsi=g)
        return v

    # -- crash signals
    def console(self, v, text):
        """Linux's serial console (ttyS0): LSR polled, then THR written."""
        for ch in text:
            self.pio_read(v, 0x3fd, 1, 0x60, site="vmlinux!serial8250_console_putchar", lat=self.j(1200, 2500))
            self.pio_write(v, 0x3f8, 1, ord(ch), site="vmlinux!serial8250_console_putchar", lat=self.j(1500, 3000))

    def _stop_others(self, v):
        for u in self.vcpus:
            if u is not v:
                self.idle(u, v.now - self.j(5 * US, 60 * US))

    def pvpanic(self, v, text):
        self.console(v, text + "\r\n")
        self.step(v, self.j(20 * US, 80 * US))
        self._stop_others(v)
        self.pio_write(v, 0x505, 1, 1, site="vmlinux!pvpanic_send_event")
        self.crashed = True

    def bugcheck(self, v, code, p1, p2, p3, p4):
        site = "nt!HvlReportCrash"
        self._stop_others(v)
        for i, val in enumerate((code, p1, p2, p3, p4)):
            self.msr_write(v, HV_CRASH_P0 + i, val, site=site)
        self.msr_write(v, HV_CRASH_CTL, 1 << 63, site=site)
        self.emit(v.now, v, "kvm_userspace_exit", reason=KVM_EXIT_SYSTEM_EVENT, errno=0)
        self.crashed = True

    def write(self, out, fmts, tdir):
        return write_trace(out, self.name, self.ev, fmts, self.ncpus, self.cmdlines(), tdir)


# ---------------------------------------------------------------------------
# 4. Firmware and guest OS: q35's devices, the firmware's enumeration (BAR
# sizing and programming through 0xcf8/0xcfc), the OS's own scan (Linux
# through 0xcf8, Windows through ECAM), enabling a device, MSI, MSI-X.

def q35(g, root_ports=()):
    """q35's own functions and pcie-root-ports: [(slot, fn, secondary bus)]."""
    g.add(Dev((0, 0, 0), 0x8086, 0x29c0, 0x060000, pcie=False))
    vga = g.add(Dev((0, 1, 0), 0x1234, 0x1111, 0x030000, rev=2, pcie=False))
    vga.add_bar(0, 16 << 20, "mem32", pref=True, addr=0xfc000000)
    vga.add_bar(2, 4096, "mem32", addr=0xfebf4000)
    vga.fw_cmd = 0x0003
    g.add(Dev((0, 0x1f, 0), 0x8086, 0x2918, 0x060100, hdr=0x80, pcie=False))
    sata = g.add(Dev((0, 0x1f, 2), 0x8086, 0x2922, 0x010601, rev=2, pin=1, pcie=False))
    sata.add_bar(4, 32, "io", addr=0xc0c0)
    sata.add_bar(5, 4096, "mem32", addr=0xfebf5000)
    sata.cap_msi(0x80, is64=True)
    smb = g.add(Dev((0, 0x1f, 3), 0x8086, 0x2930, 0x0c0500, rev=2, pin=1, pcie=False))
    smb.add_bar(4, 64, "io", addr=0x0700)
    smb.fw_cmd = 0x0001
    bridges = []
    for slot, fn, sec in root_ports:
        b = g.add(bridge((0, slot, fn), sec))
        bridges.append(b)
    return bridges


def behind(g, br, dev):
    br.children.append(dev)
    g.add(dev)
    return dev


def fw_scan(g, v):
    """SeaBIOS/OVMF-style: find every function, size and place its BARs,
    program bridges, enable decode, route INTx (Interrupt Line = GSI)."""
    found = []

    def scan_bus(bus, slots):
        for slot in slots:
            for fn in range(8):
                val = g.cfg_read(v, (bus, slot, fn), 0x00, 4, mech="cf8", site="fw!pci_probe")
                if val == 0xffffffff:
                    if fn == 0:
                        break
                    continue
                d = g.devs[(bus, slot, fn)]
                found.append(d)
                hdr = g.cfg_read(v, d.bdf, 0x0e, 1, mech="cf8", site="fw!pci_probe")
                g.cfg_read(v, d.bdf, 0x08, 4, mech="cf8", site="fw!pci_probe")
                if hdr & 0x7f == 1:
                    g.cfg_write(v, d.bdf, 0x18, 4, (0xff << 16) | (d.secondary << 8) | bus, mech="cf8",
                                site="fw!pci_bridge")
                    g.cfg_write(v, d.bdf, 0x18, 4, (d.secondary << 16) | (d.secondary << 8) | bus, mech="cf8",
                                site="fw!pci_bridge")
                    scan_bus(d.secondary, [0, 1])
                if fn == 0 and not hdr & 0x80:
                    break

    scan_bus(0, range(32))
    for d in found:
        nbars = 6 if (d.cfg[0x0e] & 0x7f) == 0 else 2
        i = 0
        while i < nbars:
            off = 0x10 + 4 * i
            old = g.cfg_read(v, d.bdf, off, 4, mech="cf8", site="fw!pci_bar_size")
            g.cfg_write(v, d.bdf, off, 4, 0xffffffff, mech="cf8", site="fw!pci_bar_size")
            g.cfg_read(v, d.bdf, off, 4, mech="cf8", site="fw!pci_bar_size")
            g.cfg_write(v, d.bdf, off, 4, old, mech="cf8", site="fw!pci_bar_size")
            if i in d.bars and d.bars[i].kind == "mem64":
                old = g.cfg_read(v, d.bdf, off + 4, 4, mech="cf8", site="fw!pci_bar_size")
                g.cfg_write(v, d.bdf, off + 4, 4, 0xffffffff, mech="cf8", site="fw!pci_bar_size")
                g.cfg_read(v, d.bdf, off + 4, 4, mech="cf8", site="fw!pci_bar_size")
                g.cfg_write(v, d.bdf, off + 4, 4, old, mech="cf8", site="fw!pci_bar_size")
                i += 1
            i += 1
    for d in found:
        for i, addr in sorted(d.assign.items()):
            g.cfg_write(v, d.bdf, 0x10 + 4 * i, 4, addr & 0xffffffff, mech="cf8", site="fw!pci_bar_map")
            if d.bars[i].kind == "mem64":
                g.cfg_write(v, d.bdf, 0x14 + 4 * i, 4, addr >> 32, mech="cf8", site="fw!pci_bar_map")
        if (d.cfg[0x0e] & 0x7f) == 1:
            kids = [c for c in d.children]
            mem = [c.assign[i] for c in kids for i, b in c.bars.items()
                   if b.kind != "io" and not b.pref and i in c.assign]
            pref = [c.assign[i] for c in kids for i, b in c.bars.items() if b.pref and i in c.assign]
            if mem:
                lo, hi = min(mem) & ~0xfffff, (max(mem) | 0xfffff)
                g.cfg_write(v, d.bdf, 0x20, 4, ((hi >> 16) & 0xfff0) << 16 | ((lo >> 16) & 0xfff0),
                            mech="cf8", site="fw!pci_bridge")
            if pref:
                lo, hi = min(pref) & ~0xfffff, (max(pref) | 0xfffffff)
                g.cfg_write(v, d.bdf, 0x24, 4, (((hi >> 16) & 0xfff0) | 1) << 16 | (((lo >> 16) & 0xfff0) | 1),
                            mech="cf8", site="fw!pci_bridge")
                g.cfg_write(v, d.bdf, 0x28, 4, lo >> 32, mech="cf8", site="fw!pci_bridge")
                g.cfg_write(v, d.bdf, 0x2c, 4, hi >> 32, mech="cf8", site="fw!pci_bridge")
        pin = g.cfg_read(v, d.bdf, 0x3d, 1, mech="cf8", site="fw!pci_irq")
        if pin:
            line = getattr(d, "gsi", 16 + (d.bdf[1] + pin - 1) % 4 if d.bdf[0] == 0 else 16 + (pin - 1) % 4)
            g.cfg_write(v, d.bdf, 0x3c, 1, line, mech="cf8", site="fw!pci_irq")
        g.cfg_write(v, d.bdf, 0x04, 2, d.fw_cmd, mech="cf8", site="fw!pci_enable")


def os_scan(g, v):
    """The OS's enumeration: headers, BAR sizing with decode off, capability
    walk (Linux: pci_scan_device/__pci_read_base/pci_find_capability through
    0xcf8; Windows: pci.sys through ECAM)."""
    lin = g.style != "windows"
    site = "vmlinux!pci_scan_device" if lin else "pci!PciProbeForRequirements"

    def rd(d, off, n):
        return g.cfg_read(v, d, off, n, site=site)

    def wr(d, off, n, val):
        g.cfg_write(v, d, off, n, val, site=site)

    def scan_bus(bus, slots):
        for slot in slots:
            for fn in range(8):
                bdf = (bus, slot, fn)
                if rd(bdf, 0x00, 4) == 0xffffffff:
                    if fn == 0:
                        break
                    continue
                d = g.devs[bdf]
                hdr = rd(bdf, 0x0e, 1)
                rd(bdf, 0x08, 4)
                if hdr & 0x7f == 0:
                    rd(bdf, 0x2c, 4)
                cmd = rd(bdf, 0x04, 2)
                wr(bdf, 0x04, 2, cmd & ~0x3)
                nbars = 6 if hdr & 0x7f == 0 else 2
                i = 0
                while i < nbars:
                    off = 0x10 + 4 * i
                    old = rd(bdf, off, 4)
                    wr(bdf, off, 4, 0xffffffff)
                    rd(bdf, off, 4)
                    wr(bdf, off, 4, old)
                    if i in d.bars and d.bars[i].kind == "mem64":
                        old = rd(bdf, off + 4, 4)
                        wr(bdf, off + 4, 4, 0xffffffff)
                        rd(bdf, off + 4, 4)
                        wr(bdf, off + 4, 4, old)
                        i += 1
                    i += 1
                wr(bdf, 0x04, 2, cmd)
                rd(bdf, 0x3c, 2)
                if rd(bdf, 0x06, 2) & 0x10:
                    pos = rd(bdf, 0x34, 1)
                    while pos:
                        ent = rd(bdf, pos, 2)
                        cid = ent & 0xff
                        if cid == 0x01:
                            rd(bdf, pos + 2, 2)
                            rd(bdf, pos + 4, 2)
                        elif cid == 0x10:
                            rd(bdf, pos + 2, 2)
                            rd(bdf, pos + 4, 4)
                            rd(bdf, pos + 8, 2)
                            rd(bdf, pos + 0xc, 4)
                            rd(bdf, pos + 0x10, 2)
                        elif cid == 0x05:
                            c = rd(bdf, pos + 2, 2)
                            wr(bdf, pos + 2, 2, c & ~1)
                        elif cid == 0x11:
                            c = rd(bdf, pos + 2, 2)
                            wr(bdf, pos + 2, 2, c & ~0xc000)
                        pos = ent >> 8
                if hdr & 0x7f == 1:
                    rd(bdf, 0x18, 4)
                    rd(bdf, 0x20, 4)
                    rd(bdf, 0x24, 4)
                    rd(bdf, 0x3e, 2)
                    scan_bus(d.secondary, [0])
                if fn == 0 and not hdr & 0x80:
                    break

    scan_bus(0, range(32))


def enable(g, v, dev, io=False, master=True, site=None):
    """pci_enable_device(_mem) + pci_set_master (Windows: pci.sys's start)."""
    site = site or ("vmlinux!pci_enable_resources" if g.style != "windows" else "pci!PciSetResources")
    cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
    cmd |= 0x2 | (0x1 if io else 0)
    g.cfg_write(v, dev.bdf, 0x04, 2, cmd, site=site)
    if master:
        cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
        g.cfg_write(v, dev.bdf, 0x04, 2, cmd | 0x4, site=site)


def msi_enable(g, v, dev, addr, data, site=None):
    """msi_capability_init / pci.sys: address, data, enable; INTx disabled."""
    site = site or ("vmlinux!pci_msi_domain_write_msg" if g.style != "windows" else "pci!PciProgramMsiInterrupt")
    m = dev.caps[0x05]
    ctrl = g.cfg_read(v, dev.bdf, m + 2, 2, site=site)
    g.cfg_write(v, dev.bdf, m + 2, 2, ctrl & ~0x71, site=site)
    g.cfg_write(v, dev.bdf, m + 4, 4, addr & 0xffffffff, site=site)
    if dev.msi_is64:
        g.cfg_write(v, dev.bdf, m + 8, 4, addr >> 32, site=site)
        g.cfg_write(v, dev.bdf, m + 0xc, 2, data, site=site)
    else:
        g.cfg_write(v, dev.bdf, m + 8, 2, data, site=site)
    g.cfg_write(v, dev.bdf, m + 2, 2, (ctrl & ~0x70) | 1, site=site)
    cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
    g.cfg_write(v, dev.bdf, 0x04, 2, cmd | 0x400, site=site)


def msix_enable(g, v, dev, vectors, unmask=None, clear_fmask=True, site=None):
    """msix_capability_init (Linux 5.14+): enable with the function masked,
    every entry masked, messages written, INTx disabled, function mask
    cleared, then each used entry unmasked as its handler is requested.
    vectors: [(address, data)] for entries 0..n-1; unmask: entries to unmask."""
    lin = g.style != "windows"
    site = site or ("vmlinux!msix_capability_init" if lin else "pci!PciProgramMsixTable")
    x = dev.caps[0x11]
    ctrl = g.cfg_read(v, dev.bdf, x + 2, 2, site=site)
    g.cfg_write(v, dev.bdf, x + 2, 2, (ctrl & 0x7ff) | 0xc000, site=site)
    g.cfg_read(v, dev.bdf, x + 4, 4, site=site)             # Table Offset/BIR: where to map
    if not lin:
        g.cfg_read(v, dev.bdf, x + 8, 4, site=site)         # PBA Offset/BIR
    base = dev.bar_addr(dev.msix_bir) + dev.msix_table_off
    for i in range(len(dev.msix_table)):
        g.mmio_write(v, base + 16 * i + 12, 4, 1, site=site)
    for i, (addr, data) in enumerate(vectors):
        g.mmio_write(v, base + 16 * i, 4, addr & 0xffffffff, site=site)
        g.mmio_write(v, base + 16 * i + 4, 4, addr >> 32, site=site)
        g.mmio_write(v, base + 16 * i + 8, 4, data, site=site)
    cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
    g.cfg_write(v, dev.bdf, 0x04, 2, cmd | 0x400, site=site)
    if clear_fmask:
        g.cfg_write(v, dev.bdf, x + 2, 2, (ctrl & 0x7ff) | 0x8000, site=site)
    for i in (range(len(vectors)) if unmask is None else unmask):
        g.mmio_write(v, base + 16 * i + 12, 4, 0, site="vmlinux!pci_msix_unmask" if lin else site)


def msi_addr(apicid):
    return 0xfee00000 | (apicid << 12)


# ---------------------------------------------------------------------------
# 5. The scenarios.  Each function builds one VM and plays it; bad=False is
# the healthy twin (the same device and guest done right), boot=False drops
# everything before the driver's steady state from the recording (a trace
# begun after boot: no enumeration, no BAR programming, no MSI set-up).

def boot_phase(g, v, boot):
    """Firmware and OS enumeration on v; with boot=False none of it is
    recorded (the caller turns recording back on where the trace starts)."""
    g.recording = boot
    for d in g.devs.values():
        d.save_reset_state()        # power-on config space, before the firmware
    fw_scan(g, v)
    g.step(v, g.j(900 * MS, 1300 * MS))
    os_scan(g, v)
    g.step(v, g.j(150 * MS, 300 * MS))
    for d in g.devs.values():
        for i, addr in d.assign.items():
            assert d.bar_addr(i) == addr, (g.name, d.bdf, i, hex(d.bar_addr(i)), hex(addr))


def start_recording(g):
    """The recording starts now: every vcpu is brought to the same time
    first, unrecorded (when the boot was recorded this changes nothing)."""
    if not g.recording:
        t = max(v.now for v in g.vcpus)
        for v in g.vcpus:
            g.idle(v, t)
    g.recording = True


# -- NVIDIA GPUs (Windows): fence interrupts, vblank, TDR ---------------------

def nvidia(g, br, did, ssid, audio_did):
    gpu = behind(g, br, Dev((br.secondary, 0, 0), 0x10de, did, 0x030000, rev=0xa1, hdr=0x80,
                            ssvid=0x10de, ssid=ssid, pin=1))
    gpu.add_bar(0, 16 << 20, "mem32", addr=0xfd000000)
    gpu.add_bar(1, 256 << 20, "mem64", pref=True, addr=0x3800000000)
    gpu.add_bar(3, 32 << 20, "mem64", pref=True, addr=0x3810000000)
    gpu.add_bar(5, 128, "io", addr=0xe000)
    gpu.cap_pm(0x60)
    gpu.cap_msi(0x68, is64=True)
    gpu.cap_pcie(0x78, flr=False)
    gpu.gsi = 16
    aud = behind(g, br, Dev((br.secondary, 0, 1), 0x10de, audio_did, 0x040300, rev=0xa1, hdr=0x80,
                            ssvid=0x10de, ssid=ssid, pin=2))
    aud.add_bar(0, 16 << 10, "mem32", addr=0xfe080000)
    aud.cap_pm(0x60)
    aud.cap_msi(0x68, is64=True)
    aud.cap_pcie(0x78, flr=False)
    aud.gsi = 17
    boot0 = {0x1b80: 0x134000a1, 0x13ba: 0x117010a2}.get(did, 0x164000a1)
    gpu.regs[(0, 0x0)] = boot0
    gpu.pending = 0
    gpu.rd[(0, 0x100)] = lambda t: gpu.pending
    gpu.rd[(0, 0x2100)] = lambda t: 0x10 if gpu.pending & 0x100 else 0
    def ack(t, val):
        gpu.pending &= ~0x100
    gpu.wr[(0, 0x2100)] = ack
    gpu.rd[(0, 0x9400)] = lambda t: (t * 32 // 31) & 0xffffffff
    gpu.rd[(0, 0x9410)] = lambda t: (t * 32 // 31) >> 32
    return gpu, aud


class WinGpu:
    """A Windows display driver's life: 60 Hz vblank and fence-completion
    interrupts (one MSI vector or INTx), the ISR reading PMC_INTR_0 and
    masking, the DPC acking PFIFO and unmasking, submissions from a render
    thread writing GP_PUT in the USERD page of BAR1, and dxgkrnl's TDR 2 s
    after the last completed fence."""

    def __init__(self, g, gpu, isr_vcpu, render_vcpu, vec, gsi=None):
        self.g, self.gpu, self.vec, self.gsi = g, gpu, vec, gsi
        self.vi, self.vr = isr_vcpu, render_vcpu
        self.put = 0x1000
        self.done = 0
        self.last_done = None
        self.submitted = []
        self.tdr_armed = False
        self.on_tdr = None
        self.stopped = False

    def reg(self, off):
        return self.gpu.bar_addr(0) + off

    def isr(self, v):
        g = self.g
        g.mmio_read(v, self.reg(0x100), site="nvlddmkm!isr")
        g.mmio_write(v, self.reg(0x140), 4, 0, site="nvlddmkm!isr")
        g.step(v, g.j(6 * US, 20 * US))
        g.mmio_read(v, self.reg(0x2100), site="nvlddmkm!dpc")
        g.mmio_write(v, self.reg(0x2100), 4, 0x10, site="nvlddmkm!dpc")
        g.mmio_read(v, self.reg(0x9400), site="nvlddmkm!dpc")
        g.mmio_write(v, self.reg(0x140), 4, 1, site="nvlddmkm!dpc")
        while self.submitted and self.submitted[0] <= self.gpu.completed:
            self.submitted.pop(0)
            self.done += 1
            self.last_done = v.now

    def interrupt(self, t):
        if self.stopped:
            return
        self.gpu.pending |= 0x100
        self.g.device_irq(t, self.gpu, 0, handler=self.isr, gsi=self.gsi)

    def vblank(self, t):
        if self.stopped:
            return
        self.interrupt(t)
        self.g.at(t + 16683 * US, self.vblank)

    def submit(self, t):
        if self.stopped:
            return
        g, v = self.g, self.g.on(self.vr, t)
        self.put += 0x40
        g.mmio_write(v, self.gpu.bar_addr(1) + 0x2088, 4, self.put, site="nvlddmkm!SubmitCommand")
        seq = self.put
        self.submitted.append(seq)
        if self.gpu.cmd() & 0x4 and self.gpu.alive:
            def complete(t2, seq=seq):
                self.gpu.completed = max(getattr(self.gpu, "completed", 0), seq)
                self.interrupt(t2)
            g.at(v.now + g.j(900 * US, 2600 * US), complete)
        g.at(v.now + g.j(4 * MS, 7 * MS), self.submit)

    def watchdog(self, t):
        """dxgkrnl's GPU scheduler: a fence pending for 2 s is a timeout."""
        if self.stopped:
            return
        if self.submitted and self.last_done is not None and t - self.last_done > 2 * S:
            self.stopped = True
            self.on_tdr(t)
            return
        self.g.at(t + 100 * MS, self.watchdog)

    def start(self, t):
        self.last_done = t
        self.gpu.completed = self.put
        self.g.at(t + self.g.j(1 * MS, 5 * MS), self.vblank)
        self.g.at(t + self.g.j(1 * MS, 3 * MS), self.submit)
        self.g.at(t + 100 * MS, self.watchdog)


def win_gpu_tdr(g, w, v, t, code_p3=0xffffffffc000009a):
    """TDR recovery that cannot recover: the reset path reads the boot
    register, resets the engines, waits 500 ms for the GPU to signal, then
    VIDEO_TDR_FAILURE (0x116)."""
    g.on(v, t)
    g.mmio_read(v, w.reg(0x0), site="nvlddmkm!ResetFromTimeout")
    g.mmio_read(v, w.reg(0x100), site="nvlddmkm!ResetFromTimeout")
    g.mmio_write(v, w.reg(0x200), 4, 0x40000020, site="nvlddmkm!ResetEngines")
    g.step(v, 1 * MS)
    g.mmio_write(v, w.reg(0x200), 4, 0x5c6cf1e1, site="nvlddmkm!ResetEngines")
    for _ in range(50):
        g.step(v, g.j(9 * MS, 11 * MS))
        g.mmio_read(v, w.reg(0x100), site="nvlddmkm!WaitForIdle")
    g.step(v, g.j(2 * MS, 8 * MS))
    g.bugcheck(v, 0x116, 0xffffa38c1d2e8010, g.rip("nvlddmkm!TdrEntry"), code_p3, 0x4)


def win_gpu_bringup(g, v, gpu, vec, use_msi=True, intx_disable=False):
    enable(g, v, gpu, io=True)
    if use_msi:
        msi_enable(g, v, gpu, msi_addr(0), vec)
    else:
        if intx_disable:
            cmd = g.cfg_read(v, gpu.bdf, 0x04, 2, site="nvlddmkm!DriverEntry")
            g.cfg_write(v, gpu.bdf, 0x04, 2, cmd | 0x400, site="nvlddmkm!DriverEntry")
        g.ioapic_program(v, gpu.gsi, vec, 0, level=True, site="hal!HalpIoApicProgram")
    base = gpu.bar_addr(0)
    for off in (0x0, 0x4, 0x200, 0x9400, 0x9410, 0x100):
        g.mmio_read(v, base + off, site="nvlddmkm!InitGpu")
    g.mmio_write(v, base + 0x200, 4, 0x5c6cf1e1, site="nvlddmkm!InitGpu")
    g.mmio_write(v, base + 0x140, 4, 1, site="nvlddmkm!InitGpu")


def sc_ip_busmaster_off(name, bad=True, boot=True):
    """Windows 10, 4 vcpus, GeForce GTX 1080 behind a root port.  The
    driver's power-up path writes back a command value saved while the OS
    had the device stopped: Bus Master off.  Fences and vblank are MSIs
    (memory writes): none can be sent; TDR 2 s later, 0x116."""
    g = Guest(name, 4, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia(g, br, 0x1b80, 0x119e, 0x10f0)
    v0, v1 = g.vcpus[0], g.vcpus[1]
    boot_phase(g, v0, boot)
    g.on(v1, v0.now + 30 * MS)
    win_gpu_bringup(g, v1, gpu, 0x61)
    enable(g, v1, aud)
    w = WinGpu(g, gpu, v0, g.vcpus[2], 0x61)
    w.start(v1.now)
    t_cause = v1.now + g.j(2100 * MS, 2500 * MS)

    def cause(t):
        v = g.on(g.vcpus[1], t)
        # display power-up: PCI_COMMAND restored from the copy taken when
        # the device was stopped (0x0003 bad, 0x0007 done right)
        g.cfg_read(v, gpu.bdf, 0x04, 2, site="nvlddmkm!RestorePciState")
        g.cfg_write(v, gpu.bdf, 0x04, 2, 0x0403 if bad else 0x0407, site="nvlddmkm!RestorePciState")
        g.mmio_read(v, w.reg(0x0), site="nvlddmkm!RestorePciState")
        g.mmio_write(v, w.reg(0x140), 4, 1, site="nvlddmkm!RestorePciState")
    g.at(t_cause, cause)
    w.on_tdr = lambda t: win_gpu_tdr(g, w, g.vcpus[3], t)
    g.run(t_cause + 3500 * MS)
    if not g.crashed:
        g.finish(t_cause + 3500 * MS)
    return g


def sc_ip_intx_disabled(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, Quadro K2200, line-based interrupts (the
    driver's MSI registry opt-in off).  The driver restarts after an
    update; the instance before it ran in MSI mode and left Interrupt
    Disable (command bit 10) set; MSI is not enabled this time, so the
    GPU cannot signal at all.  TDR, 0x116."""
    g = Guest(name, 2, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia(g, br, 0x13ba, 0x1098, 0x0fbc)
    v0, v1 = g.vcpus[0], g.vcpus[1]
    boot_phase(g, v0, boot)
    g.on(v1, v0.now + 30 * MS)
    # first driver instance: MSI mode
    win_gpu_bringup(g, v1, gpu, 0x61)
    w = WinGpu(g, gpu, v0, v1, 0x61)
    w.start(v1.now)
    t_restart = v1.now + g.j(1500 * MS, 1800 * MS)
    g.run(t_restart)
    w.stopped = True
    g.q.clear()
    v = g.on(v1, t_restart)
    # driver restart: stop (MSI disabled; Interrupt Disable left as it was) ...
    m = gpu.caps[0x05]
    ctrl = g.cfg_read(v, gpu.bdf, m + 2, 2, site="pci!PciDisableInterrupts")
    g.cfg_write(v, gpu.bdf, m + 2, 2, ctrl & ~1, site="pci!PciDisableInterrupts")
    cmd = g.cfg_read(v, gpu.bdf, 0x04, 2, site="pci!PciDisableInterrupts")
    if not bad:
        g.cfg_write(v, gpu.bdf, 0x04, 2, cmd & ~0x400, site="pci!PciDisableInterrupts")
    g.step(v, g.j(300 * MS, 500 * MS))
    # ... and start in line-based mode: IO-APIC entry for GSI 16, level
    win_gpu_bringup(g, v, gpu, 0x71, use_msi=False)
    w2 = WinGpu(g, gpu, v0, v1, 0x71, gsi=gpu.gsi)
    w2.start(v.now)
    w2.on_tdr = lambda t: win_gpu_tdr(g, w2, v1, t)
    end = v.now + 3500 * MS
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


# -- AMD GPUs (Windows): D3hot and back -----------------------------------------

def radeon(g, br, did=0x67df, audio_did=0xaaf0, nosoftreset=True):
    gpu = behind(g, br, Dev((br.secondary, 0, 0), 0x1002, did, 0x030000, rev=0xe7, hdr=0x80,
                            ssvid=0x1da2, ssid=0xe366, pin=1))
    gpu.add_bar(0, 256 << 20, "mem64", pref=True, addr=0x3800000000)
    gpu.add_bar(2, 2 << 20, "mem64", pref=True, addr=0x3810000000)
    gpu.add_bar(4, 256, "io", addr=0xe000)
    gpu.add_bar(5, 256 << 10, "mem32", addr=0xfe600000)
    gpu.cap_pm(0x50, nosoftreset=nosoftreset)
    gpu.cap_pcie(0x58, flr=False)
    gpu.cap_msi(0xa0, is64=True)
    gpu.gsi = 16
    aud = behind(g, br, Dev((br.secondary, 0, 1), 0x1002, audio_did, 0x040300, hdr=0x80,
                            ssvid=0x1da2, ssid=0xaaf0, pin=2))
    aud.add_bar(0, 16 << 10, "mem32", addr=0xfe660000)
    aud.cap_pm(0x48)
    aud.cap_pcie(0x58, flr=False)
    aud.cap_msi(0xa0, is64=True)
    gpu.pending = 0
    gpu.ih_wptr = 0
    gpu.regs[(5, 0x5428)] = 0x2000                 # CONFIG_MEMSIZE: 8192 MiB
    gpu.regs[(5, 0x8010)] = 0x00003028             # GRBM_STATUS: idle
    gpu.rd[(5, 0x3e14)] = lambda t: gpu.ih_wptr
    def rptr(t, val):
        gpu.pending = 0
    gpu.wr[(5, 0x3e10)] = rptr
    gpu.configured = True
    return gpu, aud


class WinRadeon(WinGpu):
    def reg(self, off):
        return self.gpu.bar_addr(5) + off

    def isr(self, v):
        g = self.g
        g.mmio_read(v, self.reg(0x3e14), site="amdkmdag!IhIsr")
        g.step(v, g.j(5 * US, 15 * US))
        g.mmio_write(v, self.reg(0x3e10), 4, self.gpu.ih_wptr, site="amdkmdag!IhDpc")
        while self.submitted and self.submitted[0] <= self.gpu.completed:
            self.submitted.pop(0)
            self.done += 1
            self.last_done = v.now

    def interrupt(self, t):
        if self.stopped or not self.gpu.configured:
            return
        self.gpu.ih_wptr = (self.gpu.ih_wptr + 0x20) & 0x3ffff
        self.g.device_irq(t, self.gpu, 0, handler=self.isr)

    def submit(self, t):
        if self.stopped:
            return
        g, v = self.g, self.g.on(self.vr, t)
        if self.gpu.power == 0:
            self.put += 0x100
            g.mmio_write(v, self.gpu.bar_addr(2) + 0x0, 4, self.put, site="amdkmdag!RingDoorbell")
            seq = self.put
            self.submitted.append(seq)
            if self.gpu.ready(v.now) and self.gpu.configured:
                def complete(t2, seq=seq):
                    self.gpu.completed = max(self.gpu.completed, seq)
                    self.interrupt(t2)
                g.at(v.now + g.j(700 * US, 2200 * US), complete)
        g.at(v.now + g.j(4 * MS, 8 * MS), self.submit)


def sc_too_soon_d3hot(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, Radeon RX 580 behind a root port.  Runtime idle
    puts the GPU in D3hot; on wake the driver writes PMCSR = D0 and reads
    its registers 2 ms later (PCI PM: 10 ms before any access).  The reads
    return all-ones, the init writes are dropped, the GPU comes back
    unconfigured: no fence ever completes; TDR, 0x116."""
    g = Guest(name, 2, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = radeon(g, br)
    v0, v1 = g.vcpus[0], g.vcpus[1]
    boot_phase(g, v0, boot)
    g.on(v1, v0.now + 30 * MS)
    enable(g, v1, gpu, io=True)
    msi_enable(g, v1, gpu, msi_addr(0), 0x62)
    enable(g, v1, aud)
    for off in (0x5428, 0x8010, 0x3e14):
        g.mmio_read(v1, gpu.bar_addr(5) + off, site="amdkmdag!AsicInit")
    w = WinRadeon(g, gpu, v0, v1, 0x62)
    w.start(v1.now)
    pm = gpu.caps[0x01]
    t_d3 = v1.now + g.j(1500 * MS, 1800 * MS)
    t_d0 = t_d3 + g.j(900 * MS, 1300 * MS)

    def to_d3(t):
        v = g.on(v1, t)
        g.mmio_read(v, w.reg(0x8010), site="amdkmdag!SetPowerState")
        g.cfg_read(v, gpu.bdf, pm + 4, 2, site="pci!PciSetPowerState")
        g.cfg_write(v, gpu.bdf, pm + 4, 2, 0x0003, site="pci!PciSetPowerState")

    def to_d0(t):
        v = g.on(v1, t)
        g.cfg_write(v, gpu.bdf, pm + 4, 2, 0x0000, site="pci!PciSetPowerState")
        g.step(v, g.j(1900 * US, 2300 * US) if bad else g.j(10400 * US, 11500 * US))
        gpu.configured = gpu.ready(v.now)
        g.mmio_read(v, w.reg(0x5428), site="amdkmdag!AsicInit")
        g.mmio_read(v, w.reg(0x8010), site="amdkmdag!AsicInit")
        for off in (0x2004, 0x2008, 0x3e00, 0x3e04, 0x3e08):
            g.mmio_write(v, w.reg(off), 4, 0x00010001, site="amdkmdag!AsicInit")
        g.mmio_read(v, w.reg(0x3e14), site="amdkmdag!AsicInit")
        w.last_done = v.now
    g.at(t_d3, to_d3)
    g.at(t_d0, to_d0)
    w.on_tdr = lambda t: win_gpu_tdr_amd(g, w, v1, t)
    end = t_d0 + 3500 * MS
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def win_gpu_tdr_amd(g, w, v, t):
    g.on(v, t)
    g.mmio_read(v, w.reg(0x8010), site="amdkmdag!TdrReset")
    g.mmio_write(v, w.reg(0x8020), 4, 0x00010001, site="amdkmdag!TdrReset")
    g.step(v, 1 * MS)
    g.mmio_write(v, w.reg(0x8020), 4, 0, site="amdkmdag!TdrReset")
    for _ in range(30):
        g.step(v, g.j(9 * MS, 11 * MS))
        g.mmio_read(v, w.reg(0x8010), site="amdkmdag!TdrWaitIdle")
    g.bugcheck(v, 0x116, 0xffffc60f2a3b4010, g.rip("amdkmdag!TdrEntry"), 0xffffffffc000009a, 0x4)


# -- NICs (Linux): TX tail writes, TX/RX completion interrupts, NAPI, the TX
# watchdog (5 s) with panic_on_warn=1 --------------------------------------

class Nic:
    """A Linux NIC driver's data path.  mode "msix": one vector per queue,
    the NAPI poll re-arms with an EIMS write; "msi"/"intx": one vector, the
    handler reads ICR (read to clear) and re-enables with IMS."""

    def __init__(self, g, dev, drv, regs, mode, txv=(0,), rxv=(1,), vcpus=None, ring=256, gsi=None,
                 tx_pps=600, rx_pps=400, src=None):
        self.g, self.dev, self.drv, self.regs, self.mode = g, dev, drv, regs, mode
        self.txv, self.rxv = txv, rxv
        self.vcpus = vcpus or g.vcpus
        self.ring, self.used = ring, 0
        self.tail = {}
        self.rdt = {}
        self.gsi = gsi
        self.tx_pps, self.rx_pps = tx_pps, rx_pps
        self.trans_start = None
        self.stopped_at = None
        self.icr = 0
        self.pending = set()
        self.on_timeout = None
        self.src = src
        self.dead = False
        self.gen = 0
        dev.rd[(regs["bar"], regs["status"])] = lambda t: regs["status_val"]
        if "icr" in regs:
            def icr(t):
                v, self.icr = self.icr, 0
                return v
            dev.rd[(regs["bar"], regs["icr"])] = icr
        for i, off in enumerate(regs.get("stats", ())):
            dev.rd[(regs["bar"], off)] = lambda t, i=i: (t // 7919 * (i + 3)) & 0xffffffff

    def addr(self, off):
        return self.dev.bar_addr(self.regs["bar"]) + off

    def handler(self, entry):
        def run(v):
            g, r = self.g, self.regs
            if self.mode != "msix":
                g.mmio_read(v, self.addr(r["icr"]), site=self.drv + "_intr")
            g.step(v, g.j(2 * US, 6 * US))
            if entry in self.txv or self.mode != "msix":
                self.used = max(0, self.used - g.j(8, 24))
                if self.stopped_at is not None and self.used < self.ring // 2:
                    self.stopped_at = None
            if entry in self.rxv or self.mode != "msix":
                q = self.rxv.index(entry) if entry in self.rxv else 0
                self.rdt[q] = (self.rdt.get(q, 0) + g.j(4, 16)) % 512
                g.mmio_write(v, self.addr(r["rdt"] + 0x40 * q), 4, self.rdt[q], site=self.drv + "_alloc_rx_buffers")
            if self.mode == "msix":
                g.mmio_write(v, self.addr(r["eims"]), 4, 1 << entry, site=self.drv + "_irq_enable_queues")
            else:
                g.mmio_write(v, self.addr(r["ims"]), 4, r["ims_val"], site=self.drv + "_irq_enable")
            self.pending.discard(entry)
        return run

    def raise_irq(self, t, entry, cause, force=False):
        if self.dead or (entry in self.pending and not force):
            return                       # interrupt moderation: one in flight
        self.icr |= cause
        self.pending.add(entry)
        v = self.g.device_irq(t, self.dev, entry, handler=self.handler(entry), gsi=self.gsi, src=self.src)
        if v is None:
            self.pending.add(entry)      # stays pending in the device

    def xmit(self, t, gen=None):
        if self.dead or gen != self.gen:
            return
        g = self.g
        if self.stopped_at is None:
            v = g.on(self.vcpus[g.j(0, len(self.vcpus) - 1)], t)
            q = self.txv.index(self.txv[0])
            self.tail[q] = (self.tail.get(q, 0) + g.j(1, 3)) % 512
            g.mmio_write(v, self.addr(self.regs["tdt"]), 4, self.tail[q], site=self.drv + "_xmit_frame")
            self.used += 2
            self.trans_start = v.now
            if self.used >= self.ring:
                self.stopped_at = v.now
            g.at(v.now + g.j(25 * US, 90 * US), lambda t2: self.raise_irq(t2, self.txv[0], 0x1))
        g.at(t + g.j(1 * S // self.tx_pps // 2, 3 * S // self.tx_pps // 2), lambda t2: self.xmit(t2, gen))

    def receive(self, t, gen=None):
        if self.dead or gen != self.gen:
            return
        g = self.g
        e = self.rxv[g.j(0, len(self.rxv) - 1)]
        self.raise_irq(t, e, 0x80)
        g.at(t + g.j(1 * S // self.rx_pps // 2, 3 * S // self.rx_pps // 2), lambda t2: self.receive(t2, gen))

    def watchdog(self, t, gen=None):
        """dev_watchdog and the driver's 2 s service task."""
        if self.dead or gen != self.gen:
            return
        g = self.g
        v = g.on(self.vcpus[-1], t)
        g.mmio_read(v, self.addr(self.regs["status"]), site=self.drv + "_watchdog_task")
        for off in self.regs.get("stats", ()):
            g.mmio_read(v, self.addr(off), site=self.drv + "_update_stats")
        if "ics" in self.regs and self.mode != "msix":
            # "cause a software interrupt to ensure the RX ring is cleaned"
            g.mmio_write(v, self.addr(self.regs["ics"]), 4, 0x10, site=self.drv + "_watchdog_task")
            g.at(v.now + g.j(3 * US, 8 * US), lambda t2: self.raise_irq(t2, self.rxv[0], 0x10, force=True))
        if self.stopped_at is not None and t - self.trans_start > 5 * S:
            self.dead = True
            self.on_timeout(v, t)
            return
        g.at(t + (2 * S if self.stopped_at is None else 500 * MS), lambda t2: self.watchdog(t2, gen))

    def start(self, t):
        self.gen += 1
        gen = self.gen
        self.g.at(t + self.g.j(1 * MS, 3 * MS), lambda t2: self.xmit(t2, gen))
        self.g.at(t + self.g.j(1 * MS, 3 * MS), lambda t2: self.receive(t2, gen))
        self.g.at(t + 2 * S, lambda t2: self.watchdog(t2, gen))


def netdev_watchdog_panic(g, nic, ifname, drvname):
    def crash(v, t):
        g.console(v, f"NETDEV WATCHDOG: {ifname} ({drvname}): transmit queue 0 timed out "
                     f"{(t - nic.trans_start) // MS} ms\r\n")
        g.pvpanic(v, "Kernel panic - not syncing: kernel: panic_on_warn set ...")
    return crash


IXGBE = dict(bar=0, status=0x42a4, status_val=0x40000082, tdt=0x6018, rdt=0x1018, eims=0xaa0,
             stats=(0x4074, 0x4080, 0x4088, 0x3fa0, 0x4010, 0x4034))
IGB = dict(bar=0, status=0x0008, status_val=0x00080783, tdt=0xe018, rdt=0xc018, icr=0x00c0, ims=0x00d0, ics=0x00c8,
           ims_val=0x1009d, eims=0x1524, stats=(0x4074, 0x4080, 0x4048, 0x40c0, 0x4010))
R8169 = dict(bar=2, status=0x006c, status_val=0x13, tdt=0x0038, rdt=0x00e4, icr=0x003e, ims=0x003c,
             ims_val=0x803f, stats=(0x0010, 0x0014))
ALX = dict(bar=0, status=0x1400, status_val=0x0000c000, tdt=0x1100, rdt=0x15e0, icr=0x1600, ims=0x1604,
           ims_val=0x0003b40f, stats=(0x1700, 0x1704, 0x1760))


def ixgbe_dev(g, bdf, did=0x10fb):
    d = g.add(Dev(bdf, 0x8086, did, 0x020000, rev=0x01, ssvid=0x8086, ssid=0x0003, pin=1))
    d.add_bar(0, 512 << 10, "mem64", addr=0xfe800000)
    d.add_bar(2, 32, "io", addr=0xd000)
    d.add_bar(4, 16 << 10, "mem64", addr=0xfe880000)
    d.cap_pm(0x40)
    d.cap_msi(0x50, is64=True, pvm=True)
    d.cap_msix(0x70, 64, 4, 0x0000, 4, 0x2000)
    d.cap_pcie(0xa0)
    return d


def linux_msix_vectors(g, n, first_vec=0x21, cpus=None):
    cpus = cpus if cpus is not None else [i % len(g.vcpus) for i in range(n)]
    return [(msi_addr(cpus[i]), first_vec + i) for i in range(n)]


def sc_ip_msix_function_mask(name, bad=True, boot=True):
    """Linux, 4 vcpus, posted-interrupt host, Intel 82599 (ixgbe), MSI-X.
    `ethtool -L` re-creates the interrupt scheme: MSI-X disabled, then
    enabled with the function masked while the table is written; the write
    that clears the Function Mask (Message Control bit 14) never comes.  No
    TX completion or RX interrupt can be sent; the TX ring fills, NETDEV
    WATCHDOG 5 s later, panic_on_warn."""
    g = Guest(name, 4, "linux", pi=True, vmx=True, names=False)
    q35(g)
    nic = ixgbe_dev(g, (0, 5, 0))
    nic.gsi = 16
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v = g.on(g.vcpus[1], v0.now + 20 * MS)
    enable(g, v, nic, master=True)
    vecs = linux_msix_vectors(g, 3, 0x22, cpus=[1, 2, 3])
    msix_enable(g, v, nic, vecs)
    base = nic.bar_addr(0)
    for off in (0x0, 0x8, 0x42a4, 0x10000):
        g.mmio_read(v, base + off, site="ixgbe_probe")
    n = Nic(g, nic, "ixgbe", IXGBE, "msix", txv=(0,), rxv=(1, 2), tx_pps=700, rx_pps=500)
    n.on_timeout = netdev_watchdog_panic(g, n, "enp0s5", "ixgbe")
    n.start(v.now)
    t_c = v.now + g.j(2000 * MS, 2400 * MS)

    def reconfigure(t):
        u = g.on(g.vcpus[1], t)
        x = nic.caps[0x11]
        g.mmio_write(u, base + 0x888, 4, 0x7fffffff, site="ixgbe_irq_disable")     # EIMC
        ctrl = g.cfg_read(u, nic.bdf, x + 2, 2, site="pci_disable_msix")
        g.cfg_write(u, nic.bdf, x + 2, 2, ctrl & 0x7ff, site="pci_disable_msix")
        g.step(u, g.j(200 * US, 600 * US))
        vecs2 = linux_msix_vectors(g, 5, 0x24, cpus=[0, 1, 2, 3, 0])
        msix_enable(g, u, nic, vecs2, clear_fmask=not bad)
        g.mmio_write(u, base + 0xaa0, 4, 0x1f, site="ixgbe_irq_enable")
        n.txv, n.rxv = (0,), (1, 2, 3, 4)
        n.pending.clear()
    g.at(t_c, reconfigure)
    end = t_c + 6 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


# -- NVMe (Linux): controller enable, admin and I/O queues, MSI-X -------------

class Nvme:
    """An NVMe controller's registers (BAR0) and the Linux nvme driver."""

    def __init__(self, g, bdf, vid, did, ssvid, ssid, addr, table_off=0x3000, pba_off=0x2000, nvec=33,
                 to=4, ready_delay=(18 * MS, 35 * MS), bus_dev=None):
        d = Dev(bdf, vid, did, 0x010802, rev=0x00, ssvid=ssvid, ssid=ssid, pin=1)
        d.add_bar(0, 16 << 10, "mem64", addr=addr)
        d.cap_pm(0x40)
        d.cap_msi(0x50, is64=True, pvm=True)
        d.cap_pcie(0x70)
        d.cap_msix(0xb0, nvec, 0, table_off, 0, pba_off)
        d.gsi = 16
        self.g, self.dev = g, d
        self.to, self.ready_delay = to, ready_delay
        self.cc, self.rdy_at, self.rdy_clear_at, self.cfs = 0, None, None, False
        self.broken = False           # CC.EN=1 never brings RDY
        self.hung = False             # commands are not processed
        self.on_nssr = None
        self.sq_tail, self.cq_head, self.inflight = {}, {}, {}
        self.qcpu = {}
        self.handler = {}
        d.regs[(0, 0x0)] = 0x00013fff | (to << 24)        # CAP: MQES, CQR, TO (500 ms units)
        d.regs[(0, 0x4)] = 0x00000030
        d.regs[(0, 0x8)] = 0x00010400
        d.rd[(0, 0x14)] = lambda t: self.cc
        d.rd[(0, 0x1c)] = self.csts
        d.wr[(0, 0x14)] = self.cc_write
        d.wr[(0, 0x20)] = self.nssr
        d.on_reset = self.reg_reset
        for qid in range(0, 9):
            d.wr[(0, 0x1000 + 8 * qid)] = lambda t, val, q=qid: self.sq_doorbell(t, q, val)
            d.wr[(0, 0x1004 + 8 * qid)] = lambda t, val, q=qid: self.cq_head.__setitem__(q, val)

    def reg_reset(self, t):
        self.cc, self.rdy_at, self.rdy_clear_at, self.cfs = 0, None, None, False
        self.inflight = {}

    def csts(self, t):
        rdy = 0
        if self.cc & 1:
            rdy = 1 if self.rdy_at is not None and t >= self.rdy_at else 0
        elif self.rdy_clear_at is not None and t < self.rdy_clear_at:
            rdy = 1
        return rdy | (2 if self.cfs else 0)

    def cc_write(self, t, val):
        was = self.cc & 1
        self.cc = val
        if was and not val & 1:
            self.rdy_clear_at = t + self.g.j(600 * US, 2500 * US)
            self.rdy_at, self.cfs, self.hung = None, False, self.hung
            self.inflight = {}
        elif not was and val & 1:
            self.rdy_at = None if self.broken else t + self.g.j(*self.ready_delay)

    def nssr(self, t, val):
        if val == 0x4e564d65:
            self.dev.reset(t)
            self.dev.not_ready_until = t + self.g.j(40 * MS, 70 * MS)

    def sq_doorbell(self, t, qid, val):
        if self.hung or not self.dev.alive or not (self.cc & 1):
            return
        self.sq_tail[qid] = val
        lat = self.g.j(15 * US, 60 * US) if qid == 0 else self.g.j(70 * US, 260 * US)
        self.g.at(t + lat, lambda t2: self.complete(t2, qid))

    def complete(self, t, qid):
        if self.hung or not self.dev.alive:
            return
        self.inflight[qid] = self.inflight.get(qid, 0) + 1
        g, d = self.g, self.dev

        def isr(v, qid=qid):
            n = self.inflight.pop(qid, 0)
            if not n:
                return
            g.step(v, g.j(1500, 4000))
            self.cq_head[qid] = (self.cq_head.get(qid, 0) + n) % 1024
            g.mmio_write(v, self.bar() + 0x1004 + 8 * qid, 4, self.cq_head[qid], site="nvme_irq")
            cb = self.handler.pop(qid, None)
            if cb:
                cb(v)
        g.device_irq(t, d, qid, handler=isr)

    def bar(self):
        return self.dev.bar_addr(0)

    # -- the driver
    def submit(self, v, qid, then=None):
        g = self.g
        self.sq_tail[qid] = (self.sq_tail.get(qid, 0) + 1) % 1024
        if then:
            self.handler[qid] = then
        g.mmio_write(v, self.bar() + 0x1000 + 8 * qid, 4, self.sq_tail[qid],
                     site="nvme_queue_rq" if qid else "nvme_submit_sync_cmd")

    def wait_ready(self, v, want, limit=None):
        """nvme_wait_ready: CSTS polled every 1-2 ms up to (CAP.TO + 1) / 2 s."""
        g = self.g
        limit = limit or (self.to + 1) * 500 * MS
        t_end = v.now + limit
        while True:
            csts = g.mmio_read(v, self.bar() + 0x1c, site="nvme_wait_ready")
            if csts == 0xffffffff:
                return csts
            if (csts & 1) == want:
                return csts
            if v.now > t_end:
                return csts
            g.step(v, g.j(1050 * US, 2100 * US))

    def enable_ctrl(self, v):
        g, b = self.g, self.bar()
        g.mmio_read(v, b + 0x0, site="nvme_pci_enable")
        g.mmio_read(v, b + 0x4, site="nvme_pci_enable")
        g.mmio_read(v, b + 0x8, site="nvme_init_ctrl_finish")
        if self.cc & 1:
            g.mmio_write(v, b + 0x14, 4, self.cc & ~1, site="nvme_disable_ctrl")
            self.wait_ready(v, 0)
        g.mmio_write(v, b + 0x24, 4, 0x001f001f, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x28, 4, 0x12340000, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x2c, 4, 0x1, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x30, 4, 0x12341000, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x34, 4, 0x1, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x14, 4, 0x00460001, site="nvme_enable_ctrl")
        return self.wait_ready(v, 1)

    def admin(self, v, n):
        """n admin commands (identify, set features, create queues), each
        waited for: its completion interrupt wakes the submitter."""
        g = self.g
        for _ in range(n):
            done = []
            self.submit(v, 0, then=lambda u: done.append(u.now))
            t_limit = v.now + 100 * MS
            g.run(v.now + 200 * US)
            while not done and v.now < t_limit:
                g.idle(v, v.now + 50 * US)
                g.run(v.now)
            g.step(v, g.j(5 * US, 30 * US))

    def bringup(self, v, qcpus):
        """probe: enable, MSI-X (admin + one I/O queue per listed vcpu), the
        controller, admin commands, the I/O queues."""
        g, d = self.g, self.dev
        enable(g, v, d)
        g.mmio_read(v, self.bar() + 0x1c, site="nvme_pci_enable")
        vecs = [(msi_addr(0), 0x24)] + [(msi_addr(c), 0x25 + i) for i, c in enumerate(qcpus)]
        msix_enable(g, v, d, vecs)
        self.enable_ctrl(v)
        self.admin(v, 4 + 2 * len(qcpus))
        for i, c in enumerate(qcpus):
            self.qcpu[i + 1] = c


class BlockIo:
    """Block I/O from the guest's tasks: each vcpu submits to its own queue.
    Tracks the oldest request without a completion (the hung-task view)."""

    def __init__(self, g, nv, iops_per_q, qids, depth=32):
        self.g, self.nv, self.iops, self.qids, self.depth = g, nv, iops_per_q, qids, depth
        self.waiting = {}
        self.outstanding = {}
        self.stopped = False
        self.gen = 0

    def done(self, qid):
        def cb(u):
            self.waiting.pop(qid, None)
            self.outstanding[qid] = 0
        return cb

    def issue(self, qid, gen):
        def run(t):
            if self.stopped or gen != self.gen:
                return
            g = self.g
            if self.outstanding.get(qid, 0) < self.depth:
                v = g.on(g.vcpus[self.nv.qcpu[qid]], t)
                if qid not in self.waiting:
                    self.waiting[qid] = v.now
                self.outstanding[qid] = self.outstanding.get(qid, 0) + 1
                self.nv.submit(v, qid, then=self.done(qid))
                t = v.now
            g.at(t + g.j(S // self.iops // 2, 3 * S // self.iops // 2), run)
        return run

    def oldest(self):
        return min(self.waiting.values()) if self.waiting else None

    def start(self, t):
        self.gen += 1
        self.waiting.clear()
        self.outstanding.clear()
        for q in self.qids:
            self.g.at(t + self.g.j(100 * US, 2 * MS), self.issue(q, self.gen))


def hung_task_check(g, io, panic_text, every=2 * S, limit=2 * S, vcpu=None):
    """khungtaskd with hung_task_timeout_secs=2, hung_task_panic=1."""
    def check(t):
        o = io.oldest()
        if o is not None and t - o > limit:
            v = g.on(vcpu or g.vcpus[0], t)
            io.stopped = True
            g.console(v, f"INFO: task jbd2/nvme0n1p2-8:{g.j(300, 400)} blocked for more than 2 seconds.\r\n")
            g.pvpanic(v, panic_text)
            return
        g.at(t + every, check)
    return check


def sc_ip_msix_vector_masked(name, bad=True, boot=True):
    """Linux, 2 vcpus, Kingston A2000 NVMe behind a root port.  After an
    s2idle suspend/resume the PCI core restores the MSI-X table from the
    whole saved Vector Control dword, whose reserved bits this controller
    sets: entry 1 (I/O queue 1, the one the root file system's writes wait
    on) comes back masked.  Its completions are never signalled; the
    writer blocks, khungtaskd panics."""
    g = Guest(name, 2, "linux")
    br, = q35(g, [(0x1c, 0, 1)])
    nv = Nvme(g, (1, 0, 0), 0x2646, 0x2263, 0x2646, 0x2263, 0xfe600000, table_off=0x2000, pba_off=0x3000,
              nvec=9)
    behind(g, br, nv.dev)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    v0.busy = True
    nv.bringup(v0, [0, 1])
    io = BlockIo(g, nv, 600, [1, 2])
    io.start(v0.now)
    t_susp = v0.now + g.j(1800 * MS, 2200 * MS)
    d = nv.dev
    pm = d.caps[0x01]
    x = d.caps[0x11]

    def suspend(t):
        io.stopped = True
        v = g.on(v0, t + 5 * MS)
        g.run(v.now)
        g.mmio_write(v, nv.bar() + 0x14, 4, nv.cc | 0x4000, site="nvme_disable_ctrl")   # CC.SHN normal
        g.step(v, 3 * MS)
        for off in range(0, 0x40, 4):
            g.cfg_read(v, d.bdf, off, 4, site="pci_save_state")
        g.cfg_write(v, d.bdf, pm + 4, 2, 0x0003, site="pci_set_power_state")
        g.idle(v, v.now + g.j(1500 * MS, 1900 * MS))
        # resume
        g.cfg_write(v, d.bdf, pm + 4, 2, 0x0000, site="pci_set_power_state")
        g.step(v, g.j(10200 * US, 11000 * US))
        for off in (0x10, 0x14, 0x0c, 0x3c):
            g.cfg_write(v, d.bdf, off, 4, d.r(off, 4), site="pci_restore_state")
        g.cfg_write(v, d.bdf, 0x04, 2, 0x0406, site="pci_restore_state")
        ctrl = g.cfg_read(v, d.bdf, x + 2, 2, site="pci_restore_msix_state")
        g.cfg_write(v, d.bdf, x + 2, 2, (ctrl & 0x7ff) | 0xc000, site="pci_restore_msix_state")
        base = nv.bar() + d.msix_table_off
        for i, (addr, data) in enumerate([(msi_addr(0), 0x24), (msi_addr(0), 0x25), (msi_addr(1), 0x26)]):
            g.mmio_write(v, base + 16 * i, 4, addr, site="pci_msix_write_msg")
            g.mmio_write(v, base + 16 * i + 4, 4, 0, site="pci_msix_write_msg")
            g.mmio_write(v, base + 16 * i + 8, 4, data, site="pci_msix_write_msg")
            # entry 1's saved Vector Control has a reserved bit set on this part
            # (0x4): restored as "masked" (0x5) by the buggy restore, with
            # only its mask bit honoured (0x4, unmasked) by the fixed one
            ctl = 0 if i != 1 else (0x5 if bad else 0x4)
            g.mmio_write(v, base + 16 * i + 12, 4, ctl, site="__pci_restore_msix_state")
        g.cfg_write(v, d.bdf, x + 2, 2, (ctrl & 0x7ff) | 0x8000, site="pci_restore_msix_state")
        nv.enable_ctrl(v)
        nv.admin(v, 2)
        io.stopped = False
        io.start(v.now)
        g.at(v.now + 1 * S, hung_task_check(g, io, "Kernel panic - not syncing: hung_task: blocked tasks", vcpu=v1))
    g.at(t_susp, suspend)
    end = t_susp + 7 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def nvme_timeout(g, nv, io, timeout, on_timeout):
    """blk-mq's timeout (nvme_core.io_timeout): the oldest request without a
    completion for `timeout` calls nvme_timeout."""
    def check(t):
        o = io.oldest()
        if o is not None and t - o > timeout:
            io.stopped = True
            on_timeout(g.on(g.vcpus[0], t), t)
            return
        g.at(t + 250 * MS, check)
    return check


def panic_init_killed(g, v):
    g.step(v, g.j(250 * MS, 450 * MS))
    g.console(v, "EXT4-fs error (device nvme0n1p2): ext4_journal_check_start:83: comm systemd: "
                 "Detected aborted journal\r\n")
    g.pvpanic(v, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00007f00")


def sc_device_gone_nvme(name, bad=True, boot=True):
    """Linux, 2 vcpus, WD Black SN750 behind a root port, nvme_core.io_timeout=2.
    The drive's autonomous power-state transition to its deepest state
    fails and it drops off the link: every BAR read is all-ones and the
    vendor id reads 0xffff.  nvme_timeout finds CSTS all-ones, the reset
    work finds the device gone and removes it; the root file system goes,
    init dies."""
    g = Guest(name, 2, "linux")
    br, = q35(g, [(0x1c, 0, 1)])
    nv = Nvme(g, (1, 0, 0), 0x15b7, 0x5006, 0x15b7, 0x5006, 0xfe600000)
    behind(g, br, nv.dev)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    nv.bringup(v0, [0, 1])
    io = BlockIo(g, nv, 500, [1, 2])
    io.start(v0.now)
    t_gone = v0.now + g.j(2200 * MS, 2600 * MS)
    d = nv.dev

    def gone(t):
        if bad:
            d.alive = False

    def on_timeout(v, t):
        csts = g.mmio_read(v, nv.bar() + 0x1c, site="nvme_timeout")
        g.cfg_read(v, d.bdf, 0x06, 2, site="nvme_timeout")
        g.console(v, f"nvme nvme0: controller is down; will reset: CSTS=0x{csts:x}, PCI_STATUS=0xffff\r\n")
        g.step(v, g.j(1 * MS, 3 * MS))
        g.mmio_read(v, nv.bar() + 0x1c, site="nvme_dev_disable")
        g.cfg_read(v, d.bdf, 0x04, 2, site="pci_enable_device_mem")
        g.mmio_read(v, nv.bar() + 0x1c, site="nvme_pci_enable")
        g.cfg_read(v, d.bdf, 0x00, 4, site="pci_device_is_present")
        g.console(v, "nvme nvme0: Removing after probe failure status: -19\r\n")
        panic_init_killed(g, v)
    g.at(t_gone, gone)
    g.at(v0.now + 500 * MS, nvme_timeout(g, nv, io, 2 * S, on_timeout))
    end = t_gone + 4 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_reset_hang_nvme(name, bad=True, boot=True):
    """Linux, 2 vcpus, Samsung 970 EVO Plus, nvme_core.io_timeout=2, VMX
    host, no thread names.  The controller stops completing commands and
    reports Controller Fatal Status; nvme_timeout resets it: CC.EN=0, RDY
    goes 0, admin queue reprogrammed, CC.EN=1, then CSTS polled every 1-2 ms
    for CAP.TO (2 s) + 0.5 s: RDY never comes.  'Device not ready;
    aborting initialisation', the device is removed, init dies."""
    g = Guest(name, 2, "linux", vmx=True, names=False)
    nv = Nvme(g, (0, 4, 0), 0x144d, 0xa808, 0x144d, 0xa801, 0xfebd0000)
    q35(g)
    g.add(nv.dev)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    nv.bringup(v0, [0, 1])
    io = BlockIo(g, nv, 500, [1, 2])
    start_recording(g)
    io.start(v0.now)
    t_fail = v0.now + g.j(1800 * MS, 2200 * MS)

    def fail(t):
        nv.hung = True
        nv.cfs = True
        nv.broken = bad

    def on_timeout(v, t):
        csts = g.mmio_read(v, nv.bar() + 0x1c, site="nvme_timeout")
        g.console(v, f"nvme nvme0: controller is down; will reset: CSTS=0x{csts:x}, PCI_STATUS=0x10\r\n")
        nv.hung = False
        csts = nv.enable_ctrl(v)
        if not csts & 1:
            g.console(v, f"nvme nvme0: Device not ready; aborting initialisation, CSTS=0x{csts:x}\r\n")
            g.console(v, "nvme nvme0: Removing after probe failure status: -19\r\n")
            panic_init_killed(g, v)
            return
        nv.admin(v, 6)
        io.stopped = False
        io.start(v.now)
    g.at(t_fail, fail)
    g.at(v0.now + 500 * MS, nvme_timeout(g, nv, io, 2 * S, on_timeout))
    end = t_fail + 6 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_too_soon_no_restore(name, bad=True, boot=True):
    """Linux, 4 vcpus, Samsung PM9A1 directly on the root bus.  An admin
    runs `nvme subsystem-reset`: NSSR resets the PCIe function too, so its
    command register and BARs read 0 afterwards.  Half a second later the
    driver's reset work re-enables the function without restoring its saved
    config space (pci_restore_state): memory decode is turned on with BAR0
    still 0 and the controller is accessed at its old address: all-ones,
    the device is removed, init dies."""
    g = Guest(name, 4, "linux")
    q35(g)
    nv = Nvme(g, (0, 6, 0), 0x144d, 0xa80a, 0x144d, 0xa801, 0xfe400000)
    g.add(nv.dev)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    nv.bringup(v0, [0, 1, 2, 3])
    io = BlockIo(g, nv, 300, [1, 2, 3, 4])
    io.start(v0.now)
    d = nv.dev
    t_nssr = v0.now + g.j(1800 * MS, 2100 * MS)
    old_bar = nv.bar()

    def nssr(t):
        io.stopped = True
        v = g.on(g.vcpus[2], t)
        g.mmio_read(v, old_bar + 0x0, site="nvme_subsystem_reset")
        g.mmio_write(v, old_bar + 0x20, 4, 0x4e564d65, site="nvme_subsystem_reset")
        g.stale_ranges.append((old_bar, 16 << 10, 0xffffffff))
        g.idle(v, v.now + g.j(480 * MS, 560 * MS))
        cmd = g.cfg_read(v, d.bdf, 0x04, 2, site="pci_enable_device_mem")
        g.cfg_read(v, d.bdf, 0x10, 4, site="nvme_dev_map")
        if bad:
            g.cfg_write(v, d.bdf, 0x04, 2, cmd | 0x2, site="pci_enable_resources")
        else:
            for off in range(0x3c, 0x0c, -4):
                g.cfg_write(v, d.bdf, off, 4, nv.saved[off], site="pci_restore_state")
            g.cfg_write(v, d.bdf, 0x04, 2, 0x0406, site="pci_restore_state")
            x = d.caps[0x11]
            g.cfg_write(v, d.bdf, x + 2, 2, 0x8000 | (len(d.msix_table) - 1), site="pci_restore_msix_state")
            base = old_bar + d.msix_table_off
            for i in range(5):
                for k, val in enumerate((msi_addr(0 if i == 0 else i - 1), 0, 0x24 + i, 0)):
                    g.mmio_write(v, base + 16 * i + 4 * k, 4, val, site="pci_msix_write_msg")
        csts = g.mmio_read(v, old_bar + 0x1c, site="nvme_pci_enable")
        if csts == 0xffffffff:
            g.console(v, "nvme nvme0: Removing after probe failure status: -19\r\n")
            panic_init_killed(g, v)
            return
        nv.enable_ctrl(v)
        nv.admin(v, 10)
        io.stopped = False
        io.start(v.now)
    nv.saved = {off: d.r(off, 4) for off in range(0x10, 0x40, 4)}
    g.at(t_nssr, nssr)
    end = t_nssr + 4 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_healthy_nvme_doorbells(name, bad=False, boot=True):
    """Linux, 4 vcpus, Samsung 980 PRO under fio: every vcpu rings its
    submission queue's tail doorbell and its completion queue's head
    doorbell thousands of times; doorbells are write-only and never read."""
    g = Guest(name, 4, "linux")
    q35(g)
    nv = Nvme(g, (0, 6, 0), 0x144d, 0xa80a, 0x144d, 0xa801, 0xfe400000)
    g.add(nv.dev)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    nv.bringup(v0, [0, 1, 2, 3])
    for v in g.vcpus:
        v.busy = True
    io = BlockIo(g, nv, 2200, [1, 2, 3, 4], depth=1)
    io.start(v0.now)
    end = v0.now + 1000 * MS
    g.run(end)
    g.finish(end)
    return g


def sc_ip_msi_bad_dest(name, bad=True, boot=True):
    """Linux, 2 vcpus (APIC ids 0 and 1), Intel I210 (igb) in MSI mode
    (igb.IntMode=1).  The driver's reset path rewrites the MSI address from a
    destination it computed itself, APIC id 4 (address 0xfee04000), a CPU
    number from the 8-vcpu template the VM was cloned from.  KVM finds no
    vcpu with that APIC id: kvm_msi_set_irq, then nothing.  TX watchdog."""
    g = Guest(name, 2, "linux")
    q35(g)
    d = g.add(Dev((0, 7, 0), 0x8086, 0x1533, 0x020000, rev=0x03, ssvid=0x8086, ssid=0x0001, pin=1))
    d.add_bar(0, 128 << 10, "mem32", addr=0xfea00000)
    d.add_bar(2, 32, "io", addr=0xd040)
    d.add_bar(3, 16 << 10, "mem32", addr=0xfea20000)
    d.cap_pm(0x40)
    d.cap_msi(0x50, is64=True, pvm=True)
    d.cap_msix(0x70, 5, 3, 0x0000, 3, 0x2000)
    d.cap_pcie(0xa0)
    d.gsi = 19
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v0, d)
    msi_enable(g, v0, d, msi_addr(1), 0x23)
    for off in (0x0, 0x8, 0x18, 0x5b54):
        g.mmio_read(v0, d.bar_addr(0) + off, site="igb_probe")
    n = Nic(g, d, "igb", IGB, "msi", txv=(0,), rxv=(0,), tx_pps=500, rx_pps=300)
    n.on_timeout = netdev_watchdog_panic(g, n, "enp0s7", "igb")
    n.start(v0.now)
    t_c = v0.now + g.j(1900 * MS, 2300 * MS)
    m = d.caps[0x05]

    def reset_task(t):
        v = g.on(v0, t)
        g.mmio_write(v, n.addr(0x00d8), 4, 0xffffffff, site="igb_irq_disable")       # IMC
        g.mmio_write(v, n.addr(0x0000), 4, 0x04000000, site="igb_reset")            # CTRL.RST
        g.step(v, g.j(1 * MS, 2 * MS))
        for _ in range(3):
            g.mmio_read(v, n.addr(0x0010), site="igb_get_auto_rd_done")              # EECD
        ctrl = g.cfg_read(v, d.bdf, m + 2, 2, site="igb_restore_msi")
        g.cfg_write(v, d.bdf, m + 2, 2, ctrl & ~1, site="igb_restore_msi")
        g.cfg_write(v, d.bdf, m + 4, 4, 0xfee04000 if bad else 0xfee01000, site="igb_restore_msi")
        g.cfg_write(v, d.bdf, m + 8, 4, 0, site="igb_restore_msi")
        g.cfg_write(v, d.bdf, m + 0xc, 2, 0x23, site="igb_restore_msi")
        g.cfg_write(v, d.bdf, m + 2, 2, ctrl | 1, site="igb_restore_msi")
        g.mmio_write(v, n.addr(0x00d0), 4, IGB["ims_val"], site="igb_irq_enable")
        n.pending.clear()
    g.at(t_c, reset_task)
    end = t_c + 6500 * MS
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_ip_ioapic_masked(name, bad=True, boot=True):
    """Linux, 1 vcpu, Realtek RTL8111 (r8169) on level INTx (pci=nomsi).
    The driver's reset task calls disable_irq() and, on its error path,
    never enable_irq().  Linux disables lazily: the next interrupt finds the
    line disabled and masks its IO-APIC entry (bit 16), then EOIs; the line
    stays asserted behind the mask for good.  TX watchdog."""
    g = Guest(name, 1, "linux")
    q35(g)
    d = g.add(Dev((0, 8, 0), 0x10ec, 0x8168, 0x020000, rev=0x15, ssvid=0x1849, ssid=0x8168, pin=1))
    d.add_bar(0, 256, "io", addr=0xd100)
    d.add_bar(2, 4 << 10, "mem64", addr=0xfea40000)
    d.add_bar(4, 16 << 10, "mem64", pref=True, addr=0xfea44000)
    d.cap_pm(0x40)
    d.cap_msi(0x50, is64=True)
    d.cap_pcie(0x70)
    d.cap_msix(0xb0, 4, 4, 0x0000, 4, 0x0800)
    gsi = d.gsi = 16
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    enable(g, v0, d, io=True)
    g.ioapic_program(v0, gsi, 0x23, 0, level=True, masked=True)
    g.ioapic_mask(v0, gsi, False, site="vmlinux!unmask_ioapic_irq")
    for off in (0x40, 0x44, 0x6c, 0x37):
        g.mmio_read(v0, d.bar_addr(2) + off, site="rtl_init_one")
    n = Nic(g, d, "rtl8169", R8169, "intx", txv=(0,), rxv=(0,), gsi=gsi, tx_pps=400, rx_pps=250)
    n.on_timeout = netdev_watchdog_panic(g, n, "enp0s8", "r8169")
    n.start(v0.now)
    t_c = v0.now + g.j(1900 * MS, 2300 * MS)

    def reset_task(t):
        v = g.on(v0, t)
        # disable_irq(): lazy, nothing reaches the IO-APIC yet
        g.mmio_write(v, n.addr(0x3c), 2, 0x0000, site="rtl_reset_work")
        g.mmio_write(v, n.addr(0x37), 1, 0x10, site="rtl_hw_reset")
        for _ in range(4):
            g.step(v, g.j(90 * US, 120 * US))
            g.mmio_read(v, n.addr(0x37), 1, site="rtl_hw_reset")
        for off, val in ((0x44, 0x0000e70f), (0x40, 0x03000700), (0xe0, 0x2061)):
            g.mmio_write(v, n.addr(off), 4, val, site="rtl_hw_start")
        g.mmio_write(v, n.addr(0x3c), 2, 0x803f, site="rtl_irq_enable")
        # the NIC has TX completions pending: it asserts INTx at once
        t1 = v.now + g.j(8 * US, 20 * US)
        u = g.intx(t1, gsi)
        g.wake(v, t1 + 4 * US)
        g.inject(v, 0x23)
        # handle_fasteoi_irq on a disabled line: mask it, EOI
        g.ioapic_mask(v, gsi, True, site="vmlinux!mask_ioapic_irq")
        g.eoi(v, 0x23, gsi=gsi)
        g.intx(v.now + g.j(10 * US, 25 * US), gsi)           # still asserted: masked
        if not bad:
            g.step(v, g.j(40 * US, 90 * US))
            g.ioapic_mask(v, gsi, False, site="vmlinux!unmask_ioapic_irq")   # enable_irq()
            g.emit(v.now, v, "kvm_apic_accept_irq", apicid=0, dm=0, tm=1, vec=0x23)
            g.inject(v, 0x23)
            n.handler(0)(v)
            g.eoi(v, 0x23, gsi=gsi)
            n.pending.clear()
        else:
            n.pending.add(0)
    g.at(t_c, reset_task)
    end = t_c + 6500 * MS
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_ip_msi_disabled_suspend(name, bad=True, boot=True):
    """Linux, 2 vcpus, Qualcomm Atheros AR8161 (alx) behind a root port, one
    MSI.  The suspend hook frees the IRQ and clears MSI Enable (Message
    Control bit 0); the resume hook re-initialises the MAC and reuses the
    old IRQ number without enabling MSI again.  INTx Disable is still set:
    the NIC has no way to interrupt.  TX watchdog."""
    g = Guest(name, 2, "linux")
    br, = q35(g, [(0x1c, 0, 1)])
    d = behind(g, br, Dev((1, 0, 0), 0x1969, 0x1091, 0x020000, rev=0x10, ssvid=0x1043, ssid=0x8506, pin=1))
    d.add_bar(0, 256 << 10, "mem64", addr=0xfe600000)
    d.add_bar(2, 128, "io", addr=0xe000)
    d.cap_pm(0x40)
    d.cap_msi(0x48, is64=True)
    d.cap_pcie(0x58)
    d.gsi = 16
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v0, d)
    msi_enable(g, v0, d, msi_addr(0), 0x26)
    for off in (0x1400, 0x1404, 0x12c0):
        g.mmio_read(v0, d.bar_addr(0) + off, site="alx_probe")
    n = Nic(g, d, "alx", ALX, "msi", txv=(0,), rxv=(0,), tx_pps=450, rx_pps=350)
    n.on_timeout = netdev_watchdog_panic(g, n, "enp1s0", "alx")
    n.start(v0.now)
    t_s = v0.now + g.j(1700 * MS, 2100 * MS)
    m, pm = d.caps[0x05], d.caps[0x01]

    def suspend(t):
        n.dead = True
        v = g.on(v1, t)
        g.mmio_write(v, n.addr(0x1604), 4, 0, site="alx_irq_disable")
        ctrl = g.cfg_read(v, d.bdf, m + 2, 2, site="alx_suspend")
        g.cfg_write(v, d.bdf, m + 2, 2, ctrl & ~1, site="alx_suspend")           # pci_disable_msi
        for off in range(0, 0x40, 4):
            g.cfg_read(v, d.bdf, off, 4, site="pci_save_state")
        g.cfg_write(v, d.bdf, pm + 4, 2, 0x0003, site="pci_set_power_state")
        g.idle(v, v.now + g.j(1200 * MS, 1600 * MS))
        g.cfg_write(v, d.bdf, pm + 4, 2, 0x0000, site="pci_set_power_state")
        g.step(v, g.j(10200 * US, 11500 * US))
        for off in (0x14, 0x10, 0x0c):
            g.cfg_write(v, d.bdf, off, 4, d.r(off, 4), site="pci_restore_state")
        g.cfg_write(v, d.bdf, 0x04, 2, 0x0406, site="pci_restore_state")
        for off, val in ((0x1400, 0x0000c000), (0x1404, 0x00000080), (0x12c0, 0x21)):
            g.mmio_write(v, n.addr(off), 4, val, site="alx_reinit")
        if not bad:
            g.cfg_write(v, d.bdf, m + 4, 4, msi_addr(0), site="alx_request_irq")
            g.cfg_write(v, d.bdf, m + 8, 4, 0, site="alx_request_irq")
            g.cfg_write(v, d.bdf, m + 0xc, 2, 0x26, site="alx_request_irq")
            g.cfg_write(v, d.bdf, m + 2, 2, ctrl | 1, site="alx_request_irq")
        g.mmio_write(v, n.addr(0x1604), 4, ALX["ims_val"], site="alx_irq_enable")
        n.dead = False
        n.pending.clear()
        n.used, n.stopped_at = 0, None
        n.start(v.now)
    g.at(t_s, suspend)
    end = t_s + 9 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


# -- HD Audio (Windows): codec verbs through CORB/RIRB, an output stream ------

class Hda:
    """An HD Audio controller (BAR0) and Windows' HDAudBus.sys: output
    stream SD4 (the first output stream with 4 input streams) running with
    10 ms periods, each period's IOC interrupt, the position register LPIB
    read by the audio engine, codec verbs with their RIRB interrupts."""

    def __init__(self, g, dev, vec, gsi=None, cbl=0x3c00, period=0x780):
        self.g, self.dev, self.vec, self.gsi = g, dev, vec, gsi
        self.cbl, self.period = cbl, period
        self.t_run = None
        self.rirbwp = 0
        self.intsts = 0
        self.sd_sts = 0
        self.bad_lpib = None
        self.storm_from = None
        self.gen = 0
        dev.regs[(0, 0x00)] = 0x4401
        dev.regs[(0, 0x02)] = 0x0100
        dev.regs[(0, 0x08)] = 0x1
        dev.regs[(0, 0x0e)] = 0x1
        dev.regs[(0, 0x108)] = cbl
        dev.rd[(0, 0x24)] = lambda t: self.intsts
        dev.rd[(0, 0x58)] = lambda t: self.rirbwp
        dev.rd[(0, 0x5d)] = lambda t: 0x04 if self.storm_from is not None and t >= self.storm_from else \
            (0x01 if self.intsts & 0x40000000 else 0)
        dev.rd[(0, 0x103)] = lambda t: self.sd_sts
        dev.rd[(0, 0x104)] = self.lpib
        dev.rd[(0, 0x30)] = lambda t: (t * 24 // 1000) & 0xffffffff
        def sts_w(t, val):
            self.sd_sts &= ~val
            if not self.sd_sts:
                self.intsts &= ~0x10
        dev.wr[(0, 0x103)] = sts_w
        def rirbsts_w(t, val):
            if val & 1:
                self.intsts &= ~0x40000000
        dev.wr[(0, 0x5d)] = rirbsts_w
        def corbwp_w(t, val):
            if self.dev.cmd() & 0x2 and self.dev.ready(t):
                self.g.at(t + self.g.j(15 * US, 40 * US), self.response)
        dev.wr[(0, 0x48)] = corbwp_w

    def lpib(self, t):
        if self.bad_lpib is not None and t >= self.bad_lpib[0]:
            val, self.bad_lpib = self.bad_lpib[1], None
            return val
        if self.t_run is None:
            return 0
        return ((t - self.t_run) * self.period // (10 * MS)) % self.cbl

    def reg(self, off):
        return self.dev.bar_addr(0) + off

    def isr(self, v):
        g = self.g
        sts = g.mmio_read(v, self.reg(0x24), site="HDAudBus!HdaController::Isr")
        if sts & 0x10:
            g.mmio_read(v, self.reg(0x103), 1, site="HDAudBus!HdaController::Isr")
            g.mmio_write(v, self.reg(0x103), 1, 0x04, site="HDAudBus!HdaController::Isr")
        if sts & 0x40000000:
            r = g.mmio_read(v, self.reg(0x5d), 1, site="HDAudBus!HdaController::Isr")
            if r & 1:
                g.mmio_write(v, self.reg(0x5d), 1, 0x01, site="HDAudBus!HdaController::Isr")
                g.mmio_read(v, self.reg(0x58), 2, site="HDAudBus!HdaController::Dpc")

    def raise_irq(self, t):
        self.g.device_irq(t, self.dev, 0, handler=self.isr, gsi=self.gsi)

    def response(self, t):
        self.rirbwp = (self.rirbwp + 1) & 0xff
        self.intsts |= 0xc0000000
        self.raise_irq(t)

    def period_irq(self, t, gen=None):
        if gen != self.gen or self.t_run is None:
            return
        self.sd_sts |= 0x04
        self.intsts |= 0x80000010
        self.raise_irq(t)
        self.g.at(t + 10 * MS + self.g.j(0, 20 * US), lambda t2: self.period_irq(t2, gen))

    def engine(self, v_idx, every=10 * MS, site="audiodg!CAudioEngine::GetPosition"):
        """The audio engine reads the position once a period."""
        gen = self.gen
        def run(t):
            if gen != self.gen or self.t_run is None:
                return
            v = self.g.on(self.g.vcpus[v_idx], t)
            self.g.mmio_read(v, self.reg(0x104), site=site)
            self.g.at(v.now + every + self.g.j(0, 900 * US), run)
        return run

    def verb(self, v, n=1):
        g = self.g
        for _ in range(n):
            g.mmio_write(v, self.reg(0x48), 2, g.j(1, 255), site="HDAudBus!HdaController::SendVerb")
            g.step(v, g.j(60 * US, 150 * US))

    def start_stream(self, v, engine_vcpu):
        g = self.g
        for off, val in ((0x118, 0x3a1c0000), (0x11c, 0x1), (0x112, 0x0011), (0x10c, 0x7)):
            g.mmio_write(v, self.reg(off), 4 if off < 0x10c else 2, val, site="HDAudBus!HdaStream::Configure")
        g.mmio_write(v, self.reg(0x100), 4, 0x00100006, site="HDAudBus!HdaStream::Run")
        self.gen += 1
        self.t_run = v.now
        g.at(v.now + 10 * MS, lambda t: self.period_irq(t, self.gen))
        g.at(v.now + g.j(1 * MS, 5 * MS), self.engine(engine_vcpu))

    def bringup(self, v):
        g = self.g
        for off, n in ((0x00, 2), (0x08, 4), (0x0e, 2)):
            g.mmio_read(v, self.reg(off), n, site="HDAudBus!HdaController::Initialize")
        g.mmio_write(v, self.reg(0x08), 4, 0x0, site="HDAudBus!HdaController::Reset")
        g.step(v, 100 * US)
        g.mmio_write(v, self.reg(0x08), 4, 0x1, site="HDAudBus!HdaController::Reset")
        g.step(v, 600 * US)
        for off, n, val in ((0x40, 4, 0x3a100000), (0x44, 4, 1), (0x4c, 1, 0x2), (0x50, 4, 0x3a101000),
                            (0x54, 4, 1), (0x5a, 2, 1), (0x5c, 1, 0x3), (0x20, 4, 0xc00000ff)):
            g.mmio_write(v, self.reg(off), n, val, site="HDAudBus!HdaController::Initialize")
        self.verb(v, 12)


def hda_dev(g, bdf, vid, did, ssvid, ssid, addr, br=None, hdr=0x00, pin=1):
    d = Dev(bdf, vid, did, 0x040300, rev=0x10, hdr=hdr, ssvid=ssvid, ssid=ssid, pin=pin)
    d.add_bar(0, 16 << 10, "mem64" if br is None else "mem32", addr=addr)
    d.cap_pm(0x50)
    d.cap_msi(0x60, is64=True)
    d.cap_pcie(0x70, flr=False)
    return behind(g, br, d) if br else g.add(d)


def nvidia_with_audio(g, br):
    gpu, aud = nvidia(g, br, 0x1e84, 0x139f, 0x10f8)
    return gpu, aud


def sc_ip_decode_off(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, RTX 2070 SUPER's HDMI audio function (01:00.1),
    line-based.  A PnP resource rebalance stops the function: pci.sys
    clears Memory Space Enable while HDAudBus's verb DPC is still waiting
    for a codec response: the CORB write goes nowhere and RIRBWP reads 0
    for ever (QEMU unmaps the BAR; bare metal would return all-ones).
    DPC_WATCHDOG_VIOLATION (0x133)."""
    g = Guest(name, 2, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia_with_audio(g, br)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v1, gpu, io=True)
    g.on(v1, v0.now + 20 * MS)
    enable(g, v1, aud)
    g.ioapic_program(v1, aud.gsi, 0x72, 0, level=True, site="hal!HalpIoApicProgram")
    h = Hda(g, aud, 0x72, gsi=aud.gsi)
    h.bringup(v1)
    h.start_stream(v1, 1)
    t_c = v1.now + g.j(1800 * MS, 2200 * MS)

    def rebalance(t):
        v = g.on(v1, t)
        if not bad:
            g.mmio_write(v, h.reg(0x100), 4, 0x00100000, site="HDAudBus!HdaStream::Stop")
            h.t_run = None
            g.mmio_write(v, h.reg(0x20), 4, 0, site="HDAudBus!HdaController::Stop")
        cmd = g.cfg_read(v, aud.bdf, 0x04, 2, site="pci!PciDecodeEnable")
        g.cfg_write(v, aud.bdf, 0x04, 2, cmd & ~0x3, site="pci!PciDecodeEnable")
        if bad:
            # the verb DPC on vcpu 0: CORBWP written, RIRBWP polled, 200 us stalls
            u = g.on(v0, v.now + g.j(30 * US, 80 * US))
            g.mmio_write(u, h.reg(0x48), 2, 0x21, site="HDAudBus!HdaController::SendVerb")
            wp = h.rirbwp
            t_end = u.now + g.j(2700 * MS, 3000 * MS)
            while u.now < t_end and g.mmio_read(u, h.reg(0x58), 2, site="HDAudBus!HdaController::WaitResponse") in (wp, 0):
                g.step(u, g.j(195 * US, 215 * US))
            g.bugcheck(u, 0x133, 0, 0x501, 0x500, 0xfffff80412f1d340)
            return
        g.idle(v, v.now + g.j(40 * MS, 80 * MS))
        g.cfg_write(v, aud.bdf, 0x04, 2, cmd, site="pci!PciDecodeEnable")
        g.mmio_write(v, h.reg(0x20), 4, 0xc00000ff, site="HDAudBus!HdaController::Initialize")
        h.verb(v, 4)
        h.start_stream(v, 1)
    g.at(t_c, rebalance)
    end = t_c + 3500 * MS
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_irq_storm_msi(name, bad=True, boot=True):
    """Windows 10, 4 vcpus, GTX 1660's HDMI audio function in MSI mode (the
    'MSI utility' registry tweak).  After a codec unsolicited-response burst
    the controller reports RIRB overrun (RIRBSTS bit 2), which HDAudBus's
    ISR does not handle: it reads INTSTS and RIRBSTS, returns, and the
    controller signals again at once.  The rate jumps from 100/s to 10k/s
    with nothing cleared; DPC_WATCHDOG_VIOLATION (0x133, cumulative)."""
    g = Guest(name, 4, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia(g, br, 0x2184, 0x3fc7, 0x1aeb)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v1 = g.on(g.vcpus[1], v0.now + 20 * MS)
    enable(g, v1, gpu, io=True)
    enable(g, v1, aud)
    msi_enable(g, v1, aud, msi_addr(0), 0x72)
    h = Hda(g, aud, 0x72)
    h.bringup(v1)
    h.start_stream(v1, 2)
    start_recording(g)
    t_c = v1.now + g.j(1800 * MS, 2100 * MS)

    def storm_isr(v):
        g.mmio_read(v, h.reg(0x24), site="HDAudBus!HdaController::Isr")
        g.mmio_read(v, h.reg(0x5d), 1, site="HDAudBus!HdaController::Isr")

    def storm(t):
        if not bad:
            # the same burst handled: responses read, RIRBSTS cleared
            v = g.on(g.vcpus[1], t)
            for _ in range(6):
                h.response(v.now)
                g.step(v, g.j(150 * US, 400 * US))
            return
        h.storm_from = t
        h.intsts |= 0xc0000000
        state = {"n": 0}

        def again(t2):
            if g.crashed:
                return
            g.msi(t2, msi_addr(0), 0x72, handler=storm_isr)
            state["n"] += 1
            if t2 - t > 1800 * MS:
                u = g.on(g.vcpus[0], t2 + 20 * US)
                g.bugcheck(u, 0x133, 1, 0x1e00, 0xfffff80412f1c378, 0)
                return
            g.at(max(t2 + g.j(140 * US, 220 * US), g.vcpus[0].now + g.j(5 * US, 12 * US)), again)
        g.at(t, again)
    g.at(t_c, storm)
    end = t_c + 3 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_bad_value_hda(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, Cannon Lake PCH HD Audio (8086:a348) at 00:1b.0,
    MSI.  The stream's link position (SD4 LPIB) has only ever read values
    below the cyclic buffer length (0x3c00); one read returns 0x3c1a0 and
    the DPC that read it indexes the DMA buffer with it:
    DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xd1) 30 us later, on the same vcpu."""
    g = Guest(name, 2, "windows")
    q35(g)
    d = hda_dev(g, (0, 0x1b, 0), 0x8086, 0xa348, 0x1043, 0x8724, 0xfebf8000 & ~0x3fff)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v0, d)
    msi_enable(g, v0, d, msi_addr(1), 0x71)
    h = Hda(g, d, 0x71)
    h.bringup(v0)
    h.start_stream(v0, 0)
    start_recording(g)
    t_bad = v0.now + g.j(2500 * MS, 2900 * MS)
    st = {"used": False}

    def dpc_position(t):
        """HDAudBus's position DPC on vcpu 1: LPIB, then the buffer index."""
        if g.crashed:
            return
        v = g.on(v1, t)
        if bad and t >= t_bad and not st["used"]:
            h.bad_lpib = (v.now, 0x0003c1a0)
            st["used"] = True
        pos = g.mmio_read(v, h.reg(0x104), site="HDAudBus!HdaStream::GetLinkPosition")
        if pos >= h.cbl:
            g.step(v, g.j(20 * US, 40 * US))
            g.bugcheck(v, 0xd1, 0xffffb30d4e800000 + pos, 2, 0, g.rip("HDAudBus!HdaStream::CopyToDma"))
            return
        g.at(v.now + 10 * MS + g.j(0, 500 * US), dpc_position)
    g.at(v0.now + 3 * MS, dpc_position)
    end = t_bad + 2 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


# -- resets: FLR, secondary bus reset ------------------------------------------

def sc_too_soon_flr(name, bad=True, boot=True):
    """Linux, 2 vcpus, VMX host, Mellanox ConnectX-5 (mlx5_core).  The
    driver's health recovery resets the function with an FLR (PCIe Device
    Control bit 15) and, in this build, waits 20 ms instead of the 100 ms
    the spec requires before touching it.  Its config restore is dropped
    (the function is still in reset), so after the reset the function has
    no BARs and no decode: the initialization segment reads all-ones
    ('initializing') until the driver gives up; its error path oopses."""
    g = Guest(name, 2, "linux", vmx=True)
    q35(g)
    d = g.add(Dev((0, 9, 0), 0x15b3, 0x1017, 0x020000, rev=0x00, ssvid=0x15b3, ssid=0x0020, pin=1))
    d.add_bar(0, 32 << 20, "mem64", pref=True, addr=0x3800000000)
    d.cap_pm(0x40)
    d.cap_pcie(0x60, flr=True)
    d.cap_msix(0x9c, 64, 0, 0x2000, 0, 0x3000)
    d.gsi = 17
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    st = {"init_done": 0}
    d.regs[(0, 0x0)] = 0x001c0010
    d.regs[(0, 0x4)] = 0x00050000
    d.rd[(0, 0x1fc)] = lambda t: 0x80000000 if t < st["init_done"] else 0x00000000
    d.rd[(0, 0x1000)] = lambda t: (t // 1000) & 0xffffffff
    d.rd[(0, 0x1004)] = lambda t: (t // 1000) >> 32
    d.rd[(0, 0x1048)] = lambda t: (t // (2 * S)) & 0xffffffff
    def on_reset(t):
        st["init_done"] = t + d.flr_recovery + g.j(120 * MS, 180 * MS)
    d.on_reset = on_reset
    enable(g, v0, d)
    vecs = linux_msix_vectors(g, 3, 0x24, cpus=[0, 0, 1])
    msix_enable(g, v0, d, vecs)
    bar = d.bar_addr(0)

    def init_seg(v, site):
        g.mmio_read(v, bar + 0x0, site=site)
        g.mmio_read(v, bar + 0x4, site=site)
        g.mmio_write(v, bar + 0x10, 4, 0x00000001, site=site)
        g.mmio_write(v, bar + 0x14, 4, 0x2a3b4000 | 0x5, site=site)
    init_seg(v0, "mlx5_cmd_init")
    n = Nic(g, d, "mlx5e", dict(bar=0, status=0x1048, status_val=0, tdt=0x800, rdt=0x1800, eims=0x1c08,
                                stats=(0x1000, 0x1004)), "msix", txv=(1,), rxv=(2,), tx_pps=600, rx_pps=400)
    n.on_timeout = lambda v, t: None
    n.start(v0.now)
    t_c = v0.now + g.j(2000 * MS, 2400 * MS)
    pe = d.caps[0x10]

    def recover(t):
        n.dead = True
        v = g.on(v1, t)
        g.console(v, "mlx5_core 0000:00:09.0: mlx5_health_try_recover: starting health recovery flow\r\n")
        saved = {off: d.r(off, 4) for off in range(0x10, 0x40, 4)}
        cmd = d.cmd()
        devctl = g.cfg_read(v, d.bdf, pe + 8, 2, site="mlx5_sw_reset")
        g.cfg_write(v, d.bdf, pe + 8, 2, devctl | 0x8000, site="mlx5_sw_reset")
        g.stale_ranges.append((bar, 32 << 20, 0xffffffff))
        g.idle(v, v.now + (g.j(20 * MS, 21 * MS) if bad else g.j(100 * MS, 102 * MS)))
        if not bad:
            g.cfg_read(v, d.bdf, 0x00, 4, site="pci_dev_wait")
        for off in range(0x3c, 0x0c, -4):
            g.cfg_write(v, d.bdf, off, 4, saved[off], site="pci_restore_state")
        g.cfg_write(v, d.bdf, 0x04, 2, cmd, site="pci_restore_state")
        x = d.caps[0x11]
        g.cfg_write(v, d.bdf, x + 2, 2, 0x8000 | 63, site="pci_restore_msix_state")
        t_end = v.now + 1 * S
        while g.mmio_read(v, bar + 0x1fc, site="mlx5_wait_fw_init") & 0x80000000:
            if v.now > t_end:
                g.console(v, "mlx5_core 0000:00:09.0: wait_fw_init:  Firmware over 1000 MS in initializing "
                             "state, aborting\r\n")
                g.step(v, g.j(3 * MS, 9 * MS))
                g.console(v, "BUG: kernel NULL pointer dereference, address: 0000000000000010\r\n")
                g.pvpanic(v, "Kernel panic - not syncing: Fatal exception")
                return
            g.idle(v, v.now + g.j(1 * MS, 2 * MS))
        base = bar + d.msix_table_off
        for i, (addr, data) in enumerate(vecs):
            g.mmio_write(v, base + 16 * i, 4, addr, site="pci_msix_write_msg")
            g.mmio_write(v, base + 16 * i + 8, 4, data, site="pci_msix_write_msg")
            g.mmio_write(v, base + 16 * i + 12, 4, 0, site="pci_msix_write_msg")
        init_seg(v, "mlx5_cmd_init")
        n.dead = False
        n.pending.clear()
        n.start(v.now)
    g.at(t_c, recover)
    end = t_c + 3 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def sc_too_soon_sbr(name, bad=True, boot=True):
    """Linux, 4 vcpus, Radeon RX 5700 XT behind the root port 00:1c.0.  A
    guest-side reset helper (the setpci recipes passed around for the AMD
    reset bug) sets Secondary Bus Reset in the port's Bridge Control (bit 6),
    clears it 2 ms later and loads amdgpu 5 ms after that; the spec wants
    100 ms after the reset ends.  The probe's config writes are dropped, the
    GPU comes back with no BARs, its registers read all-ones, init fails
    and the error path oopses."""
    g = Guest(name, 4, "linux")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = radeon(g, br, did=0x731f, audio_did=0xab38)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v = g.on(g.vcpus[1], v0.now + g.j(600 * MS, 900 * MS))
    bar5 = gpu.bar_addr(5)
    saved = {off: gpu.r(off, 4) for off in range(0x10, 0x40, 4)}
    # the helper: Secondary Bus Reset on the root port
    bc = g.cfg_read(v, br.bdf, 0x3e, 2, site="setpci")
    g.cfg_write(v, br.bdf, 0x3e, 2, bc | 0x40, site="setpci")
    g.idle(v, v.now + g.j(2 * MS, 3 * MS))
    g.cfg_write(v, br.bdf, 0x3e, 2, bc & ~0x40, site="setpci")
    g.stale_ranges.append((bar5, 256 << 10, 0xffffffff))
    g.idle(v, v.now + (g.j(5 * MS, 6 * MS) if bad else g.j(1000 * MS, 1010 * MS)))
    # modprobe amdgpu: the PCI core restores the saved state, then probe
    g.cfg_read(v, gpu.bdf, 0x00, 4, site="pci_device_add")
    for off in range(0x3c, 0x0c, -4):
        g.cfg_write(v, gpu.bdf, off, 4, saved[off], site="pci_restore_state")
    g.cfg_write(v, gpu.bdf, 0x04, 2, 0x0007, site="pci_enable_device")
    ok = 0
    for off in (0x5428, 0x8010, 0x3e14, 0x5428):
        if g.mmio_read(v, bar5 + off, site="amdgpu_device_init") != 0xffffffff:
            ok += 1
        g.step(v, g.j(20 * US, 80 * US))
    if ok < 2:
        g.console(v, "amdgpu 0000:01:00.0: amdgpu: Fatal error during GPU init\r\n")
        g.step(v, g.j(80 * MS, 200 * MS))
        g.mmio_read(v, bar5 + 0x8010, site="amdgpu_device_fini_hw")
        g.console(v, "BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n")
        g.pvpanic(v, "Kernel panic - not syncing: Fatal exception")
        return g
    msi_enable(g, v, gpu, msi_addr(1), 0x26)
    w = WinRadeon(g, gpu, g.vcpus[1], g.vcpus[2], 0x26)
    w.on_tdr = lambda t: None
    w.start(v.now)
    end = v.now + 2 * S
    g.run(end)
    g.finish(end)
    return g


# -- an FPGA card that falls off the bus ----------------------------------------

def sc_device_gone_fpga(name, bad=True, boot=True):
    """Linux, 2 vcpus, a Xilinx XDMA-based FPGA card behind the root port
    00:1d.0.  Its application polls the user design's registers (VERSION,
    UPTIME, STATUS, and IRQ_MASK, which is all-ones because the design runs
    with every user interrupt masked) and runs host-to-card DMA, each
    transfer completed by an MSI.  Someone reprograms the FPGA over JTAG
    from the host: the link drops, every BAR read returns all-ones and the
    vendor id reads 0xffff; the driver's timeout path oopses."""
    g = Guest(name, 2, "linux")
    br, = q35(g, [(0x1d, 0, 2)])
    d = behind(g, br, Dev((2, 0, 0), 0x10ee, 0x9038, 0x058000, ssvid=0x10ee, ssid=0x0007, pin=1))
    d.add_bar(0, 1 << 20, "mem32", addr=0xfe000000)
    d.add_bar(1, 64 << 10, "mem32", addr=0xfe100000)
    d.cap_pm(0x40)
    d.cap_msi(0x48, is64=True)
    d.cap_pcie(0x60, flr=False)
    d.gsi = 16
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    t_cfg = v0.now - 40 * S
    d.regs[(0, 0x0)] = 0x20240611
    d.rd[(0, 0x4)] = lambda t: (t - t_cfg) // S
    d.regs[(0, 0x10)] = 0xffffffff
    d.rd[(0, 0x14)] = lambda t: 0x1
    d.regs[(1, 0x0)] = 0x1fc00006
    d.regs[(1, 0x1000)] = 0x1fc10006
    d.regs[(1, 0x2000)] = 0x1fc20006
    st = {"done": 0}
    d.rd[(1, 0x48)] = lambda t: st["done"]
    d.rd[(1, 0x44)] = lambda t: 0x6
    d.rd[(1, 0x2044)] = lambda t: 0x1
    enable(g, v0, d)
    msi_enable(g, v0, d, msi_addr(0), 0x27)
    for off in (0x0, 0x1000, 0x2000, 0x3000):
        g.mmio_read(v0, d.bar_addr(1) + off, site="xdma_probe")
    g.mmio_write(v0, d.bar_addr(1) + 0x2010, 4, 0x3, site="xdma_probe")
    u0, u1 = d.bar_addr(0), d.bar_addr(1)

    def isr(v):
        g.mmio_read(v, u1 + 0x2044, site="xdma_isr")
        g.mmio_write(v, u1 + 0x2018, 4, 0x1, site="xdma_isr")
        g.mmio_read(v, u1 + 0x44, site="xdma_engine_service")
        g.mmio_read(v, u1 + 0x48, site="xdma_engine_service")
        g.mmio_write(v, u1 + 0x2014, 4, 0x1, site="xdma_isr")

    state = {"pending": None}

    def dma(t):
        if g.crashed:
            return
        v = g.on(v1, t)
        if state["pending"] is not None and v.now - state["pending"] > 1 * S:
            s_ = g.mmio_read(v, u1 + 0x40, site="xdma_xfer_timeout")
            g.mmio_read(v, u1 + 0x48, site="xdma_xfer_timeout")
            g.cfg_read(v, d.bdf, 0x00, 4, site="pci_device_is_present")
            g.console(v, f"xdma:engine_status_read: h2c0 status 0x{s_:08x}: BUSY DESC_STOPPED MAGIC_STOPPED "
                         f"IDLE_STOPPED READ_ERROR DESC_ERROR\r\n")
            g.step(v, g.j(2 * MS, 6 * MS))
            g.console(v, "BUG: kernel NULL pointer dereference, address: 0000000000000040\r\n")
            g.pvpanic(v, "Kernel panic - not syncing: Fatal exception in interrupt")
            return
        if state["pending"] is None:
            g.mmio_write(v, u1 + 0x4080, 4, 0x3c400000, site="xdma_xfer_submit")
            g.mmio_write(v, u1 + 0x4084, 4, 0x1, site="xdma_xfer_submit")
            g.mmio_write(v, u1 + 0x4, 4, 0x00f83e1f, site="xdma_engine_start")
            state["pending"] = v.now
            if d.alive:
                def done(t2):
                    st["done"] += 1
                    state["pending"] = None
                    g.device_irq(t2, d, 0, handler=isr)
                g.at(v.now + g.j(300 * US, 900 * US), done)
        g.at(v.now + g.j(2 * MS, 3 * MS), dma)

    def app(t):
        if g.crashed:
            return
        v = g.on(v0, t)
        for off in (0x0, 0x4, 0x14, 0x10):
            g.mmio_read(v, u0 + off, site="fpga_app!poll_status")
        g.at(v.now + g.j(95 * MS, 105 * MS), app)
    g.at(v0.now + 2 * MS, dma)
    g.at(v0.now + 5 * MS, app)
    t_gone = v0.now + g.j(2200 * MS, 2600 * MS)

    def gone(t):
        if bad:
            d.alive = False
    g.at(t_gone, gone)
    end = t_gone + 3 * S
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


# -- busy NICs that are healthy -------------------------------------------------

def sc_busy_nic(name, bad=False, boot=True, pi=False):
    """Linux, 4 vcpus, Intel 82599 (ixgbe) under iperf: MSI-X, one queue
    vector per vcpu, over 20000 interrupts a second, each accepted, EOId
    and followed by the NAPI poll's RX tail refill and EIMS re-arm; TX tail
    writes from every vcpu.  On the posted-interrupt host the MSIs show as
    kvm_msi_set_irq alone (no kvm_apic_accept_irq, no kvm_eoi)."""
    g = Guest(name, 4, "linux", pi=pi)
    q35(g)
    nic = ixgbe_dev(g, (0, 5, 0))
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    enable(g, v0, nic)
    vecs = linux_msix_vectors(g, 5, 0x22, cpus=[0, 1, 2, 3, 0])
    msix_enable(g, v0, nic, vecs)
    for v in g.vcpus:
        v.busy = True
    n = Nic(g, nic, "ixgbe", IXGBE, "msix", txv=(4,), rxv=(0, 1, 2, 3), tx_pps=7000, rx_pps=21500)
    n.on_timeout = lambda v, t: None
    n.start(v0.now)
    end = v0.now + 700 * MS
    g.run(end)
    g.finish(end)
    return g


def sc_healthy_nic_tail_afterboot(name, bad=False, boot=False):
    """Windows Server 2022, 2 vcpus, Intel I350 (e1r) with MSI-X, recorded
    after boot (no config cycles): the TX and RX tail registers are written
    thousands of times and never read; every interrupt is handled."""
    g = Guest(name, 2, "windows")
    q35(g)
    d = g.add(Dev((0, 6, 0), 0x8086, 0x1521, 0x020000, rev=0x01, ssvid=0x8086, ssid=0x0001, pin=1))
    d.add_bar(0, 1 << 20, "mem32", addr=0xfe900000)
    d.add_bar(2, 32, "io", addr=0xd060)
    d.add_bar(3, 16 << 10, "mem32", addr=0xfea80000)
    d.cap_pm(0x40)
    d.cap_msi(0x50, is64=True, pvm=True)
    d.cap_msix(0x70, 10, 3, 0x0000, 3, 0x2000)
    d.cap_pcie(0xa0)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v0, d)
    msix_enable(g, v0, d, [(msi_addr(0), 0x61), (msi_addr(1), 0x62), (msi_addr(0), 0x63)])
    start_recording(g)
    regs = dict(IGB)
    n = Nic(g, d, "e1r", regs, "msix", txv=(2,), rxv=(0, 1), tx_pps=2500, rx_pps=1800)
    n.on_timeout = lambda v, t: None
    n.start(v0.now)
    end = v0.now + 3 * S
    g.run(end)
    g.finish(end)
    return g


# ---------------------------------------------------------------------------
# 6. The catalogue: every trace, its scenario function and variant.

CATALOGUE = []


def entry(name, fn, twin=True, afterboot=False):
    CATALOGUE.append((name, fn, dict(bad=True, boot=True)))
    if twin:
        CATALOGUE.append((name + ".twin", fn, dict(bad=False, boot=True)))
    if afterboot:
        CATALOGUE.append((name + ".afterboot", fn, dict(bad=True, boot=False)))


def register():
    entry("ip-busmaster-off", sc_ip_busmaster_off)
    entry("ip-msix-function-mask", sc_ip_msix_function_mask)
    entry("ip-msix-vector-masked", sc_ip_msix_vector_masked)
    entry("ip-msi-bad-dest", sc_ip_msi_bad_dest)
    entry("ip-intx-disabled", sc_ip_intx_disabled)
    entry("ip-ioapic-masked", sc_ip_ioapic_masked)
    entry("ip-decode-off", sc_ip_decode_off)
    entry("ip-msi-disabled-suspend", sc_ip_msi_disabled_suspend)
    entry("too-soon-d3hot", sc_too_soon_d3hot)
    entry("too-soon-flr", sc_too_soon_flr)
    entry("too-soon-sbr", sc_too_soon_sbr)
    entry("too-soon-no-restore", sc_too_soon_no_restore)
    entry("device-gone-fpga", sc_device_gone_fpga)
    entry("device-gone-nvme", sc_device_gone_nvme)
    entry("bad-value-hda-position", sc_bad_value_hda, afterboot=True)
    entry("irq-storm-msi", sc_irq_storm_msi, afterboot=True)
    entry("reset-hang-nvme", sc_reset_hang_nvme, afterboot=True)
    CATALOGUE.append(("healthy-busy-nic", sc_busy_nic, dict(bad=False, boot=True)))
    CATALOGUE.append(("healthy-busy-nic-pi", sc_busy_nic, dict(bad=False, boot=True, pi=True)))
    CATALOGUE.append(("healthy-nvme-doorbells", sc_healthy_nvme_doorbells, dict(bad=False, boot=True)))
    CATALOGUE.append(("healthy-nic-tail-afterboot", sc_healthy_nic_tail_afterboot, dict(bad=False, boot=False)))


def main(argv):
    register()
    if "--list" in argv:
        for name, _, _ in CATALOGUE:
            print(name)
        return 0
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out, only = argv[0], set(argv[1:])
    tracefs = os.environ.get("TRACEFS", "/sys/kernel/tracing")
    if not os.path.isdir(os.path.join(tracefs, "events", "kvm")):
        print(f"mkcatalog: no kvm events in {tracefs}", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    fmts = load_formats(tracefs)
    tdir = tempfile.mkdtemp(prefix="mkcatalog.", dir=out)
    try:
        make_tracing_dir(tracefs, os.path.join(tdir, "tracing"))
        for name, fn, kw in CATALOGUE:
            if only and name not in only:
                continue
            g = fn(name, **kw)
            n = g.write(out, fmts, os.path.join(tdir, "tracing"))
            print(f"{name}.dat: {n} events, {len(g.vcpus)} vcpus, {g.ncpus} host cpus")
    finally:
        shutil.rmtree(tdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
