// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What changed just before the crash: registers touched for the first
 * time, and devices whose access rate jumped or collapsed, in the last
 * window compared with the rest of the trace.  Context, not a verdict.
 */
#include <stdio.h>
#include <string.h>

#include "../detector.h"
#include "pt-plugins.h"

#define BUCKET_NS	100000000ull
#define RING		64
#define WINDOW_NS	1000000000ull
#define RATE_FACTOR	5.0	/* times the earlier rate */
#define MAX_NEW		4

struct dev_state {
	uint16_t bdf;
	uint64_t total;
	uint64_t index[RING];
	uint32_t count[RING];
	/* the latest first touches of a register, as evidence */
	struct pt_event touch[MAX_NEW];
	struct pt_access touch_acc[MAX_NEW];
	unsigned ntouch;
	struct pt_event last;
	struct pt_access last_acc;
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev, dev_last;
};

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct dev_state *ds;
	uint64_t idx = ev->ts / BUCKET_NS;

	(void)a;
	if (acc->type != PT_ACC_BAR || !acc->dev)
		return;
	ds = PT_DEV_SLOT(s, acc->dev->bdf);
	if (!ds)
		return;
	if (ds->index[idx % RING] != idx) {
		ds->index[idx % RING] = idx;
		ds->count[idx % RING] = 0;
	}
	ds->count[idx % RING]++;
	ds->total++;
	ds->last = *ev;
	ds->last_acc = *acc;
	if (acc->reg && acc->reg->reads + acc->reg->writes == 1) {
		ds->touch[ds->ntouch % MAX_NEW] = *ev;
		ds->touch_acc[ds->ntouch % MAX_NEW] = *acc;
		ds->ntouch++;
	}
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;
	uint64_t span = a->crash.ts - a->window_start;
	uint64_t window = WINDOW_NS < span / 5 ? WINDOW_NS : span / 5;
	uint64_t wstart = a->crash.ts - window;

	if (a->crash.ts <= a->window_start || window < BUCKET_NS)
		return;
	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_state *ds = &s->dev[i];
		struct pt_device *d = pt_model_find(a->model, ds->bdf);
		uint64_t in = 0, newest[MAX_NEW];
		unsigned nnew = 0, total_new = 0;
		double rate_in, rate_before;
		struct pt_finding f;
		char dev[48], regs[120] = "", one[48];
		int rate_changed;

		if (!d)
			continue;
		for (unsigned b = 0; b < RING; b++)
			if (ds->count[b] && ds->index[b] * BUCKET_NS >= wstart &&
			    ds->index[b] * BUCKET_NS <= a->crash.ts)
				in += ds->count[b];
		rate_in = in / (window / 1e9);
		rate_before = (ds->total - in) / ((span - window) / 1e9);
		/* a rise only: devices go quiet after boot all the time */
		rate_changed = (rate_before > 0 && rate_in > RATE_FACTOR * rate_before) ||
			       (!rate_before && in >= 10);
		for (unsigned r = 0; r < PT_MAX_REGS; r++) {
			const struct pt_reg *reg = &d->regs[r];

			if (!reg->reads && !reg->writes)
				continue;
			if (reg->first_ts < wstart || reg->first_ts > a->crash.ts ||
			    (reg->key >> 32) == PT_REG_CONFIG)
				continue;
			if (nnew < MAX_NEW)
				newest[nnew++] = reg->key;
			total_new++;
		}
		if (!rate_changed && !total_new)
			continue;
		for (unsigned n = 0; n < nnew; n++) {
			pt_reg_label(d, newest[n] >> 32, newest[n] & 0xffffffff, one, sizeof(one));
			snprintf(regs + strlen(regs), sizeof(regs) - strlen(regs), "%s%s",
				 n ? ", " : "", one);
		}
		pt_dev_str(d, dev, sizeof(dev));
		pt_finding_start(&f, PT_CLASS_CONTEXT, d, -1, 0);
		f.count = in;
		snprintf(f.title, sizeof(f.title), "in the last %.1f s, %s: access rate %.0f/s (before "
			 "%.0f/s)%s%.100s%s", window / 1e9, dev, rate_in, rate_before,
			 total_new ? "; first touches of " : "", regs,
			 total_new > nnew ? ", ..." : "");
		/* the first touches in the window, oldest first */
		for (unsigned n = ds->ntouch > MAX_NEW ? ds->ntouch - MAX_NEW : 0; n < ds->ntouch; n++) {
			const struct pt_event *t = &ds->touch[n % MAX_NEW];

			if (t->ts >= wstart)
				pt_finding_evidence(&f, t, &ds->touch_acc[n % MAX_NEW],
						    "first access to this register");
		}
		if (!f.nevidence && ds->last.ts >= wstart)
			pt_finding_evidence(&f, &ds->last, &ds->last_acc, "the device's last access "
					    "before %s", pt_crash_point(a));
		f.first_ts = wstart;
		f.last_ts = a->crash.ts;
		f.severity = PT_SEV_INFO;
		f.confidence = 60;
		snprintf(f.why, sizeof(f.why), "what the driver started doing just before the crash is "
			 "where its failure path begins");
		snprintf(f.advice, sizeof(f.advice), "read the driver code that touches these registers "
			 "first; `pttrace analyze --window` narrows the report to this part");
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_changes = {
	.name = "changes",
	.summary = "registers first touched, and access-rate changes, just before the crash",
	.kinds = PT_KINDS_DEVICE_ACCESS,
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
