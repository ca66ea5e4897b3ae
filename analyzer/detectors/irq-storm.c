// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interrupt storms: a vector delivered far more often near the crash than
 * earlier in the trace, and level-triggered lines that stay asserted
 * through delivery after delivery (the device's interrupt is never
 * acknowledged, so the IO-APIC fires again at every EOI).
 */
#include <stdio.h>

#include "../detector.h"
#include "pt-plugins.h"

#define BUCKET_NS	100000000ull	/* 100 ms */
#define RING		64
#define WINDOW_BUCKETS	20		/* the last 2 s before the crash */
#define MIN_RATE	1000.0		/* per second, to be a storm at all */
#define FACTOR		10.0		/* times the earlier rate */
#define MIN_REFIRES	100
#define SERVICED_SHARE	0.8		/* of deliveries with handler progress: traffic */		/* deliveries with the line never dropping */

struct bucket {
	uint64_t index;		/* ts / BUCKET_NS */
	uint32_t count;
	uint32_t serviced;	/* deliveries the handler made progress on */
	struct pt_event first;
};

struct vector {
	uint64_t total;
	struct bucket ring[RING];
	struct pt_event last;
	/* the first device access after its latest delivery: the handler's, most likely */
	struct pt_event handler;
	struct pt_access handler_acc;
	int handler_seen;
};

struct line {
	int high;
	struct pt_event assert;	/* when it went high */
	struct pt_access assert_acc;
	uint64_t refires;	/* deliveries of its vector since */
	uint64_t max_refires;
	struct pt_event max_assert, max_last;
	struct pt_access max_assert_acc;
};

struct state {
	int pending;		/* vector + 1 delivered, no device access since; 0 none */
	struct vector vec[PT_MAX_VECTORS];
	struct line line[24];
};

/*
 * Handler progress: the handler acknowledged something (a write to the
 * device) or learnt something new (a read that returned another value
 * than the register's last).  Reading the same status again is neither.
 */
static int progress(const struct pt_event *ev, const struct pt_access *acc)
{
	if (acc->type != PT_ACC_BAR)
		return 0;
	if (ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE)
		return 1;
	return acc->reg && acc->reg->reads > 1 && acc->reg->run_reads == 1;
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;

	if (ev->kind == PT_EV_IRQ_LINE) {
		struct line *l;

		if (ev->addr >= 24)
			return;
		l = &s->line[ev->addr];
		if (ev->val && !l->high) {
			l->assert = *ev;
			l->assert_acc = *acc;
			l->refires = 0;
		}
		l->high = ev->val != 0;
		return;
	}
	if (ev->kind != PT_EV_APIC_ACCEPT) {
		if (s->pending && acc->dev && (acc->type == PT_ACC_BAR || acc->type == PT_ACC_CONFIG)) {
			struct vector *pv = &s->vec[s->pending - 1];

			if (!pv->handler_seen) {
				pv->handler = *ev;
				pv->handler_acc = *acc;
				pv->handler_seen = 1;
			}
			if (progress(ev, acc)) {
				struct bucket *pb = &pv->ring[pv->last.ts / BUCKET_NS % RING];

				if (pb->index == pv->last.ts / BUCKET_NS)
					pb->serviced++;
				s->pending = 0;
			}
		}
		return;
	}
	unsigned v = ev->val & 0xff;
	struct vector *vec = &s->vec[v];
	uint64_t idx = ev->ts / BUCKET_NS;
	struct bucket *b = &vec->ring[idx % RING];

	if (b->index != idx || !b->count) {
		b->index = idx;
		b->count = 0;
		b->first = *ev;
	}
	b->count++;
	vec->total++;
	vec->last = *ev;
	vec->handler_seen = 0;
	s->pending = v + 1;
	for (unsigned g = 0; g < 24; g++) {
		struct line *l = &s->line[g];

		if (!l->high || pt_model_gsi_vector(a->model, g) != (int)v)
			continue;
		if (++l->refires > l->max_refires) {
			l->max_refires = l->refires;
			l->max_assert = l->assert;
			l->max_assert_acc = l->assert_acc;
			l->max_last = *ev;
		}
	}
}

/* The handler's access after VEC's last delivery, if it went to D (any device for no D). */
static const struct pt_access *handler_access(const struct vector *vec, const struct pt_device *d)
{
	return vec->handler.ts && (!d || vec->handler_acc.dev == d) ? &vec->handler_acc : NULL;
}

static void handler_evidence(struct pt_finding *f, const struct vector *vec)
{
	pt_finding_evidence(f, &vec->handler, &vec->handler_acc, "the interrupt handler's first "
			    "device access after the last delivery");
}

static void source_str(struct pt_device *d, unsigned v, int gsi, char *buf, size_t size)
{
	char dev[48] = "";

	if (d)
		pt_dev_str(d, dev, sizeof(dev));
	if (gsi >= 0)
		snprintf(buf, size, "vector 0x%02x (GSI %d%s%s)", v, gsi, d ? ", " : "", dev);
	else
		snprintf(buf, size, "vector 0x%02x%s%s%s", v, d ? " (" : "", dev, d ? ")" : "");
}

static void storm(struct state *s, struct pt_analysis *a, unsigned v)
{
	struct vector *vec = &s->vec[v];
	uint64_t crash_idx = a->crash.ts / BUCKET_NS, in_window = 0, start_idx = crash_idx;
	uint64_t serviced = 0;
	uint64_t first_idx = a->window_start / BUCKET_NS;
	const struct pt_event *first = NULL;
	const struct pt_access *handler;
	double window_s, before_s, rate, before_rate;
	struct pt_device *d;
	struct pt_finding f;
	char src[96];
	int gsi;

	for (unsigned i = 0; i < RING; i++) {
		struct bucket *b = &vec->ring[i];

		if (!b->count || b->index > crash_idx || b->index + WINDOW_BUCKETS < crash_idx)
			continue;
		in_window += b->count;
		serviced += b->serviced;
		if (!first || b->index < start_idx) {
			start_idx = b->index;
			first = &b->first;
		}
	}
	if (!first)
		return;
	window_s = (double)(crash_idx - start_idx + 1) * BUCKET_NS / 1e9;
	rate = in_window / window_s;
	before_s = start_idx > first_idx ? (double)(start_idx - first_idx) * BUCKET_NS / 1e9 : 0;
	before_rate = before_s > 0 ? (vec->total - in_window) / before_s : 0;
	if (rate < MIN_RATE || (before_s > 0 && rate < FACTOR * before_rate))
		return;
	/* serviced with progress, however many: traffic, not a storm */
	if (serviced >= in_window * SERVICED_SHARE)
		return;
	d = pt_model_vector_device(a->model, v, &gsi);
	source_str(d, v, gsi, src, sizeof(src));
	handler = handler_access(vec, d);
	/* with no MSI or GSI to tell, the device its handler works is the best guess */
	pt_finding_start(&f, PT_CLASS_IRQ_STORM, d ? d : handler ? handler->dev : NULL,
			handler ? handler->bar : -1, handler ? handler->off : 0);
	f.count = in_window;
	if (before_s > 0)
		snprintf(f.title, sizeof(f.title), "interrupt storm on %s: %.0f/s in the last %.1f s, "
			 "%.0fx the earlier %.0f/s, %.0f%% serviced", src, rate, window_s,
			 before_rate > 0 ? rate / before_rate : rate, before_rate,
			 100.0 * serviced / in_window);
	else
		snprintf(f.title, sizeof(f.title), "interrupt storm on %s: %.0f/s in the last %.1f s, "
			 "%.0f%% serviced", src, rate, window_s, 100.0 * serviced / in_window);
	f.severity = a->crash.kind == PT_CRASH_END_OF_TRACE ? PT_SEV_MEDIUM : PT_SEV_HIGH;
	f.confidence = before_s > 0 ? 85 : 60;
	snprintf(f.why, sizeof(f.why), "a vcpu that takes thousands of interrupts a second does "
		 "little else: watchdogs fire (CLOCK_WATCHDOG_TIMEOUT, DPC_WATCHDOG_VIOLATION, "
		 "\"nobody cared\"), and the cause is usually an interrupt the driver never clears");
	snprintf(f.advice, sizeof(f.advice), "check that the interrupt handler acknowledges every "
		 "cause bit the device sets; for INTx, that the device really drops the line "
		 "(vfio-pci INTx masking, nointxmask=1); compare MSI against INTx");
	pt_finding_evidence(&f, first, NULL, "first interrupt of the storm window");
	pt_finding_evidence(&f, &vec->last, NULL, "last delivery before %s, %llu in all",
			    pt_crash_point(a), (unsigned long long)vec->total);
	if (handler)
		handler_evidence(&f, vec);
	pt_finding_add(a, &f);
}

/*
 * The register the handler reads at every delivery and never clears: the
 * device's register read most often in a row, unchanged, as the storm went on.
 */
static const struct pt_reg *status_register(const struct pt_device *d, const struct line *l)
{
	const struct pt_reg *best = NULL;

	for (unsigned i = 0; d && i < PT_MAX_REGS; i++) {
		const struct pt_reg *r = &d->regs[i];

		if (!r->reads || (r->key >> 32) == PT_REG_CONFIG || r->last_ts < l->max_assert.ts)
			continue;
		if (!best || r->run_reads > best->run_reads)
			best = r;
	}
	return best && best->run_reads >= MIN_REFIRES / 2 ? best : NULL;
}

static void stuck_line(struct state *s, struct pt_analysis *a, unsigned g)
{
	struct line *l = &s->line[g];
	int v = pt_model_gsi_vector(a->model, g), gsi;
	const struct pt_reg *status;
	struct pt_device *d;
	struct pt_finding f;
	char src[96], reg[64], unread[128] = "";

	if (l->max_refires < MIN_REFIRES || v < 0)
		return;
	d = pt_model_vector_device(a->model, v, &gsi);
	source_str(d, v, g, src, sizeof(src));
	status = status_register(d, l);
	pt_finding_start(&f, PT_CLASS_IRQ_STORM, d, status ? (int)(status->key >> 32) : -1,
			status ? status->key & 0xffffffff : 0);
	if (status) {
		pt_reg_label(d, status->key >> 32, status->key & 0xffffffff, reg, sizeof(reg));
		snprintf(unread, sizeof(unread), "; the handler reads %s = 0x%llx every time and "
			 "never clears it", reg, (unsigned long long)status->last_val);
	}
	f.count = l->max_refires;
	snprintf(f.title, sizeof(f.title), "level interrupt never acknowledged: %s stayed asserted "
		 "through %llu deliveries%s", src, (unsigned long long)l->max_refires, unread);
	f.severity = pt_near_crash(a, l->max_last.ts, 5) && a->crash.kind != PT_CRASH_END_OF_TRACE
		     ? PT_SEV_CRITICAL : PT_SEV_HIGH;
	f.confidence = 90;
	snprintf(f.why, sizeof(f.why), "a level-triggered line that stays high is delivered again "
		 "at every EOI: the guest's handler returns without clearing the device's interrupt "
		 "cause, so the device keeps the line asserted and the vcpu does nothing else");
	snprintf(f.advice, sizeof(f.advice), "read the device's interrupt status register in the "
		 "handler and write back every bit that is set (look for status bits the handler "
		 "does not know); with vfio-pci, check INTx masking works (nointxmask)");
	pt_finding_evidence(&f, &l->max_assert, &l->max_assert_acc, "line asserted");
	pt_finding_evidence(&f, &l->max_last, NULL, "still asserted at this delivery");
	if (d && handler_access(&s->vec[v], d))
		handler_evidence(&f, &s->vec[v]);
	pt_finding_add(a, &f);
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned v = 0; v < PT_MAX_VECTORS; v++)
		if (s->vec[v].total)
			storm(s, a, v);
	for (unsigned g = 0; g < 24; g++)
		stuck_line(s, a, g);
}

const struct pt_detector pt_detector_irq_storm = {
	.name = "irq-storm",
	.summary = "interrupt rates far above the trace's baseline; level lines never dropped",
	.kinds = PT_KIND(APIC_ACCEPT) | PT_KIND(IRQ_LINE) | PT_KIND(MMIO_READ) | PT_KIND(MMIO_WRITE) |
		 PT_KIND(PIO_READ) | PT_KIND(PIO_WRITE),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
