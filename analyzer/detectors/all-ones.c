// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A device that answers all-ones: it fell off the bus, is in reset, or is
 * powered down.  One all-ones value can be real data (a register written
 * with ~0), so what counts is a run of reads, of registers that returned
 * other values before, that all come back all-ones.  Enumeration of empty
 * slots never counts: those functions were never present.
 */
#include <stdio.h>

#include "../detector.h"

#define MIN_STREAK 3

struct dev_state {
	uint16_t bdf;
	struct pt_kept streak, worst;
	uint64_t vendor_gone;	/* in the worst streak: vendor id reads */
	uint64_t streak_vendor;
	/* registers in the streak (changes from one to another), and in the worst */
	const struct pt_reg *streak_reg;
	uint64_t streak_regs, worst_regs;
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

	(void)a;
	if (ev->kind != PT_EV_MMIO_READ && ev->kind != PT_EV_PIO_READ)
		return;
	if (!acc->dev || !acc->dev->present || !acc->reg)
		return;
	if (acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG)
		return;
	ds = PT_DEV_SLOT(s, acc->dev->bdf);
	if (!ds)
		return;
	if (!pt_all_ones(ev->val, ev->len)) {
		ds->streak.count = 0;
		ds->streak_vendor = 0;
		ds->streak_regs = 0;
		ds->streak_reg = NULL;
		return;
	}
	/* a register that never read otherwise may just be unimplemented */
	if (!acc->reg->ever_not_ones)
		return;
	pt_kept_add(&ds->streak, ev, acc);
	if (acc->reg != ds->streak_reg) {
		ds->streak_reg = acc->reg;
		ds->streak_regs++;
	}
	if (acc->type == PT_ACC_CONFIG && acc->off < 4)
		ds->streak_vendor++;
	if (ds->streak.count >= ds->worst.count) {
		ds->worst = ds->streak;
		ds->vendor_gone = ds->streak_vendor;
		ds->worst_regs = ds->streak_regs;
	}
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_state *ds = &s->dev[i];
		struct pt_device *d = pt_model_find(a->model, ds->bdf);
		const struct pt_access *last;
		struct pt_finding f;
		char dev[48];

		if (!d || ds->worst.count < MIN_STREAK)
			continue;
		last = &ds->worst.last_acc[(ds->worst.count - 1) % PT_KEEP];
		pt_dev_str(d, dev, sizeof(dev));
		/* every register of it all-ones, its vendor id too: gone, not one odd value */
		pt_finding_start(&f, ds->vendor_gone || ds->worst_regs >= 3
				? PT_CLASS_DEVICE_GONE : PT_CLASS_BAD_VALUE, d, last->bar, last->off);
		f.count = ds->worst.count;
		snprintf(f.title, sizeof(f.title), "%s answered all-ones to %llu reads in a row%s", dev,
			 (unsigned long long)ds->worst.count,
			 ds->vendor_gone ? ", its vendor id too: the device is gone from the bus" : "");
		f.severity = pt_near_crash(a, ds->worst.last[(ds->worst.count - 1) % PT_KEEP].ts, 10)
			     ? PT_SEV_HIGH : PT_SEV_MEDIUM;
		f.confidence = ds->vendor_gone ? 90 : 75;
		snprintf(f.why, sizeof(f.why), "PCIe answers a read the device cannot complete with "
			 "all-ones: the device is in reset, powered down or has dropped off the bus, "
			 "and a driver that uses the value as data or a pointer goes wrong");
		snprintf(f.advice, sizeof(f.advice), "look at what happened to the device just before "
			 "the first all-ones read (a reset, a D3 transition, a link or AER error in the "
			 "host's dmesg) and make the driver check for ~0 before trusting a read");
		pt_kept_evidence(&f, &ds->worst, "read returned all-ones");
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_all_ones = {
	.name = "all-ones",
	.summary = "runs of all-ones reads from a device that answered before",
	.kinds = PT_KINDS_DEVICE_ACCESS,
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
