#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mkholdout.py OUTDIR [NAME...]: writes the held-out pass-through failure
set (tests/catalog/HOLDOUT.md) into OUTDIR, one NAME.dat per scenario and
per healthy twin, with mkcatalog.py's machinery (device models, guests,
kvm events, ring-buffer pages, trace-cmd restore).  The answers are in
holdout.json.  Needs what mkcatalog.py needs (root, tracefs with the kvm
events, trace-cmd).  Deterministic: every scenario's jitter comes from
random.Random("1012:" + its name) (mkcatalog's Guest), twins share it.
  --list   prints the names and stops
"""

import os
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkcatalog as mk                                   # noqa: E402
from mkcatalog import (Guest, Dev, q35, behind, boot_phase, enable, msi_enable, msix_enable,  # noqa: E402
                       msi_addr, Nic, netdev_watchdog_panic, US, MS, S)


def finish(g, end):
    g.run(end)
    if not g.crashed:
        g.finish(end)
    return g


def ones(n):
    return (1 << (8 * n)) - 1


# ---------------------------------------------------------------------------
# 1. xHCI: MSI-X entry 0 re-programmed with a vector below 16

def sc_xhci_vector_low(name, bad=True, boot=True):
    """Linux, 2 vcpus, Renesas uPD720202 xHCI (1912:0015) at 00:07.0, MSI-X
    (table BAR0+0x1000).  A USB disk's bulk traffic, one transfer event
    interrupt each; after a resume in which the controller lost its state
    ('xHC error in resume, USBSTS 0x401, Reinit') xhci re-creates its MSI-X
    vectors, and entry 0's Message Data is written 0x05.  The first event
    (the Enable Slot command's completion) arrives as vector 5: the guest
    takes it as #BR and dies in exc_bounds."""
    g = Guest(name, 2, "linux")
    q35(g)
    d = g.add(Dev((0, 7, 0), 0x1912, 0x0015, 0x0c0330, rev=0x02, ssvid=0x1912, ssid=0x0015, pin=1))
    d.add_bar(0, 8 << 10, "mem64", addr=0xfea00000)
    d.cap_pm(0x50)
    d.cap_msi(0x70, is64=True)
    d.cap_msix(0x90, 8, 0, 0x1000, 0, 0x1080)
    d.cap_pcie(0xa0)
    d.gsi = 19
    st = {"usbsts": 0x0, "erdp": 0}
    d.regs[(0, 0x0)] = 0x01000020          # HCIVERSION 1.00, CAPLENGTH 0x20
    d.regs[(0, 0x4)] = 0x04000820          # HCSPARAMS1: 4 ports, 8 interrupters, 32 slots
    d.regs[(0, 0x10)] = 0x0140fe65         # HCCPARAMS1
    d.regs[(0, 0x14)] = 0x800              # DBOFF
    d.regs[(0, 0x18)] = 0x600              # RTSOFF
    d.rd[(0, 0x24)] = lambda t: st["usbsts"]
    def usbsts_w(t, val):
        st["usbsts"] &= ~(val & 0x41c)
    d.wr[(0, 0x24)] = usbsts_w
    d.rd[(0, 0x620)] = lambda t: 0x2 | (1 if st["usbsts"] & 0x8 else 0)
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    bar = d.bar_addr(0)

    def init_hc(v, site):
        for off in (0x0, 0x4, 0x10, 0x14, 0x18):
            g.mmio_read(v, bar + off, site=site)
        g.mmio_write(v, bar + 0x20, 4, 0x2, site=site)                  # USBCMD.HCRST
        g.step(v, g.j(1 * MS, 2 * MS))
        g.mmio_read(v, bar + 0x20, site=site)
        g.mmio_read(v, bar + 0x24, site=site)
        for off, val in ((0x58, 32), (0x50, 0x3a200000), (0x54, 0), (0x38, 0x3a201001), (0x3c, 0),
                         (0x628, 1), (0x630, 0x3a202000), (0x634, 0), (0x638, 0x3a203000), (0x63c, 0),
                         (0x624, 0xa0), (0x620, 0x2)):
            g.mmio_write(v, bar + off, 4, val, site=site)
        g.mmio_write(v, bar + 0x20, 4, 0x5, site=site)                  # RUN | INTE

    enable(g, v0, d)
    vecs = [(msi_addr(1), 0x24), (msi_addr(0), 0x25)]
    msix_enable(g, v0, d, vecs, site="vmlinux!msix_capability_init")
    init_hc(v0, "xhci_hcd!xhci_init")
    state = {"stop": False, "dead": False}

    def isr(v):
        g.mmio_read(v, bar + 0x24, site="xhci_hcd!xhci_irq")
        g.mmio_write(v, bar + 0x24, 4, 0x8, site="xhci_hcd!xhci_irq")
        g.mmio_read(v, bar + 0x620, site="xhci_hcd!xhci_irq")
        g.mmio_write(v, bar + 0x620, 4, 0x3, site="xhci_hcd!xhci_irq")
        g.step(v, g.j(3 * US, 9 * US))
        st["erdp"] = (st["erdp"] + 0x10) & 0xff0
        g.mmio_write(v, bar + 0x638, 4, 0x3a203000 | st["erdp"] | 0x8, site="xhci_hcd!xhci_update_erst_dequeue")
        g.mmio_write(v, bar + 0x63c, 4, 0, site="xhci_hcd!xhci_update_erst_dequeue")

    def event(t):
        if g.crashed or state["dead"]:
            return
        st["usbsts"] |= 0x8
        route = d.irq_route(0)
        if route and route[0] == "msi" and (route[2] & 0xff) < 16:
            # KVM delivers the message as it is: vector 5 is #BR's slot
            addr, data = route[1], route[2]
            g.emit(t, g.qemu, "kvm_msi_set_irq", address=addr, data=data)
            u = g.vcpu_by_apic((addr >> 12) & 0xff)
            g.emit(t + 700, g.qemu, "kvm_apic_accept_irq", apicid=u.idx, dm=0, tm=0, vec=data & 0xff)
            g.wake(u, t + g.j(2 * US, 5 * US))
            g.inject(u, data & 0xff)
            g.step(u, g.j(20 * US, 60 * US))
            state["dead"] = True
            g.console(u, "bounds: 0000 [#1] PREEMPT SMP NOPTI\r\n"
                         "CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1\r\n"
                         "RIP: 0010:default_idle+0xb/0x20\r\n")
            g.pvpanic(u, "Kernel panic - not syncing: Fatal exception in interrupt")
            return
        g.device_irq(t, d, 0, handler=isr)

    def transfer(t):
        if g.crashed or state["stop"]:
            return
        v = g.on(g.vcpus[g.j(0, 1)], t)
        g.mmio_write(v, bar + 0x800 + 4 * 1, 4, 2 + g.j(0, 1), site="xhci_hcd!xhci_ring_ep_doorbell")
        g.at(v.now + g.j(120 * US, 600 * US), event)
        g.at(v.now + g.j(1200 * US, 2600 * US), transfer)
    g.at(v0.now + 2 * MS, transfer)
    t_c = v0.now + g.j(2000 * MS, 2400 * MS)

    def resume(t):
        state["stop"] = True
        v = g.on(v0, t)
        g.run(v.now)
        # system resume: the controller lost power; xhci re-initialises it
        g.mmio_read(v, bar + 0x24, site="xhci_hcd!xhci_resume")
        g.console(v, "xhci_hcd 0000:00:07.0: xHC error in resume, USBSTS 0x401, Reinit\r\n")
        x = d.caps[0x11]
        ctrl = g.cfg_read(v, d.bdf, x + 2, 2, site="vmlinux!pci_free_irq_vectors")
        g.cfg_write(v, d.bdf, x + 2, 2, ctrl & 0x7ff, site="vmlinux!pci_free_irq_vectors")
        g.step(v, g.j(100 * US, 300 * US))
        vecs2 = [(msi_addr(1), 0x05 if bad else 0x24), (msi_addr(0), 0x25)]
        msix_enable(g, v, d, vecs2, site="vmlinux!msix_capability_init")
        init_hc(v, "xhci_hcd!xhci_init")
        # the root hub's ports come back; the disk is enabled again: Enable Slot
        g.step(v, g.j(3 * MS, 6 * MS))
        g.mmio_write(v, bar + 0x800, 4, 0, site="xhci_hcd!xhci_ring_cmd_db")
        g.at(v.now + g.j(20 * US, 60 * US), event)
        state["stop"] = False
        g.at(v.now + g.j(5 * MS, 9 * MS), transfer)
    g.at(t_c, resume)
    return finish(g, t_c + 2500 * MS)


# ---------------------------------------------------------------------------
# 2. HD Audio accessed in D3hot on Windows (runtime idle), 0x9f

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
    d = mk.hda_dev(g, (2, 0, 0), 0x1102, 0x0012, 0x1102, 0x0033, 0xfe400000, br=br)
    d.gsi = 16
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v2 = g.on(g.vcpus[2], v0.now + 25 * MS)
    enable(g, v2, d)
    msi_enable(g, v2, d, msi_addr(2), 0x81)
    h = mk.Hda(g, d, 0x81)
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


# ---------------------------------------------------------------------------
# 3. X710 (i40e): a PF reset that never completes

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


# ---------------------------------------------------------------------------
# 4. Tesla T4 touched 30 ms after an FLR (VMX host)

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


# ---------------------------------------------------------------------------
# 5. SAS3008 HBA falls off the bus mid-I/O

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


# ---------------------------------------------------------------------------
# 6. amdgpu keeps its old BAR5 mapping after a resizable-BAR reassignment

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
    w = mk.WinRadeon(g, d, v1, v0, 0x26)
    w.reg = lambda off: d.bar_addr(5) + off
    w.on_tdr = lambda t: None
    d.pending, d.ih_wptr, d.configured, d.completed = 0, 0, True, 0
    d.rd[(5, 0x3e14)] = lambda t: d.ih_wptr
    w.start(v.now)
    return finish(g, v.now + 2 * S)


# ---------------------------------------------------------------------------
# 7. CX23885 capture card: a level INTx never acknowledged

CX_MSK, CX_STAT = 0x200040, 0x200044          # PCI_INT_MSK, PCI_INT_STAT
CX_AV_CORE, CX_VID_B = 1 << 27, 1 << 1


def sc_cx23885_storm(name, bad=True, boot=True):
    """Linux, 2 vcpus, Conexant CX23885 (14f1:8852, a Hauppauge HVR-1250)
    at 00:0b.0 on level INTx (GSI 19, the driver's default: MSI off).
    Video capture: a DMA-done interrupt per field (60/s), the ISR reading
    PCI_INT_STAT and PCI_INT_MSK and writing the handled bits back.  Then
    the integrated IR receiver raises the AV-core interrupt; this ISR
    neither masks it (as cx23885 does before deferring it to a work item)
    nor clears it.  The line stays asserted: every EOI's resample lowers
    it and vfio raises it again microseconds later; vcpu 1 does nothing
    else, its soft-lockup watchdog fires after 2 s (watchdog_thresh=1,
    softlockup_panic=1)."""
    g = Guest(name, 2, "linux")
    q35(g)
    d = g.add(Dev((0, 0x0b, 0), 0x14f1, 0x8852, 0x040000, rev=0x02, ssvid=0x0070, ssid=0x2211, pin=1))
    d.add_bar(0, 4 << 20, "mem64", addr=0xfe000000)
    d.cap_pm(0x40)
    d.cap_pcie(0x60, flr=False)
    d.cap_msi(0x50, is64=True)
    gsi = d.gsi = 19
    st = {"stat": 0, "msk": 0}
    d.rd[(0, CX_STAT)] = lambda t: st["stat"]
    d.rd[(0, CX_MSK)] = lambda t: st["msk"]
    def stat_w(t, val):
        st["stat"] &= ~val
    def msk_w(t, val):
        st["msk"] = val
    d.wr[(0, CX_STAT)] = stat_w
    d.wr[(0, CX_MSK)] = msk_w
    d.regs[(0, 0x0)] = 0x00008852
    v0, v1 = g.vcpus
    boot_phase(g, v0, boot)
    v = g.on(v1, v0.now + 20 * MS)
    enable(g, v, d)
    g.ioapic_program(v, gsi, 0x26, 1, level=True, masked=True)
    g.ioapic_mask(v, gsi, False, site="vmlinux!unmask_ioapic_irq")
    bar = d.bar_addr(0)
    for off in (0x0, CX_STAT, CX_MSK):
        g.mmio_read(v, bar + off, site="cx23885!cx23885_dev_setup")
    g.mmio_write(v, bar + CX_MSK, 4, CX_AV_CORE | CX_VID_B | 0x1, site="cx23885!cx23885_irq_enable")
    state = {"storm": None, "n": 0, "active": False}

    def asserted():
        return bool(st["stat"] & st["msk"])

    def isr(u):
        s = g.mmio_read(u, bar + CX_STAT, site="cx23885!cx23885_irq")
        m = g.mmio_read(u, bar + CX_MSK, site="cx23885!cx23885_irq")
        s &= m
        if s & CX_VID_B:
            g.mmio_read(u, bar + 0x130010, site="cx23885!cx23885_video_irq")        # VID_B_INT_STAT
            g.mmio_write(u, bar + 0x130010, 4, 0x1, site="cx23885!cx23885_video_irq")
        handled = s & ~CX_AV_CORE if bad else s
        if s & CX_AV_CORE and not bad:
            # cx23885_irq_disable(PCI_MSK_AV_CORE), then schedule the work
            g.mmio_write(u, bar + CX_MSK, 4, m & ~CX_AV_CORE, site="cx23885!cx23885_irq_disable")
            g.at(u.now + g.j(40 * US, 120 * US), av_work)
        if handled:
            g.mmio_write(u, bar + CX_STAT, 4, handled, site="cx23885!cx23885_irq")

    def av_work(t):
        u = g.on(g.vcpus[0], t)
        for _ in range(3):
            g.mmio_write(u, bar + 0x180000, 4, 0x880, site="cx23885!cx23885_av_work")  # I2C to the AV core
            g.mmio_read(u, bar + 0x180008, site="cx23885!cx23885_av_work")
        st["stat"] &= ~CX_AV_CORE
        g.mmio_write(u, bar + CX_STAT, 4, CX_AV_CORE, site="cx23885!cx23885_av_work")
        g.mmio_write(u, bar + CX_MSK, 4, st["msk"] | CX_AV_CORE, site="cx23885!cx23885_irq_enable")

    def line(t, chain=False):
        """the line goes high (vfio's irqfd); one assertion at a time"""
        if g.crashed or (state["active"] and not chain):
            return
        if not asserted():
            state["active"] = False
            return
        state["active"] = True
        u = g.device_irq(t, d, 0, handler=isr, gsi=gsi)
        if u is None:
            state["active"] = False
            return
        state["n"] += 1
        if bad and state["storm"] is not None and u.now - state["storm"] > 2050 * MS:
            w = g.on(u, u.now + g.j(100 * US, 300 * US))
            g.console(w, "watchdog: BUG: soft lockup - CPU#1 stuck for 2s! [swapper/1:0]\r\n")
            g.pvpanic(w, "Kernel panic - not syncing: softlockup: hung tasks")
            return
        if asserted():                     # still asserted after the resample: vfio raises it again
            g.at(u.now + g.j(12 * US, 30 * US), lambda t2: line(t2, chain=True))
        else:
            state["active"] = False

    def field(t):
        if g.crashed:
            return
        st["stat"] |= CX_VID_B
        g.at(t, line)
        g.at(t + 16683 * US + g.j(0, 30 * US), field)
    g.at(v.now + g.j(2 * MS, 8 * MS), field)
    t_c = v.now + g.j(1800 * MS, 2200 * MS)

    def ir(t):
        state["storm"] = t
        st["stat"] |= CX_AV_CORE
        line(t)
    g.at(t_c, ir)
    return finish(g, t_c + 3 * S)


# ---------------------------------------------------------------------------
# 8. AQC107: Bus Master cleared in a reset path, posted-interrupt host

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


# ---------------------------------------------------------------------------
# Healthy only: a busy GPU, a busy level-INTx NIC

def sc_busy_gpu(name, bad=False, boot=True):
    """Windows 10, 4 vcpus, RTX 3090 (10de:2204) behind a root port, MSI
    vector 0x61 to vcpu 0, a compute job launching small kernels from two
    threads: about 20000 fence interrupts a second, each taken, PMC_INTR_0
    read, PFIFO acked, unmasked and EOId; 60 Hz vblank too."""
    g = Guest(name, 4, "windows")
    br, = q35(g, [(0x1c, 0, 1)])
    gpu, aud = mk.nvidia(g, br, 0x2204, 0x147d, 0x1aef)
    v0 = g.vcpus[0]
    boot_phase(g, v0, boot)
    v1 = g.on(g.vcpus[1], v0.now + 30 * MS)
    mk.win_gpu_bringup(g, v1, gpu, 0x61)
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


# ---------------------------------------------------------------------------

HOLDOUT = []


def entry(name, fn, twin=True):
    HOLDOUT.append((name, fn, dict(bad=True, boot=True)))
    if twin:
        HOLDOUT.append((name + ".twin", fn, dict(bad=False, boot=True)))


def register():
    entry("ho-ip-xhci-vector-low", sc_xhci_vector_low)
    entry("ho-powered-down-hda-d3hot", sc_hda_d3hot)
    entry("ho-reset-hang-i40e", sc_i40e_reset_hang)
    entry("ho-too-soon-flr-t4", sc_t4_flr)
    entry("ho-device-gone-sas", sc_sas_gone)
    entry("ho-stray-mmio-rebar", sc_rebar_stray)
    entry("ho-irq-storm-cx23885", sc_cx23885_storm)
    entry("ho-ip-busmaster-pi", sc_aqc107_busmaster_pi)
    HOLDOUT.append(("ho-healthy-busy-gpu-msi", sc_busy_gpu, dict(bad=False, boot=True)))
    HOLDOUT.append(("ho-healthy-busy-intx-nic", sc_busy_intx_nic, dict(bad=False, boot=True)))


def main(argv):
    register()
    if "--list" in argv:
        for name, _, _ in HOLDOUT:
            print(name)
        return 0
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out, only = argv[0], set(argv[1:])
    tracefs = os.environ.get("TRACEFS", "/sys/kernel/tracing")
    if not os.path.isdir(os.path.join(tracefs, "events", "kvm")):
        print(f"mkholdout: no kvm events in {tracefs}", file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    fmts = mk.load_formats(tracefs)
    tdir = tempfile.mkdtemp(prefix="mkholdout.", dir=out)
    try:
        mk.make_tracing_dir(tracefs, os.path.join(tdir, "tracing"))
        for name, fn, kw in HOLDOUT:
            if only and name not in only:
                continue
            g = fn(name, **kw)
            n = g.write(out, fmts, os.path.join(tdir, "tracing"))
            print(f"{name}.dat: {n} events, {len(g.vcpus)} vcpus, {g.ncpus} host cpus, "
                  f"{'crash' if g.crashed else 'no crash'}")
    finally:
        shutil.rmtree(tdir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
