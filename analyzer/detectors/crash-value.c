// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The value that killed the guest: the last device values the crashing
 * vcpu consumed before its crash (a bugcheck, a triple fault, a panic on
 * that vcpu), when one of them was all-ones from a register that had
 * answered otherwise, or a value far outside what that register returned,
 * and above all when an exception followed it on that vcpu (the value
 * was used as an index or pointer).  A register that always reads
 * all-ones is just that, and a device whose every read is all-ones is
 * gone from the bus, which the all-ones detector names.
 */
#include <stdio.h>

#include "../detector.h"
#include "pt-plugins.h"

#define LAST_READS	16
#define NEAR_NS		50000000ull	/* reads this close to the crash were consumed by it */
#define MIN_HISTORY	8		/* reads of the register before, to call a value new */
#define RANGE_SLOTS	4096		/* registers whose value range is kept */

struct read {
	struct pt_event ev;
	struct pt_access acc;
	uint8_t ones, novel;
	uint32_t history;		/* reads of its register before */
	int fault;			/* exception vector + 1 that followed on the vcpu, 0 none */
	struct pt_event fault_ev;
};

struct vcpu {
	struct read last[LAST_READS];
	unsigned n;			/* reads kept, ring */
};

struct state {
	struct vcpu vcpu[PT_MAX_VCPUS];
	/* the range of values each register returned: open addressing on the register */
	struct range { const struct pt_reg *reg; uint64_t min, max; } range[RANGE_SLOTS];
	unsigned nranges;
};

/*
 * Is VAL outside what REG returned before, by more than the spread of
 * those values (a counter moves on; a value far past it is new)?
 * Widens the range.  0 when the register cannot be judged.
 */
static int out_of_range(struct state *s, const struct pt_reg *reg, uint64_t val)
{
	unsigned h = (unsigned)(((uintptr_t)reg >> 4) * 2654435761u) % RANGE_SLOTS;
	struct range *r = NULL;
	int out;

	for (unsigned n = 0; n < RANGE_SLOTS; n++, h = (h + 1) % RANGE_SLOTS) {
		if (s->range[h].reg == reg || !s->range[h].reg) {
			r = &s->range[h];
			break;
		}
	}
	if (!r || (!r->reg && s->nranges >= RANGE_SLOTS * 3 / 4))
		return 0;
	if (!r->reg) {
		r->reg = reg;
		r->min = r->max = val;
		s->nranges++;
		return 0;
	}
	/* without overflow: 64-bit registers reach 2^64 - 1 */
	out = (val > r->max && val - r->max > r->max - r->min + 1) ||
	      (val < r->min && r->min - val > r->max - r->min + 1);
	if (val < r->min)
		r->min = val;
	if (val > r->max)
		r->max = val;
	return out;
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct vcpu *v;
	struct read *r;

	(void)a;
	if (ev->vcpu < 0 || ev->vcpu >= PT_MAX_VCPUS)
		return;
	v = &s->vcpu[ev->vcpu];
	if (ev->kind == PT_EV_INJ_EXCEPTION) {
		/* the latest read on this vcpu was used: #DB and #BP are debugging */
		if (v->n && ev->val != 1 && ev->val != 3) {
			r = &v->last[(v->n - 1) % LAST_READS];
			if (!r->fault && ev->ts - r->ev.ts < NEAR_NS) {
				r->fault = (int)ev->val + 1;
				r->fault_ev = *ev;
			}
		}
		return;
	}
	if ((ev->kind != PT_EV_MMIO_READ && ev->kind != PT_EV_PIO_READ) || acc->type != PT_ACC_BAR ||
	    !acc->reg)
		return;
	r = &v->last[v->n++ % LAST_READS];
	r->ev = *ev;
	r->acc = *acc;
	r->fault = 0;
	/* the model has counted this read already */
	r->history = acc->reg->reads - 1;
	r->ones = pt_all_ones(ev->val, ev->len) && acc->reg->ever_not_ones;
	/* a register the guest writes reads back what it wrote: no judging its values */
	r->novel = out_of_range(s, acc->reg, ev->val) && !r->ones && r->history >= MIN_HISTORY &&
		   !acc->reg->writes;
}

/* How bad a consumed read looks: used as a pointer > all-ones > never seen; 0 fine. */
static int badness(const struct read *r)
{
	return (r->ones || r->novel) ? 1 + !!r->ones + 2 * !!r->fault : 0;
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;
	const struct read *worst = NULL;
	struct vcpu *v;
	struct pt_finding f;
	char dev[48], reg[64], what[80];
	const struct pt_device *d;

	if (a->crash.kind == PT_CRASH_END_OF_TRACE || a->crash.kind == PT_CRASH_GIVEN ||
	    a->crash.vcpu < 0 || a->crash.vcpu >= PT_MAX_VCPUS)
		return;
	v = &s->vcpu[a->crash.vcpu];
	for (unsigned i = 0; i < v->n && i < LAST_READS; i++) {
		const struct read *r = &v->last[(v->n - 1 - i) % LAST_READS];

		/* a #DF or #MC crash lets later events through: skip them, stop at old ones */
		if (r->ev.ts > a->crash.ts)
			continue;
		if (a->crash.ts - r->ev.ts > NEAR_NS)
			break;
		if (badness(r) > (worst ? badness(worst) : 0))
			worst = r;
	}
	if (!worst)
		return;
	d = worst->acc.dev;
	pt_dev_str(d, dev, sizeof(dev));
	pt_reg_label(d, worst->acc.bar, worst->acc.off, reg, sizeof(reg));
	if (worst->ones)
		snprintf(what, sizeof(what), "all-ones (0x%llx), which it had not returned in %u "
			 "earlier reads", (unsigned long long)worst->ev.val, worst->history);
	else
		snprintf(what, sizeof(what), "0x%llx, far outside what it returned in %u earlier "
			 "reads", (unsigned long long)worst->ev.val, worst->history);
	pt_finding_start(&f, PT_CLASS_BAD_VALUE, d, worst->acc.bar, worst->acc.off);
	f.count = 1;
	{
		uint64_t gap = a->crash.ts - worst->ev.ts;

		snprintf(f.title, sizeof(f.title), "vcpu %d read %s from %s %s %.*f %s before %s%s",
			 a->crash.vcpu, what, dev, reg, gap < 1000000 ? 0 : 1,
			 gap < 1000000 ? gap / 1e3 : gap / 1e6, gap < 1000000 ? "us" : "ms",
			 pt_crash_kind_name(a->crash.kind), worst->fault ? ", and faulted using it" : "");
	}
	f.severity = worst->fault || worst->ones ? PT_SEV_HIGH : PT_SEV_MEDIUM;
	f.confidence = worst->fault ? 85 : worst->ones ? 70 : 55;
	snprintf(f.why, sizeof(f.why), "the crashing vcpu consumed this value last: a driver that "
		 "uses a device value as an index, length or pointer without checking it crashes "
		 "on the first bad one%s", worst->fault ? " (the exception right after shows it was "
		 "used)" : "");
	snprintf(f.advice, sizeof(f.advice), "check the value before use (~0 means the device did "
		 "not answer); see what the device was doing when it returned it (the findings "
		 "before this one), and give --guest-elf to name the code that read it");
	pt_finding_evidence(&f, &worst->ev, &worst->acc, "the value the crashing vcpu consumed");
	if (worst->fault)
		pt_finding_evidence(&f, &worst->fault_ev, NULL, "exception %d right after, on the "
				    "same vcpu", worst->fault - 1);
	if (a->crash.event.ts)
		pt_finding_evidence(&f, &a->crash.event, NULL, "the crash");
	pt_finding_add(a, &f);
}

const struct pt_detector pt_detector_crash_value = {
	.name = "crash-value",
	.summary = "the last device values the crashing vcpu read: all-ones or never seen before",
	.kinds = PT_KIND(MMIO_READ) | PT_KIND(PIO_READ) | PT_KIND(INJ_EXCEPTION),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
