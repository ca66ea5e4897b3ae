"""xHCI: MSI-X entry 0 re-programmed with a vector below 16."""

from sim.guest import Guest
from sim.pci import US, MS, Dev
from sim.platform import q35, boot_phase, enable, msix_enable, msi_addr, finish


def sc_xhci_vector_low(name, bad=True, boot=True):
    """Linux, 2 vcpus, Renesas uPD720202 xHCI (1912:0015) at 00:07.0, MSI-X
    (table BAR0+0x1000).  A USB disk's bulk traffic, one transfer event
    interrupt each; after a resume in which the controller lost its state
    ('xHC error in resume, USBSTS 0x401, Reinit') xhci re-creates its MSI-X
    vectors, and entry 0's Message Data is written 0x05.  The first event
    (the Enable Slot command's completion) arrives as vector 5: the guest
    takes it as #BR and dies in exc_bounds."""
    g = Guest(name, 2, "linux")
    q35(g)
    d = g.add(Dev((0, 7, 0), 0x1912, 0x0015, 0x0c0330, rev=0x02, ssvid=0x1912, ssid=0x0015, pin=1))
    d.add_bar(0, 8 << 10, "mem64", addr=0xfea00000)
    d.cap_pm(0x50)
    d.cap_msi(0x70, is64=True)
    d.cap_msix(0x90, 8, 0, 0x1000, 0, 0x1080)
    d.cap_pcie(0xa0)
    d.gsi = 19
    st = {"usbsts": 0x0, "erdp": 0}
    d.regs[(0, 0x0)] = 0x01000020          # HCIVERSION 1.00, CAPLENGTH 0x20
    d.regs[(0, 0x4)] = 0x04000820          # HCSPARAMS1: 4 ports, 8 interrupters, 32 slots
    d.regs[(0, 0x10)] = 0x0140fe65         # HCCPARAMS1
    d.regs[(0, 0x14)] = 0x800              # DBOFF
    d.regs[(0, 0x18)] = 0x600              # RTSOFF
    d.rd[(0, 0x24)] = lambda t: st["usbsts"]
    def usbsts_w(t, val):
        st["usbsts"] &= ~(val & 0x41c)
    d.wr[(0, 0x24)] = usbsts_w
    d.rd[(0, 0x620)] = lambda t: 0x2 | (1 if st["usbsts"] & 0x8 else 0)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    bar = d.bar_addr(0)

    def init_hc(v, site):
        for off in (0x0, 0x4, 0x10, 0x14, 0x18):
            g.mmio_read(v, bar + off, site=site)
        g.mmio_write(v, bar + 0x20, 4, 0x2, site=site)                  # USBCMD.HCRST
        g.step(v, g.j(1 * MS, 2 * MS))
        g.mmio_read(v, bar + 0x20, site=site)
        g.mmio_read(v, bar + 0x24, site=site)
        for off, val in ((0x58, 32), (0x50, 0x3a200000), (0x54, 0), (0x38, 0x3a201001), (0x3c, 0),
                         (0x628, 1), (0x630, 0x3a202000), (0x634, 0), (0x638, 0x3a203000), (0x63c, 0),
                         (0x624, 0xa0), (0x620, 0x2)):
            g.mmio_write(v, bar + off, 4, val, site=site)
        g.mmio_write(v, bar + 0x20, 4, 0x5, site=site)                  # RUN | INTE

    enable(g, v0, d)
    vecs = [(msi_addr(1), 0x24), (msi_addr(0), 0x25)]
    msix_enable(g, v0, d, vecs, site="vmlinux!msix_capability_init")
    init_hc(v0, "xhci_hcd!xhci_init")
    state = {"stop": False, "dead": False}

    def isr(v):
        g.mmio_read(v, bar + 0x24, site="xhci_hcd!xhci_irq")
        g.mmio_write(v, bar + 0x24, 4, 0x8, site="xhci_hcd!xhci_irq")
        g.mmio_read(v, bar + 0x620, site="xhci_hcd!xhci_irq")
        g.mmio_write(v, bar + 0x620, 4, 0x3, site="xhci_hcd!xhci_irq")
        g.step(v, g.j(3 * US, 9 * US))
        st["erdp"] = (st["erdp"] + 0x10) & 0xff0
        g.mmio_write(v, bar + 0x638, 4, 0x3a203000 | st["erdp"] | 0x8, site="xhci_hcd!xhci_update_erst_dequeue")
        g.mmio_write(v, bar + 0x63c, 4, 0, site="xhci_hcd!xhci_update_erst_dequeue")

    def event(t):
        if g.crashed or state["dead"]:
            return
        st["usbsts"] |= 0x8
        route = d.irq_route(0)
        if route and route[0] == "msi" and (route[2] & 0xff) < 16:
            # KVM delivers the message as it is: vector 5 is #BR's slot
            addr, data = route[1], route[2]
            g.emit(t, g.qemu, "kvm_msi_set_irq", address=addr, data=data)
            u = g.vcpu_by_apic((addr >> 12) & 0xff)
            g.emit(t + 700, g.qemu, "kvm_apic_accept_irq", apicid=u.idx, dm=0, tm=0, vec=data & 0xff)
            g.wake(u, t + g.j(2 * US, 5 * US))
            g.inject(u, data & 0xff)
            g.step(u, g.j(20 * US, 60 * US))
            state["dead"] = True
            g.console(u, "bounds: 0000 [#1] PREEMPT SMP NOPTI\r\n"
                         "CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1\r\n"
                         "RIP: 0010:default_idle+0xb/0x20\r\n")
            g.pvpanic(u, "Kernel panic - not syncing: Fatal exception in interrupt")
            return
        g.device_irq(t, d, 0, handler=isr)

    def transfer(t):
        if g.crashed or state["stop"]:
            return
        v = g.on(g.vcpus[g.j(0, 1)], t)
        g.mmio_write(v, bar + 0x800 + 4 * 1, 4, 2 + g.j(0, 1), site="xhci_hcd!xhci_ring_ep_doorbell")
        g.at(v.now + g.j(120 * US, 600 * US), event)
        g.at(v.now + g.j(1200 * US, 2600 * US), transfer)
    g.at(v0.now + 2 * MS, transfer)
    t_c = v0.now + g.j(2000 * MS, 2400 * MS)

    def resume(t):
        state["stop"] = True
        v = g.on(v0, t)
        g.run(v.now)
        # system resume: the controller lost power; xhci re-initialises it
        g.mmio_read(v, bar + 0x24, site="xhci_hcd!xhci_resume")
        g.console(v, "xhci_hcd 0000:00:07.0: xHC error in resume, USBSTS 0x401, Reinit\r\n")
        x = d.caps[0x11]
        ctrl = g.cfg_read(v, d.bdf, x + 2, 2, site="vmlinux!pci_free_irq_vectors")
        g.cfg_write(v, d.bdf, x + 2, 2, ctrl & 0x7ff, site="vmlinux!pci_free_irq_vectors")
        g.step(v, g.j(100 * US, 300 * US))
        vecs2 = [(msi_addr(1), 0x05 if bad else 0x24), (msi_addr(0), 0x25)]
        msix_enable(g, v, d, vecs2, site="vmlinux!msix_capability_init")
        init_hc(v, "xhci_hcd!xhci_init")
        # the root hub's ports come back; the disk is enabled again: Enable Slot
        g.step(v, g.j(3 * MS, 6 * MS))
        g.mmio_write(v, bar + 0x800, 4, 0, site="xhci_hcd!xhci_ring_cmd_db")
        g.at(v.now + g.j(20 * US, 60 * US), event)
        state["stop"] = False
        g.at(v.now + g.j(5 * MS, 9 * MS), transfer)
    g.at(t_c, resume)
    return finish(g, t_c + 2500 * MS)
