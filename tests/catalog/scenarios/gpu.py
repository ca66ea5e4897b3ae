"""GPU scenarios: Bus Master off and INTx disabled under a Windows driver
(NVIDIA), D3hot left too soon (AMD, Windows), a secondary bus reset too
short for amdgpu (Linux)."""

from sim.guest import Guest
from sim.pci import US, MS, S
from sim.platform import q35, boot_phase, enable, msi_enable, msi_addr, finish
from sim.drivers.gpu import (nvidia, WinGpu, win_gpu_tdr, win_gpu_bringup, radeon, WinRadeon,
                             win_gpu_tdr_amd)


def sc_ip_busmaster_off(name, bad=True, boot=True):
    """Windows 10, 4 vcpus, GeForce GTX 1080 behind a root port.  The
    driver's power-up path writes back a command value saved while the OS
    had the device stopped: Bus Master off.  Fences and vblank are MSIs
    (memory writes): none can be sent; TDR 2 s later, 0x116."""
    g = Guest(name, 4, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia(g, br, 0x1b80, 0x119e, 0x10f0)
    v0, v1 = g.vcpus[0], g.vcpus[1]
    boot_phase(g, v0, boot)
    g.on(v1, v0.now + 30 * MS)
    win_gpu_bringup(g, v1, gpu, 0x61)
    enable(g, v1, aud)
    w = WinGpu(g, gpu, v0, g.vcpus[2], 0x61)
    w.start(v1.now)
    t_cause = v1.now + g.j(2100 * MS, 2500 * MS)

    def cause(t):
        v = g.on(g.vcpus[1], t)
        # display power-up: PCI_COMMAND restored from the copy taken when
        # the device was stopped (0x0003 bad, 0x0007 done right)
        g.cfg_read(v, gpu.bdf, 0x04, 2, site="nvlddmkm!RestorePciState")
        g.cfg_write(v, gpu.bdf, 0x04, 2, 0x0403 if bad else 0x0407, site="nvlddmkm!RestorePciState")
        g.mmio_read(v, w.reg(0x0), site="nvlddmkm!RestorePciState")
        g.mmio_write(v, w.reg(0x140), 4, 1, site="nvlddmkm!RestorePciState")
    g.at(t_cause, cause)
    w.on_tdr = lambda t: win_gpu_tdr(g, w, g.vcpus[3], t)
    return finish(g, t_cause + 3500 * MS)


def sc_ip_intx_disabled(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, Quadro K2200, line-based interrupts (the
    driver's MSI registry opt-in off).  The driver restarts after an
    update; the instance before it ran in MSI mode and left Interrupt
    Disable (command bit 10) set; MSI is not enabled this time, so the
    GPU cannot signal at all.  TDR, 0x116."""
    g = Guest(name, 2, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia(g, br, 0x13ba, 0x1098, 0x0fbc)
    v0, v1 = g.vcpus[0], g.vcpus[1]
    boot_phase(g, v0, boot)
    g.on(v1, v0.now + 30 * MS)
    # first driver instance: MSI mode
    win_gpu_bringup(g, v1, gpu, 0x61)
    w = WinGpu(g, gpu, v0, v1, 0x61)
    w.start(v1.now)
    t_restart = v1.now + g.j(1500 * MS, 1800 * MS)
    g.run(t_restart)
    w.stopped = True
    g.q.clear()
    v = g.on(v1, t_restart)
    # driver restart: stop (MSI disabled; Interrupt Disable left as it was) ...
    m = gpu.caps[0x05]
    ctrl = g.cfg_read(v, gpu.bdf, m + 2, 2, site="pci!PciDisableInterrupts")
    g.cfg_write(v, gpu.bdf, m + 2, 2, ctrl & ~1, site="pci!PciDisableInterrupts")
    cmd = g.cfg_read(v, gpu.bdf, 0x04, 2, site="pci!PciDisableInterrupts")
    if not bad:
        g.cfg_write(v, gpu.bdf, 0x04, 2, cmd & ~0x400, site="pci!PciDisableInterrupts")
    g.step(v, g.j(300 * MS, 500 * MS))
    # ... and start in line-based mode: IO-APIC entry for GSI 16, level
    win_gpu_bringup(g, v, gpu, 0x71, use_msi=False)
    w2 = WinGpu(g, gpu, v0, v1, 0x71, gsi=gpu.gsi)
    w2.start(v.now)
    w2.on_tdr = lambda t: win_gpu_tdr(g, w2, v1, t)
    return finish(g, v.now + 3500 * MS)


def sc_too_soon_d3hot(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, Radeon RX 580 behind a root port.  Runtime idle
    puts the GPU in D3hot; on wake the driver writes PMCSR = D0 and reads
    its registers 2 ms later (PCI PM: 10 ms before any access).  The reads
    return all-ones, the init writes are dropped, the GPU comes back
    unconfigured: no fence ever completes; TDR, 0x116."""
    g = Guest(name, 2, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = radeon(g, br)
    v0, v1 = g.vcpus[0], g.vcpus[1]
    boot_phase(g, v0, boot)
    g.on(v1, v0.now + 30 * MS)
    enable(g, v1, gpu, io=True)
    msi_enable(g, v1, gpu, msi_addr(0), 0x62)
    enable(g, v1, aud)
    for off in (0x5428, 0x8010, 0x3e14):
        g.mmio_read(v1, gpu.bar_addr(5) + off, site="amdkmdag!AsicInit")
    w = WinRadeon(g, gpu, v0, v1, 0x62)
    w.start(v1.now)
    pm = gpu.caps[0x01]
    t_d3 = v1.now + g.j(1500 * MS, 1800 * MS)
    t_d0 = t_d3 + g.j(900 * MS, 1300 * MS)

    def to_d3(t):
        v = g.on(v1, t)
        g.mmio_read(v, w.reg(0x8010), site="amdkmdag!SetPowerState")
        g.cfg_read(v, gpu.bdf, pm + 4, 2, site="pci!PciSetPowerState")
        g.cfg_write(v, gpu.bdf, pm + 4, 2, 0x0003, site="pci!PciSetPowerState")

    def to_d0(t):
        v = g.on(v1, t)
        g.cfg_write(v, gpu.bdf, pm + 4, 2, 0x0000, site="pci!PciSetPowerState")
        g.step(v, g.j(1900 * US, 2300 * US) if bad else g.j(10400 * US, 11500 * US))
        gpu.configured = gpu.ready(v.now)
        g.mmio_read(v, w.reg(0x5428), site="amdkmdag!AsicInit")
        g.mmio_read(v, w.reg(0x8010), site="amdkmdag!AsicInit")
        for off in (0x2004, 0x2008, 0x3e00, 0x3e04, 0x3e08):
            g.mmio_write(v, w.reg(off), 4, 0x00010001, site="amdkmdag!AsicInit")
        g.mmio_read(v, w.reg(0x3e14), site="amdkmdag!AsicInit")
        w.last_done = v.now
    g.at(t_d3, to_d3)
    g.at(t_d0, to_d0)
    w.on_tdr = lambda t: win_gpu_tdr_amd(g, w, v1, t)
    return finish(g, t_d0 + 3500 * MS)


def sc_too_soon_sbr(name, bad=True, boot=True):
    """Linux, 4 vcpus, Radeon RX 5700 XT behind the root port 00:1c.0.  A
    guest-side reset helper (the setpci recipes passed around for the AMD
    reset bug) sets Secondary Bus Reset in the port's Bridge Control (bit 6),
    clears it 2 ms later and loads amdgpu 5 ms after that; the spec wants
    100 ms after the reset ends.  The probe's config writes are dropped, the
    GPU comes back with no BARs, its registers read all-ones, init fails
    and the error path oopses."""
    g = Guest(name, 4, "linux")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = radeon(g, br, did=0x731f, audio_did=0xab38)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v = g.on(g.vcpus[1], v0.now + g.j(600 * MS, 900 * MS))
    bar5 = gpu.bar_addr(5)
    saved = {off: gpu.r(off, 4) for off in range(0x10, 0x40, 4)}
    # the helper: Secondary Bus Reset on the root port
    bc = g.cfg_read(v, br.bdf, 0x3e, 2, site="setpci")
    g.cfg_write(v, br.bdf, 0x3e, 2, bc | 0x40, site="setpci")
    g.idle(v, v.now + g.j(2 * MS, 3 * MS))
    g.cfg_write(v, br.bdf, 0x3e, 2, bc & ~0x40, site="setpci")
    g.stale_ranges.append((bar5, 256 << 10, 0xffffffff))
    g.idle(v, v.now + (g.j(5 * MS, 6 * MS) if bad else g.j(1000 * MS, 1010 * MS)))
    # modprobe amdgpu: the PCI core restores the saved state, then probe
    g.cfg_read(v, gpu.bdf, 0x00, 4, site="pci_device_add")
    for off in range(0x3c, 0x0c, -4):
        g.cfg_write(v, gpu.bdf, off, 4, saved[off], site="pci_restore_state")
    g.cfg_write(v, gpu.bdf, 0x04, 2, 0x0007, site="pci_enable_device")
    ok = 0
    for off in (0x5428, 0x8010, 0x3e14, 0x5428):
        if g.mmio_read(v, bar5 + off, site="amdgpu_device_init") != 0xffffffff:
            ok += 1
        g.step(v, g.j(20 * US, 80 * US))
    if ok < 2:
        g.console(v, "amdgpu 0000:01:00.0: amdgpu: Fatal error during GPU init\r\n")
        g.step(v, g.j(80 * MS, 200 * MS))
        g.mmio_read(v, bar5 + 0x8010, site="amdgpu_device_fini_hw")
        g.console(v, "BUG: kernel NULL pointer dereference, address: 0000000000000008\r\n")
        g.pvpanic(v, "Kernel panic - not syncing: Fatal exception")
        return g
    msi_enable(g, v, gpu, msi_addr(1), 0x26)
    w = WinRadeon(g, gpu, g.vcpus[1], g.vcpus[2], 0x26)
    w.on_tdr = lambda t: None
    w.start(v.now)
    return finish(g, v.now + 2 * S)
