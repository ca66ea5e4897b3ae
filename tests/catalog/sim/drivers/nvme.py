"""NVMe (Linux): controller enable, admin and I/O queues, MSI-X; block I/O
from the guest's tasks and what notices when it stops (khungtaskd, blk-mq's
timeout)."""

from ..pci import US, MS, S, Dev
from ..platform import enable, msix_enable, msi_addr


class Nvme:
    """An NVMe controller's registers (BAR0) and the Linux nvme driver."""

    def __init__(self, g, bdf, vid, did, ssvid, ssid, addr, table_off=0x3000, pba_off=0x2000, nvec=33,
                 to=4, ready_delay=(18 * MS, 35 * MS), bus_dev=None):
        d = Dev(bdf, vid, did, 0x010802, rev=0x00, ssvid=ssvid, ssid=ssid, pin=1)
        d.add_bar(0, 16 << 10, "mem64", addr=addr)
        d.cap_pm(0x40)
        d.cap_msi(0x50, is64=True, pvm=True)
        d.cap_pcie(0x70)
        d.cap_msix(0xb0, nvec, 0, table_off, 0, pba_off)
        d.gsi = 16
        self.g, self.dev = g, d
        self.to, self.ready_delay = to, ready_delay
        self.cc, self.rdy_at, self.rdy_clear_at, self.cfs = 0, None, None, False
        self.broken = False           # CC.EN=1 never brings RDY
        self.hung = False             # commands are not processed
        self.on_nssr = None
        self.sq_tail, self.cq_head, self.inflight = {}, {}, {}
        self.qcpu = {}
        self.handler = {}
        d.regs[(0, 0x0)] = 0x00013fff | (to << 24)        # CAP: MQES, CQR, TO (500 ms units)
        d.regs[(0, 0x4)] = 0x00000030
        d.regs[(0, 0x8)] = 0x00010400
        d.rd[(0, 0x14)] = lambda t: self.cc
        d.rd[(0, 0x1c)] = self.csts
        d.wr[(0, 0x14)] = self.cc_write
        d.wr[(0, 0x20)] = self.nssr
        d.on_reset = self.reg_reset
        for qid in range(0, 9):
            d.wr[(0, 0x1000 + 8 * qid)] = lambda t, val, q=qid: self.sq_doorbell(t, q, val)
            d.wr[(0, 0x1004 + 8 * qid)] = lambda t, val, q=qid: self.cq_head.__setitem__(q, val)

    def reg_reset(self, t):
        self.cc, self.rdy_at, self.rdy_clear_at, self.cfs = 0, None, None, False
        self.inflight = {}

    def csts(self, t):
        rdy = 0
        if self.cc & 1:
            rdy = 1 if self.rdy_at is not None and t >= self.rdy_at else 0
        elif self.rdy_clear_at is not None and t < self.rdy_clear_at:
            rdy = 1
        return rdy | (2 if self.cfs else 0)

    def cc_write(self, t, val):
        was = self.cc & 1
        self.cc = val
        if was and not val & 1:
            self.rdy_clear_at = t + self.g.j(600 * US, 2500 * US)
            self.rdy_at, self.cfs, self.hung = None, False, self.hung
            self.inflight = {}
        elif not was and val & 1:
            self.rdy_at = None if self.broken else t + self.g.j(*self.ready_delay)

    def nssr(self, t, val):
        if val == 0x4e564d65:
            self.dev.reset(t)
            self.dev.not_ready_until = t + self.g.j(40 * MS, 70 * MS)

    def sq_doorbell(self, t, qid, val):
        if self.hung or not self.dev.alive or not (self.cc & 1):
            return
        self.sq_tail[qid] = val
        lat = self.g.j(15 * US, 60 * US) if qid == 0 else self.g.j(70 * US, 260 * US)
        self.g.at(t + lat, lambda t2: self.complete(t2, qid))

    def complete(self, t, qid):
        if self.hung or not self.dev.alive:
            return
        self.inflight[qid] = self.inflight.get(qid, 0) + 1
        g, d = self.g, self.dev

        def isr(v, qid=qid):
            n = self.inflight.pop(qid, 0)
            if not n:
                return
            g.step(v, g.j(1500, 4000))
            self.cq_head[qid] = (self.cq_head.get(qid, 0) + n) % 1024
            g.mmio_write(v, self.bar() + 0x1004 + 8 * qid, 4, self.cq_head[qid], site="nvme_irq")
            cb = self.handler.pop(qid, None)
            if cb:
                cb(v)
        g.device_irq(t, d, qid, handler=isr)

    def bar(self):
        return self.dev.bar_addr(0)

    # -- the driver
    def submit(self, v, qid, then=None):
        g = self.g
        self.sq_tail[qid] = (self.sq_tail.get(qid, 0) + 1) % 1024
        if then:
            self.handler[qid] = then
        g.mmio_write(v, self.bar() + 0x1000 + 8 * qid, 4, self.sq_tail[qid],
                     site="nvme_queue_rq" if qid else "nvme_submit_sync_cmd")

    def wait_ready(self, v, want, limit=None):
        """nvme_wait_ready: CSTS polled every 1-2 ms up to (CAP.TO + 1) / 2 s."""
        g = self.g
        limit = limit or (self.to + 1) * 500 * MS
        t_end = v.now + limit
        while True:
            csts = g.mmio_read(v, self.bar() + 0x1c, site="nvme_wait_ready")
            if csts == 0xffffffff:
                return csts
            if (csts & 1) == want:
                return csts
            if v.now > t_end:
                return csts
            g.step(v, g.j(1050 * US, 2100 * US))

    def enable_ctrl(self, v):
        g, b = self.g, self.bar()
        g.mmio_read(v, b + 0x0, site="nvme_pci_enable")
        g.mmio_read(v, b + 0x4, site="nvme_pci_enable")
        g.mmio_read(v, b + 0x8, site="nvme_init_ctrl_finish")
        if self.cc & 1:
            g.mmio_write(v, b + 0x14, 4, self.cc & ~1, site="nvme_disable_ctrl")
            self.wait_ready(v, 0)
        g.mmio_write(v, b + 0x24, 4, 0x001f001f, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x28, 4, 0x12340000, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x2c, 4, 0x1, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x30, 4, 0x12341000, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x34, 4, 0x1, site="nvme_pci_configure_admin_queue")
        g.mmio_write(v, b + 0x14, 4, 0x00460001, site="nvme_enable_ctrl")
        return self.wait_ready(v, 1)

    def admin(self, v, n):
        """n admin commands (identify, set features, create queues), each
        waited for: its completion interrupt wakes the submitter."""
        g = self.g
        for _ in range(n):
            done = []
            self.submit(v, 0, then=lambda u: done.append(u.now))
            t_limit = v.now + 100 * MS
            g.run(v.now + 200 * US)
            while not done and v.now < t_limit:
                g.idle(v, v.now + 50 * US)
                g.run(v.now)
            g.step(v, g.j(5 * US, 30 * US))

    def bringup(self, v, qcpus):
        """probe: enable, MSI-X (admin + one I/O queue per listed vcpu), the
        controller, admin commands, the I/O queues."""
        g, d = self.g, self.dev
        enable(g, v, d)
        g.mmio_read(v, self.bar() + 0x1c, site="nvme_pci_enable")
        vecs = [(msi_addr(0), 0x24)] + [(msi_addr(c), 0x25 + i) for i, c in enumerate(qcpus)]
        msix_enable(g, v, d, vecs)
        self.enable_ctrl(v)
        self.admin(v, 4 + 2 * len(qcpus))
        for i, c in enumerate(qcpus):
            self.qcpu[i + 1] = c


class BlockIo:
    """Block I/O from the guest's tasks: each vcpu submits to its own queue.
    Tracks the oldest request without a completion (the hung-task view)."""

    def __init__(self, g, nv, iops_per_q, qids, depth=32):
        self.g, self.nv, self.iops, self.qids, self.depth = g, nv, iops_per_q, qids, depth
        self.waiting = {}
        self.outstanding = {}
        self.stopped = False
        self.gen = 0

    def done(self, qid):
        def cb(u):
            self.waiting.pop(qid, None)
            self.outstanding[qid] = 0
        return cb

    def issue(self, qid, gen):
        def run(t):
            if self.stopped or gen != self.gen:
                return
            g = self.g
            if self.outstanding.get(qid, 0) < self.depth:
                v = g.on(g.vcpus[self.nv.qcpu[qid]], t)
                if qid not in self.waiting:
                    self.waiting[qid] = v.now
                self.outstanding[qid] = self.outstanding.get(qid, 0) + 1
                self.nv.submit(v, qid, then=self.done(qid))
                t = v.now
            g.at(t + g.j(S // self.iops // 2, 3 * S // self.iops // 2), run)
        return run

    def oldest(self):
        return min(self.waiting.values()) if self.waiting else None

    def start(self, t):
        self.gen += 1
        self.waiting.clear()
        self.outstanding.clear()
        for q in self.qids:
            self.g.at(t + self.g.j(100 * US, 2 * MS), self.issue(q, self.gen))


def hung_task_check(g, io, panic_text, every=2 * S, limit=2 * S, vcpu=None):
    """khungtaskd with hung_task_timeout_secs=2, hung_task_panic=1."""
    def check(t):
        o = io.oldest()
        if o is not None and t - o > limit:
            v = g.on(vcpu or g.vcpus[0], t)
            io.stopped = True
            g.console(v, f"INFO: task jbd2/nvme0n1p2-8:{g.j(300, 400)} blocked for more than 2 seconds.\r\n")
            g.pvpanic(v, panic_text)
            return
        g.at(t + every, check)
    return check


def nvme_timeout(g, nv, io, timeout, on_timeout):
    """blk-mq's timeout (nvme_core.io_timeout): the oldest request without a
    completion for `timeout` calls nvme_timeout."""
    def check(t):
        o = io.oldest()
        if o is not None and t - o > timeout:
            io.stopped = True
            on_timeout(g.on(g.vcpus[0], t), t)
            return
        g.at(t + 250 * MS, check)
    return check


def panic_init_killed(g, v):
    g.step(v, g.j(250 * MS, 450 * MS))
    g.console(v, "EXT4-fs error (device nvme0n1p2): ext4_journal_check_start:83: comm systemd: "
                 "Detected aborted journal\r\n")
    g.pvpanic(v, "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00007f00")
