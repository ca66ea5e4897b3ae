"""A CX23885 capture card: a level INTx never acknowledged."""

from sim.guest import Guest
from sim.pci import US, MS, S, Dev
from sim.platform import q35, boot_phase, enable, finish


CX_MSK, CX_STAT = 0x200040, 0x200044          # PCI_INT_MSK, PCI_INT_STAT
CX_AV_CORE, CX_VID_B = 1 << 27, 1 << 1


def sc_cx23885_storm(name, bad=True, boot=True):
    """Linux, 2 vcpus, Conexant CX23885 (14f1:8852, a Hauppauge HVR-1250)
    at 00:0b.0 on level INTx (GSI 19, the driver's default: MSI off).
    Video capture: a DMA-done interrupt per field (60/s), the ISR reading
    PCI_INT_STAT and PCI_INT_MSK and writing the handled bits back.  Then
    the integrated IR receiver raises the AV-core interrupt; this ISR
    neither masks it (as cx23885 does before deferring it to a work item)
    nor clears it.  The line stays asserted: every EOI's resample lowers
    it and vfio raises it again microseconds later; vcpu 1 does nothing
    else, its soft-lockup watchdog fires after 2 s (watchdog_thresh=1,
    softlockup_panic=1)."""
    g = Guest(name, 2, "linux")
    q35(g)
    d = g.add(Dev((0, 0x0b, 0), 0x14f1, 0x8852, 0x040000, rev=0x02, ssvid=0x0070, ssid=0x2211, pin=1))
    d.add_bar(0, 4 << 20, "mem64", addr=0xfe000000)
    d.cap_pm(0x40)
    d.cap_pcie(0x60, flr=False)
    d.cap_msi(0x50, is64=True)
    gsi = d.gsi = 19
    st = {"stat": 0, "msk": 0}
    d.rd[(0, CX_STAT)] = lambda t: st["stat"]
    d.rd[(0, CX_MSK)] = lambda t: st["msk"]
    def stat_w(t, val):
        st["stat"] &= ~val
    def msk_w(t, val):
        st["msk"] = val
    d.wr[(0, CX_STAT)] = stat_w
    d.wr[(0, CX_MSK)] = msk_w
    d.regs[(0, 0x0)] = 0x00008852
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    v = g.on(v1, v0.now + 20 * MS)
    enable(g, v, d)
    g.ioapic_program(v, gsi, 0x26, 1, level=True, masked=True)
    g.ioapic_mask(v, gsi, False, site="vmlinux!unmask_ioapic_irq")
    bar = d.bar_addr(0)
    for off in (0x0, CX_STAT, CX_MSK):
        g.mmio_read(v, bar + off, site="cx23885!cx23885_dev_setup")
    g.mmio_write(v, bar + CX_MSK, 4, CX_AV_CORE | CX_VID_B | 0x1, site="cx23885!cx23885_irq_enable")
    state = {"storm": None, "n": 0, "active": False}

    def asserted():
        return bool(st["stat"] & st["msk"])

    def isr(u):
        s = g.mmio_read(u, bar + CX_STAT, site="cx23885!cx23885_irq")
        m = g.mmio_read(u, bar + CX_MSK, site="cx23885!cx23885_irq")
        s &= m
        if s & CX_VID_B:
            g.mmio_read(u, bar + 0x130010, site="cx23885!cx23885_video_irq")        # VID_B_INT_STAT
            g.mmio_write(u, bar + 0x130010, 4, 0x1, site="cx23885!cx23885_video_irq")
        handled = s & ~CX_AV_CORE if bad else s
        if s & CX_AV_CORE and not bad:
            # cx23885_irq_disable(PCI_MSK_AV_CORE), then schedule the work
            g.mmio_write(u, bar + CX_MSK, 4, m & ~CX_AV_CORE, site="cx23885!cx23885_irq_disable")
            g.at(u.now + g.j(40 * US, 120 * US), av_work)
        if handled:
            g.mmio_write(u, bar + CX_STAT, 4, handled, site="cx23885!cx23885_irq")

    def av_work(t):
        u = g.on(g.vcpus[0], t)
        for _ in range(3):
            g.mmio_write(u, bar + 0x180000, 4, 0x880, site="cx23885!cx23885_av_work")  # I2C to the AV core
            g.mmio_read(u, bar + 0x180008, site="cx23885!cx23885_av_work")
        st["stat"] &= ~CX_AV_CORE
        g.mmio_write(u, bar + CX_STAT, 4, CX_AV_CORE, site="cx23885!cx23885_av_work")
        g.mmio_write(u, bar + CX_MSK, 4, st["msk"] | CX_AV_CORE, site="cx23885!cx23885_irq_enable")

    def line(t, chain=False):
        """the line goes high (vfio's irqfd); one assertion at a time"""
        if g.crashed or (state["active"] and not chain):
            return
        if not asserted():
            state["active"] = False
            return
        state["active"] = True
        u = g.device_irq(t, d, 0, handler=isr, gsi=gsi)
        if u is None:
            state["active"] = False
            return
        state["n"] += 1
        if bad and state["storm"] is not None and u.now - state["storm"] > 2050 * MS:
            w = g.on(u, u.now + g.j(100 * US, 300 * US))
            g.console(w, "watchdog: BUG: soft lockup - CPU#1 stuck for 2s! [swapper/1:0]\r\n")
            g.pvpanic(w, "Kernel panic - not syncing: softlockup: hung tasks")
            return
        if asserted():                     # still asserted after the resample: vfio raises it again
            g.at(u.now + g.j(12 * US, 30 * US), lambda t2: line(t2, chain=True))
        else:
            state["active"] = False

    def field(t):
        if g.crashed:
            return
        st["stat"] |= CX_VID_B
        g.at(t, line)
        g.at(t + 16683 * US + g.j(0, 30 * US), field)
    g.at(v.now + g.j(2 * MS, 8 * MS), field)
    t_c = v.now + g.j(1800 * MS, 2200 * MS)

    def ir(t):
        state["storm"] = t
        st["stat"] |= CX_AV_CORE
        line(t)
    g.at(t_c, ir)
    return finish(g, t_c + 3 * S)
