// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index-store.h"
#include "pt-plugins.h"
#include "pt-tui.h"

#define FIRST_BUCKET_NS 1000000ull	/* 1 ms, widened as the trace goes on */

/* the fewest bytes of data a record takes: a 4-byte header and a 4-byte payload */
#define MIN_RECORD_BYTES 8

/* events looked back for a rip; the analysis has no such bound, a trace rarely needs one */
#define NEAREST_RIP_LOOKBACK 4096

/*
 * --vm: is VM the one asked for?  Its threads are learnt as the trace is
 * read, so a VM that does not match yet is asked again on its next event;
 * events no VM's thread raised are shown.
 */
static int vm_wanted(struct pt_tui_index *x, uint8_t vm)
{
	const struct pt_vm_info *v;
	char *end;
	unsigned long id;

	if (vm >= PT_MAX_VMS)
		return 1;
	if (x->vm_wanted[vm] >= 0)
		return x->vm_wanted[vm];
	v = &pt_reader_info(x->seq)->vms[vm];
	id = strtoul(x->vm, &end, 10);
	if (*x->vm && !*end ? id >= v->pid && id <= v->tid_max : !strcmp(v->name, x->vm))
		x->vm_wanted[vm] = 1;
	return x->vm_wanted[vm] > 0;
}

int pt_tui_open(struct pt_tui_index *x, const char *path, const struct pt_analysis_opts *given,
		struct pt_err *err)
{
	struct pt_analysis_opts opts = { .vcpu = -1 };
	const char *vm;

	if (given)
		opts = *given;
	opts.progress = NULL;	/* the screen shows the progress */
	vm = opts.vm;

	memset(x, 0, sizeof(*x));
	snprintf(x->path, sizeof(x->path), "%s", path);
	x->seq = pt_reader_open(path, err);
	if (!x->seq)
		return -1;
	pt_reader_set_jobs(x->seq, opts.jobs);
	if (pt_reader_info(x->seq)->is_text) {
		pt_tui_close(x);
		return pt_err_set(err, "'%s' is a text trace: pttrace tui browses a trace.dat (for a "
				  "text, use 'pttrace analyze %s')", path, path);
	}
	/* the pages are faulted in on another thread where the reading has one */
	x->store = pt_tui_store_new(pt_reader_info(x->seq)->data_bytes / MIN_RECORD_BYTES,
				    opts.jobs != 1 && pt_cpus_usable() > 1);
	if (!x->store) {
		pt_tui_close(x);
		return pt_err_set(err, "out of memory for the index of '%s'", path);
	}
	x->vm = vm;
	memset(x->vm_wanted, -1, sizeof(x->vm_wanted));
	x->rnd = pt_reader_open(path, err);
	x->a = x->rnd ? pt_analysis_new(&opts, err) : NULL;
	if (!x->a || pt_analysis_set_meta(x->a, pt_reader_meta(x->seq))) {
		pt_tui_close(x);
		return -1;
	}
	x->ntail = pt_reader_tail(x->rnd, x->tail, sizeof(x->tail) / sizeof(x->tail[0]));
	x->bucket_ns = FIRST_BUCKET_NS;
	/* a crash after the end would be a clean trace "4.5e9 s before the crash" */
	if (opts.have_at && x->ntail && opts.at_ts > x->tail[x->ntail - 1].ts) {
		pt_err_set(err, "--at %.6f is after the trace: its events end at %.6f (trace clock, "
			   "as trace-cmd report shows it)", opts.at_ts / 1e9,
			   x->tail[x->ntail - 1].ts / 1e9);
		pt_tui_close(x);
		return -1;
	}
	return 0;
}

void pt_tui_start_filter(const struct pt_tui_index *x, char *buf, size_t size)
{
	const struct pt_analysis_opts *o = &x->a->opts;
	char bdf[16];
	int len = 0;

	buf[0] = 0;
	if (o->have_device) {
		pt_bdf_str(o->device, bdf, sizeof(bdf));
		len = snprintf(buf, size, "dev=%s", bdf);
	}
	if (o->vcpu >= 0 && len >= 0 && (size_t)len < size)
		snprintf(buf + len, size - len, "%svcpu=%d", len ? " " : "", o->vcpu);
}

void pt_tui_close(struct pt_tui_index *x)
{
	pt_reader_close(x->seq);
	pt_reader_close(x->rnd);
	pt_analysis_free(x->a);
	pt_tui_store_free(x->store);
	memset(x, 0, sizeof(*x));
}

int pt_tui_device_index(struct pt_tui_index *x, uint16_t bdf)
{
	/* accesses come in runs to one device: the last one found first */
	if (x->last_dev < x->ndevs && x->dev_bdf[x->last_dev] == bdf)
		return x->last_dev;
	for (unsigned i = 0; i < x->ndevs; i++)
		if (x->dev_bdf[i] == bdf)
			return x->last_dev = i;
	if (x->ndevs == PT_TUI_NO_DEVICE)
		return -1;
	x->dev_bdf[x->ndevs] = bdf;
	return x->last_dev = x->ndevs++;
}

const struct pt_device *pt_tui_device_of(struct pt_tui_index *x, unsigned i)
{
	return i < x->ndevs ? pt_model_find(x->a->model, x->dev_bdf[i]) : NULL;
}

/* Halves the timeline's resolution until TS fits. */
static unsigned bucket_of(struct pt_tui_index *x, uint64_t ts)
{
	uint64_t b, since = ts - x->t0;

	/* the event before's bucket, as the division would find it, without one */
	if (x->t0 && since >= x->bucket_since && since - x->bucket_since < x->bucket_ns)
		return x->bucket;
	if (!x->t0)
		x->t0 = ts;
	while ((b = (ts - x->t0) / x->bucket_ns) >= PT_TUI_BUCKETS) {
		for (unsigned i = 0; i < PT_TUI_BUCKETS / 2; i++) {
			for (unsigned d = 0; d < x->ndevs; d++)
				x->dev_counts[d][i] = x->dev_counts[d][2 * i] + x->dev_counts[d][2 * i + 1];
			x->irq_counts[i] = x->irq_counts[2 * i] + x->irq_counts[2 * i + 1];
		}
		for (unsigned i = PT_TUI_BUCKETS / 2; i < PT_TUI_BUCKETS; i++) {
			for (unsigned d = 0; d < x->ndevs; d++)
				x->dev_counts[d][i] = 0;
			x->irq_counts[i] = 0;
		}
		x->bucket_ns *= 2;
	}
	x->bucket = b;
	x->bucket_since = b * x->bucket_ns;
	return b;
}

int pt_tui_entry_set(struct pt_tui_index *x, struct pt_tui_entry *e, const struct pt_event *ev,
		     const struct pt_position *pos, const struct pt_access *acc)
{
	int dev = -1;

	if (acc->dev && acc->type != PT_ACC_NONE && acc->type != PT_ACC_PLATFORM)
		dev = pt_tui_device_index(x, acc->dev->bdf);
	e->where = (pos->offset & ((1ull << 37) - 1)) | (uint64_t)(acc->type & 7) << 37 |
		   (uint64_t)(pos->buffer & 0xf) << 40 | (uint64_t)(ev->kind & 0xf) << 44 |
		   (uint64_t)(ev->vcpu < 0 ? 0xff : ev->vcpu & 0xff) << 48 |
		   (uint64_t)(dev < 0 ? PT_TUI_NO_DEVICE : dev) << 56;
	e->addr = acc->type == PT_ACC_CONFIG ? (uint32_t)acc->off : (uint32_t)ev->addr;
	e->val = (uint32_t)ev->val;
	return dev;
}

static void add_entry(struct pt_tui_index *x, const struct pt_event *ev, const struct pt_position *pos,
		      const struct pt_access *acc)
{
	int dev;
	unsigned b;

	if (x->n == x->room) {
		size_t room = pt_tui_store_room(x->store, &x->entries, &x->cap, x->n);

		if (!room)	/* out of memory: this event is left out, the next one asks again */
			return;
		x->room = room;
	}
	dev = pt_tui_entry_set(x, &x->entries[x->n++], ev, pos, acc);
	b = bucket_of(x, ev->ts);
	if (dev >= 0 && acc->type == PT_ACC_BAR) {
		x->dev_total[dev]++;
		x->dev_counts[dev][b]++;
	}
	if (ev->kind == PT_EV_APIC_ACCEPT)
		x->irq_counts[b]++;
}

int pt_tui_timeline_devices(const struct pt_tui_index *x, unsigned *out, unsigned max)
{
	unsigned n = 0;

	/* the busiest devices, busiest first */
	for (unsigned d = 0; d < x->ndevs; d++) {
		unsigned i;

		if (!x->dev_total[d])
			continue;
		for (i = n; i > 0 && x->dev_total[out[i - 1]] < x->dev_total[d]; i--)
			if (i < max)
				out[i] = out[i - 1];
		if (i < max) {
			out[i] = d;
			if (n < max)
				n++;
		}
	}
	return n;
}

int pt_tui_step(struct pt_tui_index *x, size_t budget, struct pt_err *err)
{
	const struct pt_event *next;
	struct pt_event ev;
	struct pt_position pos;
	struct pt_access acc;

	if (x->done)
		return 0;
	while (budget--) {
		/* where the reader holds it: 48 bytes not copied, 20 million times */
		next = pt_reader_next_event(x->seq, &pos);
		if (!next) {
			x->a->info = *pt_reader_info(x->seq);
			if (!x->n)
				return pt_err_set(err, "'%s' has kvm event formats but no kvm events: was the "
						  "VM running while it was recorded?", x->path);
			pt_analysis_finish(x->a);
			/* 16 bytes an event, exactly */
			pt_tui_store_fit(x->store, &x->entries, &x->cap, x->n);
			x->crash_pos = pt_tui_find_ts(x, x->a->crash.ts);
			if (x->a->opts.have_at && x->crash_pos == 0 && !pt_tui_event(x, 0, &ev) &&
			    ev.ts > x->a->opts.at_ts)
				return pt_err_set(err, "--at %.6f is before the trace: its events start at "
						  "%.6f (trace clock, as trace-cmd report shows it)",
						  x->a->opts.at_ts / 1e9, ev.ts / 1e9);
			if (x->crash_pos >= x->n)
				x->crash_pos = x->n - 1;
			/* the crash event itself, when it is one */
			x->done = 1;
			return 0;
		}
		if (x->vm && !vm_wanted(x, next->vm))
			continue;
		pt_analysis_feed_access(x->a, next, &acc);
		add_entry(x, next, &pos, &acc);
	}
	return 1;
}

/* As the analysis does: the rip of the nearest rip record before I on VCPU. */
static uint64_t nearest_rip(struct pt_tui_index *x, size_t i, int vcpu, uint8_t *flags)
{
	for (size_t j = i, seen = 0; j-- > 0 && seen < NEAREST_RIP_LOOKBACK; seen++) {
		const struct pt_tui_entry *e = &x->entries[j];
		struct pt_position pos = { .offset = pt_tui_offset(e), .buffer = pt_tui_buffer(e) };
		struct pt_event ev;

		if (pt_tui_vcpu(e) != vcpu || !pt_kind_has_rip(pt_tui_kind(e)))
			continue;
		if (pt_reader_read_at(x->rnd, &pos, &ev) || !ev.rip)
			return 0;
		*flags |= PT_EVF_RIP_NEAREST;
		return ev.rip;
	}
	return 0;
}

int pt_tui_event(struct pt_tui_index *x, size_t i, struct pt_event *ev)
{
	const struct pt_tui_entry *e;
	struct pt_position pos;

	if (i >= x->n)
		return -1;
	e = &x->entries[i];
	pos.offset = pt_tui_offset(e);
	pos.buffer = pt_tui_buffer(e);
	if (pt_reader_read_at(x->rnd, &pos, ev))
		return -1;
	ev->vcpu = pt_tui_vcpu(e);
	if (pt_tui_kind(e) <= PT_EV_PIO_WRITE && !ev->rip && ev->vcpu >= 0)
		ev->rip = nearest_rip(x, i, ev->vcpu, &ev->flags);
	return 0;
}

void pt_tui_access(struct pt_tui_index *x, size_t i, const struct pt_event *ev, struct pt_access *acc)
{
	const struct pt_tui_entry *e = &x->entries[i];
	const struct pt_device *d = pt_tui_device_of(x, pt_tui_device(e));

	memset(acc, 0, sizeof(*acc));
	acc->type = pt_tui_type(e);
	acc->bar = -1;
	acc->dev = (struct pt_device *)d;
	if (!d)
		return;
	if (acc->type == PT_ACC_CONFIG) {
		acc->bar = PT_REG_CONFIG;
		acc->off = e->addr;
		return;
	}
	if (acc->type != PT_ACC_BAR)
		return;
	/* the BAR as the device model ends: a BAR that moved is found by its old base too */
	for (int b = 0; b < 6; b++) {
		const struct pt_bar *bar = &d->bar[b];
		uint64_t size = bar->size ? bar->size : 0x1000;

		if (bar->valid && ev->addr >= bar->base && ev->addr - bar->base < size) {
			acc->bar = b;
			acc->off = ev->addr - bar->base;
			return;
		}
		if (bar->prev_base && ev->addr >= bar->prev_base && ev->addr - bar->prev_base < size) {
			acc->bar = b;
			acc->off = ev->addr - bar->prev_base;
			return;
		}
	}
}

size_t pt_tui_find_ts(struct pt_tui_index *x, uint64_t ts)
{
	size_t lo = 0, hi = x->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct pt_event ev;

		if (pt_tui_event(x, mid, &ev) || ev.ts < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int is_read(unsigned kind)
{
	return kind == PT_EV_MMIO_READ || kind == PT_EV_PIO_READ || kind == PT_EV_MSR_READ;
}

static int is_write(unsigned kind)
{
	return kind == PT_EV_MMIO_WRITE || kind == PT_EV_PIO_WRITE || kind == PT_EV_MSR_WRITE;
}

/* The BAR and offset of a BAR access, from the index alone. */
static int entry_reg(struct pt_tui_index *x, const struct pt_tui_entry *e, int *bar, uint64_t *off)
{
	const struct pt_device *d;

	if (pt_tui_type(e) == PT_ACC_CONFIG) {
		*bar = PT_REG_CONFIG;
		*off = e->addr;
		return 0;
	}
	if (pt_tui_type(e) != PT_ACC_BAR || !(d = pt_tui_device_of(x, pt_tui_device(e))))
		return -1;
	for (int b = 0; b < 6; b++) {
		uint32_t base = (uint32_t)d->bar[b].base;
		uint64_t size = d->bar[b].size ? d->bar[b].size : 0x1000;

		if (d->bar[b].valid && e->addr >= base && e->addr - base < size) {
			*bar = b;
			*off = e->addr - base;
			return 0;
		}
	}
	return -1;
}

/* Is E's register called NAME ("PMCSR" also finds "PM.PMCSR"; any case)? */
static int reg_named(struct pt_tui_index *x, const struct pt_tui_entry *e, const char *name)
{
	char reg[64];
	size_t n = strlen(name), len;
	int bar;
	uint64_t off;

	if (entry_reg(x, e, &bar, &off) ||
	    pt_reg_name(pt_tui_device_of(x, pt_tui_device(e)), bar, off, reg, sizeof(reg)))
		return 0;
	len = strlen(reg);
	return !strcasecmp(reg, name) ||
	       (len > n && reg[len - n - 1] == '.' && !strcasecmp(reg + len - n, name));
}

/* Is entry E an access to one of the registers in R? */
static int entry_named(struct pt_tui_index *x, const struct pt_tui_entry *e,
		       const struct pt_tui_regs *r)
{
	int bar;
	uint64_t off;

	if (entry_reg(x, e, &bar, &off))
		return 0;
	for (unsigned i = 0; i < r->n; i++)
		if (r->r[i].device == (int)pt_tui_device(e) && r->r[i].bar == bar && r->r[i].off == off)
			return 1;
	return 0;
}

/* The last part of a name: "PMCSR" of "PM.PMCSR", "STATUS" of "STATUS" */
static const char *name_tail(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

/*
 * The registers of the trace's devices named NAME (or with "PM." before
 * it), else those whose name has NAME in it, case aside; how many.
 */
static unsigned regs_named(struct pt_tui_index *x, const char *name, struct pt_tui_regs *out)
{
	char buf[80];

	out->n = 0;
	for (int exact = 1; exact >= 0 && !out->n; exact--) {
		for (unsigned i = 0; i < x->ndevs; i++) {
			const struct pt_device *d = pt_tui_device_of(x, i);

			for (unsigned k = 0; d && d->regs && k < PT_MAX_REGS; k++) {
				const struct pt_reg *g = &d->regs[k];
				int bar = g->key >> 32;
				uint64_t off = g->key & 0xffffffff;

				if ((!g->reads && !g->writes) || out->n == PT_TUI_NAMED_REGS ||
				    pt_reg_name(d, bar, off, buf, sizeof(buf)))
					continue;
				if (exact ? strcasecmp(buf, name) && strcasecmp(name_tail(buf), name) :
				    !strcasestr(buf, name))
					continue;
				out->r[out->n].device = i;
				out->r[out->n].bar = bar;
				out->r[out->n++].off = off;
			}
		}
	}
	return out->n;
}

static int has_int(const struct pt_tui_filter_ints *l, int64_t v)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

/* Is E an access to one of L's registers? */
static int has_reg(struct pt_tui_index *x, const struct pt_tui_entry *e,
		   const struct pt_tui_filter_regs *l)
{
	int bar, known = -1;
	uint64_t off;

	for (unsigned i = 0; i < l->n; i++) {
		if (l->r[i].name[0]) {
			if (reg_named(x, e, l->r[i].name))
				return 1;
			continue;
		}
		if (known < 0)
			known = !entry_reg(x, e, &bar, &off);
		if (known && bar == l->r[i].bar && off == l->r[i].off)
			return 1;
	}
	return 0;
}

static int rw_has(uint8_t rw, unsigned kind)
{
	return ((rw & 1) && is_read(kind)) || ((rw & 2) && is_write(kind));
}

/* One key's condition: one of L[0]'s values when it has any, none of L[1]'s */
static int passes_ints(const struct pt_tui_filter_ints l[2], int64_t v)
{
	return (!l[0].n || has_int(&l[0], v)) && !has_int(&l[1], v);
}

static int passes_regs(struct pt_tui_index *x, const struct pt_tui_entry *e,
		       const struct pt_tui_filter_regs l[2])
{
	return (!l[0].n || has_reg(x, e, &l[0])) && !has_reg(x, e, &l[1]);
}

int pt_tui_match(struct pt_tui_index *x, const struct pt_tui_entry *e, const struct pt_tui_filter *f)
{
	unsigned kind = pt_tui_kind(e);

	if (f->none || (f->kinds && !(f->kinds & (1u << kind))))
		return 0;
	if ((f->rw[0] && !rw_has(f->rw[0], kind)) || rw_has(f->rw[1], kind))
		return 0;
	return passes_ints(f->device, pt_tui_device(e)) && passes_ints(f->vcpu, pt_tui_vcpu(e)) &&
	       passes_ints(f->value, e->val) && passes_regs(x, e, f->reg);
}

/* "BAR2+0x710" or "config+0x44" */
static int parse_reg(const char *s, int *bar, uint64_t *off)
{
	char *end;

	if (!strncasecmp(s, "config+", 7)) {
		*bar = PT_REG_CONFIG;
		*off = strtoull(s + 7, &end, 0);
		return *end ? -1 : 0;
	}
	if (strncasecmp(s, "BAR", 3) || !isdigit((unsigned char)s[3]) || s[4] != '+')
		return -1;
	*bar = s[3] - '0';
	*off = strtoull(s + 5, &end, 0);
	return *end || *bar > 5 ? -1 : 0;
}

static int parse_kind(const char *s)
{
	for (unsigned k = 0; k < PT_EV_KINDS; k++)
		if (!strcasecmp(s, pt_event_kind_name(k)) || !strcasecmp(s, pt_event_kind_source(k)))
			return k;
	return -1;
}

/* "PMCSR", "CP_RB_RPTR", "SCRATCH_REG[3]", "PM.PMCSR": what pt_reg_name prints (not a BAR+off gone wrong) */
static int is_reg_name(const char *s)
{
	if ((!isalpha((unsigned char)*s) && *s != '_') || !strncasecmp(s, "config+", 7) ||
	    (!strncasecmp(s, "BAR", 3) && isdigit((unsigned char)s[3])))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.[]+", *s))
			return 0;
	return 1;
}

struct query {
	int kind, device, bar, have_num;
	uint64_t off;
	uint32_t num;
	struct pt_tui_regs named;	/* by a register's name */
};

static int parse_query(struct pt_tui_index *x, const char *q, struct query *out)
{
	uint16_t bdf;
	const char *end;
	char *nend;

	memset(out, 0, sizeof(*out));
	out->kind = out->device = out->bar = -1;
	while (*q == ' ')
		q++;
	if (!*q)
		return -1;
	if (!pt_bdf_parse(q, &bdf, &end) && !*end) {
		for (unsigned i = 0; i < x->ndevs; i++)
			if (x->dev_bdf[i] == bdf)
				out->device = i;
		return out->device < 0 ? -1 : 0;
	}
	if (!parse_reg(q, &out->bar, &out->off))
		return 0;
	out->num = (uint32_t)strtoull(q, &nend, 0);
	if (!*nend) {
		out->have_num = 1;
		return 0;
	}
	out->kind = parse_kind(q);
	if (out->kind < 0 && !regs_named(x, q, &out->named))
		return -1;
	return 0;
}

static int query_match(struct pt_tui_index *x, const struct pt_tui_entry *e, const struct query *q)
{
	if (q->have_num)
		return e->addr == q->num || e->val == q->num;
	if (q->kind >= 0)
		return pt_tui_kind(e) == (unsigned)q->kind;
	if (q->device >= 0)
		return pt_tui_device(e) == (unsigned)q->device;
	if (q->bar >= 0) {
		int bar;
		uint64_t off;

		return !entry_reg(x, e, &bar, &off) && bar == q->bar && off == q->off;
	}
	return q->named.n && entry_named(x, e, &q->named);
}

size_t pt_tui_search(struct pt_tui_index *x, const char *query, size_t from, int dir,
		     const struct pt_tui_filter *f)
{
	struct query q;

	if (parse_query(x, query, &q) || !x->n)
		return (size_t)-1;
	for (size_t i = from; i < x->n; i += dir) {
		if (query_match(x, &x->entries[i], &q) && (!f || pt_tui_match(x, &x->entries[i], f)))
			return i;
		if (dir < 0 && i == 0)
			break;
	}
	return (size_t)-1;
}

/* The kinds VAL names: "mmio" takes mmio read and mmio write, "mmio-read" is "mmio read", kvm_mmio */
static uint32_t kinds_named(const char *val)
{
	char spaced[32];
	uint32_t kinds = 0;

	snprintf(spaced, sizeof(spaced), "%s", val);
	for (char *p = spaced; *p; p++)
		if (*p == '-' || *p == '_')
			*p = ' ';
	for (unsigned k = 0; k < PT_EV_KINDS; k++) {
		const char *n = pt_event_kind_name(k);

		if (!strcasecmp(n, spaced) || !strncasecmp(n, spaced, strlen(spaced)) ||
		    !strcasecmp(pt_event_kind_source(k), val))
			kinds |= 1u << k;
	}
	return kinds;
}

static int add_int(struct pt_tui_filter_ints *l, int64_t v, const char *key, const char *op,
		   struct pt_err *err)
{
	if (has_int(l, v))
		return 0;
	if (l->n == PT_TUI_FILTER_VALUES)
		return pt_err_set(err, "%s%s takes at most %d values", key, op, PT_TUI_FILTER_VALUES);
	l->v[l->n++] = v;
	return 0;
}

static int add_reg(struct pt_tui_index *x, struct pt_tui_filter_regs *l, const char *val,
		   const char *op, struct pt_err *err)
{
	int bar = -1;
	uint64_t off = 0;

	if (l->n == PT_TUI_FILTER_VALUES)
		return pt_err_set(err, "reg%s takes at most %d values", op, PT_TUI_FILTER_VALUES);
	if (!parse_reg(val, &bar, &off)) {
		l->r[l->n].bar = bar;
		l->r[l->n].off = off;
		l->r[l->n++].name[0] = 0;
		return 0;
	}
	if (!is_reg_name(val) || strlen(val) >= sizeof(l->r[0].name))
		return pt_err_set(err, "reg%s wants a register name, BAR0+0x24 or config+0x44, not '%s'",
				  op, val);
	/* while the index is still being built, a name may yet turn up */
	if (x->done && !regs_named(x, val, &(struct pt_tui_regs){ 0 }))
		return pt_err_set(err, "no register named '%s' in the trace (reg%s wants a name, "
				  "BAR0+0x24 or config+0x44)", val, op);
	snprintf(l->r[l->n++].name, sizeof(l->r[0].name), "%s", val);
	return 0;
}

/* One value of a term: KEY=VAL (NEG 0) or KEY!=VAL (NEG 1); kinds gather in KINDS[NEG]. */
static int filter_value(struct pt_tui_index *x, struct pt_tui_filter *f, const char *key, int neg,
			const char *val, uint32_t kinds[2], struct pt_err *err)
{
	const char *op = neg ? "!=" : "=";
	char *end;

	if (!strcmp(key, "kind") || !strcmp(key, "event")) {
		uint32_t k = kinds_named(val);

		if (!k)
			return pt_err_set(err, "no event kind '%s'", val);
		kinds[neg] |= k;
	} else if (!strcmp(key, "dev") || !strcmp(key, "device")) {
		uint16_t bdf;
		const char *e;
		int device = -2;	/* a device that is not in the trace matches nothing */

		if (pt_bdf_parse(val, &bdf, &e) || *e)
			return pt_err_set(err, "dev%s wants a BDF like 00:03.0, not '%s'", op, val);
		for (unsigned i = 0; i < x->ndevs; i++)
			if (x->dev_bdf[i] == bdf)
				device = (int)i;
		return add_int(&f->device[neg], device, "dev", op, err);
	} else if (!strcmp(key, "reg") || !strcmp(key, "register")) {
		return add_reg(x, &f->reg[neg], val, op, err);
	} else if (!strcmp(key, "vcpu")) {
		long v = strtol(val, &end, 10);

		if (*end || v < 0)
			return pt_err_set(err, "vcpu%s wants a number, not '%s'", op, val);
		return add_int(&f->vcpu[neg], v, "vcpu", op, err);
	} else if (!strcmp(key, "rw")) {
		if (strcmp(val, "r") && strcmp(val, "w"))
			return pt_err_set(err, "rw%s wants r or w, not '%s'", op, val);
		f->rw[neg] |= *val == 'r' ? 1 : 2;
	} else if (!strcmp(key, "value") || !strcmp(key, "val")) {
		uint32_t v = (uint32_t)strtoull(val, &end, 0);

		if (*end)
			return pt_err_set(err, "value%s wants a number, not '%s'", op, val);
		return add_int(&f->value[neg], v, "value", op, err);
	} else {
		return pt_err_set(err, "unknown filter key '%s' (kind, dev, reg, vcpu, rw, value)", key);
	}
	return 0;
}

int pt_tui_parse_filter(struct pt_tui_index *x, const char *text, struct pt_tui_filter *f,
			struct pt_err *err)
{
	char buf[256], *save = NULL, *tok;
	uint32_t kinds[2] = { 0, 0 };

	memset(f, 0, sizeof(*f));
	if (strlen(text) >= sizeof(buf))
		return pt_err_set(err, "the filter is too long (at most %zu characters)", sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '='), *val;
		int neg;

		if (!eq || eq == tok || (eq == tok + 1 && *tok == '!'))
			return pt_err_set(err, "filter terms are key=value or key!=value, not '%s'", tok);
		neg = eq[-1] == '!';
		eq[-neg] = 0;
		val = eq + 1;
		/* a comma list: any of its values (=), or none of them (!=) */
		for (;;) {
			char *comma = strchr(val, ',');

			if (comma)
				*comma = 0;
			if (!*val)
				return pt_err_set(err, "%s%s wants a value%s", tok, neg ? "!=" : "=",
						  comma || val != eq + 1 ? " between each two commas" : "");
			if (filter_value(x, f, tok, neg, val, kinds, err))
				return -1;
			if (!comma)
				break;
			val = comma + 1;
		}
	}
	if (kinds[0] || kinds[1]) {
		uint32_t all = (uint32_t)((1ull << PT_EV_KINDS) - 1);

		f->kinds = (kinds[0] ? kinds[0] : all) & ~kinds[1];
		f->none = !f->kinds;
	}
	return 0;
}
