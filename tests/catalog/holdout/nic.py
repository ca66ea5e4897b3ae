"""NICs: an X710 (i40e) PF reset that never completes; an AQC107 whose
reset path clears Bus Master on a posted-interrupt host; and, healthy, a
busy NIC on level INTx (RTL8125)."""

from sim.guest import Guest
from sim.pci import US, MS, S, Dev
from sim.platform import q35, boot_phase, enable, msix_enable, msi_addr, finish
from sim.drivers.nic import Nic, netdev_watchdog_panic


def sc_i40e_reset_hang(name, bad=True, boot=True):
    """Linux, 4 vcpus, Intel X710 (8086:1572, i40e) at 00:0a.0, MSI-X, NFS
    root over it.  A Malicious Driver Detection event ('TX driver issue
    detected, PF reset issued') makes the driver reset its PF: GLGEN_RSTAT
    read, PFGEN_CTRL (BAR0+0x92400) written with PFSWR, then PFGEN_CTRL
    polled every 1-2 ms, 200 times: PFSWR never clears.  'PF reset failed,
    -15', the netdev stays down, NFS stops answering, khungtaskd panics."""
    g = Guest(name, 4, "linux")
    q35(g)
    d = g.add(Dev((0, 0x0a, 0), 0x8086, 0x1572, 0x020000, rev=0x02, ssvid=0x8086, ssid=0x0000, pin=1))
    d.add_bar(0, 8 << 20, "mem64", pref=True, addr=0x3800000000)
    d.add_bar(3, 32 << 10, "mem64", pref=True, addr=0x3800800000)
    d.cap_pm(0x40)
    d.cap_msi(0x50, is64=True, pvm=True)
    d.cap_msix(0x70, 129, 3, 0x0000, 3, 0x1000)
    d.cap_pcie(0xa0)
    d.gsi = 18
    st = {"pfswr_until": None, "resetting": False}
    d.rd[(0, 0x92400)] = lambda t: 0x1 if st["pfswr_until"] is not None and t < st["pfswr_until"] else 0x0
    d.rd[(0, 0xb8188)] = lambda t: 0x0            # GLGEN_RSTAT: DEVSTATE 0, no reset pending
    d.regs[(0, 0xb8000)] = 0x00000380              # GLGEN_STAT
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v = g.on(g.vcpus[1], v0.now + 20 * MS)
    enable(g, v, d)
    vecs = [(msi_addr(0), 0x21)] + [(msi_addr(i), 0x22 + i) for i in range(4)]
    msix_enable(g, v, d, vecs)
    regs = dict(bar=0, status=0xb8000, status_val=0x00000380, tdt=0x108000, rdt=0x128000, eims=0x34800,
                stats=(0x300480, 0x300680, 0x3005a0))
    for off in (0xb8188, 0xb8000, 0x92400):
        g.mmio_read(v, d.bar_addr(0) + off, site="i40e_probe")
    n = Nic(g, d, "i40e", regs, "msix", txv=(1,), rxv=(2, 3, 4), tx_pps=900, rx_pps=700)
    n.on_timeout = lambda v, t: None
    n.start(v.now)
    bar = d.bar_addr(0)

    def pfswr(t, val):
        if val & 1:
            st["pfswr_until"] = (1 << 62) if bad else t + g.j(35 * MS, 60 * MS)
    d.wr[(0, 0x92400)] = pfswr
    t_c = v.now + g.j(2000 * MS, 2400 * MS)

    def mdd(t):
        n.dead = True
        u = g.on(g.vcpus[2], t)
        g.mmio_read(u, bar + 0x0e6260, site="i40e_handle_mdd_event")        # GL_MDET_TX
        g.mmio_write(u, bar + 0x0e6260, 4, 0xffffffff, site="i40e_handle_mdd_event")
        g.console(u, "i40e 0000:00:0a.0: TX driver issue detected, PF reset issued\r\n")
        # i40e_pf_reset
        g.mmio_read(u, bar + 0xb8188, site="i40e_pf_reset")
        reg = g.mmio_read(u, bar + 0x92400, site="i40e_pf_reset")
        g.mmio_write(u, bar + 0x92400, 4, reg | 0x1, site="i40e_pf_reset")
        for _ in range(200):
            g.idle(u, u.now + g.j(1000 * US, 2000 * US))
            if not g.mmio_read(u, bar + 0x92400, site="i40e_pf_reset") & 0x1:
                break
        else:
            g.console(u, "i40e 0000:00:0a.0: PF reset polling failed to complete.\r\n")
            g.console(u, "i40e 0000:00:0a.0: PF reset failed, -15\r\n")
            g.step(u, g.j(2 * MS, 5 * MS))
            g.console(u, "i40e 0000:00:0a.0: rebuild failed, not bringing up enp0s10f0\r\n")

            def hung(t2):
                w = g.on(g.vcpus[0], t2)
                g.console(w, "nfs: server 10.0.0.1 not responding, still trying\r\n")
                g.console(w, f"INFO: task systemd-journal:{g.j(300, 400)} blocked for more than 2 seconds.\r\n")
                g.pvpanic(w, "Kernel panic - not syncing: hung_task: blocked tasks")
            g.at(u.now + g.j(2200 * MS, 2600 * MS), hung)
            return
        # rebuild: the queues' tails and interrupt control again
        for q in range(4):
            g.mmio_write(u, bar + 0x108000 + 4 * q, 4, 0, site="i40e_configure_tx_ring")
            g.mmio_write(u, bar + 0x128000 + 4 * q, 4, 0x1ff, site="i40e_configure_rx_ring")
        for i in range(5):
            g.mmio_write(u, bar + 0x34800 + 4 * i, 4, 0x3, site="i40e_irq_dynamic_enable")
        n.dead = False
        n.pending.clear()
        n.used, n.stopped_at = 0, None
        n.tail, n.rdt = {}, {}
        n.start(u.now)
    g.at(t_c, mdd)
    return finish(g, t_c + 4 * S)


AQ = dict(bar=0, status=0x0704, status_val=0x00000a00, tdt=0x7c10, rdt=0x5b10, eims=0x2100,
          stats=(0x8800, 0x8804, 0x8810))


def sc_aqc107_busmaster_pi(name, bad=True, boot=True):
    """Linux, 4 vcpus, posted-interrupt host (APICv with VT-d posting: MSIs
    are kvm_msi_set_irq alone), Aquantia AQC107 (1d6a:07b1, atlantic) at
    00:0c.0, MSI-X (table BAR2+0x0).  After a firmware hiccup the driver's
    reset path quiesces DMA with pci_clear_master(), soft-resets the MAC
    and restores its rings, but never calls pci_set_master(): PCI_COMMAND
    is 0x0403.  The NIC can neither DMA nor write an MSI-X message; the TX
    ring fills, NETDEV WATCHDOG 5 s later, panic_on_warn."""
    g = Guest(name, 4, "linux", pi=True)
    q35(g)
    d = g.add(Dev((0, 0x0c, 0), 0x1d6a, 0x07b1, 0x020000, rev=0x02, ssvid=0x1d6a, ssid=0x0001, pin=1))
    d.add_bar(0, 64 << 10, "mem64", addr=0xfe800000)
    d.add_bar(2, 4 << 10, "mem64", addr=0xfe810000)
    d.add_bar(4, 4 << 20, "mem64", addr=0xfe400000)
    d.cap_pm(0x40)
    d.cap_msi(0x50, is64=True)
    d.cap_pcie(0x70)
    d.cap_msix(0xb0, 32, 2, 0x0, 2, 0x800)
    d.gsi = 18
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v = g.on(g.vcpus[1], v0.now + 20 * MS)
    enable(g, v, d)
    vecs = [(msi_addr(i % 4), 0x22 + i) for i in range(5)]
    msix_enable(g, v, d, vecs)
    bar = d.bar_addr(0)
    for off in (0x0704, 0x0018, 0x001c, 0x0360):
        g.mmio_read(v, bar + off, site="atlantic!aq_pci_probe")
    n = Nic(g, d, "aq", AQ, "msix", txv=(0,), rxv=(1, 2, 3, 4), tx_pps=800, rx_pps=600)
    n.on_timeout = netdev_watchdog_panic(g, n, "enp0s12", "atlantic")
    n.start(v.now)
    t_c = v.now + g.j(2000 * MS, 2400 * MS)

    def reset(t):
        u = g.on(g.vcpus[2], t)
        g.console(u, "atlantic 0000:00:0c.0: FW is not responding, resetting\r\n")
        cmd = g.cfg_read(u, d.bdf, 0x04, 2, site="vmlinux!pci_clear_master")
        g.cfg_write(u, d.bdf, 0x04, 2, cmd & ~0x4, site="vmlinux!pci_clear_master")
        g.mmio_write(u, bar + 0x0000, 4, 0x4000, site="atlantic!hw_atl_utils_soft_reset")
        g.step(u, g.j(10 * MS, 12 * MS))
        for _ in range(3):
            g.mmio_read(u, bar + 0x0704, site="atlantic!hw_atl_utils_soft_reset")
        for q in range(4):
            g.mmio_write(u, bar + 0x7c10 + 0x40 * q, 4, 0, site="atlantic!hw_atl_b0_hw_ring_tx_init")
            g.mmio_write(u, bar + 0x5b10 + 0x20 * q, 4, 0x1ff, site="atlantic!hw_atl_b0_hw_ring_rx_init")
        if not bad:
            c = g.cfg_read(u, d.bdf, 0x04, 2, site="vmlinux!pci_set_master")
            g.cfg_write(u, d.bdf, 0x04, 2, c | 0x4, site="vmlinux!pci_set_master")
        g.mmio_write(u, bar + 0x2100, 4, 0x1f, site="atlantic!hw_atl_b0_hw_irq_enable")
        n.pending.clear()
    g.at(t_c, reset)
    return finish(g, t_c + 6500 * MS)


R8125 = dict(bar=2, status=0x006c, status_val=0x13, tdt=0x0090, rdt=0x00e4, icr=0x003e, ims=0x003c,
             ims_val=0x803f, stats=(0x0010, 0x0014))


def sc_busy_intx_nic(name, bad=False, boot=True):
    """Linux, 2 vcpus, Realtek RTL8125 (10ec:8125, r8169) at 00:0d.0 with
    pci=nomsi: level INTx on GSI 17 at several thousand interrupts a
    second under iperf, each handler reading IntrStatus (read to clear) and
    re-arming IntrMask, the line lowered by the resampler at every EOI."""
    g = Guest(name, 2, "linux")
    q35(g)
    d = g.add(Dev((0, 0x0d, 0), 0x10ec, 0x8125, 0x020000, rev=0x05, ssvid=0x1043, ssid=0x87d7, pin=1))
    d.add_bar(0, 256, "io", addr=0xd100)
    d.add_bar(2, 64 << 10, "mem64", addr=0xfea40000)
    d.add_bar(4, 16 << 10, "mem64", addr=0xfea50000)
    d.cap_pm(0x40)
    d.cap_msi(0x50, is64=True)
    d.cap_pcie(0x70)
    d.cap_msix(0xb0, 32, 4, 0x0000, 4, 0x0800)
    gsi = d.gsi = 17
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v0, d, io=True)
    g.ioapic_program(v0, gsi, 0x24, 1, level=True, masked=True)
    g.ioapic_mask(v0, gsi, False, site="vmlinux!unmask_ioapic_irq")
    for off in (0x40, 0x44, 0x6c, 0x37):
        g.mmio_read(v0, d.bar_addr(2) + off, site="rtl_init_one")
    for u in g.vcpus:
        u.busy = True
    n = Nic(g, d, "rtl8169", R8125, "intx", txv=(0,), rxv=(0,), gsi=gsi, tx_pps=3500, rx_pps=4500)
    n.on_timeout = lambda v, t: None
    n.start(v0.now)
    return finish(g, v0.now + 1200 * MS)
