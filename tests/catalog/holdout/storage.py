"""A SAS3008 HBA (mpt3sas) that falls off the bus mid-I/O."""

from sim.guest import Guest
from sim.pci import US, MS, S, Dev
from sim.platform import q35, boot_phase, enable, msix_enable, msi_addr, finish


def sc_sas_gone(name, bad=True, boot=True):
    """Linux, 4 vcpus, Broadcom/LSI SAS3008 (1000:0097, mpt3sas) at 00:10.0,
    MSI-X (table BAR1+0xe000), the root file system on its disks.  Reads
    and writes from every vcpu through the request descriptor post
    registers, each reply an MSI-X interrupt whose handler writes the reply
    post host index; fault_reset_work reads the Doorbell every second.  The
    HBA drops off the bus (an overheating card without airflow): no
    completions, Doorbell all-ones, 'SAS host is non-operational !!!!' five
    times, then pci_device_is_present() finds vendor id 0xffff and the host
    is removed; the root file system goes, init dies."""
    g = Guest(name, 4, "linux")
    q35(g)
    d = g.add(Dev((0, 0x10, 0), 0x1000, 0x0097, 0x010700, rev=0x02, ssvid=0x1000, ssid=0x30e0, pin=1))
    d.add_bar(0, 256, "io", addr=0xd000)
    d.add_bar(1, 64 << 10, "mem64", addr=0xfe700000)
    d.add_bar(3, 1 << 20, "mem64", addr=0xfe600000)
    d.cap_pm(0x50)
    d.cap_pcie(0x68)
    d.cap_msi(0xa8, is64=True)
    d.cap_msix(0xc0, 96, 1, 0xe000, 1, 0xf000)
    d.gsi = 16
    d.regs[(1, 0x0)] = 0x20000000                  # Doorbell: IOC state OPERATIONAL
    d.regs[(1, 0x30)] = 0x0                        # HostInterruptStatus
    d.regs[(1, 0x34)] = 0xfffffff7                 # HostInterruptMask: reply interrupts on
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v = g.on(g.vcpus[1], v0.now + 20 * MS)
    enable(g, v, d)
    vecs = [(msi_addr(i), 0x30 + i) for i in range(4)]
    msix_enable(g, v, d, vecs, site="vmlinux!msix_capability_init")
    bar = d.bar_addr(1)
    for off in (0x0, 0x30, 0x34):
        g.mmio_read(v, bar + off, site="mpt3sas!mpt3sas_base_map_resources")
    g.mmio_write(v, bar + 0x34, 4, 0xfffffff7, site="mpt3sas!_base_unmask_interrupts")
    st = {"host_idx": {}, "free": 0, "stop": False}

    def isr(q):
        def run(u):
            g.step(u, g.j(2 * US, 6 * US))
            st["host_idx"][q] = (st["host_idx"].get(q, 0) + 1) % 4096
            g.mmio_write(u, bar + 0x6c, 4, (q << 24) | st["host_idx"][q], site="mpt3sas!_base_process_reply_queue")
            st["free"] = (st["free"] + 1) % 8192
            g.mmio_write(u, bar + 0x48, 4, st["free"], site="mpt3sas!_base_process_reply_queue")
        return run

    outstanding = {"n": 0, "oldest": None}

    def io(q):
        def run(t):
            if g.crashed or st["stop"]:
                return
            u = g.on(g.vcpus[q], t)
            smid = g.j(1, 4000)
            g.mmio_write(u, bar + 0xc0, 4, (smid << 16) | 0x0, site="mpt3sas!_base_put_smid_scsi_io")
            g.mmio_write(u, bar + 0xc4, 4, q, site="mpt3sas!_base_put_smid_scsi_io")
            if d.alive:
                g.at(u.now + g.j(80 * US, 400 * US), lambda t2: g.device_irq(t2, d, q, handler=isr(q)))
            else:
                outstanding["n"] += 1
                outstanding["oldest"] = outstanding["oldest"] or u.now
            g.at(u.now + g.j(1500 * US, 4500 * US), run)
        return run
    for q in range(4):
        g.at(v.now + g.j(1 * MS, 3 * MS), io(q))
    loops = {"n": 0}

    def fault_reset_work(t):
        if g.crashed:
            return
        u = g.on(g.vcpus[0], t)
        db = g.mmio_read(u, bar + 0x0, site="mpt3sas!mpt3sas_base_get_iocstate")
        if db & 0xf0000000 == 0xf0000000:
            g.console(u, "mpt3sas_cm0: SAS host is non-operational !!!!\r\n")
            loops["n"] += 1
            if loops["n"] >= 6:
                st["stop"] = True
                g.mmio_read(u, bar + 0x30, site="mpt3sas!mpt3sas_base_mask_interrupts")
                g.mmio_write(u, bar + 0x34, 4, 0xffffffff, site="mpt3sas!mpt3sas_base_mask_interrupts")
                g.cfg_read(u, d.bdf, 0x00, 4, site="vmlinux!pci_device_is_present")
                g.console(u, "mpt3sas_cm0: mpt3sas_remove_dead_ioc_func: removing unresponding ioc\r\n")
                g.console(u, "sd 0:0:0:0: [sda] Synchronizing SCSI cache\r\n")
                g.step(u, g.j(200 * MS, 400 * MS))
                g.console(u, "EXT4-fs error (device sda2): ext4_journal_check_start:83: comm systemd: "
                             "Detected aborted journal\r\n")
                g.pvpanic(u, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00007f00")
                return
        g.at(u.now + 1 * S, fault_reset_work)
    g.at(v.now + g.j(300 * MS, 700 * MS), fault_reset_work)
    t_gone = v.now + g.j(2200 * MS, 2600 * MS)

    def gone(t):
        if bad:
            d.alive = False
    g.at(t_gone, gone)
    return finish(g, t_gone + 7500 * MS)
