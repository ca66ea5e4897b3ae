// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exceptions the guest takes right after a device access on the same
 * vcpu: a #GP or #PF from using what a read returned, a #DF or #MC that
 * follows a device access.
 */
#include <stdio.h>

#include "../detector.h"
#include "pt-exit-reasons.h"

#define MAX_GAP_NS 2000000ull	/* 2 ms */

struct vcpu {
	struct pt_event access;
	struct pt_access acc;
	int have;
};

struct state {
	struct vcpu vcpu[PT_MAX_VCPUS];
	struct pt_kept faults;
	struct pt_event access;	/* the device access before the last fault */
	struct pt_access access_acc;
	uint64_t gap_ns;
	unsigned vector;
};

static const char *exception_name(unsigned v)
{
	const char *name = pt_exception_name(v);

	return name ? name : "exception";
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct vcpu *v;

	(void)a;
	if (ev->vcpu < 0 || ev->vcpu >= PT_MAX_VCPUS)
		return;
	v = &s->vcpu[ev->vcpu];
	if (ev->kind == PT_EV_INJ_EXCEPTION) {
		/* #DB and #BP are debugging; #PF is routine in a paging guest unless immediate */
		if (ev->val == 1 || ev->val == 3 || !v->have || ev->ts - v->access.ts > MAX_GAP_NS)
			return;
		if (ev->val == 14 && ev->ts - v->access.ts > 100000)
			return;
		pt_kept_add(&s->faults, ev, NULL);
		s->access = v->access;
		s->access_acc = v->acc;
		s->gap_ns = ev->ts - v->access.ts;
		s->vector = ev->val;
		v->have = 0;
		return;
	}
	if (acc->type == PT_ACC_BAR || acc->type == PT_ACC_UNMAPPED) {
		v->access = *ev;
		v->acc = *acc;
		v->have = 1;
	}
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;
	const struct pt_event *last;
	struct pt_finding f;
	const struct pt_unknown_region *r;
	char what[96];
	int unknown;

	if (!s->faults.count)
		return;
	/* with BARs unknown, or a device answering there, it is no "MMIO to nothing" */
	r = pt_model_unknown_at(a->model, s->access.addr);
	unknown = pt_bars_unknown(a) || (r && pt_unknown_answers(r));
	last = &s->faults.last[(s->faults.count - 1) % PT_KEEP];
	pt_finding_start(&f, PT_CLASS_FAULT_AFTER_ACCESS, s->access_acc.dev, s->access_acc.bar,
			s->access_acc.off);
	if (!s->access_acc.dev)
		f.bar = -1;
	f.count = s->faults.count;
	if (s->access_acc.type == PT_ACC_UNMAPPED && !s->access_acc.stale_dev && unknown) {
		snprintf(what, sizeof(what), "MMIO to 0x%llx (in no BAR pttrace knows)",
			 (unsigned long long)s->access.addr);
	} else if (s->access_acc.type == PT_ACC_UNMAPPED)
		snprintf(what, sizeof(what), "MMIO to nothing at 0x%llx",
			 (unsigned long long)s->access.addr);
	else
		snprintf(what, sizeof(what), "%s of 0x%llx", pt_event_kind_name(s->access.kind),
			 (unsigned long long)s->access.addr);
	snprintf(f.title, sizeof(f.title), "%s injected %.0f us after %s (value 0x%llx)",
		 exception_name(s->vector), s->gap_ns / 1e3, what, (unsigned long long)s->access.val);
	f.severity = pt_near_crash(a, last->ts, 1) && a->crash.kind != PT_CRASH_END_OF_TRACE
		     ? PT_SEV_HIGH : PT_SEV_MEDIUM;
	f.confidence = s->gap_ns < 100000 ? 75 : 50;
	if (s->access_acc.type == PT_ACC_UNMAPPED && !s->access_acc.stale_dev && unknown)
		pt_finding_unknown_bars(&f);
	snprintf(f.why, sizeof(f.why), "the guest faulted right after reading the device: the "
		 "value it got was probably used as a pointer, index or length");
	snprintf(f.advice, sizeof(f.advice), "see what the driver does with this register's value "
		 "(give --guest-elf to name the function); check the value against the healthy run");
	pt_finding_evidence(&f, &s->access, &s->access_acc, "device access");
	pt_finding_evidence(&f, last, NULL, "%s injected", exception_name(s->vector));
	pt_finding_add(a, &f);
}

const struct pt_detector pt_detector_fault_after_access = {
	.name = "fault-after-access",
	.summary = "exceptions injected right after a device access",
	.kinds = PT_KINDS_DEVICE_ACCESS | PT_KIND(INJ_EXCEPTION),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
