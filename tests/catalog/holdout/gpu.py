"""GPUs: a Tesla T4 touched 30 ms after an FLR (VMX host); amdgpu keeping
its old BAR5 mapping after a resizable-BAR reassignment; and, healthy, a
busy GPU's fence interrupts (Windows)."""

import struct

from sim.guest import Guest
from sim.pci import US, MS, S, Dev
from sim.platform import q35, behind, boot_phase, enable, msi_enable, msi_addr, finish
from sim.drivers.gpu import nvidia, win_gpu_bringup, WinRadeon


def sc_t4_flr(name, bad=True, boot=True):
    """Linux, 4 vcpus, VMX exits, NVIDIA Tesla T4 (10de:1eb8) behind the root
    port 00:1d.0 at 03:00.0; PCIe capability at 0x78 (Device Control at
    0x80, FLR capable).  After a GPU fault the driver's recovery resets the
    function itself: Device Control bit 15, a 30 ms sleep (the spec: 100
    ms), the saved config written back (dropped: still in reset), then
    PMC_BOOT_0 read through the old BAR0 mapping: all-ones.  By the time
    it looks at config space the function answers (vendor id 0x10de) but
    its command register and BARs are 0.  'RmInitAdapter failed', an oops
    on the error path, panic."""
    g = Guest(name, 4, "linux", vmx=True)
    br, = q35(g, [(0x1d, 0, 3)])
    d = behind(g, br, Dev((3, 0, 0), 0x10de, 0x1eb8, 0x030200, rev=0xa1, ssvid=0x10de, ssid=0x12a2, pin=1))
    d.add_bar(0, 16 << 20, "mem32", addr=0xfd000000)
    d.add_bar(1, 256 << 20, "mem64", pref=True, addr=0x3800000000)
    d.add_bar(3, 32 << 20, "mem64", pref=True, addr=0x3810000000)
    d.cap_pm(0x60)
    d.cap_msi(0x68, is64=True)
    d.cap_pcie(0x78, flr=True)
    d.gsi = 16
    d.flr_recovery = 55 * MS
    st = {"pending": 0}
    d.regs[(0, 0x0)] = 0x164000a1                  # PMC_BOOT_0 (TU104)
    d.rd[(0, 0x100)] = lambda t: st["pending"]
    def ack(t, val):
        st["pending"] = 0
    d.wr[(0, 0x2100)] = ack
    d.rd[(0, 0x2100)] = lambda t: 0x10 if st["pending"] else 0
    d.rd[(0, 0x9400)] = lambda t: (t * 32 // 31) & 0xffffffff
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v1 = g.on(g.vcpus[1], v0.now + 30 * MS)
    enable(g, v1, d)
    msi_enable(g, v1, d, msi_addr(1), 0x27)
    bar = d.bar_addr(0)
    for off in (0x0, 0x4, 0x100, 0x9400):
        g.mmio_read(v1, bar + off, site="nvidia!nv_pci_probe")
    state = {"stop": False}

    def isr(v):
        g.mmio_read(v, bar + 0x100, site="nvidia!nvidia_isr")
        g.mmio_read(v, bar + 0x2100, site="nvidia!nvidia_isr")
        g.mmio_write(v, bar + 0x2100, 4, 0x10, site="nvidia!nvidia_isr_bh")
        g.mmio_read(v, bar + 0x9400, site="nvidia!nvidia_isr_bh")

    def launch(t):
        if g.crashed or state["stop"]:
            return
        v = g.on(g.vcpus[2 + g.j(0, 1)], t)
        g.mmio_write(v, bar + 0x810090, 4, g.j(0, 7), site="nvidia!kchannelRingDoorbell")   # NV_USERMODE doorbell

        def done(t2):
            if state["stop"]:
                return
            st["pending"] = 0x100
            g.device_irq(t2, d, 0, handler=isr)
        g.at(v.now + g.j(400 * US, 2500 * US), done)
        g.at(v.now + g.j(3 * MS, 6 * MS), launch)
    g.at(v1.now + 2 * MS, launch)
    t_c = v1.now + g.j(2000 * MS, 2300 * MS)
    pe = d.caps[0x10]

    def recover(t):
        state["stop"] = True
        v = g.on(g.vcpus[1], t)
        g.run(v.now)
        g.console(v, "NVRM: Xid (PCI:0000:03:00): 119, pid=1743, Timeout waiting for RPC from GSP!\r\n")
        saved = {off: d.r(off, 4) for off in range(0x10, 0x40, 4)}
        cmd = d.cmd()
        m = d.caps[0x05]
        msi = [d.r(m + off, 4) for off in (0x4, 0x8, 0xc)]
        devctl = g.cfg_read(v, d.bdf, pe + 8, 2, site="nvidia!os_pci_trigger_flr")
        g.cfg_write(v, d.bdf, pe + 8, 2, devctl | 0x8000, site="nvidia!os_pci_trigger_flr")
        g.stale_ranges.append((bar, 16 << 20, 0xffffffff))
        g.idle(v, v.now + (g.j(30 * MS, 31 * MS) if bad else g.j(100 * MS, 102 * MS)))
        if not bad:
            g.cfg_read(v, d.bdf, 0x00, 4, site="vmlinux!pci_dev_wait")
        for off in range(0x3c, 0x0c, -4):
            g.cfg_write(v, d.bdf, off, 4, saved[off], site="vmlinux!pci_restore_state")
        g.cfg_write(v, d.bdf, 0x04, 2, cmd, site="vmlinux!pci_restore_state")
        for off, val in zip((0x4, 0x8, 0xc), msi):
            g.cfg_write(v, d.bdf, m + off, 4, val, site="vmlinux!pci_restore_msi_state")
        g.cfg_write(v, d.bdf, m + 2, 2, 0x0081, site="vmlinux!pci_restore_msi_state")
        ok = 0
        for _ in range(3):
            if g.mmio_read(v, bar + 0x0, site="nvidia!RmInitAdapter") != 0xffffffff:
                ok += 1
                break
            g.idle(v, v.now + g.j(20 * MS, 30 * MS))
        if not ok:
            g.cfg_read(v, d.bdf, 0x00, 4, site="nvidia!os_pci_read_dword")
            g.cfg_read(v, d.bdf, 0x04, 2, site="nvidia!os_pci_read_word")
            g.console(v, "NVRM: GPU 0000:03:00.0: RmInitAdapter failed! (0x22:0x56:762)\r\n")
            g.step(v, g.j(2 * MS, 6 * MS))
            g.console(v, "BUG: kernel NULL pointer dereference, address: 0000000000000030\r\n")
            g.pvpanic(v, "Kernel panic - not syncing: Fatal exception")
            return
        for off in (0x4, 0x100, 0x9400):
            g.mmio_read(v, bar + off, site="nvidia!RmInitAdapter")
        state["stop"] = False
        g.at(v.now + g.j(1 * MS, 3 * MS), launch)
    g.at(t_c, recover)
    return finish(g, t_c + 3 * S)


def sc_rebar_stray(name, bad=True, boot=True):
    """Linux, 2 vcpus, Radeon RX 6800 XT (1002:73bf) behind the root port
    00:02.0 at 04:00.0: BAR0 VRAM 256 MiB (resizable, ReBAR capability at
    0x200), BAR2 doorbells, BAR5 registers 1 MiB at 0xfe600000.  amdgpu maps
    BAR5 (rmmio), then resizes BAR0 to 16 GiB: decode off, BARs released,
    ReBAR control written, the bridge windows and the function's BARs
    re-placed, which moves BAR5 to 0xfe400000; decode on.  The driver goes
    on through its old rmmio mapping: reads of nothing (0), writes lost;
    CONFIG_MEMSIZE reads 0 and the VRAM manager divides by it."""
    g = Guest(name, 2, "linux")
    br, = q35(g, [(0x02, 0, 4)])
    d = behind(g, br, Dev((4, 0, 0), 0x1002, 0x73bf, 0x030000, rev=0xc1, ssvid=0x1002, ssid=0x0e3a, pin=1))
    d.add_bar(0, 256 << 20, "mem64", pref=True, addr=0x3800000000)
    d.add_bar(2, 2 << 20, "mem64", pref=True, addr=0x3810000000)
    d.add_bar(4, 256, "io", addr=0xe000)
    d.add_bar(5, 1 << 20, "mem32", addr=0xfe600000)
    d.cap_pm(0x50)
    d.cap_pcie(0x64, flr=False)
    d.cap_msi(0xa0, is64=True)
    d.gsi = 16
    # Resizable BAR extended capability at 0x200: BAR0, 256 MiB..16 GiB
    d.cfg[0x200:0x204] = struct.pack("<I", 0x00010015)
    d.cfg[0x204:0x208] = struct.pack("<I", 0x003ff0)
    d.cfg[0x208:0x20c] = struct.pack("<I", 0x00000820)    # 1 BAR, index 0, size 256 MiB (8)
    d.regs[(5, 0x5428)] = 0x4000                            # CONFIG_MEMSIZE: 16384 MiB
    d.regs[(5, 0x8010)] = 0x00003028                        # GRBM_STATUS: idle
    d.regs[(5, 0x3e14)] = 0x0
    d.regs[(5, 0x0)] = 0x0
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    v = g.on(v1, v0.now + g.j(400 * MS, 700 * MS))
    enable(g, v, d, io=True)
    rmmio = d.bar_addr(5)
    for off in (0x0, 0x5428, 0x8010, 0x3e14):
        g.mmio_read(v, rmmio + off, site="amdgpu!amdgpu_device_rreg")
    for off, val in ((0x3e00, 0x10001), (0x3e04, 0x0), (0x2004, 0x1)):
        g.mmio_write(v, rmmio + off, 4, val, site="amdgpu!amdgpu_device_wreg")
    g.step(v, g.j(30 * MS, 60 * MS))
    # amdgpu_device_resize_fb_bar -> pci_resize_resource
    cmd = g.cfg_read(v, d.bdf, 0x04, 2, site="amdgpu!amdgpu_device_resize_fb_bar")
    g.cfg_write(v, d.bdf, 0x04, 2, cmd & ~0x2, site="amdgpu!amdgpu_device_resize_fb_bar")
    g.cfg_read(v, d.bdf, 0x204, 4, mech="ecam", site="vmlinux!pci_rebar_get_possible_sizes")
    ctl = g.cfg_read(v, d.bdf, 0x208, 4, mech="ecam", site="vmlinux!pci_rebar_set_size")
    g.cfg_write(v, d.bdf, 0x208, 4, (ctl & ~0x3f00) | (14 << 8), mech="ecam", site="vmlinux!pci_rebar_set_size")
    d.bars[0].size = 16 << 30
    # pci_assign_unassigned_bus_resources: bridge windows and BARs re-placed
    site = "vmlinux!pci_setup_bridge"
    g.cfg_write(v, br.bdf, 0x20, 4, 0xfe60fe40, site=site)                 # memory window 0xfe400000-0xfe6fffff
    g.cfg_write(v, br.bdf, 0x24, 4, 0x3ff10001, site=site)                 # prefetchable window
    g.cfg_write(v, br.bdf, 0x28, 4, 0x38, site=site)
    g.cfg_write(v, br.bdf, 0x2c, 4, 0x43, site=site)
    site = "vmlinux!pci_update_resource"
    g.cfg_write(v, d.bdf, 0x10, 4, 0x0000000c, site=site)
    g.cfg_write(v, d.bdf, 0x14, 4, 0x40, site=site)                         # BAR0 0x40_0000_0000
    g.cfg_write(v, d.bdf, 0x18, 4, 0x0000000c, site=site)
    g.cfg_write(v, d.bdf, 0x1c, 4, 0x38, site=site)                         # BAR2 0x38_0000_0000
    g.cfg_write(v, d.bdf, 0x24, 4, 0xfe400000, site=site)                   # BAR5 moved
    g.cfg_write(v, d.bdf, 0x04, 2, cmd, site="amdgpu!amdgpu_device_resize_fb_bar")
    assert d.bar_addr(5) == 0xfe400000 and d.bar_addr(0) == 0x4000000000, (hex(d.bar_addr(5)), hex(d.bar_addr(0)))
    if not bad:
        rmmio = d.bar_addr(5)          # the mapping is re-made at the new address
    g.step(v, g.j(200 * US, 600 * US))
    # gmc/ih/psp init through rmmio
    seq = [(0x8010, None), (0x5428, None), (0x3e00, 0x10001), (0x3e14, None), (0x8010, None),
           (0x2004, 0x1), (0x2008, 0x3), (0x8010, None), (0x3e14, None), (0x5428, None)]
    for off, val in seq:
        if val is None:
            r = g.mmio_read(v, rmmio + off, site="amdgpu!amdgpu_device_rreg")
        else:
            g.mmio_write(v, rmmio + off, 4, val, site="amdgpu!amdgpu_device_wreg")
        g.step(v, g.j(20 * US, 200 * US))
    if r == 0:
        g.step(v, g.j(30 * US, 90 * US))
        g.console(v, "[drm] amdgpu: 0M of VRAM memory ready\r\n")
        g.console(v, "divide error: 0000 [#1] PREEMPT SMP NOPTI\r\n"
                     "RIP: 0010:amdgpu_vram_mgr_init+0x7d/0x1a0 [amdgpu]\r\n")
        g.pvpanic(v, "Kernel panic - not syncing: Fatal exception")
        return g
    msi_enable(g, v, d, msi_addr(1), 0x26)
    w = WinRadeon(g, d, v1, v0, 0x26)
    w.reg = lambda off: d.bar_addr(5) + off
    w.on_tdr = lambda t: None
    d.pending, d.ih_wptr, d.configured, d.completed = 0, 0, True, 0
    d.rd[(5, 0x3e14)] = lambda t: d.ih_wptr
    w.start(v.now)
    return finish(g, v.now + 2 * S)


def sc_busy_gpu(name, bad=False, boot=True):
    """Windows 10, 4 vcpus, RTX 3090 (10de:2204) behind a root port, MSI
    vector 0x61 to vcpu 0, a compute job launching small kernels from two
    threads: about 20000 fence interrupts a second, each taken, PMC_INTR_0
    read, PFIFO acked, unmasked and EOId; 60 Hz vblank too."""
    g = Guest(name, 4, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia(g, br, 0x2204, 0x147d, 0x1aef)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v1 = g.on(g.vcpus[1], v0.now + 30 * MS)
    win_gpu_bringup(g, v1, gpu, 0x61)
    enable(g, v1, aud)
    for u in g.vcpus:
        u.busy = True
    base, b1 = gpu.bar_addr(0), gpu.bar_addr(1)

    def isr(u):
        g.mmio_read(u, base + 0x100, site="nvlddmkm!isr")
        g.mmio_write(u, base + 0x140, 4, 0, site="nvlddmkm!isr")
        g.step(u, g.j(2 * US, 5 * US))
        g.mmio_read(u, base + 0x2100, site="nvlddmkm!dpc")
        g.mmio_write(u, base + 0x2100, 4, 0x10, site="nvlddmkm!dpc")
        g.mmio_write(u, base + 0x140, 4, 1, site="nvlddmkm!dpc")

    def fence(t):
        gpu.pending |= 0x100
        g.device_irq(t, gpu, 0, handler=isr)

    def launch(k):
        def run(t):
            u = g.on(g.vcpus[2 + k], t)
            g.mmio_write(u, b1 + 0x2088 + 0x200 * k, 4, g.j(0, 0xffff) << 4, site="nvlddmkm!SubmitCommand")
            g.at(u.now + g.j(30 * US, 60 * US), fence)
            g.at(u.now + g.j(85 * US, 105 * US), run)
        return run

    def vblank(t):
        fence(t)
        g.at(t + 16683 * US, vblank)
    g.at(v1.now + 1 * MS, launch(0))
    g.at(v1.now + 1 * MS + 45 * US, launch(1))
    g.at(v1.now + 3 * MS, vblank)
    return finish(g, v1.now + 800 * MS)
