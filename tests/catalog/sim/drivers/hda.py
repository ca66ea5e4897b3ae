"""HD Audio (Windows): codec verbs through CORB/RIRB, an output stream, and
HDAudBus.sys's interrupt handling."""

from ..pci import US, MS, Dev
from ..platform import behind


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
