"""GPUs: NVIDIA (Windows: fence interrupts, vblank, TDR) and AMD (D3hot and
back, the IH ring)."""

from ..pci import US, MS, S, Dev
from ..platform import behind, enable, msi_enable, msi_addr


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


def nvidia_with_audio(g, br):
    gpu, aud = nvidia(g, br, 0x1e84, 0x139f, 0x10f8)
    return gpu, aud


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
