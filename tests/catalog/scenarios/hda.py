"""HD Audio scenarios (Windows): decode turned off under a waiting DPC, an
interrupt storm from an unhandled RIRB overrun, a position read out of
range."""

from sim.guest import Guest
from sim.pci import US, MS, S
from sim.platform import q35, boot_phase, start_recording, enable, msi_enable, msi_addr, finish
from sim.drivers.gpu import nvidia, nvidia_with_audio
from sim.drivers.hda import Hda, hda_dev


def sc_ip_decode_off(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, RTX 2070 SUPER's HDMI audio function (01:00.1),
    line-based.  A PnP resource rebalance stops the function: pci.sys
    clears Memory Space Enable while HDAudBus's verb DPC is still waiting
    for a codec response: the CORB write goes nowhere and RIRBWP reads 0
    for ever (QEMU unmaps the BAR; bare metal would return all-ones).
    DPC_WATCHDOG_VIOLATION (0x133)."""
    g = Guest(name, 2, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia_with_audio(g, br)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v1, gpu, io=True)
    g.on(v1, v0.now + 20 * MS)
    enable(g, v1, aud)
    g.ioapic_program(v1, aud.gsi, 0x72, 0, level=True, site="hal!HalpIoApicProgram")
    h = Hda(g, aud, 0x72, gsi=aud.gsi)
    h.bringup(v1)
    h.start_stream(v1, 1)
    t_c = v1.now + g.j(1800 * MS, 2200 * MS)

    def rebalance(t):
        v = g.on(v1, t)
        if not bad:
            g.mmio_write(v, h.reg(0x100), 4, 0x00100000, site="HDAudBus!HdaStream::Stop")
            h.t_run = None
            g.mmio_write(v, h.reg(0x20), 4, 0, site="HDAudBus!HdaController::Stop")
        cmd = g.cfg_read(v, aud.bdf, 0x04, 2, site="pci!PciDecodeEnable")
        g.cfg_write(v, aud.bdf, 0x04, 2, cmd & ~0x3, site="pci!PciDecodeEnable")
        if bad:
            # the verb DPC on vcpu 0: CORBWP written, RIRBWP polled, 200 us stalls
            u = g.on(v0, v.now + g.j(30 * US, 80 * US))
            g.mmio_write(u, h.reg(0x48), 2, 0x21, site="HDAudBus!HdaController::SendVerb")
            wp = h.rirbwp
            t_end = u.now + g.j(2700 * MS, 3000 * MS)
            while u.now < t_end and g.mmio_read(u, h.reg(0x58), 2, site="HDAudBus!HdaController::WaitResponse") in (wp, 0):
                g.step(u, g.j(195 * US, 215 * US))
            g.bugcheck(u, 0x133, 0, 0x501, 0x500, 0xfffff80412f1d340)
            return
        g.idle(v, v.now + g.j(40 * MS, 80 * MS))
        g.cfg_write(v, aud.bdf, 0x04, 2, cmd, site="pci!PciDecodeEnable")
        g.mmio_write(v, h.reg(0x20), 4, 0xc00000ff, site="HDAudBus!HdaController::Initialize")
        h.verb(v, 4)
        h.start_stream(v, 1)
    g.at(t_c, rebalance)
    return finish(g, t_c + 3500 * MS)


def sc_irq_storm_msi(name, bad=True, boot=True):
    """Windows 10, 4 vcpus, GTX 1660's HDMI audio function in MSI mode (the
    'MSI utility' registry tweak).  After a codec unsolicited-response burst
    the controller reports RIRB overrun (RIRBSTS bit 2), which HDAudBus's
    ISR does not handle: it reads INTSTS and RIRBSTS, returns, and the
    controller signals again at once.  The rate jumps from 100/s to 10k/s
    with nothing cleared; DPC_WATCHDOG_VIOLATION (0x133, cumulative)."""
    g = Guest(name, 4, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = nvidia(g, br, 0x2184, 0x3fc7, 0x1aeb)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v1 = g.on(g.vcpus[1], v0.now + 20 * MS)
    enable(g, v1, gpu, io=True)
    enable(g, v1, aud)
    msi_enable(g, v1, aud, msi_addr(0), 0x72)
    h = Hda(g, aud, 0x72)
    h.bringup(v1)
    h.start_stream(v1, 2)
    start_recording(g)
    t_c = v1.now + g.j(1800 * MS, 2100 * MS)

    def storm_isr(v):
        g.mmio_read(v, h.reg(0x24), site="HDAudBus!HdaController::Isr")
        g.mmio_read(v, h.reg(0x5d), 1, site="HDAudBus!HdaController::Isr")

    def storm(t):
        if not bad:
            # the same burst handled: responses read, RIRBSTS cleared
            v = g.on(g.vcpus[1], t)
            for _ in range(6):
                h.response(v.now)
                g.step(v, g.j(150 * US, 400 * US))
            return
        h.storm_from = t
        h.intsts |= 0xc0000000
        state = {"n": 0}

        def again(t2):
            if g.crashed:
                return
            g.msi(t2, msi_addr(0), 0x72, handler=storm_isr)
            state["n"] += 1
            if t2 - t > 1800 * MS:
                u = g.on(g.vcpus[0], t2 + 20 * US)
                g.bugcheck(u, 0x133, 1, 0x1e00, 0xfffff80412f1c378, 0)
                return
            g.at(max(t2 + g.j(140 * US, 220 * US), g.vcpus[0].now + g.j(5 * US, 12 * US)), again)
        g.at(t, again)
    g.at(t_c, storm)
    return finish(g, t_c + 3 * S)


def sc_bad_value_hda(name, bad=True, boot=True):
    """Windows 10, 2 vcpus, Cannon Lake PCH HD Audio (8086:a348) at 00:1b.0,
    MSI.  The stream's link position (SD4 LPIB) has only ever read values
    below the cyclic buffer length (0x3c00); one read returns 0x3c1a0 and
    the DPC that read it indexes the DMA buffer with it:
    DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xd1) 30 us later, on the same vcpu."""
    g = Guest(name, 2, "windows")
    q35(g)
    d = hda_dev(g, (0, 0x1b, 0), 0x8086, 0xa348, 0x1043, 0x8724, 0xfebf8000 & ~0x3fff)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    enable(g, v0, d)
    msi_enable(g, v0, d, msi_addr(1), 0x71)
    h = Hda(g, d, 0x71)
    h.bringup(v0)
    h.start_stream(v0, 0)
    start_recording(g)
    t_bad = v0.now + g.j(2500 * MS, 2900 * MS)
    st = {"used": False}

    def dpc_position(t):
        """HDAudBus's position DPC on vcpu 1: LPIB, then the buffer index."""
        if g.crashed:
            return
        v = g.on(v1, t)
        if bad and t >= t_bad and not st["used"]:
            h.bad_lpib = (v.now, 0x0003c1a0)
            st["used"] = True
        pos = g.mmio_read(v, h.reg(0x104), site="HDAudBus!HdaStream::GetLinkPosition")
        if pos >= h.cbl:
            g.step(v, g.j(20 * US, 40 * US))
            g.bugcheck(v, 0xd1, 0xffffb30d4e800000 + pos, 2, 0, g.rip("HDAudBus!HdaStream::CopyToDma"))
            return
        g.at(v.now + 10 * MS + g.j(0, 500 * US), dpc_position)
    g.at(v0.now + 3 * MS, dpc_position)
    return finish(g, t_bad + 2 * S)
