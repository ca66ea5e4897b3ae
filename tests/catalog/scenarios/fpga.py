"""An FPGA card (Xilinx XDMA) that falls off the bus (Linux)."""

from sim.guest import Guest
from sim.pci import US, MS, S, Dev
from sim.platform import q35, behind, boot_phase, enable, msi_enable, msi_addr, finish


def sc_device_gone_fpga(name, bad=True, boot=True):
    """Linux, 2 vcpus, a Xilinx XDMA-based FPGA card behind the root port
    00:1d.0.  Its application polls the user design's registers (VERSION,
    UPTIME, STATUS, and IRQ_MASK, which is all-ones because the design runs
    with every user interrupt masked) and runs host-to-card DMA, each
    transfer completed by an MSI.  Someone reprograms the FPGA over JTAG
    from the host: the link drops, every BAR read returns all-ones and the
    vendor id reads 0xffff; the driver's timeout path oopses."""
    g = Guest(name, 2, "linux")
    br, = q35(g, [(0x1d, 0, 2)])
    d = behind(g, br, Dev((2, 0, 0), 0x10ee, 0x9038, 0x058000, ssvid=0x10ee, ssid=0x0007, pin=1))
    d.add_bar(0, 1 << 20, "mem32", addr=0xfe000000)
    d.add_bar(1, 64 << 10, "mem32", addr=0xfe100000)
    d.cap_pm(0x40)
    d.cap_msi(0x48, is64=True)
    d.cap_pcie(0x60, flr=False)
    d.gsi = 16
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    t_cfg = v0.now - 40 * S
    d.regs[(0, 0x0)] = 0x20240611
    d.rd[(0, 0x4)] = lambda t: (t - t_cfg) // S
    d.regs[(0, 0x10)] = 0xffffffff
    d.rd[(0, 0x14)] = lambda t: 0x1
    d.regs[(1, 0x0)] = 0x1fc00006
    d.regs[(1, 0x1000)] = 0x1fc10006
    d.regs[(1, 0x2000)] = 0x1fc20006
    st = {"done": 0}
    d.rd[(1, 0x48)] = lambda t: st["done"]
    d.rd[(1, 0x44)] = lambda t: 0x6
    d.rd[(1, 0x2044)] = lambda t: 0x1
    enable(g, v0, d)
    msi_enable(g, v0, d, msi_addr(0), 0x27)
    for off in (0x0, 0x1000, 0x2000, 0x3000):
        g.mmio_read(v0, d.bar_addr(1) + off, site="xdma_probe")
    g.mmio_write(v0, d.bar_addr(1) + 0x2010, 4, 0x3, site="xdma_probe")
    u0, u1 = d.bar_addr(0), d.bar_addr(1)

    def isr(v):
        g.mmio_read(v, u1 + 0x2044, site="xdma_isr")
        g.mmio_write(v, u1 + 0x2018, 4, 0x1, site="xdma_isr")
        g.mmio_read(v, u1 + 0x44, site="xdma_engine_service")
        g.mmio_read(v, u1 + 0x48, site="xdma_engine_service")
        g.mmio_write(v, u1 + 0x2014, 4, 0x1, site="xdma_isr")

    state = {"pending": None}

    def dma(t):
        if g.crashed:
            return
        v = g.on(v1, t)
        if state["pending"] is not None and v.now - state["pending"] > 1 * S:
            s_ = g.mmio_read(v, u1 + 0x40, site="xdma_xfer_timeout")
            g.mmio_read(v, u1 + 0x48, site="xdma_xfer_timeout")
            g.cfg_read(v, d.bdf, 0x00, 4, site="pci_device_is_present")
            g.console(v, f"xdma:engine_status_read: h2c0 status 0x{s_:08x}: BUSY DESC_STOPPED MAGIC_STOPPED "
                         f"IDLE_STOPPED READ_ERROR DESC_ERROR\r\n")
            g.step(v, g.j(2 * MS, 6 * MS))
            g.console(v, "BUG: kernel NULL pointer dereference, address: 0000000000000040\r\n")
            g.pvpanic(v, "Kernel panic - not syncing: Fatal exception in interrupt")
            return
        if state["pending"] is None:
            g.mmio_write(v, u1 + 0x4080, 4, 0x3c400000, site="xdma_xfer_submit")
            g.mmio_write(v, u1 + 0x4084, 4, 0x1, site="xdma_xfer_submit")
            g.mmio_write(v, u1 + 0x4, 4, 0x00f83e1f, site="xdma_engine_start")
            state["pending"] = v.now
            if d.alive:
                def done(t2):
                    st["done"] += 1
                    state["pending"] = None
                    g.device_irq(t2, d, 0, handler=isr)
                g.at(v.now + g.j(300 * US, 900 * US), done)
        g.at(v.now + g.j(2 * MS, 3 * MS), dma)

    def app(t):
        if g.crashed:
            return
        v = g.on(v0, t)
        for off in (0x0, 0x4, 0x14, 0x10):
            g.mmio_read(v, u0 + off, site="fpga_app!poll_status")
        g.at(v.now + g.j(95 * MS, 105 * MS), app)
    g.at(v0.now + 2 * MS, dma)
    g.at(v0.now + 5 * MS, app)
    t_gone = v0.now + g.j(2200 * MS, 2600 * MS)

    def gone(t):
        if bad:
            d.alive = False
    g.at(t_gone, gone)
    return finish(g, t_gone + 3 * S)
