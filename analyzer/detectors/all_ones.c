/*
 * Reads that return all-ones from a device that answered before: the
 * device fell off the bus, is in reset, or is powered down.  Enumeration
 * of empty slots (vendor id 0xffff of a function that never existed) is
 * normal and not counted.
 */
#include <stdio.h>

#include "../detector.h"

struct dev_state {
	uint16_t bdf;
	struct pt_kept reads;
	uint64_t cfg_gone;	/* config reads of all-ones after it was present */
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev;
};

static struct dev_state *dev_state(struct state *s, uint16_t bdf)
{
	for (unsigned i = 0; i < s->ndev; i++)
		if (s->dev[i].bdf == bdf)
			return &s->dev[i];
	if (s->ndev == PT_MAX_DEVICES)
		return NULL;
	s->dev[s->ndev].bdf = bdf;
	return &s->dev[s->ndev++];
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct dev_state *ds;

	(void)a;
	if (ev->kind != PT_EV_MMIO_READ && ev->kind != PT_EV_PIO_READ)
		return;
	if (!acc->dev || !acc->dev->present || !pt_all_ones(ev->val, ev->len))
		return;
	if (acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG)
		return;
	/* a register that never read otherwise may just be unimplemented */
	if (!acc->reg || !acc->reg->ever_not_ones)
		return;
	ds = dev_state(s, acc->dev->bdf);
	if (!ds)
		return;
	pt_kept_add(&ds->reads, ev, acc);
	if (acc->type == PT_ACC_CONFIG && acc->off < 4)
		ds->cfg_gone++;
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

		if (!d || ds->reads.count < 2)
			continue;
		last = &ds->reads.last_acc[(ds->reads.count - 1) % PT_KEEP];
		pt_dev_str(d, dev, sizeof(dev));
		pt_finding_init(&f, "all-ones", d, last->bar, last->off);
		f.count = ds->reads.count;
		snprintf(f.title, sizeof(f.title), "%s reads return all-ones: %llu reads%s", dev,
			 (unsigned long long)ds->reads.count,
			 ds->cfg_gone ? ", its vendor id too: the device is gone from the bus" : "");
		f.severity = pt_near_crash(a, ds->reads.last[(ds->reads.count - 1) % PT_KEEP].ts, 10)
			     ? PT_SEV_HIGH : PT_SEV_MEDIUM;
		f.confidence = ds->cfg_gone ? 90 : 70;
		snprintf(f.why, sizeof(f.why), "PCIe answers a read the device cannot complete with "
			 "all-ones: the device is in reset, powered down or has dropped off the bus, "
			 "and a driver that uses the value as data or a pointer goes wrong");
		snprintf(f.advice, sizeof(f.advice), "look at what happened to the device just before "
			 "the first all-ones read (a reset, a D3 transition, a link or AER error in the "
			 "host's dmesg) and make the driver check for ~0 before trusting a read");
		pt_kept_evidence(&f, &ds->reads, "read returned all-ones");
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_all_ones = {
	.name = "all-ones",
	.summary = "reads of all-ones from a device that answered before",
	.kinds = PT_KINDS_DEVICE_ACCESS,
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
