"""NVMe scenarios (Linux): an MSI-X entry restored masked, a drive gone from
the link, a controller reset that never becomes ready, a subsystem reset
without a config restore; and doorbells under load that are healthy."""

from sim.guest import Guest
from sim.pci import US, MS, S
from sim.platform import q35, behind, boot_phase, start_recording, msi_addr, finish
from sim.drivers.nvme import Nvme, BlockIo, hung_task_check, nvme_timeout, panic_init_killed


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
    return finish(g, t_susp + 7 * S)


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
    return finish(g, t_gone + 4 * S)


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
    return finish(g, t_fail + 6 * S)


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
    return finish(g, t_nssr + 4 * S)


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
    return finish(g, v0.now + 1000 * MS)
