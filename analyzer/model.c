#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "pt-model.h"

#define Q35_ECAM_BASE	0xb0000000ull
#define Q35_ECAM_SIZE	0x10000000ull
/* IO-APIC redirection entry, low dword (82093AA datasheet) */
#define IOAPIC_REDIR_MASKED	(1u << 16)
#define BAR_GUESS_SIZE	0x1000ull	/* a BAR never seen sized: assume one page */

struct platform_region {
	uint64_t start, end;	/* inclusive start, exclusive end */
	const char *name;
};

/* Fixed x86 PC regions whose MMIO is not a PCI device's. */
static const struct platform_region mmio_regions[] = {
	{ 0x000a0000, 0x000c0000, "legacy VGA" },
	{ 0xfec00000, 0xfec01000, "IO-APIC" },
	{ 0xfed00000, 0xfed00400, "HPET" },
	{ 0xfed1c000, 0xfed20000, "chipset RCBA" },
	{ 0xfed40000, 0xfed45000, "TPM" },
	{ 0xfee00000, 0xfef00000, "local APIC" },
	{ 0xff000000, 0x100000000ull, "firmware flash" },
};

struct pt_model {
	struct pt_model_opts opts;
	struct pt_device *devs[PT_MAX_DEVICES];
	unsigned ndevs;
	uint32_t cf8;			/* the config address latch */
	int ecam_seen;
	uint32_t ioapic_sel;
	struct pt_ioapic_pin ioapic[24];
	int q35;			/* INTx routing follows QEMU's q35 */
	/* the valid BARs as a flat table, rebuilt when one changes */
	struct range {
		uint64_t start, end;
		struct pt_device *dev;
		int bar, io;
	} ranges[PT_MAX_DEVICES * 6];
	unsigned nranges;
	int ranges_dirty;
	/* MMIO in no known BAR, by page, and the regions they make */
	struct upage {
		uint64_t page;
		uint64_t reads, writes, answered_reads, kernel_writes;
		uint64_t first_ts, last_ts;
	} upages[PT_MAX_UNKNOWN_PAGES];
	unsigned nupages;
	struct pt_unknown_region uregions[PT_MAX_UNKNOWN_PAGES];
	unsigned nuregions;
	int uregions_dirty;
	uint64_t mmio_exits;		/* KVM_EXIT_MMIO userspace exits seen */
	/* writes to unknown pages waiting for their thread's next event */
	struct pending_write {
		uint32_t tid;
		int upage;		/* index in upages, -1 when free */
	} pending[16];
	unsigned npending;		/* slots in use */
};

struct pt_model *pt_model_new(const struct pt_model_opts *opts, struct pt_err *err)
{
	struct pt_model *m = calloc(1, sizeof(*m));

	if (!m) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	if (opts)
		m->opts = *opts;
	if (!m->opts.ecam_base) {
		m->opts.ecam_base = Q35_ECAM_BASE;
		m->opts.ecam_size = Q35_ECAM_SIZE;
	} else if (!m->opts.ecam_size) {
		m->opts.ecam_size = Q35_ECAM_SIZE;
	}
	for (unsigned i = 0; i < sizeof(m->pending) / sizeof(m->pending[0]); i++)
		m->pending[i].upage = -1;
	return m;
}

void pt_model_free(struct pt_model *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->ndevs; i++) {
		free(m->devs[i]->regs);
		free(m->devs[i]);
	}
	free(m);
}

void pt_bdf_str(uint16_t bdf, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

void pt_dev_str(const struct pt_device *d, char *buf, size_t size)
{
	char bdf[16];

	pt_bdf_str(d->bdf, bdf, sizeof(bdf));
	if (d->vendor)
		snprintf(buf, size, "%s [%04x:%04x]", bdf, d->vendor, d->device);
	else
		snprintf(buf, size, "%s", bdf);
}

int pt_bdf_parse(const char *s, uint16_t *bdf, const char **end)
{
	unsigned bus, dev, fn;
	int n = 0;

	/* an optional PCI domain "0000:" is accepted and ignored */
	if (sscanf(s, "%*4x:%2x:%2x.%1u%n", &bus, &dev, &fn, &n) == 3 && n == 12)
		;
	else if (sscanf(s, "%2x:%2x.%1u%n", &bus, &dev, &fn, &n) != 3 || n != 7)
		return -1;
	if (bus > 255 || dev > 31 || fn > 7)
		return -1;
	*bdf = bus << 8 | dev << 3 | fn;
	if (end)
		*end = s + n;
	return 0;
}

int pt_devfn_parse(const char *addr, unsigned *slot, unsigned *fn)
{
	char *end;

	*fn = 0;
	*slot = strtoul(addr, &end, 16);
	if (end == addr)
		return -1;
	if (*end == '.')
		*fn = strtoul(end + 1, &end, 16);
	return *end || *slot > 31 || *fn > 7 ? -1 : 0;
}

const char *pt_power_state_name(int state)
{
	static const char *const names[] = { "D0", "D1", "D2", "D3hot" };

	return state >= 0 && state <= 3 ? names[state] : "unknown";
}

struct pt_device *pt_model_find(struct pt_model *m, uint16_t bdf)
{
	for (unsigned i = 0; i < m->ndevs; i++)
		if (m->devs[i]->bdf == bdf)
			return m->devs[i];
	return NULL;
}

struct pt_device *const *pt_model_devices(const struct pt_model *m, unsigned *count)
{
	*count = m->ndevs;
	return m->devs;
}

static struct pt_device *get_device(struct pt_model *m, uint16_t bdf)
{
	struct pt_device *d = pt_model_find(m, bdf);

	if (d || m->ndevs == PT_MAX_DEVICES)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->regs = calloc(PT_MAX_REGS, sizeof(*d->regs));
	if (!d->regs) {
		free(d);
		return NULL;
	}
	d->bdf = bdf;
	d->power_state = -1;
	d->gsi = -1;
	d->x_no_mmap = -1;
	m->devs[m->ndevs++] = d;
	return d;
}

int pt_cfg_read(const struct pt_device *d, unsigned off, unsigned len, uint32_t *val)
{
	uint32_t v = 0;

	if (off + len > 4096)
		return -1;
	for (unsigned i = 0; i < len; i++) {
		if (!(d->cfg_known[(off + i) / 8] & (1u << ((off + i) % 8))))
			return -1;
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	}
	*val = v;
	return 0;
}

static void cfg_store(struct pt_device *d, unsigned off, unsigned len, uint32_t val)
{
	for (unsigned i = 0; i < len && off + i < 4096; i++) {
		d->cfg[off + i] = val >> (8 * i);
		d->cfg_known[(off + i) / 8] |= 1u << ((off + i) % 8);
	}
}

/*
 * Finds the capabilities the guest has read so far; a driver stops reading
 * the list at the one it wants, so each is taken as soon as it is seen.
 */
static void walk_caps(struct pt_device *d)
{
	uint32_t status, ptr, id;
	int guard = 48;

	if (d->caps_walked || pt_cfg_read(d, 0x06, 2, &status))
		return;
	if (!(status & 0x10)) {
		d->caps_walked = 1;
		return;
	}
	if (pt_cfg_read(d, 0x34, 1, &ptr))
		return;
	for (ptr &= 0xfc; ptr && guard--; ) {
		uint32_t next;

		if (pt_cfg_read(d, ptr, 1, &id))
			return;
		switch (id) {
		case 0x01: d->pm_cap = ptr; break;
		case 0x05: d->msi_cap = ptr; break;
		case 0x10: d->pcie_cap = ptr; break;
		case 0x11: d->msix_cap = ptr; break;
		}
		if (pt_cfg_read(d, ptr + 1, 1, &next))
			return;	/* the rest is not read yet: look again later */
		ptr = next & 0xfc;
	}
	d->caps_walked = 1;
}

/*
 * QEMU's q35 routes INTx of slot S, pin P (1-4) to PIRQ[E + (S + P - 1) % 4],
 * GSI 16-23 for PIRQ A-H; the chipset's own slots (0x1a-0x1f) have their
 * own routing registers: -1.
 */
static int q35_gsi(uint16_t bdf, unsigned pin)
{
	unsigned slot = (bdf >> 3) & 0x1f;

	if (slot >= 0x1a)
		return -1;
	return 16 + 4 + (slot + pin - 1) % 4;
}

static void note_bar_type(struct pt_bar *b, uint32_t val)
{
	b->is_io = val & 1;
	b->is64 = !b->is_io && ((val >> 1) & 3) == 2;
}

static void bar_write(struct pt_device *d, int i, uint32_t val, uint64_t ts)
{
	struct pt_bar *b = &d->bar[i];
	uint64_t base;

	/* the upper half of a 64-bit BAR */
	if (i > 0 && d->bar[i - 1].is64 && !d->bar[i - 1].is_io) {
		struct pt_bar *lo = &d->bar[i - 1];

		if (val == 0xffffffff)
			return;
		base = (lo->base & 0xffffffffull) | (uint64_t)val << 32;
		if (lo->valid && base != lo->base && lo->base) {
			lo->prev_base = lo->base;
			lo->moved_ts = ts;
		}
		lo->base = base;
		return;
	}
	if ((val | (b->is_io ? 3 : 0xf)) == 0xffffffff) {
		b->sizing = 1;
		return;
	}
	/* the type bits are read-only: only reads tell them */
	b->sizing = 0;
	base = (b->base & ~0xffffffffull) | (val & (b->is_io ? ~3u : ~0xfu));
	if (b->valid && b->base && base != b->base) {
		b->prev_base = b->base;
		b->moved_ts = ts;
	}
	b->base = base;
	b->valid = base != 0;
}

static void bar_read(struct pt_device *d, int i, uint32_t val)
{
	struct pt_bar *b = &d->bar[i];

	if (i > 0 && d->bar[i - 1].is64 && !d->bar[i - 1].is_io)
		return;
	note_bar_type(b, val);
	if (b->sizing) {
		uint32_t mask = val & (b->is_io ? ~3u : ~0xfu);

		b->size = mask ? (uint32_t)(~mask + 1) : 0;
		b->sizing = 0;
		return;
	}
	if (!b->valid && (val & (b->is_io ? ~3u : ~0xfu))) {
		b->base = (b->base & ~0xffffffffull) | (val & (b->is_io ? ~3u : ~0xfu));
		b->valid = 1;
	}
}

static void set_reset(struct pt_device *d, enum pt_reset_kind kind, uint64_t ts)
{
	d->reset_kind = kind;
	d->reset_ts = ts;
}

static void msix_effects(struct pt_device *d, unsigned off, unsigned len);

/* The effects of a config write that matter: decode, BARs, PM, MSI, resets. */
static void cfg_write_effects(struct pt_model *m, struct pt_device *d, unsigned off,
			      unsigned len, uint32_t val, uint64_t ts)
{
	uint32_t v;

	if (off <= 0x04 && off + len > 0x04 && !pt_cfg_read(d, 0x04, 2, &v)) {
		d->command = v;
		d->command_known = 1;
		d->command_ts = ts;
	}
	if ((d->header_type & 0x7f) == 0 && off >= 0x10 && off < 0x28 && len == 4) {
		bar_write(d, (off - 0x10) / 4, val, ts);
		m->ranges_dirty = 1;
	}
	if ((d->header_type & 0x7f) == 1 && off <= 0x3e && off + len > 0x3e &&
	    !pt_cfg_read(d, 0x3e, 2, &v) && (v & 0x40)) {
		uint32_t sec;

		/* secondary bus reset: everything behind the bridge */
		if (!pt_cfg_read(d, 0x19, 1, &sec))
			for (unsigned i = 0; i < m->ndevs; i++)
				if (m->devs[i]->bdf >> 8 == sec)
					set_reset(m->devs[i], PT_RESET_BUS, ts);
	}
	walk_caps(d);
	if (d->pm_cap && off <= d->pm_cap + 4u && off + len > d->pm_cap + 4u &&
	    !pt_cfg_read(d, d->pm_cap + 4, 2, &v)) {
		int state = v & 3;

		/* D3hot -> D0 resets a device unless it sets No_Soft_Reset */
		if (d->power_state == 3 && state == 0) {
			uint32_t pmc;

			if (pt_cfg_read(d, d->pm_cap + 4, 1, &pmc) || !(pmc & 0x08))
				set_reset(d, PT_RESET_PM, ts);
		}
		if (state != d->power_state) {
			d->power_state = state;
			d->power_ts = ts;
		}
	}
	if (d->msi_cap && off + len > d->msi_cap && off < d->msi_cap + 0x18u) {
		uint32_t ctrl, lo, hi = 0, data;
		unsigned c = d->msi_cap;

		if (!pt_cfg_read(d, c + 2, 2, &ctrl)) {
			int is64 = ctrl & 0x80;

			d->msi_enabled = ctrl & 1;
			if (!pt_cfg_read(d, c + 4, 4, &lo) &&
			    (!is64 || !pt_cfg_read(d, c + 8, 4, &hi)) &&
			    !pt_cfg_read(d, c + (is64 ? 12 : 8), 2, &data)) {
				d->msi_address = (uint64_t)hi << 32 | lo;
				d->msi_data = data;
			}
			if ((ctrl & 0x100) && !pt_cfg_read(d, c + (is64 ? 0x10 : 0x0c), 4, &v))
				d->msi_masked = v & 1;
			d->msi_ts = ts;
		}
	}
	if (d->pcie_cap && off + len > d->pcie_cap + 8u && off <= d->pcie_cap + 9u &&
	    !pt_cfg_read(d, d->pcie_cap + 8, 2, &v) && (v & 0x8000))
		set_reset(d, PT_RESET_FLR, ts);
	msix_effects(d, off, len);
}

/*
 * MSI-X Message Control and Table Offset/BIR, read or written: a driver
 * reads the table's place before it maps and programs the table.
 */
static void msix_effects(struct pt_device *d, unsigned off, unsigned len)
{
	if (d->msix_cap && off + len > d->msix_cap + 2u && off <= d->msix_cap + 8u) {
		uint32_t ctrl, table;

		if (!pt_cfg_read(d, d->msix_cap + 2, 2, &ctrl)) {
			d->msix_enabled = !!(ctrl & 0x8000);
			d->msix_fn_mask = !!(ctrl & 0x4000);
			d->msix_size = (ctrl & 0x7ff) + 1;
		}
		if (!pt_cfg_read(d, d->msix_cap + 4, 4, &table)) {
			d->msix_bar = table & 7;
			d->msix_table = table & ~7u;
		}
	}
}

static void cfg_read_effects(struct pt_model *m, struct pt_device *d, unsigned off, unsigned len,
			     uint32_t val)
{
	uint32_t v;

	if (off == 0 && (val & 0xffff) != 0xffff && (val & 0xffff) != 0) {
		d->present = 1;
		d->vendor = val & 0xffff;
		if (len == 4)
			d->device = val >> 16;
	}
	if (off == 2 && len == 2 && d->present)
		d->device = val;
	if (off <= 0x0e && off + len > 0x0e && !pt_cfg_read(d, 0x0e, 1, &v))
		d->header_type = v;
	if (off <= 0x0b && off + len > 0x09 && !pt_cfg_read(d, 0x08, 4, &v))
		d->class_code = v >> 8;
	if (off <= 0x04 && off + len > 0x04 && !pt_cfg_read(d, 0x04, 2, &v)) {
		d->command = v;
		d->command_known = 1;
	}
	if ((d->header_type & 0x7f) == 0 && off >= 0x10 && off < 0x28 && len == 4) {
		bar_read(d, (off - 0x10) / 4, val);
		m->ranges_dirty = 1;
	}
	walk_caps(d);
	msix_effects(d, off, len);
}

static struct pt_reg *reg_of(struct pt_device *d, int bar, uint64_t off)
{
	uint64_t key = (uint64_t)bar << 32 | (off & 0xffffffff);
	unsigned h = (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 40) % PT_MAX_REGS;

	for (unsigned n = 0; n < PT_MAX_REGS; n++, h = (h + 1) % PT_MAX_REGS) {
		struct pt_reg *r = &d->regs[h];

		if (r->reads || r->writes) {
			if (r->key == key)
				return r;
			continue;
		}
		if (d->nregs >= PT_MAX_REGS * 3 / 4)
			break;
		r->key = key;
		d->nregs++;
		return r;
	}
	d->regs_dropped++;
	return NULL;
}

static void touch(struct pt_device *d, struct pt_access *acc, const struct pt_event *ev, int write)
{
	struct pt_reg *r = reg_of(d, acc->bar, acc->off);

	if (!d->first_ts)
		d->first_ts = ev->ts;
	d->last_ts = ev->ts;
	acc->reg = r;
	if (!r)
		return;
	if (!r->first_ts)
		r->first_ts = ev->ts;
	if (write) {
		r->run_reads = 0;
	} else if (r->run_reads && ev->val == r->last_val) {
		r->run_reads++;
	} else {
		if (r->reads && ev->val != r->last_val)
			r->changes++;
		r->run_reads = 1;
		r->run_start_ts = ev->ts;
	}
	r->last_ts = ev->ts;
	r->last_val = ev->val;
	r->len = ev->len;
	if (write) {
		if (!r->writes)
			r->first_write_ts = ev->ts;
		r->writes++;
	} else {
		r->reads++;
		if (!pt_all_ones(ev->val, ev->len))
			r->ever_not_ones = 1;
	}
}

static void config_access(struct pt_model *m, uint16_t bdf, unsigned off, const struct pt_event *ev,
			  int write, struct pt_access *acc)
{
	struct pt_device *d = get_device(m, bdf);
	/* config space is read and written at most a dword at a time */
	unsigned len = ev->len && ev->len <= 4 ? ev->len : 4;

	if (!d)
		return;
	acc->type = PT_ACC_CONFIG;
	acc->dev = d;
	acc->bar = PT_REG_CONFIG;
	acc->off = off;
	cfg_store(d, off, len, (uint32_t)ev->val);
	if (write) {
		d->cfg_writes++;
		cfg_write_effects(m, d, off, len, (uint32_t)ev->val, ev->ts);
	} else {
		d->cfg_reads++;
		cfg_read_effects(m, d, off, len, (uint32_t)ev->val);
	}
	if (d->present)
		touch(d, acc, ev, write);
	/* QEMU's q35 host bridge (MCH) */
	if (bdf == 0 && d->vendor == 0x8086 && d->device == 0x29c0)
		m->q35 = 1;
	/*
	 * Interrupt Line as firmware or the OS left it: 16-23 can only be an
	 * IO-APIC pin (a PIC IRQ is below 16, SeaBIOS writes those), so it
	 * beats the q35 guess.
	 */
	if (off <= PCI_INTERRUPT_LINE && off + len > PCI_INTERRUPT_LINE) {
		uint32_t line;

		if (!pt_cfg_read(d, PCI_INTERRUPT_LINE, 1, &line) && line >= 16 && line < 24) {
			d->gsi = line;
			d->gsi_from_line = 1;
		}
	}
	if (d->gsi < 0 && m->q35 && d->present && (bdf >> 8) == 0) {
		uint32_t pin;

		if (!pt_cfg_read(d, 0x3d, 1, &pin) && pin >= 1 && pin <= 4)
			d->gsi = q35_gsi(bdf, pin);
	}
}

static void rebuild_ranges(struct pt_model *m)
{
	m->nranges = 0;
	for (unsigned i = 0; i < m->ndevs; i++) {
		for (int j = 0; j < 6; j++) {
			struct pt_bar *b = &m->devs[i]->bar[j];

			if (!b->valid)
				continue;
			m->ranges[m->nranges++] = (struct range){
				b->base, b->base + (b->size ? b->size : BAR_GUESS_SIZE),
				m->devs[i], j, b->is_io,
			};
		}
	}
	m->ranges_dirty = 0;
}

/* Looks up which device BAR holds ADDR (memory or I/O space). */
static int bar_lookup(struct pt_model *m, uint64_t addr, int io, struct pt_device **dev, int *bar)
{
	if (m->ranges_dirty)
		rebuild_ranges(m);
	for (unsigned i = 0; i < m->nranges; i++) {
		const struct range *r = &m->ranges[i];

		if (addr >= r->start && addr < r->end && r->io == io) {
			*dev = r->dev;
			*bar = r->bar;
			return 1;
		}
	}
	return 0;
}

struct pt_device *pt_model_gpa_fault(struct pt_model *m, const struct pt_event *ev,
				      struct pt_access *acc)
{
	struct pt_device *d;
	struct pt_fault_addr *fa;
	int bar;
	uint32_t i;

	if (!bar_lookup(m, ev->addr, 0, &d, &bar))
		return NULL;
	d->bar_faults++;
	acc->type = PT_ACC_FAULT;
	acc->dev = d;
	acc->bar = bar;
	acc->off = ev->addr - d->bar[bar].base;
	for (i = 0; i < d->nfault_addrs; i++)
		if (d->fault_addr[i].gpa == ev->addr)
			break;
	if (i == d->nfault_addrs) {
		if (i == PT_FAULT_ADDRS)
			return d;	/* counted in bar_faults, not listed */
		d->nfault_addrs++;
		d->fault_addr[i] = (struct pt_fault_addr){ .gpa = ev->addr, .bar = bar,
							    .first_ts = ev->ts };
	}
	fa = &d->fault_addr[i];
	fa->count++;
	fa->last_ts = ev->ts;
	return d;
}

static void stale_lookup(struct pt_model *m, uint64_t addr, struct pt_access *acc)
{
	for (unsigned i = 0; i < m->ndevs; i++) {
		for (int j = 0; j < 6; j++) {
			struct pt_bar *b = &m->devs[i]->bar[j];
			uint64_t size = b->size ? b->size : BAR_GUESS_SIZE;

			if (b->prev_base && addr >= b->prev_base && addr - b->prev_base < size) {
				acc->stale_dev = m->devs[i];
				acc->stale_bar = j;
				return;
			}
		}
	}
}

static void msix_table_write(struct pt_device *d, uint64_t off, const struct pt_event *ev)
{
	uint64_t entry = (off - d->msix_table) / 16;

	if (entry >= PT_MSIX_VECTORS)
		return;
	switch ((off - d->msix_table) % 16) {
	case 0:
		d->msix_address[entry] = (d->msix_address[entry] & ~0xffffffffull) | (uint32_t)ev->val;
		if (ev->len == 8)
			d->msix_address[entry] = ev->val;
		break;
	case 4:
		d->msix_address[entry] = (d->msix_address[entry] & 0xffffffff) | ev->val << 32;
		break;
	case 8:
		d->msix_data[entry] = ev->val;
		if (ev->len == 8)
			d->msix_masked[entry] = (ev->val >> 32) & 1;
		break;
	case 12:
		d->msix_masked[entry] = ev->val & 1;
		break;
	}
}

static void ioapic_access(struct pt_model *m, const struct pt_event *ev)
{
	uint64_t off = ev->addr - 0xfec00000;

	if (ev->kind != PT_EV_MMIO_WRITE)
		return;
	if (off == 0) {
		m->ioapic_sel = ev->val;
	} else if (off == 0x10 && m->ioapic_sel >= 0x10 && m->ioapic_sel < 0x40 &&
		   !(m->ioapic_sel & 1)) {
		struct pt_ioapic_pin *p = &m->ioapic[(m->ioapic_sel - 0x10) / 2];

		p->vector = ev->val & 0xff;
		p->masked = !!(ev->val & IOAPIC_REDIR_MASKED);
		p->programmed = 1;
	}
}

static struct upage *upage_of(struct pt_model *m, uint64_t page, int *idx)
{
	for (unsigned i = 0; i < m->nupages; i++)
		if (m->upages[i].page == page) {
			*idx = i;
			return &m->upages[i];
		}
	if (m->nupages == PT_MAX_UNKNOWN_PAGES)
		return NULL;
	*idx = m->nupages;
	m->upages[m->nupages] = (struct upage){ .page = page };
	return &m->upages[m->nupages++];
}

static void unknown_access(struct pt_model *m, const struct pt_event *ev, int write)
{
	int idx;
	struct upage *p = upage_of(m, ev->addr >> 12, &idx);

	if (!p)
		return;
	m->uregions_dirty = 1;
	if (!p->first_ts)
		p->first_ts = ev->ts;
	p->last_ts = ev->ts;
	if (!write) {
		p->reads++;
		if (ev->val && !pt_all_ones(ev->val, ev->len))
			p->answered_reads++;
		return;
	}
	p->writes++;
	/* in the kernel or not: the thread's next event tells (resolve_pending) */
	for (unsigned i = 0; i < sizeof(m->pending) / sizeof(m->pending[0]); i++) {
		if (m->pending[i].upage < 0) {
			m->pending[i].tid = ev->tid;
			m->pending[i].upage = idx;
			m->npending++;
			return;
		}
	}
}

/*
 * KVM traces an MMIO write (kvm_mmio) before it tries its in-kernel
 * devices; when none takes it, the vcpu's thread returns to userspace with
 * KVM_EXIT_MMIO, traced right after.  Any other event first on that thread
 * means KVM completed the write itself: a device (ioeventfd, coalesced
 * MMIO) owns the address.
 */
static void resolve_pending(struct pt_model *m, const struct pt_event *ev)
{
	if (ev->kind == PT_EV_USER_EXIT && ev->val == PT_KVM_EXIT_MMIO)
		m->mmio_exits++;
	for (unsigned i = 0; m->npending && i < sizeof(m->pending) / sizeof(m->pending[0]); i++) {
		struct pending_write *pw = &m->pending[i];

		if (pw->upage < 0 || pw->tid != ev->tid)
			continue;
		if (!(ev->kind == PT_EV_USER_EXIT && ev->val == PT_KVM_EXIT_MMIO)) {
			m->upages[pw->upage].kernel_writes++;
			m->uregions_dirty = 1;
		}
		pw->upage = -1;
		pw->tid = 0;
		m->npending--;
	}
}

static int upage_order(const void *pa, const void *pb)
{
	const struct upage *x = pa, *y = pb;

	return x->page < y->page ? -1 : x->page > y->page;
}

/*
 * Pages within PT_UNKNOWN_GAP pages of each other make one region.
 * Writes count as completed in the kernel only when the trace has
 * KVM_EXIT_MMIO exits at all (else kvm_userspace_exit was not recorded).
 */
static void build_regions(struct pt_model *m)
{
	struct upage sorted[PT_MAX_UNKNOWN_PAGES];
	struct pt_unknown_region *r = NULL;

	memcpy(sorted, m->upages, m->nupages * sizeof(sorted[0]));
	qsort(sorted, m->nupages, sizeof(sorted[0]), upage_order);
	m->nuregions = 0;
	for (unsigned i = 0; i < m->nupages; i++) {
		const struct upage *p = &sorted[i];

		if (!r || p->page > (r->end >> 12) + PT_UNKNOWN_GAP - 1) {
			r = &m->uregions[m->nuregions++];
			memset(r, 0, sizeof(*r));
			r->start = p->page << 12;
			r->first_ts = p->first_ts;
		}
		r->end = (p->page + 1) << 12;
		r->reads += p->reads;
		r->writes += p->writes;
		r->answered_reads += p->answered_reads;
		if (m->mmio_exits)
			r->kernel_writes += p->kernel_writes;
		if (p->first_ts < r->first_ts)
			r->first_ts = p->first_ts;
		if (p->last_ts > r->last_ts)
			r->last_ts = p->last_ts;
	}
	m->uregions_dirty = 0;
}

const struct pt_unknown_region *pt_model_unknown_regions(struct pt_model *m, unsigned *count)
{
	if (m->uregions_dirty)
		build_regions(m);
	*count = m->nuregions;
	return m->uregions;
}

const struct pt_unknown_region *pt_model_unknown_at(struct pt_model *m, uint64_t addr)
{
	unsigned n;
	const struct pt_unknown_region *r = pt_model_unknown_regions(m, &n);

	for (unsigned i = 0; i < n; i++)
		if (addr >= r[i].start && addr < r[i].end)
			return &r[i];
	return NULL;
}

static void mmio(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc)
{
	int write = ev->kind == PT_EV_MMIO_WRITE;
	struct pt_device *d;
	int bar;

	if (bar_lookup(m, ev->addr, 0, &d, &bar)) {
		acc->type = PT_ACC_BAR;
		acc->dev = d;
		acc->bar = bar;
		acc->off = ev->addr - d->bar[bar].base;
		if (write)
			d->mmio_writes++;
		else
			d->mmio_reads++;
		touch(d, acc, ev, write);
		if (write && d->msix_cap && bar == d->msix_bar && acc->off >= d->msix_table &&
		    acc->off < d->msix_table + 16ull * d->msix_size)
			msix_table_write(d, acc->off, ev);
		return;
	}
	if (ev->addr >= m->opts.ecam_base && ev->addr - m->opts.ecam_base < m->opts.ecam_size) {
		uint64_t rel = ev->addr - m->opts.ecam_base;

		m->ecam_seen = 1;
		if (m->opts.ecam_base == Q35_ECAM_BASE)
			m->q35 = 1;
		config_access(m, (uint16_t)(rel >> 12), rel & 0xfff, ev, write, acc);
		return;
	}
	for (size_t i = 0; i < sizeof(mmio_regions) / sizeof(mmio_regions[0]); i++) {
		if (ev->addr >= mmio_regions[i].start && ev->addr < mmio_regions[i].end) {
			acc->type = PT_ACC_PLATFORM;
			acc->platform = mmio_regions[i].name;
			if (mmio_regions[i].start == 0xfec00000)
				ioapic_access(m, ev);
			return;
		}
	}
	acc->type = PT_ACC_UNMAPPED;
	stale_lookup(m, ev->addr, acc);
	unknown_access(m, ev, write);
}

static void pio(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc)
{
	int write = ev->kind == PT_EV_PIO_WRITE;
	struct pt_device *d;
	int bar;

	if (ev->addr == 0xcf8 && ev->len == 4) {
		if (write)
			m->cf8 = ev->val;
		acc->type = PT_ACC_PLATFORM;
		acc->platform = "PCI config address";
		return;
	}
	if (ev->addr >= 0xcfc && ev->addr <= 0xcff) {
		if (!(m->cf8 & 0x80000000u)) {
			acc->type = PT_ACC_PLATFORM;
			acc->platform = "PCI config data, disabled";
			return;
		}
		config_access(m, (m->cf8 >> 8) & 0xffff,
			      ((m->cf8 & 0xfc) | ((m->cf8 >> 16) & 0xf00)) + (ev->addr - 0xcfc),
			      ev, write, acc);
		return;
	}
	if (bar_lookup(m, ev->addr, 1, &d, &bar)) {
		acc->type = PT_ACC_BAR;
		acc->dev = d;
		acc->bar = bar;
		acc->off = ev->addr - d->bar[bar].base;
		touch(d, acc, ev, write);
		return;
	}
	acc->type = PT_ACC_PLATFORM;
	acc->platform = "port";
}

static void msi(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc)
{
	struct pt_device *by_vector = NULL;

	for (unsigned i = 0; i < m->ndevs; i++) {
		struct pt_device *d = m->devs[i];

		if (d->msi_enabled && d->msi_address == ev->addr &&
		    (d->msi_data & 0xffff) == (ev->val & 0xffff)) {
			acc->dev = d;
			break;
		}
		if (d->msix_enabled) {
			for (unsigned v = 0; v < PT_MSIX_VECTORS && v < d->msix_size; v++) {
				if (d->msix_address[v] == ev->addr && d->msix_data[v] == (uint32_t)ev->val) {
					acc->dev = d;
					break;
				}
			}
		}
		if (!by_vector && (d->msi_enabled || d->msix_enabled) &&
		    (d->msi_data & 0xff) == (ev->val & 0xff))
			by_vector = d;
	}
	if (!acc->dev)
		acc->dev = by_vector;
	if (acc->dev) {
		acc->type = PT_ACC_INTERRUPT;
		acc->dev->msis++;
	}
}

static void irq_line(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc)
{
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct pt_device *d = m->devs[i];

		if (d->gsi >= 0 && (uint64_t)d->gsi == ev->addr &&
		    !(d->command_known && (d->command & 0x400))) {
			acc->type = PT_ACC_INTERRUPT;
			acc->dev = d;
			if (ev->val)
				d->intx++;
			return;
		}
	}
}

void pt_model_event(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc)
{
	memset(acc, 0, sizeof(*acc));
	acc->stale_bar = -1;
	resolve_pending(m, ev);
	switch (ev->kind) {
	case PT_EV_MMIO_READ:
	case PT_EV_MMIO_WRITE:
		mmio(m, ev, acc);
		break;
	case PT_EV_PIO_READ:
	case PT_EV_PIO_WRITE:
		pio(m, ev, acc);
		break;
	case PT_EV_MSI:
		msi(m, ev, acc);
		break;
	case PT_EV_IRQ_LINE:
		irq_line(m, ev, acc);
		break;
	default:
		break;
	}
}

const struct pt_ioapic_pin *pt_model_ioapic_pin(const struct pt_model *m, unsigned gsi)
{
	return gsi < 24 ? &m->ioapic[gsi] : NULL;
}

int pt_model_gsi_vector(const struct pt_model *m, unsigned gsi)
{
	return gsi < 24 && m->ioapic[gsi].vector ? m->ioapic[gsi].vector : -1;
}

struct pt_device *pt_model_vector_device(const struct pt_model *m, unsigned vector, int *gsi)
{
	*gsi = -1;
	for (unsigned g = 0; g < 24; g++)
		if (m->ioapic[g].vector == vector && vector)
			*gsi = g;
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct pt_device *d = m->devs[i];

		if ((d->msi_enabled || d->msix_enabled) && (d->msi_data & 0xff) == vector)
			return d;
		if (*gsi >= 0 && d->gsi == *gsi)
			return d;
	}
	return NULL;
}

int pt_model_map_complete(const struct pt_model *m)
{
	int any = 0;

	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct pt_device *d = m->devs[i];

		if (!d->present)
			continue;
		for (int j = 0; j < 6; j++)
			if (d->bar[j].valid && !d->bar[j].size && !d->bar[j].hinted)
				return 0;
		any = 1;
	}
	return any;
}

struct pt_device *pt_model_describe(struct pt_model *m, uint16_t bdf, uint16_t vendor,
				     uint16_t device, uint32_t class_code)
{
	struct pt_device *d = get_device(m, bdf);

	if (!d)
		return NULL;
	d->present = 1;
	d->hinted = 1;
	d->vendor = vendor;
	d->device = device;
	d->class_code = class_code;
	return d;
}

int pt_model_set_bar(struct pt_model *m, uint16_t bdf, int bar, uint64_t base, uint64_t size,
		     int io)
{
	struct pt_device *d = get_device(m, bdf);

	if (!d || bar < 0 || bar > 5)
		return -1;
	d->present = 1;
	d->hinted = 1;
	d->bar[bar].base = base;
	d->bar[bar].size = size;
	d->bar[bar].is_io = io;
	d->bar[bar].valid = 1;
	d->bar[bar].hinted = 1;
	m->ranges_dirty = 1;
	return 0;
}

/* --device BDF:BAR=GPA[+SIZE] */
int pt_model_hint(struct pt_model *m, const char *spec, struct pt_err *err)
{
	unsigned long long base, size = 0;
	const char *p;
	unsigned bar;
	uint16_t bdf;
	int n = 0;

	if (pt_bdf_parse(spec, &bdf, &p) || *p != ':')
		goto bad;
	if (sscanf(p + 1, "%u=%lli%n", &bar, &base, &n) != 2 || bar > 5)
		goto bad;
	p += 1 + n;
	if (*p == '+') {
		if (sscanf(p + 1, "%lli%n", &size, &n) != 1)
			goto bad;
		p += 1 + n;
	}
	if (*p)
		goto bad;
	if (pt_model_set_bar(m, bdf, bar, base, size, 0))
		return pt_err_set(err, "too many devices");
	return 0;
bad:
	return pt_err_set(err, "bad --device '%s': want BDF:BAR=GPA[+SIZE], e.g. 00:03.0:0=0xfea00000+0x100000",
			  spec);
}
