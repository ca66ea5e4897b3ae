// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model's device table, its event dispatch (MMIO, port I/O, the
 * 0xCF8/0xCFC latch and ECAM, interrupts), the BARs as address ranges,
 * MMIO to no known BAR, and lookups.  Config space is model-config.c's,
 * interrupts model-irq.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "model.h"

#define Q35_ECAM_BASE	0xb0000000ull
#define Q35_ECAM_SIZE	0x10000000ull
#define BAR_GUESS_SIZE	0x1000ull	/* a BAR never seen sized: assume one page */
/* the legacy config mechanism: an address latch, and a data window onto what it selects */
#define CONF1_ADDR_PORT	0xcf8
#define CONF1_DATA_PORT	0xcfc
#define CONF1_ENABLE	0x80000000u

struct platform_region {
	uint64_t start, end;	/* inclusive start, exclusive end */
	const char *name;
};

/* Fixed x86 PC regions whose MMIO is not a PCI device's. */
static const struct platform_region mmio_regions[] = {
	{ 0x000a0000, 0x000c0000, "legacy VGA" },
	{ IOAPIC_BASE, IOAPIC_BASE + 0x1000, "IO-APIC" },
	{ 0xfed00000, 0xfed00400, "HPET" },
	{ 0xfed1c000, 0xfed20000, "chipset RCBA" },
	{ 0xfed40000, 0xfed45000, "TPM" },
	{ 0xfee00000, 0xfef00000, "local APIC" },
	{ 0xff000000, 0x100000000ull, "firmware flash" },
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
	m->last_miss_io = -1;
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

struct pt_device *pt_model_device_get(struct pt_model *m, uint16_t bdf)
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

void pt_model_touch(struct pt_device *d, struct pt_access *acc, const struct pt_event *ev,
		    int write)
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

static void rebuild_ranges(struct pt_model *m)
{
	m->nranges = 0;
	for (unsigned i = 0; i < m->ndevs; i++) {
		for (int j = 0; j < PCI_STD_NUM_BARS; j++) {
			struct pt_bar *b = &m->devs[i]->bar[j];

			if (!b->valid)
				continue;
			m->ranges[m->nranges++] = (struct range){
				b->base, b->base + (b->size ? b->size : BAR_GUESS_SIZE),
				m->devs[i], j, b->is_io,
			};
		}
	}
	m->ranges_apart = 1;
	for (unsigned i = 0; i < m->nranges; i++)
		for (unsigned j = i + 1; j < m->nranges; j++)
			if (m->ranges[i].io == m->ranges[j].io && m->ranges[i].start < m->ranges[j].end &&
			    m->ranges[j].start < m->ranges[i].end)
				m->ranges_apart = 0;
	m->last_range = 0;
	m->last_miss_io = -1;
	m->ranges_dirty = 0;
}

/* Looks up which device BAR holds ADDR (memory or I/O space). */
static int bar_lookup(struct pt_model *m, uint64_t addr, int io, struct pt_device **dev, int *bar)
{
	const struct range *r;

	if (m->ranges_dirty)
		rebuild_ranges(m);
	if (addr == m->last_miss && io == m->last_miss_io)
		return 0;
	r = &m->ranges[m->last_range];
	/* a driver goes on with the BAR it just used: that one first, where it is the only one */
	if (m->ranges_apart && m->last_range < m->nranges && addr >= r->start && addr < r->end &&
	    r->io == io) {
		*dev = r->dev;
		*bar = r->bar;
		return 1;
	}
	for (unsigned i = 0; i < m->nranges; i++) {
		r = &m->ranges[i];
		if (addr >= r->start && addr < r->end && r->io == io) {
			*dev = r->dev;
			*bar = r->bar;
			m->last_range = i;
			return 1;
		}
	}
	m->last_miss = addr;
	m->last_miss_io = io;
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
		for (int j = 0; j < PCI_STD_NUM_BARS; j++) {
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
		pt_model_touch(d, acc, ev, write);
		if (write)
			pt_model_msix_write(d, bar, acc->off, ev);
		return;
	}
	if (ev->addr >= m->opts.ecam_base && ev->addr - m->opts.ecam_base < m->opts.ecam_size) {
		uint64_t rel = ev->addr - m->opts.ecam_base;

		m->ecam_seen = 1;
		if (m->opts.ecam_base == Q35_ECAM_BASE)
			m->q35 = 1;
		pt_model_config(m, (uint16_t)(rel >> 12), rel & 0xfff, ev, write, acc);
		return;
	}
	for (size_t i = 0; i < sizeof(mmio_regions) / sizeof(mmio_regions[0]); i++) {
		if (ev->addr >= mmio_regions[i].start && ev->addr < mmio_regions[i].end) {
			acc->type = PT_ACC_PLATFORM;
			acc->platform = mmio_regions[i].name;
			if (mmio_regions[i].start == IOAPIC_BASE)
				pt_model_ioapic(m, ev);
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

	if (ev->addr == CONF1_ADDR_PORT && ev->len == 4) {
		if (write)
			m->cf8 = ev->val;
		acc->type = PT_ACC_PLATFORM;
		acc->platform = "PCI config address";
		return;
	}
	if (ev->addr >= CONF1_DATA_PORT && ev->addr < CONF1_DATA_PORT + 4) {
		if (!(m->cf8 & CONF1_ENABLE)) {
			acc->type = PT_ACC_PLATFORM;
			acc->platform = "PCI config data, disabled";
			return;
		}
		/* the latch: bus, device, function; register bits 7-2, and 11-8 in bits 27-24 */
		pt_model_config(m, (m->cf8 >> 8) & 0xffff,
				((m->cf8 & 0xfc) | ((m->cf8 >> 16) & 0xf00)) +
				(ev->addr - CONF1_DATA_PORT), ev, write, acc);
		return;
	}
	if (bar_lookup(m, ev->addr, 1, &d, &bar)) {
		acc->type = PT_ACC_BAR;
		acc->dev = d;
		acc->bar = bar;
		acc->off = ev->addr - d->bar[bar].base;
		pt_model_touch(d, acc, ev, write);
		return;
	}
	acc->type = PT_ACC_PLATFORM;
	acc->platform = "port";
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
		pt_model_msi(m, ev, acc);
		break;
	case PT_EV_IRQ_LINE:
		pt_model_irq_line(m, ev, acc);
		break;
	default:
		break;
	}
}

int pt_model_map_complete(const struct pt_model *m)
{
	int any = 0;

	for (unsigned i = 0; i < m->ndevs; i++) {
		const struct pt_device *d = m->devs[i];

		if (!d->present)
			continue;
		for (int j = 0; j < PCI_STD_NUM_BARS; j++)
			if (d->bar[j].valid && !d->bar[j].size && !d->bar[j].hinted)
				return 0;
		any = 1;
	}
	return any;
}

struct pt_device *pt_model_describe(struct pt_model *m, uint16_t bdf, uint16_t vendor,
				     uint16_t device, uint32_t class_code)
{
	struct pt_device *d = pt_model_device_get(m, bdf);

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
	struct pt_device *d = pt_model_device_get(m, bdf);

	if (!d || bar < 0 || bar >= PCI_STD_NUM_BARS)
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
	/* "BAR2=" as the reports print it, or "2=" */
	if (!strncasecmp(p + 1, "bar", 3))
		p += 3;
	if (sscanf(p + 1, "%u=%lli%n", &bar, &base, &n) != 2 || bar >= PCI_STD_NUM_BARS)
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
	return pt_err_set(err, "bad --device '%s': want BDF:BAR=GPA[+SIZE], e.g. 00:03.0:BAR0=0xfea00000+0x100000",
			  spec);
}
