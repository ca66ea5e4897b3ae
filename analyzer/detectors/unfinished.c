// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A command the device never finished, on any device: the driver writes
 * bits to a register (a reset, a "go" bit) and polls that same register in
 * a tight loop for the device to clear them; they stay set until the
 * driver gives up.  Devices pttrace knows by name have their resets in the
 * reset detector; this is the shape of the same failure on one it does not.
 * A bit that is meant to stay set (an enable) is read back now and then,
 * not polled dozens of times in a burst, and a bit that clears ends it.
 */
#include <stdio.h>

#include "../detector.h"
#include "pt-plugins.h"

#define CANDIDATES	4	/* per device: the latest written registers */
#define MIN_POLLS	50
#define MIN_RATE	300.0	/* reads per second: a loop */

struct candidate {
	const struct pt_reg *reg;
	uint64_t bits;			/* what the driver wrote */
	struct pt_event write, first, last;
	struct pt_access write_acc, last_acc;
	uint32_t polls;			/* reads since with every written bit still set */
	uint8_t cleared;		/* a read came back with some of them clear */
};

struct dev_state {
	uint16_t bdf;
	struct candidate c[CANDIDATES];
	unsigned next;
	struct candidate worst;		/* the longest poll that never cleared */
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev, dev_last;
};

static void keep_worst(struct dev_state *ds, const struct candidate *c)
{
	if (!c->cleared && c->polls > ds->worst.polls)
		ds->worst = *c;
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct dev_state *ds;
	struct candidate *c = NULL;

	(void)a;
	if (acc->type != PT_ACC_BAR || !acc->reg || !acc->dev ||
	    !(ds = PT_DEV_SLOT(s, acc->dev->bdf)))
		return;
	for (unsigned i = 0; i < CANDIDATES; i++)
		if (ds->c[i].reg == acc->reg)
			c = &ds->c[i];
	if (ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE) {
		if (!c)
			c = &ds->c[ds->next++ % CANDIDATES];
		keep_worst(ds, c);	/* a new write ends the wait on that register */
		*c = (struct candidate){ .reg = acc->reg, .bits = ev->val, .write = *ev,
					 .write_acc = *acc };
		return;
	}
	if (!c || c->cleared || !c->bits)
		return;
	if ((ev->val & c->bits) != c->bits) {
		c->cleared = 1;
		return;
	}
	if (!c->polls)
		c->first = *ev;
	c->polls++;
	c->last = *ev;
	c->last_acc = *acc;
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_state *ds = &s->dev[i];
		const struct candidate *w = &ds->worst;
		struct pt_device *d = pt_model_find(a->model, ds->bdf);
		double secs;
		struct pt_finding f;
		char dev[48], reg[64];

		for (unsigned k = 0; k < CANDIDATES; k++)
			keep_worst(ds, &ds->c[k]);
		secs = (w->last.ts - w->first.ts) / 1e9;
		if (!d || w->polls < MIN_POLLS || secs <= 0 || w->polls / secs < MIN_RATE ||
		    w->write.ts > a->crash.ts)
			continue;
		pt_dev_str(d, dev, sizeof(dev));
		pt_reg_label(d, w->write_acc.bar, w->write_acc.off, reg, sizeof(reg));
		pt_finding_start(&f, PT_CLASS_RESET_HANG, d, w->write_acc.bar,
				 w->write_acc.off);
		f.count = w->polls;
		snprintf(f.title, sizeof(f.title), "%s never finished what it was told: %s written "
			 "0x%llx and polled %u times over %.2f s, the bits still set; the driver "
			 "stopped waiting %.2f s before %s", dev, reg, (unsigned long long)w->bits,
			 w->polls, secs, -pt_rel(a, w->last.ts), pt_crash_point(a));
		/* without a crash it may be a register whose bits simply stay */
		f.severity = a->crash.kind == PT_CRASH_END_OF_TRACE ? PT_SEV_INFO : PT_SEV_HIGH;
		f.confidence = 60;
		snprintf(f.why, sizeof(f.why), "a driver that sets a bit and polls the same register "
			 "waits for the device to clear it (a reset, a command); it never did, so the "
			 "device is hung or was never able to act on it");
		snprintf(f.advice, sizeof(f.advice), "look up this register in the device's datasheet "
			 "(a self-clearing reset or command bit?); check that the device was in D0 with "
			 "decode and bus mastering on, and the host's dmesg for AER or vfio errors");
		pt_finding_evidence(&f, &w->write, &w->write_acc, "the write");
		pt_finding_evidence(&f, &w->first, &w->write_acc, "first poll: the bits still set");
		pt_finding_evidence(&f, &w->last, &w->last_acc, "last poll, %.0f reads/s",
				    w->polls / secs);
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_unfinished = {
	.name = "unfinished",
	.summary = "bits written to a register and polled there, never cleared by the device",
	.kinds = PT_KINDS_DEVICE_ACCESS,
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
