"""Firmware and guest OS: q35's devices, the firmware's enumeration (BAR
sizing and programming through 0xcf8/0xcfc), the OS's own scan (Linux
through 0xcf8, Windows through ECAM), enabling a device, MSI, MSI-X; and a
scenario's life: the boot (recorded or not), the start of the recording,
the play to its end.

Each scenario function builds one VM and plays it; bad=False is the healthy
twin (the same device and guest done right), boot=False drops everything
before the driver's steady state from the recording (a trace begun after
boot: no enumeration, no BAR programming, no MSI set-up)."""

from .pci import MS, Dev, bridge


def q35(g, root_ports=()):
    """q35's own functions and pcie-root-ports: [(slot, fn, secondary bus)]."""
    g.add(Dev((0, 0, 0), 0x8086, 0x29c0, 0x060000, pcie=False))
    vga = g.add(Dev((0, 1, 0), 0x1234, 0x1111, 0x030000, rev=2, pcie=False))
    vga.add_bar(0, 16 << 20, "mem32", pref=True, addr=0xfc000000)
    vga.add_bar(2, 4096, "mem32", addr=0xfebf4000)
    vga.fw_cmd = 0x0003
    g.add(Dev((0, 0x1f, 0), 0x8086, 0x2918, 0x060100, hdr=0x80, pcie=False))
    sata = g.add(Dev((0, 0x1f, 2), 0x8086, 0x2922, 0x010601, rev=2, pin=1, pcie=False))
    sata.add_bar(4, 32, "io", addr=0xc0c0)
    sata.add_bar(5, 4096, "mem32", addr=0xfebf5000)
    sata.cap_msi(0x80, is64=True)
    smb = g.add(Dev((0, 0x1f, 3), 0x8086, 0x2930, 0x0c0500, rev=2, pin=1, pcie=False))
    smb.add_bar(4, 64, "io", addr=0x0700)
    smb.fw_cmd = 0x0001
    bridges = []
    for slot, fn, sec in root_ports:
        b = g.add(bridge((0, slot, fn), sec))
        bridges.append(b)
    return bridges


def behind(g, br, dev):
    br.children.append(dev)
    g.add(dev)
    return dev


def fw_scan(g, v):
    """SeaBIOS/OVMF-style: find every function, size and place its BARs,
    program bridges, enable decode, route INTx (Interrupt Line = GSI)."""
    found = []

    def scan_bus(bus, slots):
        for slot in slots:
            for fn in range(8):
                val = g.cfg_read(v, (bus, slot, fn), 0x00, 4, mech="cf8", site="fw!pci_probe")
                if val == 0xffffffff:
                    if fn == 0:
                        break
                    continue
                d = g.devs[(bus, slot, fn)]
                found.append(d)
                hdr = g.cfg_read(v, d.bdf, 0x0e, 1, mech="cf8", site="fw!pci_probe")
                g.cfg_read(v, d.bdf, 0x08, 4, mech="cf8", site="fw!pci_probe")
                if hdr & 0x7f == 1:
                    g.cfg_write(v, d.bdf, 0x18, 4, (0xff << 16) | (d.secondary << 8) | bus, mech="cf8",
                                site="fw!pci_bridge")
                    g.cfg_write(v, d.bdf, 0x18, 4, (d.secondary << 16) | (d.secondary << 8) | bus, mech="cf8",
                                site="fw!pci_bridge")
                    scan_bus(d.secondary, [0, 1])
                if fn == 0 and not hdr & 0x80:
                    break

    scan_bus(0, range(32))
    for d in found:
        nbars = 6 if (d.cfg[0x0e] & 0x7f) == 0 else 2
        i = 0
        while i < nbars:
            off = 0x10 + 4 * i
            old = g.cfg_read(v, d.bdf, off, 4, mech="cf8", site="fw!pci_bar_size")
            g.cfg_write(v, d.bdf, off, 4, 0xffffffff, mech="cf8", site="fw!pci_bar_size")
            g.cfg_read(v, d.bdf, off, 4, mech="cf8", site="fw!pci_bar_size")
            g.cfg_write(v, d.bdf, off, 4, old, mech="cf8", site="fw!pci_bar_size")
            if i in d.bars and d.bars[i].kind == "mem64":
                old = g.cfg_read(v, d.bdf, off + 4, 4, mech="cf8", site="fw!pci_bar_size")
                g.cfg_write(v, d.bdf, off + 4, 4, 0xffffffff, mech="cf8", site="fw!pci_bar_size")
                g.cfg_read(v, d.bdf, off + 4, 4, mech="cf8", site="fw!pci_bar_size")
                g.cfg_write(v, d.bdf, off + 4, 4, old, mech="cf8", site="fw!pci_bar_size")
                i += 1
            i += 1
    for d in found:
        for i, addr in sorted(d.assign.items()):
            g.cfg_write(v, d.bdf, 0x10 + 4 * i, 4, addr & 0xffffffff, mech="cf8", site="fw!pci_bar_map")
            if d.bars[i].kind == "mem64":
                g.cfg_write(v, d.bdf, 0x14 + 4 * i, 4, addr >> 32, mech="cf8", site="fw!pci_bar_map")
        if (d.cfg[0x0e] & 0x7f) == 1:
            kids = [c for c in d.children]
            mem = [c.assign[i] for c in kids for i, b in c.bars.items()
                   if b.kind != "io" and not b.pref and i in c.assign]
            pref = [c.assign[i] for c in kids for i, b in c.bars.items() if b.pref and i in c.assign]
            if mem:
                lo, hi = min(mem) & ~0xfffff, (max(mem) | 0xfffff)
                g.cfg_write(v, d.bdf, 0x20, 4, ((hi >> 16) & 0xfff0) << 16 | ((lo >> 16) & 0xfff0),
                            mech="cf8", site="fw!pci_bridge")
            if pref:
                lo, hi = min(pref) & ~0xfffff, (max(pref) | 0xfffffff)
                g.cfg_write(v, d.bdf, 0x24, 4, (((hi >> 16) & 0xfff0) | 1) << 16 | (((lo >> 16) & 0xfff0) | 1),
                            mech="cf8", site="fw!pci_bridge")
                g.cfg_write(v, d.bdf, 0x28, 4, lo >> 32, mech="cf8", site="fw!pci_bridge")
                g.cfg_write(v, d.bdf, 0x2c, 4, hi >> 32, mech="cf8", site="fw!pci_bridge")
        pin = g.cfg_read(v, d.bdf, 0x3d, 1, mech="cf8", site="fw!pci_irq")
        if pin:
            line = getattr(d, "gsi", 16 + (d.bdf[1] + pin - 1) % 4 if d.bdf[0] == 0 else 16 + (pin - 1) % 4)
            g.cfg_write(v, d.bdf, 0x3c, 1, line, mech="cf8", site="fw!pci_irq")
        g.cfg_write(v, d.bdf, 0x04, 2, d.fw_cmd, mech="cf8", site="fw!pci_enable")


def os_scan(g, v):
    """The OS's enumeration: headers, BAR sizing with decode off, capability
    walk (Linux: pci_scan_device/__pci_read_base/pci_find_capability through
    0xcf8; Windows: pci.sys through ECAM)."""
    lin = g.style != "windows"
    site = "vmlinux!pci_scan_device" if lin else "pci!PciProbeForRequirements"

    def rd(d, off, n):
        return g.cfg_read(v, d, off, n, site=site)

    def wr(d, off, n, val):
        g.cfg_write(v, d, off, n, val, site=site)

    def scan_bus(bus, slots):
        for slot in slots:
            for fn in range(8):
                bdf = (bus, slot, fn)
                if rd(bdf, 0x00, 4) == 0xffffffff:
                    if fn == 0:
                        break
                    continue
                d = g.devs[bdf]
                hdr = rd(bdf, 0x0e, 1)
                rd(bdf, 0x08, 4)
                if hdr & 0x7f == 0:
                    rd(bdf, 0x2c, 4)
                cmd = rd(bdf, 0x04, 2)
                wr(bdf, 0x04, 2, cmd & ~0x3)
                nbars = 6 if hdr & 0x7f == 0 else 2
                i = 0
                while i < nbars:
                    off = 0x10 + 4 * i
                    old = rd(bdf, off, 4)
                    wr(bdf, off, 4, 0xffffffff)
                    rd(bdf, off, 4)
                    wr(bdf, off, 4, old)
                    if i in d.bars and d.bars[i].kind == "mem64":
                        old = rd(bdf, off + 4, 4)
                        wr(bdf, off + 4, 4, 0xffffffff)
                        rd(bdf, off + 4, 4)
                        wr(bdf, off + 4, 4, old)
                        i += 1
                    i += 1
                wr(bdf, 0x04, 2, cmd)
                rd(bdf, 0x3c, 2)
                if rd(bdf, 0x06, 2) & 0x10:
                    pos = rd(bdf, 0x34, 1)
                    while pos:
                        ent = rd(bdf, pos, 2)
                        cid = ent & 0xff
                        if cid == 0x01:
                            rd(bdf, pos + 2, 2)
                            rd(bdf, pos + 4, 2)
                        elif cid == 0x10:
                            rd(bdf, pos + 2, 2)
                            rd(bdf, pos + 4, 4)
                            rd(bdf, pos + 8, 2)
                            rd(bdf, pos + 0xc, 4)
                            rd(bdf, pos + 0x10, 2)
                        elif cid == 0x05:
                            c = rd(bdf, pos + 2, 2)
                            wr(bdf, pos + 2, 2, c & ~1)
                        elif cid == 0x11:
                            c = rd(bdf, pos + 2, 2)
                            wr(bdf, pos + 2, 2, c & ~0xc000)
                        pos = ent >> 8
                if hdr & 0x7f == 1:
                    rd(bdf, 0x18, 4)
                    rd(bdf, 0x20, 4)
                    rd(bdf, 0x24, 4)
                    rd(bdf, 0x3e, 2)
                    scan_bus(d.secondary, [0])
                if fn == 0 and not hdr & 0x80:
                    break

    scan_bus(0, range(32))


def enable(g, v, dev, io=False, master=True, site=None):
    """pci_enable_device(_mem) + pci_set_master (Windows: pci.sys's start)."""
    site = site or ("vmlinux!pci_enable_resources" if g.style != "windows" else "pci!PciSetResources")
    cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
    cmd |= 0x2 | (0x1 if io else 0)
    g.cfg_write(v, dev.bdf, 0x04, 2, cmd, site=site)
    if master:
        cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
        g.cfg_write(v, dev.bdf, 0x04, 2, cmd | 0x4, site=site)


def msi_enable(g, v, dev, addr, data, site=None):
    """msi_capability_init / pci.sys: address, data, enable; INTx disabled."""
    site = site or ("vmlinux!pci_msi_domain_write_msg" if g.style != "windows" else "pci!PciProgramMsiInterrupt")
    m = dev.caps[0x05]
    ctrl = g.cfg_read(v, dev.bdf, m + 2, 2, site=site)
    g.cfg_write(v, dev.bdf, m + 2, 2, ctrl & ~0x71, site=site)
    g.cfg_write(v, dev.bdf, m + 4, 4, addr & 0xffffffff, site=site)
    if dev.msi_is64:
        g.cfg_write(v, dev.bdf, m + 8, 4, addr >> 32, site=site)
        g.cfg_write(v, dev.bdf, m + 0xc, 2, data, site=site)
    else:
        g.cfg_write(v, dev.bdf, m + 8, 2, data, site=site)
    g.cfg_write(v, dev.bdf, m + 2, 2, (ctrl & ~0x70) | 1, site=site)
    cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
    g.cfg_write(v, dev.bdf, 0x04, 2, cmd | 0x400, site=site)


def msix_enable(g, v, dev, vectors, unmask=None, clear_fmask=True, site=None):
    """msix_capability_init (Linux 5.14+): enable with the function masked,
    every entry masked, messages written, INTx disabled, function mask
    cleared, then each used entry unmasked as its handler is requested.
    vectors: [(address, data)] for entries 0..n-1; unmask: entries to unmask."""
    lin = g.style != "windows"
    site = site or ("vmlinux!msix_capability_init" if lin else "pci!PciProgramMsixTable")
    x = dev.caps[0x11]
    ctrl = g.cfg_read(v, dev.bdf, x + 2, 2, site=site)
    g.cfg_write(v, dev.bdf, x + 2, 2, (ctrl & 0x7ff) | 0xc000, site=site)
    g.cfg_read(v, dev.bdf, x + 4, 4, site=site)             # Table Offset/BIR: where to map
    if not lin:
        g.cfg_read(v, dev.bdf, x + 8, 4, site=site)         # PBA Offset/BIR
    base = dev.bar_addr(dev.msix_bir) + dev.msix_table_off
    for i in range(len(dev.msix_table)):
        g.mmio_write(v, base + 16 * i + 12, 4, 1, site=site)
    for i, (addr, data) in enumerate(vectors):
        g.mmio_write(v, base + 16 * i, 4, addr & 0xffffffff, site=site)
        g.mmio_write(v, base + 16 * i + 4, 4, addr >> 32, site=site)
        g.mmio_write(v, base + 16 * i + 8, 4, data, site=site)
    cmd = g.cfg_read(v, dev.bdf, 0x04, 2, site=site)
    g.cfg_write(v, dev.bdf, 0x04, 2, cmd | 0x400, site=site)
    if clear_fmask:
        g.cfg_write(v, dev.bdf, x + 2, 2, (ctrl & 0x7ff) | 0x8000, site=site)
    for i in (range(len(vectors)) if unmask is None else unmask):
        g.mmio_write(v, base + 16 * i + 12, 4, 0, site="vmlinux!pci_msix_unmask" if lin else site)


def msi_addr(apicid):
    return 0xfee00000 | (apicid << 12)


def linux_msix_vectors(g, n, first_vec=0x21, cpus=None):
    """n MSI-X messages, vectors from first_vec, spread over the vcpus (or `cpus`)."""
    cpus = cpus if cpus is not None else [i % len(g.vcpus) for i in range(n)]
    return [(msi_addr(cpus[i]), first_vec + i) for i in range(n)]


def boot_phase(g, v, boot):
    """Firmware and OS enumeration on v; with boot=False none of it is
    recorded (the caller turns recording back on where the trace starts)."""
    g.recording = boot
    for d in g.devs.values():
        d.save_reset_state()        # power-on config space, before the firmware
    fw_scan(g, v)
    g.step(v, g.j(900 * MS, 1300 * MS))
    os_scan(g, v)
    g.step(v, g.j(150 * MS, 300 * MS))
    for d in g.devs.values():
        for i, addr in d.assign.items():
            assert d.bar_addr(i) == addr, (g.name, d.bdf, i, hex(d.bar_addr(i)), hex(addr))


def start_recording(g):
    """The recording starts now: every vcpu is brought to the same time
    first, unrecorded (when the boot was recorded this changes nothing)."""
    if not g.recording:
        t = max(v.now for v in g.vcpus)
        for v in g.vcpus:
            g.idle(v, t)
    g.recording = True


def finish(g, end):
    """Plays the scenario until `end`; the vcpus idle to `end` unless it crashed."""
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g
