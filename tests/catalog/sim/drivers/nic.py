"""NICs (Linux): TX tail writes, TX/RX completion interrupts, NAPI, the TX
watchdog (5 s) with panic_on_warn=1; the register layouts of the drivers
the scenarios use."""

from ..pci import US, MS, S, Dev


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
