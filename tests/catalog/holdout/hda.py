"""HD Audio accessed in D3hot on Windows (runtime idle), 0x9f."""

from sim.guest import Guest
from sim.pci import US, MS
from sim.platform import q35, boot_phase, enable, msi_enable, msi_addr, finish
from sim.drivers.hda import Hda, hda_dev


def sc_hda_d3hot(name, bad=True, boot=True):
    """Windows 10, 4 vcpus, Creative Sound Core3D (Sound Blaster Z,
    1102:0012) behind the root port 00:1c.0 at 02:00.0, MSI to vcpu 2.
    Playback, then idle: HDAudBus stops the controller and pci.sys puts it
    in D3hot (PMCSR at config+0x54).  A property query from the audio
    endpoint builder sends a codec verb without first asking for D0: the
    CORBWP write is dropped and RIRBWP (BAR0+0x58) reads all-ones, timeout,
    retry, for good.  The D0 IRP queued behind it never completes:
    DRIVER_POWER_STATE_FAILURE (0x9f)."""
    g = Guest(name, 4, "windows")
    br, = q35(g, [(0x1c, 0, 2)])
    d = hda_dev(g, (2, 0, 0), 0x1102, 0x0012, 0x1102, 0x0033, 0xfe400000, br=br)
    d.gsi = 16
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v2 = g.on(g.vcpus[2], v0.now + 25 * MS)
    enable(g, v2, d)
    msi_enable(g, v2, d, msi_addr(2), 0x81)
    h = Hda(g, d, 0x81)
    h.bringup(v2)
    h.start_stream(v2, 1)
    pm = d.caps[0x01]
    t_stop = v2.now + g.j(1800 * MS, 2200 * MS)
    t_d3 = t_stop + g.j(900 * MS, 1100 * MS)
    t_q = t_d3 + g.j(500 * MS, 800 * MS)

    def stop(t):
        v = g.on(g.vcpus[2], t)
        g.mmio_write(v, h.reg(0x100), 4, 0x00100000, site="HDAudBus!HdaStream::Stop")
        h.t_run = None
        h.gen += 1

    def to_d3(t):
        v = g.on(g.vcpus[2], t)
        g.mmio_write(v, h.reg(0x20), 4, 0, site="HDAudBus!HdaController::PowerDown")
        g.mmio_write(v, h.reg(0x4c), 1, 0, site="HDAudBus!HdaController::PowerDown")
        g.mmio_write(v, h.reg(0x5c), 1, 0, site="HDAudBus!HdaController::PowerDown")
        g.mmio_write(v, h.reg(0x08), 4, 0, site="HDAudBus!HdaController::PowerDown")
        g.cfg_read(v, d.bdf, pm + 4, 2, site="pci!PciSetPowerState")
        g.cfg_write(v, d.bdf, pm + 4, 2, 0x0003, site="pci!PciSetPowerState")

    def query(t):
        v = g.on(g.vcpus[3], t)
        if not bad:
            # the verb path asks for D0 first and waits for it
            g.cfg_write(v, d.bdf, pm + 4, 2, 0x0000, site="pci!PciSetPowerState")
            g.idle(v, v.now + g.j(10400 * US, 11500 * US))
            g.mmio_write(v, h.reg(0x08), 4, 0x1, site="HDAudBus!HdaController::PowerUp")
            g.step(v, 600 * US)
            for off, n, val in ((0x40, 4, 0x3a100000), (0x4c, 1, 0x2), (0x50, 4, 0x3a101000),
                                (0x5c, 1, 0x3), (0x20, 4, 0xc00000ff)):
                g.mmio_write(v, h.reg(off), n, val, site="HDAudBus!HdaController::PowerUp")
            for _ in range(6):
                wp = h.rirbwp
                g.mmio_write(v, h.reg(0x48), 2, g.j(1, 255), site="HDAudBus!HdaController::SendVerb")
                for _ in range(40):
                    if g.mmio_read(v, h.reg(0x58), 2, site="HDAudBus!HdaController::WaitResponse") != wp:
                        break
                    g.step(v, g.j(18 * US, 25 * US))
                    g.run(v.now)
                g.step(v, g.j(200 * US, 600 * US))
            h.start_stream(v, 1)
            return
        t_end = v.now + g.j(2900 * MS, 3200 * MS)
        while v.now < t_end:
            g.mmio_write(v, h.reg(0x48), 2, g.j(1, 255), site="HDAudBus!HdaController::SendVerb")
            for _ in range(50):
                g.mmio_read(v, h.reg(0x58), 2, site="HDAudBus!HdaController::WaitResponse")
                g.step(v, g.j(18 * US, 25 * US))
            g.mmio_read(v, h.reg(0x24), site="HDAudBus!HdaController::VerbTimeout")
            g.idle(v, v.now + g.j(9 * MS, 11 * MS))
        u = g.on(g.vcpus[0], v.now + g.j(50 * US, 200 * US))
        g.bugcheck(u, 0x9f, 0x3, 0xffffc90e1a2b3060, 0xfffff80412f1e7d0, 0xffffc90e1c4d58a0)
    g.at(t_stop, stop)
    g.at(t_d3, to_d3)
    g.at(t_q, query)
    return finish(g, t_q + 3500 * MS)
