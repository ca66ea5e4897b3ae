"""PCI functions: config space with BAR sizing, capabilities, resets, and
the registers behind their BARs; the time units every model counts in."""

import struct


US = 1000
MS = 1000 * US
S = 1000 * MS


def ones(n):
    return (1 << (8 * n)) - 1


class Bar:
    def __init__(self, idx, size, kind, pref):
        self.idx, self.size, self.kind, self.pref = idx, size, kind, pref
        if kind == "io":
            self.flags = 0x1
        else:
            self.flags = (0x4 if kind == "mem64" else 0x0) | (0x8 if pref else 0)


class Dev:
    """A PCI function as the guest sees it (vfio-pci passes most of config
    space and every BAR access through)."""

    def __init__(self, bdf, vid, did, cls, rev=0, hdr=0, ssvid=0, ssid=0, pin=0, pcie=True,
                 name=""):
        self.bdf = bdf
        self.name = name
        self.cfg = bytearray(4096 if pcie else 256)
        self.ro = bytearray(len(self.cfg))     # read-only bits of each byte
        self.w(0, 2, vid)
        self.w(2, 2, did)
        self.w(8, 4, (cls << 8) | rev)
        self.cfg[0x0e] = hdr
        self.w(6, 2, 0x0010)
        if ssvid:
            self.w(0x2c, 2, ssvid)
            self.w(0x2e, 2, ssid)
        self.cfg[0x3d] = pin
        self.bars = {}
        self.assign = {}          # BAR index -> address the firmware gives it
        self.fw_cmd = 0x0007
        self.caps = {}
        self._last_cap = None
        self.alive = True
        self.not_ready_until = 0
        self.regs = {}            # (bar, off) -> stored value
        self.rd = {}              # (bar, off) -> fn(t) -> value
        self.wr = {}              # (bar, off) -> fn(t, value)
        self.msix_table = []
        self.children = []        # functions behind a bridge
        self.d3_recovery = 8 * MS # what the device really needs after D3hot->D0
        self.flr_recovery = 60 * MS
        self.link_recovery = 70 * MS
        self.power = 0
        self.on_reset = None      # fn(t): device registers back to their reset values
        self.reset_cfg = None

    # raw config space
    def r(self, off, n):
        return int.from_bytes(self.cfg[off:off + n], "little")

    def w(self, off, n, v):
        self.cfg[off:off + n] = (v & ones(n)).to_bytes(n, "little")

    def add_bar(self, idx, size, kind="mem32", pref=False, addr=None):
        b = Bar(idx, size, kind, pref)
        self.bars[idx] = b
        self.w(0x10 + 4 * idx, 4, b.flags)
        if addr is not None:
            self.assign[idx] = addr
        return b

    def add_cap(self, cid, off, body=b""):
        self.cfg[off] = cid
        self.cfg[off + 1] = 0
        self.cfg[off + 2:off + 2 + len(body)] = body
        self.ro[off] = self.ro[off + 1] = 0xff
        if self._last_cap is None:
            self.cfg[0x34] = off
        else:
            self.cfg[self._last_cap + 1] = off
        self._last_cap = off
        self.caps[cid] = off

    def cap_pm(self, off, nosoftreset=True):
        self.add_cap(0x01, off, struct.pack("<HH", 0x0003, 0x0008 if nosoftreset else 0))
        self.ro[off + 2] = self.ro[off + 3] = 0xff
        self.ro[off + 4] = 0x0c

    def cap_msi(self, off, is64=True, pvm=False):
        ctrl = (0x80 if is64 else 0) | (0x100 if pvm else 0)
        self.add_cap(0x05, off, struct.pack("<H", ctrl))
        self.msi_is64, self.msi_pvm = is64, pvm
        self.ro[off + 2] = 0x8e
        self.ro[off + 3] = 0xff

    def cap_msix(self, off, nvec, bir, table_off, pba_bir, pba_off):
        self.add_cap(0x11, off, struct.pack("<HII", nvec - 1, table_off | bir, pba_off | pba_bir))
        self.ro[off + 2] = 0xff
        self.ro[off + 3] = 0x07
        self.ro[off + 4:off + 12] = b"\xff" * 8
        self.msix_bir, self.msix_table_off, self.msix_pba = bir, table_off, (pba_bir, pba_off)
        self.msix_table = [[0, 0, 0, 1] for _ in range(nvec)]

    def cap_pcie(self, off, ptype=0, flr=True):
        self.add_cap(0x10, off, struct.pack("<HIHHIHH", 0x0002 | (ptype << 4),
                                            (1 << 28 if flr else 0) | 0x8fc1, 0x2810, 0,
                                            0x00437d04, 0x0040, 0x1043))
        self.ro[off + 2:off + 8] = b"\xff" * 6
        self.ro[off + 0xc:off + 0x10] = b"\xff" * 4
        self.ro[off + 0x12:off + 0x14] = b"\xff" * 2

    def save_reset_state(self):
        self.reset_cfg = bytes(self.cfg)
        for i, b in self.bars.items():
            self.reset_cfg = self.reset_cfg[:0x10 + 4 * i] + struct.pack("<I", b.flags) + \
                self.reset_cfg[0x14 + 4 * i:]

    # what the guest sees
    def cmd(self):
        return self.r(4, 2)

    def bar_addr(self, idx):
        b = self.bars[idx]
        lo = self.r(0x10 + 4 * idx, 4)
        if b.kind == "io":
            return lo & ~0x3
        addr = lo & ~0xf
        if b.kind == "mem64":
            addr |= self.r(0x14 + 4 * idx, 4) << 32
        return addr

    def ready(self, t):
        return self.alive and t >= self.not_ready_until

    def cfg_read(self, off, n, t):
        if not self.ready(t):
            return ones(n)
        return self.r(off, n)

    def cfg_write(self, off, n, val, t):
        if not self.ready(t):
            return
        hdr = self.cfg[0x0e] & 0x7f
        nbars = 6 if hdr == 0 else 2
        if 0x10 <= off < 0x10 + 4 * nbars and n == 4:
            idx = (off - 0x10) // 4
            if idx in self.bars:
                b = self.bars[idx]
                keep = 0xfffffffc if b.kind == "io" else 0xfffffff0
                v = (val & ~(b.size - 1) & keep) | b.flags
            elif idx - 1 in self.bars and self.bars[idx - 1].kind == "mem64":
                v = val & ~((self.bars[idx - 1].size - 1) >> 32) & 0xffffffff
            else:
                v = 0
            self.w(off, 4, v)
            return
        if off in (0x00, 0x02, 0x08, 0x0e, 0x30, 0x34, 0x3d) or (off == 0x2c and hdr == 0):
            return
        if off == 0x04:
            self.w(4, 2, val & 0x0547)
            return
        if off == 0x06:
            return
        for i in range(n):
            ro = self.ro[off + i]
            self.cfg[off + i] = (((val >> (8 * i)) & 0xff) & ~ro) | (self.cfg[off + i] & ro)
        self.after_cfg_write(off, n, val, t)

    def after_cfg_write(self, off, n, val, t):
        pm = self.caps.get(0x01)
        if pm is not None and off == pm + 4:
            new = val & 3
            if self.power == 3 and new == 0:
                self.not_ready_until = t + self.d3_recovery
                if not (self.r(pm + 4, 2) & 0x8):
                    self.reset(t)
            self.power = new
        pe = self.caps.get(0x10)
        if pe is not None and off == pe + 8 and val & 0x8000:
            self.w(pe + 8, 2, val & 0x7fff)
            self.reset(t)
            self.not_ready_until = t + self.flr_recovery
        if (self.cfg[0x0e] & 0x7f) == 1 and off == 0x3e:
            if val & 0x40:
                for c in self.children:
                    c.reset(t)
                    c.not_ready_until = 1 << 62
            else:
                for c in self.children:
                    if c.not_ready_until == 1 << 62:
                        c.not_ready_until = t + c.link_recovery

    def reset(self, t):
        """Function-level reset: config space and registers back to power-on."""
        if self.reset_cfg is not None:
            self.cfg[:] = self.reset_cfg
        self.power = 0
        self.msix_table = [[0, 0, 0, 1] for _ in self.msix_table]
        if self.on_reset:
            self.on_reset(t)

    # BAR registers
    def _msix_slot(self, bar, off):
        if not self.msix_table or bar != self.msix_bir:
            return None
        rel = off - self.msix_table_off
        if 0 <= rel < 16 * len(self.msix_table):
            return rel // 16, (rel % 16) // 4
        return None

    def mmio_read(self, bar, off, n, t):
        if not self.ready(t) or self.power == 3:
            return ones(n)
        slot = self._msix_slot(bar, off)
        if slot:
            return self.msix_table[slot[0]][slot[1]]
        f = self.rd.get((bar, off))
        if f:
            return f(t) & ones(n)
        return self.regs.get((bar, off), 0) & ones(n)

    def mmio_write(self, bar, off, n, val, t):
        if not self.ready(t) or self.power == 3:
            return
        slot = self._msix_slot(bar, off)
        if slot:
            self.msix_table[slot[0]][slot[1]] = val
            return
        f = self.wr.get((bar, off))
        if f:
            f(t, val)
        else:
            self.regs[(bar, off)] = val

    # how the function can interrupt right now
    def irq_route(self, entry=0):
        """('msi', addr, data), ('intx',) or None (it cannot signal)."""
        cmd = self.cmd()
        if self.power == 3 or not self.alive:
            return None
        x = self.caps.get(0x11)
        if x is not None and self.r(x + 2, 2) & 0x8000:
            if not cmd & 0x4 or self.r(x + 2, 2) & 0x4000:
                return None
            lo, hi, data, ctrl = self.msix_table[entry]
            return None if ctrl & 1 else ("msi", lo | (hi << 32), data)
        m = self.caps.get(0x05)
        if m is not None and self.r(m + 2, 2) & 0x1:
            if not cmd & 0x4:
                return None
            lo = self.r(m + 4, 4)
            if self.msi_is64:
                return ("msi", lo | (self.r(m + 8, 4) << 32), self.r(m + 0xc, 2))
            return ("msi", lo, self.r(m + 8, 2))
        if cmd & 0x400 or not self.cfg[0x3d]:
            return None
        return ("intx",)


def bridge(bdf, secondary, vid=0x1b36, did=0x000c):
    """QEMU's pcie-root-port: a type 1 header with a PCIe capability."""
    b = Dev(bdf, vid, did, 0x060400, hdr=0x01, pin=1)
    b.cap_pcie(0x40, ptype=4, flr=False)
    b.secondary = secondary
    b.fw_cmd = 0x0107
    return b
