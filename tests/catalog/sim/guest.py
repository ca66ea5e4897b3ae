"""The guest as KVM sees it: vcpu threads, their exits, MMIO and port I/O
through QEMU, MSRs, interrupts through the local APIC and IO-APIC, and the
crash signals.  Every helper emits the kvm events the real path traces, in
the kernel's order."""

import heapq
import random
import zlib

from .pci import US, MS, S, ones
from .tracedat import write_trace


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
