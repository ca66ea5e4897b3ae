// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace diff: a trace of a run that did not crash against one that did.
 * While each trace is analysed the diff keeps every register's accesses
 * and values (keyed by device, BAR and offset), BAR accesses in D3hot and
 * MMIO to no BAR; then it compares them, and the devices' final state and
 * interrupt statistics the analyses keep, and ranks what differs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "pt-diff.h"
#include "pt-plugins.h"

#define MAX_VALUES 8

/* One register of one device, as one trace shows it. */
struct dreg {
	uint16_t bdf, vendor, device;
	int8_t bar;
	uint64_t off;
	uint64_t reads, writes;
	uint64_t wvals[MAX_VALUES], rvals[MAX_VALUES];
	uint8_t nw, nr, wover, rover;	/* distinct values kept; more were seen */
	struct pt_event first_write, first_read, last_write;
	struct pt_event wval_ev[MAX_VALUES];	/* the first write of each of wvals */
};

struct ddev {
	uint16_t bdf, vendor, device;
	uint64_t accesses;		/* BAR and config */
	uint64_t d3_accesses;		/* BAR accesses while in D3hot */
	struct pt_event first_d3;
};

struct pt_diff_trace {
	const struct pt_analysis *owner;	/* the analysis it follows */
	/* a host-wide trace has an analysis per VM: the others', one each */
	struct pt_diff_trace *next;
	struct dreg *regs;
	unsigned nregs, cap;
	unsigned *index;			/* open addressing: regs + 1, 0 empty */
	unsigned index_size;
	struct ddev dev[PT_MAX_DEVICES];
	unsigned ndev;
	uint64_t stray;				/* MMIO to no BAR */
	struct pt_event first_stray;
	uint64_t stray_addr[4];
	unsigned nstray_addr;
	int failed;				/* out of memory: the comparison says so */
};

const char *pt_diff_kind_name(enum pt_diff_kind kind)
{
	static const char *const names[] = {
#define PT_DIFF_NAME(k, name) name,
		PT_DIFF_KINDS(PT_DIFF_NAME)
#undef PT_DIFF_NAME
	};

	return (unsigned)kind < PT_DIFF_NKINDS ? names[kind] : "?";
}

const char *pt_diff_level(unsigned score)
{
	return score >= 80 ? "high" : score >= 50 ? "medium" : "low";
}

struct pt_diff_trace *pt_diff_trace_new(struct pt_err *err)
{
	struct pt_diff_trace *t = calloc(1, sizeof(*t));

	if (!t)
		pt_err_set(err, "out of memory");
	return t;
}

void pt_diff_trace_free(struct pt_diff_trace *t)
{
	while (t) {
		struct pt_diff_trace *next = t->next;

		free(t->regs);
		free(t->index);
		free(t);
		t = next;
	}
}

static unsigned reg_hash(uint16_t bdf, int bar, uint64_t off, unsigned size)
{
	uint64_t h = ((uint64_t)bdf << 40 ^ (uint64_t)(bar & 0xff) << 32 ^ off) * 0x9e3779b97f4a7c15ull;

	return (unsigned)(h >> 32) & (size - 1);
}

static int same_reg(const struct dreg *r, const struct pt_device *d, int bar, uint64_t off)
{
	return r->bdf == d->bdf && r->vendor == d->vendor && r->device == d->device &&
	       r->bar == bar && r->off == off;
}

static int grow_index(struct pt_diff_trace *t)
{
	unsigned size = t->index_size ? t->index_size * 2 : 256;
	unsigned *index = calloc(size, sizeof(*index));

	if (!index)
		return -1;
	for (unsigned i = 0; i < t->nregs; i++) {
		unsigned h = reg_hash(t->regs[i].bdf, t->regs[i].bar, t->regs[i].off, size);

		while (index[h])
			h = (h + 1) & (size - 1);
		index[h] = i + 1;
	}
	free(t->index);
	t->index = index;
	t->index_size = size;
	return 0;
}

static struct dreg *find_reg(struct pt_diff_trace *t, const struct pt_device *d, int bar,
			     uint64_t off)
{
	unsigned h;
	struct dreg *r;

	if ((t->nregs + 1) * 2 > t->index_size && grow_index(t))
		return NULL;
	for (h = reg_hash(d->bdf, bar, off, t->index_size); t->index[h];
	     h = (h + 1) & (t->index_size - 1))
		if (same_reg(&t->regs[t->index[h] - 1], d, bar, off))
			return &t->regs[t->index[h] - 1];
	if (t->nregs == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 128;
		struct dreg *regs = realloc(t->regs, cap * sizeof(*regs));

		if (!regs)
			return NULL;
		t->regs = regs;
		t->cap = cap;
	}
	r = &t->regs[t->nregs];
	memset(r, 0, sizeof(*r));
	r->bdf = d->bdf;
	r->vendor = d->vendor;
	r->device = d->device;
	r->bar = (int8_t)bar;
	r->off = off;
	t->index[h] = ++t->nregs;
	return r;
}

static int has_value(const uint64_t *vals, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (vals[i] == v)
			return 1;
	return 0;
}

static void add_value(uint64_t *vals, uint8_t *n, uint8_t *over, uint64_t v)
{
	for (unsigned i = 0; i < *n; i++)
		if (vals[i] == v)
			return;
	if (*n < MAX_VALUES)
		vals[(*n)++] = v;
	else
		*over = 1;
}

static struct ddev *find_dev(struct pt_diff_trace *t, const struct pt_device *d)
{
	for (unsigned i = 0; i < t->ndev; i++)
		if (t->dev[i].bdf == d->bdf)
			return &t->dev[i];
	if (t->ndev == PT_MAX_DEVICES)
		return NULL;
	t->dev[t->ndev].bdf = d->bdf;
	return &t->dev[t->ndev++];
}

static void collect(void *ctx, const struct pt_analysis *a, const struct pt_event *ev,
		    const struct pt_access *acc)
{
	struct pt_diff_trace *t = ctx;
	int write = ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE;
	struct dreg *r;
	struct ddev *dd;

	/* a host-wide trace has an analysis per VM: each its own, compared is the one chosen */
	if (!t->owner)
		t->owner = a;
	while (t->owner != a) {
		if (!t->next && !(t->next = calloc(1, sizeof(*t->next)))) {
			((struct pt_diff_trace *)ctx)->failed = 1;	/* the head says so */
			return;
		}
		t = t->next;
		if (!t->owner)
			t->owner = a;
	}
	if (acc->type == PT_ACC_UNMAPPED && ev->kind <= PT_EV_MMIO_WRITE) {
		if (!t->stray++)
			t->first_stray = *ev;
		if (t->nstray_addr < 4 && !has_value(t->stray_addr, t->nstray_addr, ev->addr))
			t->stray_addr[t->nstray_addr++] = ev->addr;
		return;
	}
	if ((acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG) || !acc->dev ||
	    ev->kind > PT_EV_PIO_WRITE)
		return;
	dd = find_dev(t, acc->dev);
	if (dd) {
		dd->vendor = acc->dev->vendor;
		dd->device = acc->dev->device;
		dd->accesses++;
		if (acc->type == PT_ACC_BAR && acc->dev->power_state == PT_D3HOT &&
		    !dd->d3_accesses++)
			dd->first_d3 = *ev;
	}
	r = find_reg(t, acc->dev, acc->bar, acc->off);
	if (!r) {
		((struct pt_diff_trace *)ctx)->failed = 1;
		return;
	}
	if (write) {
		if (!r->writes++)
			r->first_write = *ev;
		r->last_write = *ev;
		if (r->nw < MAX_VALUES && !has_value(r->wvals, r->nw, ev->val))
			r->wval_ev[r->nw] = *ev;
		add_value(r->wvals, &r->nw, &r->wover, ev->val);
	} else {
		if (!r->reads++)
			r->first_read = *ev;
		add_value(r->rvals, &r->nr, &r->rover, ev->val);
	}
}

void pt_diff_trace_attach(struct pt_diff_trace *t, struct pt_analysis_opts *opts)
{
	opts->on_access = collect;
	opts->access_ctx = t;
}

/* --- comparing --- */

struct side_in {
	const struct pt_diff_trace *t;
	const struct pt_analysis *a;
	double seconds;
};

struct cmp {
	struct pt_diff *d;
	unsigned cap;
	int failed;
	struct side_in s[2];
};

static struct pt_diff_item *item(struct cmp *c, enum pt_diff_kind kind, unsigned score)
{
	struct pt_diff_item *it;

	if (c->d->nitems == c->cap) {
		unsigned cap = c->cap ? c->cap * 2 : 32;
		struct pt_diff_item *items = realloc(c->d->items, cap * sizeof(*items));

		if (!items) {
			c->failed = 1;
			return NULL;
		}
		c->d->items = items;
		c->cap = cap;
	}
	it = &c->d->items[c->d->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->score = score > 100 ? 100 : score;
	it->bar = -1;
	it->vector = -1;
	return it;
}

static void set_device(struct pt_diff_item *it, uint16_t bdf, uint16_t vendor, uint16_t device)
{
	char b[16];

	it->has_device = 1;
	it->bdf = bdf;
	it->vendor = vendor;
	it->device = device;
	pt_bdf_str(bdf, b, sizeof(b));
	snprintf(it->what, sizeof(it->what), "%s [%04x:%04x]", b, vendor, device);
}

static void set_event(const struct cmp *c, struct pt_diff_side *s, int which,
		      const struct pt_event *ev)
{
	s->has_event = 1;
	s->ev = *ev;
	s->rel = pt_rel(c->s[which].a, ev->ts);
}

static double rate(const struct cmp *c, int which, uint64_t n)
{
	return (double)n / c->s[which].seconds;
}

static void values_str(char *buf, size_t size, const uint64_t *vals, unsigned n, int over)
{
	size_t len = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s0x%llx", i ? ", " : "",
				(unsigned long long)vals[i]);
	if (over && len < size)
		snprintf(buf + len, size - len, ", ...");
}

/* Does A hold a value B does not (both known in full)? */
static int new_values(const uint64_t *a, unsigned na, int aover, const uint64_t *b, unsigned nb,
		      int bover)
{
	if (aover || bover)
		return 0;
	for (unsigned i = 0; i < na; i++)
		if (!has_value(b, nb, a[i]))
			return 1;
	return 0;
}

/* What kind of state a config register holds, given its device's capabilities. */
static enum pt_diff_kind config_kind(const struct pt_device *d, uint64_t off)
{
	if (off >= PCI_COMMAND && off < PCI_COMMAND + 2)
		return PT_DIFF_COMMAND;
	if (!d)
		return PT_DIFF_CONFIG;
	if (d->pm_cap && off >= d->pm_cap + 4u && off < d->pm_cap + 6u)
		return PT_DIFF_POWER;
	if (d->msi_cap && off >= d->msi_cap && off < d->msi_cap + 0x18u)
		return PT_DIFF_MSI;
	if (d->msix_cap && off >= d->msix_cap && off < d->msix_cap + 0xcu)
		return PT_DIFF_MSI;
	if (d->pcie_cap && off >= d->pcie_cap + 0x10u && off < d->pcie_cap + 0x12u)
		return PT_DIFF_ASPM;
	return PT_DIFF_CONFIG;
}

static enum pt_diff_kind reg_kind(const struct pt_device *d, const struct dreg *r)
{
	if (r->bar == PT_REG_CONFIG)
		return config_kind(d, r->off);
	if (d && d->msix_cap && d->msix_size && r->bar == d->msix_bar && r->off >= d->msix_table &&
	    r->off < d->msix_table + 16ull * d->msix_size)
		return PT_DIFF_MSI;
	return PT_DIFF_REGISTER_ONLY;
}

/* How much a write of this kind of state matters, out of 100. */
static unsigned state_score(enum pt_diff_kind k)
{
	switch (k) {
	case PT_DIFF_POWER:	return 96;
	case PT_DIFF_COMMAND:	return 94;
	case PT_DIFF_MSI:	return 92;
	case PT_DIFF_ASPM:	return 85;
	case PT_DIFF_CONFIG:	return 60;
	default:		return 0;
	}
}

static const struct dreg *other_reg(const struct pt_diff_trace *t, const struct dreg *r)
{
	unsigned h;

	if (!t->index_size)
		return NULL;
	for (h = reg_hash(r->bdf, r->bar, r->off, t->index_size); t->index[h];
	     h = (h + 1) & (t->index_size - 1)) {
		const struct dreg *o = &t->regs[t->index[h] - 1];

		if (o->bdf == r->bdf && o->vendor == r->vendor && o->device == r->device &&
		    o->bar == r->bar && o->off == r->off)
			return o;
	}
	return NULL;
}

/* The register at BAR and OFF of device D in T, or NULL. */
static const struct dreg *lookup(const struct pt_diff_trace *t, const struct pt_device *d, int bar,
				 uint64_t off)
{
	struct dreg key = { .bdf = d->bdf, .vendor = d->vendor, .device = d->device,
			    .bar = (int8_t)bar, .off = off };

	return other_reg(t, &key);
}

static void fill_reg_side(const struct cmp *c, struct pt_diff_side *s, int which,
			  const struct dreg *r, int writes)
{
	if (!r)
		return;
	s->seen = 1;
	s->reads = r->reads;
	s->writes = r->writes;
	s->count = r->reads + r->writes;
	s->rate = rate(c, which, s->count);
	if (writes && r->writes) {
		values_str(s->values, sizeof(s->values), r->wvals, r->nw, r->wover);
		set_event(c, s, which, &r->first_write);
	} else if (r->reads) {
		values_str(s->values, sizeof(s->values), r->rvals, r->nr, r->rover);
		set_event(c, s, which, &r->first_read);
	} else {
		values_str(s->values, sizeof(s->values), r->wvals, r->nw, r->wover);
		set_event(c, s, which, &r->first_write);
	}
}

static const struct pt_device *present_dev(const struct pt_analysis *a, uint16_t bdf,
					   uint16_t vendor, uint16_t device);

static const char *run_name(int which)
{
	return which ? "the crash" : "the baseline";
}

/*
 * One register, from trace WHICH's side (R), against the other's (O, may
 * be NULL).  Each pair is looked at once: from the crash's side, and from
 * the baseline's only for registers the crash does not have.
 */
static void compare_reg(struct cmp *c, int which, const struct dreg *r, const struct dreg *o)
{
	const struct pt_analysis *a = c->s[which].a;
	const struct pt_device *d = pt_model_find(a->model, r->bdf);
	enum pt_diff_kind k = reg_kind(d, r);
	int state = k != PT_DIFF_REGISTER_ONLY;
	const struct dreg *base = which ? o : r, *crash = which ? r : o;
	struct pt_diff_item *it = NULL;
	char label[96];
	unsigned score;

	/* a device in one trace only is one difference, said once */
	if (!present_dev(c->s[!which].a, r->bdf, r->vendor, r->device))
		return;
	/* BARs are placed where each run's firmware put them: moves are compared, not values */
	if (r->bar == PT_REG_CONFIG && r->off >= PCI_BASE_ADDRESS_0 && r->off < PCI_CARDBUS_CIS)
		return;
	pt_reg_label(d, r->bar, r->off, label, sizeof(label));
	if (!o) {
		/* config space read by both enumerations is no news: writes are */
		if (r->bar == PT_REG_CONFIG && !r->writes)
			return;
		score = state ? state_score(k) : r->writes ? 70 : 55;
		/* polled: a driver waiting for the device, in one run only */
		if (!state && r->reads >= 100)
			score = r->reads >= 1000 ? 85 : 78;
		if (!which)
			score = score * 6 / 10;	/* what the crash did not do matters less */
		it = item(c, state ? k : PT_DIFF_REGISTER_ONLY, score);
		if (!it)
			return;
		set_device(it, r->bdf, r->vendor, r->device);
		snprintf(it->title, sizeof(it->title), "%s only in %s (%llu reads, %llu writes)",
			 r->writes ? "written" : "read", run_name(which),
			 (unsigned long long)r->reads, (unsigned long long)r->writes);
	} else if (new_values(crash->wvals, crash->nw, crash->wover, base->wvals, base->nw,
			      base->wover) ||
		   (state && crash->writes && !base->writes)) {
		/* as many values as the baseline, only other ones: addresses of buffers */
		score = state ? state_score(k) - 2
			: crash->nw == base->nw && crash->writes == base->writes ? 30 : 50;
		it = item(c, state ? k : PT_DIFF_REGISTER_VALUES, score);
		if (!it)
			return;
		set_device(it, r->bdf, r->vendor, r->device);
		snprintf(it->title, sizeof(it->title), "written with values only in the crash");
	} else if (state && base->writes && !crash->writes) {
		it = item(c, k, state_score(k) * 6 / 10);
		if (!it)
			return;
		set_device(it, r->bdf, r->vendor, r->device);
		snprintf(it->title, sizeof(it->title), "written only in the baseline");
	} else if (r->bar != PT_REG_CONFIG && crash->nr <= 4 && base->nr <= 4 &&
		   new_values(crash->rvals, crash->nr, crash->rover, base->rvals, base->nr,
			      base->rover)) {
		it = item(c, PT_DIFF_REGISTER_VALUES, 40);
		if (!it)
			return;
		set_device(it, r->bdf, r->vendor, r->device);
		snprintf(it->title, sizeof(it->title), "read values only in the crash");
		fill_reg_side(c, &it->side[0], 0, base, 0);
		fill_reg_side(c, &it->side[1], 1, crash, 0);
		goto out;
	} else {
		double rb = rate(c, 0, base->reads + base->writes);
		double rc = rate(c, 1, crash->reads + crash->writes);
		uint64_t nmax = crash->reads + crash->writes;

		if (rc < 10 * rb || nmax < 100)
			return;
		it = item(c, PT_DIFF_REGISTER_RATE, 45);
		if (!it)
			return;
		set_device(it, r->bdf, r->vendor, r->device);
		snprintf(it->title, sizeof(it->title), "accessed %.0f/s in the crash, %.1f/s in "
			 "the baseline (%.0fx)", rc, rb, rb > 0 ? rc / rb : 0.0);
	}
	fill_reg_side(c, &it->side[0], 0, base, 1);
	fill_reg_side(c, &it->side[1], 1, crash, 1);
	/* the crash's evidence: its first write of a value the baseline never wrote */
	if (it->kind != PT_DIFF_REGISTER_ONLY && it->kind != PT_DIFF_REGISTER_RATE && base && crash)
		for (unsigned i = 0; i < crash->nw; i++)
			if (!has_value(base->wvals, base->nw, crash->wvals[i])) {
				set_event(c, &it->side[1], 1, &crash->wval_ev[i]);
				break;
			}
out:
	it->bar = r->bar;
	it->off = r->off;
	snprintf(it->what + strlen(it->what), sizeof(it->what) - strlen(it->what), " %s", label);
}

static void compare_regs(struct cmp *c)
{
	for (int w = 1; w >= 0; w--) {
		const struct pt_diff_trace *t = c->s[w].t, *other = c->s[!w].t;

		for (unsigned i = 0; i < t->nregs; i++) {
			const struct dreg *o = other_reg(other, &t->regs[i]);

			if (w == 0 && o)
				continue;	/* seen from the crash's side */
			compare_reg(c, w, &t->regs[i], o);
		}
	}
}

static const struct ddev *find_ddev(const struct pt_diff_trace *t, uint16_t bdf)
{
	for (unsigned i = 0; i < t->ndev; i++)
		if (t->dev[i].bdf == bdf)
			return &t->dev[i];
	return NULL;
}

static const struct pt_device *present_dev(const struct pt_analysis *a, uint16_t bdf,
					   uint16_t vendor, uint16_t device)
{
	const struct pt_device *d = pt_model_find(a->model, bdf);

	return d && d->present && d->vendor == vendor && d->device == device ? d : NULL;
}

static void state_side(struct pt_diff_side *s, const char *text, uint64_t n)
{
	s->seen = 1;
	s->count = n;
	snprintf(s->values, sizeof(s->values), "%s", text);
}

/*
 * The last write each trace made to config register OFF of the device
 * (B in the baseline, K in the crash): what left the state each ends in.
 */
static void last_writes(const struct cmp *c, struct pt_diff_item *it, const struct pt_device *b,
			const struct pt_device *k, unsigned off)
{
	const struct pt_device *d[2] = { b, k };

	it->bar = PT_REG_CONFIG;
	it->off = off;
	for (int w = 0; w < 2; w++) {
		const struct dreg *r = lookup(c->s[w].t, d[w], PT_REG_CONFIG, off);

		if (r && r->writes) {
			set_event(c, &it->side[w], w, &r->last_write);
			it->side[w].last = 1;
		}
	}
}

static void msi_str(const struct pt_device *d, char *buf, size_t size)
{
	if (d->msix_enabled)
		snprintf(buf, size, "MSI-X on%s", d->msi_enabled ? ", MSI on" : "");
	else if (d->msi_enabled)
		snprintf(buf, size, "MSI on, address 0x%llx data 0x%04x",
			 (unsigned long long)d->msi_address, d->msi_data);
	else
		snprintf(buf, size, "MSI and MSI-X off");
}

static const char *aspm_name(uint32_t lnkctl)
{
	static const char *const name[4] = { "off", "L0s", "L1", "L0s and L1" };

	return name[lnkctl & PCI_EXP_LNKCTL_ASPMC];
}

/*
 * The ASPM a device's link control is left with: a link allowed into L1
 * in the crash only is a common cause of devices that stop answering.
 */
static void compare_aspm(struct cmp *c, const struct pt_device *b, const struct pt_device *k)
{
	uint32_t lb, lk;
	struct pt_diff_item *it;
	char v[64];

	if (!b->pcie_cap || b->pcie_cap != k->pcie_cap ||
	    pt_cfg_read(b, b->pcie_cap + PCI_EXP_LNKCTL, 2, &lb) ||
	    pt_cfg_read(k, k->pcie_cap + PCI_EXP_LNKCTL, 2, &lk) ||
	    !((lb ^ lk) & PCI_EXP_LNKCTL_ASPMC))
		return;
	/* more power saving in the crash is the suspect; less is a difference still */
	it = item(c, PT_DIFF_ASPM, (lk & PCI_EXP_LNKCTL_ASPMC & ~lb) ? 87 : 52);
	if (!it)
		return;
	set_device(it, k->bdf, k->vendor, k->device);
	snprintf(it->title, sizeof(it->title), "ASPM at the end: %s in the crash, %s in the "
		 "baseline", aspm_name(lk), aspm_name(lb));
	snprintf(v, sizeof(v), "ASPM %s (LNKCTL 0x%04x)", aspm_name(lb), lb);
	state_side(&it->side[0], v, 0);
	snprintf(v, sizeof(v), "ASPM %s (LNKCTL 0x%04x)", aspm_name(lk), lk);
	state_side(&it->side[1], v, 0);
	last_writes(c, it, b, k, k->pcie_cap + PCI_EXP_LNKCTL);
	snprintf(it->what + strlen(it->what), sizeof(it->what) - strlen(it->what), " PCIE.LNKCTL");
}

/* The final state of a device both traces have, and what was done to it in D3hot. */
static void compare_state(struct cmp *c, const struct pt_device *b, const struct pt_device *k)
{
	const struct ddev *db = find_ddev(c->s[0].t, b->bdf), *dk = find_ddev(c->s[1].t, k->bdf);
	uint64_t nb = db ? db->d3_accesses : 0, nk = dk ? dk->d3_accesses : 0;
	struct pt_diff_item *it;
	char vb[96], vk[96];

	if (nk && !nb && (it = item(c, PT_DIFF_POWER, 99))) {
		set_device(it, k->bdf, k->vendor, k->device);
		snprintf(it->title, sizeof(it->title), "BAR accesses in D3hot only in the crash (%llu)",
			 (unsigned long long)nk);
		state_side(&it->side[0], "none", 0);
		state_side(&it->side[1], "D3hot", nk);
		it->side[1].rate = rate(c, 1, nk);
		set_event(c, &it->side[1], 1, &dk->first_d3);
	}
	if (b->power_state != k->power_state && k->power_state >= 0 &&
	    (it = item(c, PT_DIFF_POWER, k->power_state == PT_D0 ? 60 : 97))) {
		set_device(it, k->bdf, k->vendor, k->device);
		snprintf(it->title, sizeof(it->title), "power state at the end: %s in the crash, %s "
			 "in the baseline", pt_power_state_name(k->power_state),
			 b->power_state >= 0 ? pt_power_state_name(b->power_state) : "unknown");
		state_side(&it->side[0], b->power_state >= 0 ? pt_power_state_name(b->power_state)
			   : "unknown", 0);
		state_side(&it->side[1], pt_power_state_name(k->power_state), 0);
		if (k->pm_cap)
			last_writes(c, it, b, k, k->pm_cap + 4u);
	}
	if (b->command_known && k->command_known && b->command != k->command) {
		/* decode and bus master matter most; INTx disable, SERR, parity less */
		int major = !!((b->command ^ k->command) &
			       (PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER));

		if ((it = item(c, PT_DIFF_COMMAND, major ? 95 : 62))) {
			set_device(it, k->bdf, k->vendor, k->device);
			snprintf(it->title, sizeof(it->title), "command at the end: 0x%04x in the crash, "
				 "0x%04x in the baseline%s", k->command, b->command,
				 major ? " (decode or bus master differ)" : "");
			snprintf(vb, sizeof(vb), "0x%04x", b->command);
			snprintf(vk, sizeof(vk), "0x%04x", k->command);
			state_side(&it->side[0], vb, 0);
			state_side(&it->side[1], vk, 0);
			last_writes(c, it, b, k, PCI_COMMAND);
		}
	}
	compare_aspm(c, b, k);
	for (int i = 0; i < 6; i++) {
		const struct pt_bar *bb = &b->bar[i], *kb = &k->bar[i];

		if (!kb->valid || !kb->prev_base || kb->prev_base == kb->base ||
		    (bb->prev_base && bb->prev_base != bb->base))
			continue;
		if (!(it = item(c, PT_DIFF_CONFIG, 86)))
			return;
		set_device(it, k->bdf, k->vendor, k->device);
		snprintf(it->title, sizeof(it->title), "BAR%d moved from 0x%llx to 0x%llx only in the "
			 "crash", i, (unsigned long long)kb->prev_base, (unsigned long long)kb->base);
		it->bar = PT_REG_CONFIG;
		it->off = PCI_BASE_ADDRESS_0 + 4 * i;
		snprintf(vb, sizeof(vb), "0x%llx", (unsigned long long)bb->base);
		snprintf(vk, sizeof(vk), "0x%llx -> 0x%llx", (unsigned long long)kb->prev_base,
			 (unsigned long long)kb->base);
		state_side(&it->side[0], vb, 0);
		state_side(&it->side[1], vk, 0);
	}
	msi_str(b, vb, sizeof(vb));
	msi_str(k, vk, sizeof(vk));
	if (strcmp(vb, vk) && (it = item(c, PT_DIFF_MSI, 93))) {
		set_device(it, k->bdf, k->vendor, k->device);
		snprintf(it->title, sizeof(it->title), "interrupts at the end: %s in the crash, %s in "
			 "the baseline", vk, vb);
		state_side(&it->side[0], vb, 0);
		state_side(&it->side[1], vk, 0);
		/* the address when both have MSI on, else the control register */
		if (k->msi_cap)
			last_writes(c, it, b, k, k->msi_cap + (b->msi_enabled && k->msi_enabled ? 4u : 2u));
	}
	nb = b->mmio_reads + b->mmio_writes + b->cfg_reads + b->cfg_writes;
	nk = k->mmio_reads + k->mmio_writes + k->cfg_reads + k->cfg_writes;
	if (nk >= 100 && rate(c, 1, nk) >= 5 * rate(c, 0, nb) &&
	    (it = item(c, PT_DIFF_DEVICE_RATE, 25))) {
		set_device(it, k->bdf, k->vendor, k->device);
		snprintf(it->title, sizeof(it->title), "accessed %.0f/s in the crash, %.1f/s in the "
			 "baseline", rate(c, 1, nk), rate(c, 0, nb));
		state_side(&it->side[0], "", nb);
		state_side(&it->side[1], "", nk);
		it->side[0].rate = rate(c, 0, nb);
		it->side[1].rate = rate(c, 1, nk);
	}
}

/* Devices in one trace only; the number in both, and whether they are the same machine. */
static void compare_devices(struct cmp *c)
{
	unsigned common = 0, only = 0, present[2] = { 0, 0 };

	for (int w = 1; w >= 0; w--) {
		unsigned n;
		struct pt_device *const *devs = pt_model_devices(c->s[w].a->model, &n);

		for (unsigned i = 0; i < n; i++) {
			const struct pt_device *d = devs[i], *o;
			struct pt_diff_item *it;

			if (!d->present)
				continue;
			present[w]++;
			o = present_dev(c->s[!w].a, d->bdf, d->vendor, d->device);
			if (o) {
				if (w == 1) {
					common++;
					compare_state(c, o, d);
				}
				continue;
			}
			only++;
			/* a device the crashed run had and the good one did not is suspect */
			if (!(it = item(c, PT_DIFF_DEVICES, w ? 65 : 30)))
				return;
			set_device(it, d->bdf, d->vendor, d->device);
			snprintf(it->title, sizeof(it->title), "device only in %s", run_name(w));
			state_side(&it->side[w], "present", 0);
		}
	}
	c->d->common_devices = common;
	c->d->trace[0].devices = present[0];
	c->d->trace[1].devices = present[1];
	if (!common && (present[0] || present[1])) {
		c->d->comparable = 0;
		snprintf(c->d->reason, sizeof(c->d->reason), "the traces share no device (%u in the "
			 "baseline, %u in the crash): they are not of the same VM and devices, and "
			 "are not compared", present[0], present[1]);
	} else if (only) {
		snprintf(c->d->reason, sizeof(c->d->reason), "%u device%s in one trace only: "
			 "compared only where both have them", only, only == 1 ? "" : "s");
	}
}

static void compare_stray(struct cmp *c)
{
	const struct pt_diff_trace *b = c->s[0].t, *k = c->s[1].t;
	struct pt_diff_item *it;

	if (!k->stray || rate(c, 1, k->stray) < 2 * rate(c, 0, b->stray) + 1e-9)
		return;
	if (!(it = item(c, PT_DIFF_STRAY, b->stray ? 70 : 90)))
		return;
	snprintf(it->what, sizeof(it->what), "MMIO to no BAR");
	snprintf(it->title, sizeof(it->title), "MMIO to addresses in no BAR: %llu in the crash, "
		 "%llu in the baseline", (unsigned long long)k->stray, (unsigned long long)b->stray);
	for (int w = 0; w < 2; w++) {
		const struct pt_diff_trace *t = c->s[w].t;
		struct pt_diff_side *s = &it->side[w];

		if (!t->stray)
			continue;
		s->seen = 1;
		s->count = t->stray;
		s->rate = rate(c, w, t->stray);
		values_str(s->values, sizeof(s->values), t->stray_addr, t->nstray_addr,
			   t->stray > t->nstray_addr && t->nstray_addr == 4);
		set_event(c, s, w, &t->first_stray);
	}
}

static void vector_item_device(const struct cmp *c, struct pt_diff_item *it, unsigned v)
{
	int gsi;
	const struct pt_device *d = pt_model_vector_device(c->s[1].a->model, v, &gsi);

	if (!d)
		d = pt_model_vector_device(c->s[0].a->model, v, &gsi);
	if (d)
		set_device(it, d->bdf, d->vendor, d->device);
	snprintf(it->what + strlen(it->what), sizeof(it->what) - strlen(it->what), "%svector 0x%02x",
		 d ? " " : "", v);
	it->vector = (int)v;
}

static void vector_side(const struct cmp *c, struct pt_diff_side *s, int w, unsigned v)
{
	const struct pt_vector_stats *vs = &c->s[w].a->vector[v];
	uint64_t n = vs->raised > vs->accepted ? vs->raised : vs->accepted;

	s->seen = n != 0;
	s->count = n;
	s->rate = rate(c, w, n);
	if (vs->lat_count)
		snprintf(s->values, sizeof(s->values), "latency mean %.1f us, max %.1f us",
			 vs->lat_sum_ns / 1e3 / vs->lat_count, vs->lat_max_ns / 1e3);
}

static void compare_vectors(struct cmp *c)
{
	for (unsigned v = 0; v < PT_MAX_VECTORS; v++) {
		const struct pt_vector_stats *b = &c->s[0].a->vector[v], *k = &c->s[1].a->vector[v];
		uint64_t nb = b->raised > b->accepted ? b->raised : b->accepted;
		uint64_t nk = k->raised > k->accepted ? k->raised : k->accepted;
		double rb = rate(c, 0, nb), rk = rate(c, 1, nk);
		struct pt_diff_item *it;

		int gsi;
		const struct pt_device *vd = pt_model_vector_device(c->s[0].a->model, v, &gsi);

		if (!nb && !nk)
			continue;
		/* the interrupts of a device in one trace only are that device's difference */
		if (vd && !present_dev(c->s[1].a, vd->bdf, vd->vendor, vd->device))
			continue;
		if (nk >= 100 && rk >= 5 * rb) {
			/* thousands a second is a state: a line stuck, a cause never cleared */
			if (!(it = item(c, PT_DIFF_VECTOR_RATE, rk >= 1000 && rk >= 10 * rb ? 90 : 45)))
				return;
			snprintf(it->title, sizeof(it->title), "interrupts %.0f/s in the crash, %.1f/s "
				 "in the baseline", rk, rb);
		} else if (nb >= 20 && rb >= 5 * rk) {
			if (!(it = item(c, PT_DIFF_VECTOR_RATE, nk ? 40 : 55)))
				return;
			snprintf(it->title, sizeof(it->title), "interrupts %.1f/s in the crash, %.1f/s "
				 "in the baseline%s", rk, rb, nk ? "" : ": none in the crash");
		} else if (b->lat_count >= 5 && k->lat_count >= 5 &&
			   k->lat_sum_ns / k->lat_count > 3 * (b->lat_sum_ns / b->lat_count) &&
			   k->lat_sum_ns / k->lat_count - b->lat_sum_ns / b->lat_count > 50000) {
			if (!(it = item(c, PT_DIFF_VECTOR_LATENCY, 35)))
				return;
			snprintf(it->title, sizeof(it->title), "delivery latency mean %.1f us in the "
				 "crash, %.1f us in the baseline", k->lat_sum_ns / 1e3 / k->lat_count,
				 b->lat_sum_ns / 1e3 / b->lat_count);
		} else {
			continue;
		}
		vector_item_device(c, it, v);
		vector_side(c, &it->side[0], 0, v);
		vector_side(c, &it->side[1], 1, v);
	}
}

/*
 * The baseline's finding by the same detector on the same device (or on
 * none), above info: the one with the same title or else on the same
 * register when the detector fired more than once.
 */
static const struct pt_finding *same_finding(const struct pt_analysis *a,
					     const struct pt_finding *f)
{
	const struct pt_finding *best = NULL;
	int best_how = 0;

	for (unsigned i = 0; i < a->nfindings; i++) {
		const struct pt_finding *o = &a->findings[i];
		int how;

		if (o->severity <= PT_SEV_INFO || strcmp(o->detector, f->detector) ||
		    o->has_device != f->has_device || (f->has_device && o->bdf != f->bdf))
			continue;
		how = !strcmp(o->title, f->title) ? 3 : o->bar == f->bar && o->off == f->off ? 2 : 1;
		if (how > best_how) {
			best = o;
			best_how = how;
		}
	}
	return best;
}

static void finding_side(const struct cmp *c, struct pt_diff_side *s, int w,
			 const struct pt_finding *f)
{
	s->seen = 1;
	s->count = f->count;
	s->rate = rate(c, w, f->count);
	snprintf(s->values, sizeof(s->values), "%s, %u%% confidence", pt_severity_name(f->severity),
		 f->confidence);
	if (f->nevidence)
		set_event(c, s, w, &f->evidence[0].ev);
}

/*
 * What pttrace analyze concludes of each trace.  A detector that fires in
 * the crash only is what the diff is for; one that fires in a run that
 * went well too is no explanation of the crash, and is said to be so.
 * Info findings are context, not suspicion, and are left out.
 */
/* An item for finding F of trace W (0 baseline, 1 crash), O its twin in the other or NULL. */
static void finding_item(struct cmp *c, int w, const struct pt_finding *f,
			 const struct pt_finding *o, unsigned score, const char *where)
{
	struct pt_diff_item *it = item(c, PT_DIFF_FINDING, score);
	const char *title;

	if (!it)
		return;
	if (f->has_device)
		set_device(it, f->bdf, f->vendor, f->device);
	title = f->title;
	/* the device is said once, in WHAT */
	if (f->has_device && !strncmp(title, it->what, strlen(it->what)) &&
	    title[strlen(it->what)] == ' ')
		title += strlen(it->what) + 1;
	snprintf(it->detector, sizeof(it->detector), "%s", f->detector);
	snprintf(it->what + strlen(it->what), sizeof(it->what) - strlen(it->what), "%s%s",
		 it->what[0] ? " " : "", f->detector);
	snprintf(it->title, sizeof(it->title), "%.200s (%s)", title, where);
	it->bar = f->bar;
	it->off = f->off;
	finding_side(c, &it->side[w], w, f);
	if (o)
		finding_side(c, &it->side[!w], !w, o);
}

static int reported(const struct pt_finding *f)
{
	return f->severity > PT_SEV_INFO && f->severity <= PT_SEV_CRITICAL;
}

static void compare_findings(struct cmp *c)
{
	static const unsigned only_score[] = {
		[PT_SEV_LOW] = 45, [PT_SEV_MEDIUM] = 65, [PT_SEV_HIGH] = 84, [PT_SEV_CRITICAL] = 88,
	};
	const struct pt_analysis *ba = c->s[0].a, *ka = c->s[1].a;

	for (unsigned i = 0; i < ka->nfindings; i++) {
		const struct pt_finding *f = &ka->findings[i];
		const struct pt_finding *o = reported(f) ? same_finding(ba, f) : NULL;

		if (reported(f))
			finding_item(c, 1, f, o, o ? 20 : only_score[f->severity],
				     o ? "also in baseline" : "only in the crash");
	}
	/* gone in the crash: a clue, seldom the cause (the run that crashed stopped earlier) */
	for (unsigned i = 0; i < ba->nfindings; i++) {
		const struct pt_finding *f = &ba->findings[i];

		if (reported(f) && !same_finding(ka, f))
			finding_item(c, 0, f, NULL, 15, "only in the baseline");
	}
}

static int by_score(const void *x, const void *y)
{
	const struct pt_diff_item *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if (a->side[1].has_event != b->side[1].has_event)
		return b->side[1].has_event - a->side[1].has_event;
	if (a->side[1].ev.ts != b->side[1].ev.ts)
		return a->side[1].ev.ts < b->side[1].ev.ts ? -1 : 1;
	return strcmp(a->what, b->what);
}

static void trace_info(struct pt_diff_trace_info *ti, const struct pt_analysis *a, double secs)
{
	ti->crash = a->crash;
	ti->seconds = secs;
	ti->events = a->analysed;
}

/* What T kept of analysis A; an empty trace when A had no device access. */
static const struct pt_diff_trace *kept_for(const struct pt_diff_trace *t, const struct pt_analysis *a)
{
	static const struct pt_diff_trace none;

	for (; t; t = t->next)
		if (t->owner == a)
			return t;
	return &none;
}

struct pt_diff *pt_diff_compare(const struct pt_diff_trace *base, const struct pt_analysis *ba,
				const struct pt_diff_trace *crash, const struct pt_analysis *ca,
				struct pt_err *err)
{
	struct cmp c;

	if (base->failed || crash->failed) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	base = kept_for(base, ba);
	crash = kept_for(crash, ca);
	c = (struct cmp){ .s = { { base, ba, 0 }, { crash, ca, 0 } } };
	if (base->failed || crash->failed) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	c.d = calloc(1, sizeof(*c.d));
	if (!c.d) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	c.d->comparable = 1;
	for (int w = 0; w < 2; w++) {
		const struct pt_analysis *a = c.s[w].a;
		double s = a->crash.ts > a->window_start ? (a->crash.ts - a->window_start) / 1e9 : 0;

		/* a trace shorter than a millisecond is counted as one */
		c.s[w].seconds = s < 1e-3 ? 1e-3 : s;
		trace_info(&c.d->trace[w], a, s);
	}
	compare_devices(&c);
	if (c.d->comparable && !c.failed) {
		compare_stray(&c);
		compare_regs(&c);
		compare_vectors(&c);
		compare_findings(&c);
	}
	if (c.failed) {
		pt_diff_free(c.d);
		pt_err_set(err, "out of memory");
		return NULL;
	}
	if (c.d->nitems)
		qsort(c.d->items, c.d->nitems, sizeof(*c.d->items), by_score);
	return c.d;
}

struct pt_diff *pt_diff_files(const char *baseline, const char *crash,
			      const struct pt_analysis_opts *opts, struct pt_err *err)
{
	const char *path[2] = { baseline, crash };
	struct pt_diff_trace *t[2] = { NULL, NULL };
	struct pt_analysis *a[2] = { NULL, NULL };
	struct pt_diff *d = NULL;

	for (int w = 0; w < 2; w++) {
		struct pt_analysis_opts o = { .vcpu = -1 };

		if (opts)
			o = *opts;
		t[w] = pt_diff_trace_new(err);
		if (!t[w])
			goto out;
		pt_diff_trace_attach(t[w], &o);
		a[w] = pt_analyze_file(path[w], &o, err);
		if (!a[w])
			goto out;
	}
	d = pt_diff_compare(t[0], a[0], t[1], a[1], err);
out:
	for (int w = 0; w < 2; w++) {
		pt_analysis_free(a[w]);
		pt_diff_trace_free(t[w]);
	}
	return d;
}

void pt_diff_free(struct pt_diff *d)
{
	if (!d)
		return;
	free(d->items);
	free(d);
}
