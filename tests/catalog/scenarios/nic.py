"""NIC scenarios (Linux): MSI-X function mask left set, an MSI to an APIC id
that does not exist, an IO-APIC entry left masked, MSI not re-enabled after
resume, an FLR waited for too briefly (ConnectX-5); and busy NICs that are
healthy."""

from sim.guest import Guest
from sim.pci import US, MS, S, Dev
from sim.platform import (q35, behind, boot_phase, start_recording, enable, msi_enable, msix_enable,
                          msi_addr, linux_msix_vectors, finish)
from sim.drivers.nic import Nic, netdev_watchdog_panic, IXGBE, IGB, R8169, ALX, ixgbe_dev


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
    return finish(g, t_c + 6 * S)


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
    return finish(g, t_c + 6500 * MS)


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
    return finish(g, t_c + 6500 * MS)


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
    return finish(g, t_s + 9 * S)


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
    return finish(g, t_c + 3 * S)


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
    return finish(g, v0.now + 700 * MS)


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
    return finish(g, v0.now + 3 * S)
