// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Polling: the driver reads one register over and over, it never changes,
 * and the crash comes while it is still waiting.  That is a hang as the
 * driver sees it (a TDR on Windows, a "ring stalled" on Linux).
 */
#include <stdio.h>

#include "../detector.h"
#include "pt-plugins.h"

#define MIN_READS	100
#define MIN_RATE	500.0	/* reads per second: a loop, not a periodic check */
#define MIN_SECONDS	0.05
#define NEAR_CRASH	1.0	/* the run must still be going this close to the crash */
#define SLOTS		4096

struct run {
	const struct pt_reg *reg;
	uint16_t bdf;
	struct pt_event first, last;
	struct pt_access first_acc, last_acc;
};

struct state {
	struct run runs[SLOTS];
};

static struct run *run_of(struct state *s, const struct pt_reg *reg)
{
	unsigned h = (unsigned)(((uintptr_t)reg >> 4) * 2654435761u) % SLOTS;

	for (unsigned n = 0; n < SLOTS; n++, h = (h + 1) % SLOTS) {
		if (s->runs[h].reg == reg)
			return &s->runs[h];
		if (!s->runs[h].reg) {
			s->runs[h].reg = reg;
			return &s->runs[h];
		}
	}
	return NULL;
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct run *r;

	(void)a;
	if (acc->type != PT_ACC_BAR || !acc->reg)
		return;
	if (ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE)
		return;
	r = run_of(s, acc->reg);
	if (!r)
		return;
	if (acc->reg->run_reads == 1) {
		r->bdf = acc->dev->bdf;
		r->first = *ev;
		r->first_acc = *acc;
	}
	r->last = *ev;
	r->last_acc = *acc;
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < SLOTS; i++) {
		struct run *r = &s->runs[i];
		const struct pt_reg *reg = r->reg;
		struct pt_device *d;
		struct pt_finding f;
		char dev[48], where[64];
		double secs, rate;

		if (!reg || reg->run_reads < MIN_READS || r->first.ts != reg->run_start_ts)
			continue;
		secs = (reg->last_ts - reg->run_start_ts) / 1e9;
		rate = secs > 0 ? reg->run_reads / secs : 0;
		if (secs < MIN_SECONDS || rate < MIN_RATE || !pt_near_crash(a, reg->last_ts, NEAR_CRASH))
			continue;
		d = pt_model_find(a->model, r->bdf);
		if (!d)
			continue;
		pt_dev_str(d, dev, sizeof(dev));
		pt_reg_label(d, r->last_acc.bar, r->last_acc.off, where, sizeof(where));
		pt_finding_start(&f, PT_CLASS_POLLING, d, r->last_acc.bar, r->last_acc.off);
		f.count = reg->run_reads;
		snprintf(f.title, sizeof(f.title), "%s %s polled %u times in %.2f s, always 0x%llx, "
			 "until %s", dev, where, reg->run_reads, secs,
			 (unsigned long long)reg->last_val, pt_crash_point(a));
		/* a poll still going when the trace simply ends is no verdict */
		f.severity = a->crash.kind == PT_CRASH_END_OF_TRACE ? PT_SEV_INFO : PT_SEV_HIGH;
		f.confidence = secs > 0.5 ? 85 : 70;
		snprintf(f.why, sizeof(f.why), "the driver is waiting for the device to change this "
			 "register (a busy bit, a read pointer, a fence) and it never does: the device "
			 "is hung, or the work never reached it, so the driver times out");
		snprintf(f.advice, sizeof(f.advice), "look at what the driver wrote just before the "
			 "poll began (the doorbell or command) and whether the device could act on it "
			 "(bus master on, not in reset or D3); compare with the healthy run's values");
		pt_finding_evidence(&f, &r->first, &r->first_acc, "first read of the poll");
		pt_finding_evidence(&f, &r->last, &r->last_acc, "last read, %.0f reads/s, value "
				    "unchanged", rate);
		f.first_ts = reg->run_start_ts;
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_polling = {
	.name = "polling",
	.summary = "a register read over and over, unchanged, until the crash",
	.kinds = PT_KIND(MMIO_READ) | PT_KIND(PIO_READ),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
