// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resets that do not bring the device back: an FLR, a secondary bus
 * reset, a D3hot->D0 reset or the device's own soft reset, after which the
 * register the driver was stuck on still reads the same, or the device
 * answers all-ones.  "Not able to reset the graphics card."
 */
#include <stdio.h>
#include <string.h>

#include "../detector.h"
#include "pt-plugins.h"

#define MIN_STUCK_READS 50
#define STUCK_RATE	500.0		/* reads per second: a polling loop */
#define STUCK_GAP_NS	500000000ull	/* the poll ended at most this long before the reset */

/* Device soft resets pttrace knows without a plugin. */
static const struct soft_reset {
	uint16_t vendor;
	uint32_t class_prefix, class_mask;	/* on class_code */
	int bar;
	uint32_t off;
	uint64_t bits;				/* a write with any of them resets */
	int clear;				/* ... with all of them clear, instead */
	const char *name;
} soft_resets[] = {
	/* Radeon R100-R500: RBBM_SOFT_RESET */
	{ 0x1002, 0x030000, 0xff0000, 2, 0x00f0, 0xffffffff, 0, "RBBM_SOFT_RESET" },
	/* Intel 8254x/8257x NICs: CTRL.RST */
	{ 0x8086, 0x020000, 0xff0000, 0, 0x0000, 1u << 26, 0, "CTRL.RST" },
	/* any NVMe controller (class 01:08:02): CC.EN cleared (NVMe base spec 3.1.5) */
	{ 0, 0x010802, 0xffffff, 0, 0x0014, 1, 1, "NVMe controller reset (CC.EN=0)" },
};

struct dev_state {
	uint16_t bdf;
	int have_reset;
	struct pt_event reset;
	struct pt_access reset_acc;
	const char *reset_name;
	/* the register it was stuck on when reset, and its value */
	const struct pt_reg *stuck;
	uint64_t stuck_val;
	uint32_t stuck_reads_before;
	uint64_t same_after, differ_after, ones_after, answered_after;
	int last_ones;		/* the latest read after the wait was all-ones */
	/* registers whose reads changed value after the wait: traffic, unless it is the poll */
	const struct pt_reg *changed[8];
	unsigned nchanged;		/* 9: more than the eight */
	struct pt_event first_after, last_after;
	struct pt_access first_after_acc, last_after_acc;
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev, dev_last;
};

static const char *model_reset_name(enum pt_reset_kind k)
{
	switch (k) {
	case PT_RESET_FLR: return "function level reset (FLR)";
	case PT_RESET_BUS: return "secondary bus reset";
	case PT_RESET_PM: return "D3hot->D0 reset";
	default: return "reset";
	}
}

/* How long the PCI specifications let a function recover from the reset NAME. */
static uint64_t recovery_ns(const char *name)
{
	if (!strcmp(name, model_reset_name(PT_RESET_PM)))
		return 10000000ull;
	if (!strcmp(name, model_reset_name(PT_RESET_FLR)) ||
	    !strcmp(name, model_reset_name(PT_RESET_BUS)))
		return 100000000ull;
	return 0;
}

static const char *soft_reset(const struct pt_device *d, const struct pt_event *ev,
			      const struct pt_access *acc)
{
	if (acc->type != PT_ACC_BAR || ev->kind != PT_EV_MMIO_WRITE)
		return NULL;
	for (size_t i = 0; i < sizeof(soft_resets) / sizeof(soft_resets[0]); i++) {
		const struct soft_reset *r = &soft_resets[i];

		if ((!r->vendor || d->vendor == r->vendor) &&
		    (d->class_code & r->class_mask) == r->class_prefix && acc->bar == r->bar &&
		    acc->off == r->off && (r->clear ? !(ev->val & r->bits) : !!(ev->val & r->bits)))
			return r->name;
	}
	return NULL;
}

/*
 * Remembers the register the driver was polling when it reset the device:
 * the longest run of unchanged reads, read fast and until just before.
 */
static void snapshot_stuck(struct dev_state *ds, const struct pt_device *d, uint64_t now)
{
	const struct pt_reg *best = NULL;

	for (unsigned i = 0; i < PT_MAX_REGS; i++) {
		const struct pt_reg *r = &d->regs[i];
		double secs = (r->last_ts - r->run_start_ts) / 1e9;

		if (!r->reads || (r->key >> 32) == PT_REG_CONFIG || now - r->last_ts > STUCK_GAP_NS)
			continue;
		if (secs <= 0 || r->run_reads / secs < STUCK_RATE)
			continue;
		if (!best || r->run_reads > best->run_reads)
			best = r;
	}
	ds->stuck = best && best->run_reads >= MIN_STUCK_READS ? best : NULL;
	if (ds->stuck) {
		ds->stuck_val = best->last_val;
		ds->stuck_reads_before = best->run_reads;
	}
	ds->same_after = ds->differ_after = ds->ones_after = ds->answered_after = 0;
	ds->last_ones = 0;
	ds->nchanged = 0;
	memset(&ds->first_after, 0, sizeof(ds->first_after));
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct pt_device *d = acc->dev;
	struct dev_state *ds;
	const char *name = NULL;

	(void)a;
	if (!d || (acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG))
		return;
	if (acc->type == PT_ACC_CONFIG && d->reset_ts == ev->ts && d->reset_kind != PT_RESET_NONE)
		name = model_reset_name(d->reset_kind);
	else
		name = soft_reset(d, ev, acc);
	ds = PT_DEV_SLOT(s, d->bdf);
	if (!ds)
		return;
	if (name) {
		/* a reset sequence writes several times: the first write counts */
		if (!ds->have_reset || ev->ts - ds->reset.ts > 100000000ull || ds->reset_name != name) {
			snapshot_stuck(ds, d, ev->ts);
			ds->reset = *ev;
			ds->reset_acc = *acc;
			ds->reset_name = name;
		}
		ds->have_reset = 1;
		return;
	}
	if (!ds->have_reset || (ev->kind != PT_EV_MMIO_READ && ev->kind != PT_EV_PIO_READ))
		return;
	/* inside the spec's wait a device may not answer yet: the timing detector's business */
	if (ev->ts - ds->reset.ts < recovery_ns(ds->reset_name))
		return;
	ds->last_ones = pt_all_ones(ev->val, ev->len);
	if (acc->reg && acc->reg->reads > 1 && acc->reg->run_reads == 1 && !ds->last_ones) {
		unsigned i;

		for (i = 0; i < ds->nchanged && ds->changed[i] != acc->reg; i++)
			;
		if (i == ds->nchanged && ds->nchanged < 8)
			ds->changed[ds->nchanged++] = acc->reg;
		else if (i == ds->nchanged)
			ds->nchanged = 9;	/* plenty: the device is at work */
	}
	if (ds->last_ones && acc->reg && acc->reg->ever_not_ones)
		ds->ones_after++;
	else if (!ds->last_ones && ev->val)
		ds->answered_after++;
	if (ds->stuck && acc->reg == ds->stuck) {
		if (ev->val == ds->stuck_val)
			ds->same_after++;
		else
			ds->differ_after++;
		if (!ds->first_after.ts) {
			ds->first_after = *ev;
			ds->first_after_acc = *acc;
		}
		ds->last_after = *ev;
		ds->last_after_acc = *acc;
	}
}

/*
 * After the reset, a register the driver polled unchanged, fast, for half
 * a second or more, until just before the crash: waiting for a ready bit
 * that never came (NVMe CSTS.RDY, a GPU's idle bit).
 */
static const struct pt_reg *polled_after(const struct pt_analysis *a, const struct pt_device *d,
					 const struct dev_state *ds)
{
	const struct pt_reg *best = NULL;
	uint64_t reset_ts = ds->reset.ts;

	for (unsigned i = 0; i < PT_MAX_REGS; i++) {
		const struct pt_reg *r = &d->regs[i];
		double secs = (r->last_ts - r->run_start_ts) / 1e9;

		if (!r->reads || (r->key >> 32) == PT_REG_CONFIG || r->run_start_ts <= reset_ts ||
		    r->run_reads < MIN_STUCK_READS || secs < 0.5 || !pt_near_crash(a, r->last_ts, 1))
			continue;
		if (!best || r->run_reads > best->run_reads)
			best = r;
	}
	/* other registers that answered with new values: the device came back */
	for (unsigned i = 0; best && i < ds->nchanged; i++)
		if (ds->nchanged > 8 || ds->changed[i] != best)
			return NULL;
	return best;
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_state *ds = &s->dev[i];
		struct pt_device *d = pt_model_find(a->model, ds->bdf);
		int stuck, gone;
		struct pt_finding f;
		char dev[48], where[64];

		if (!d || !ds->have_reset || ds->reset.ts > a->crash.ts ||
		    !pt_near_crash(a, ds->reset.ts, 30))
			continue;
		stuck = ds->stuck && ds->same_after >= MIN_STUCK_READS && !ds->differ_after;
		/* did not come back: still all-ones at the last read, after a proper wait */
		gone = ds->ones_after >= 2 && ds->last_ones;
		if (!stuck && !gone && a->crash.kind != PT_CRASH_END_OF_TRACE &&
		    (ds->stuck = polled_after(a, d, ds))) {
			stuck = 1;
			ds->stuck_val = ds->stuck->last_val;
			ds->same_after = ds->stuck->run_reads;
			ds->stuck_reads_before = 0;
		}
		pt_dev_str(d, dev, sizeof(dev));
		pt_finding_start(&f, PT_CLASS_RESET_HANG, d, ds->reset_acc.bar, ds->reset_acc.off);
		f.count = ds->same_after + ds->ones_after;
		if (stuck) {
			pt_reg_label(d, ds->stuck->key >> 32, ds->stuck->key & 0xffffffff, where, sizeof(where));
			if (ds->stuck_reads_before)
				snprintf(f.title, sizeof(f.title), "%s did not recover from its %s: %s "
					 "still reads 0x%llx (%llu reads after the reset, %u before)", dev,
					 ds->reset_name, where, (unsigned long long)ds->stuck_val,
					 (unsigned long long)ds->same_after, ds->stuck_reads_before);
			else
				snprintf(f.title, sizeof(f.title), "%s did not come back from its %s: "
					 "%s read 0x%llx %llu times after it, never changing, until %s",
					 dev, ds->reset_name, where, (unsigned long long)ds->stuck_val,
					 (unsigned long long)ds->same_after, pt_crash_point(a));
			f.severity = PT_SEV_CRITICAL;
			f.confidence = 85;
		} else if (gone) {
			snprintf(f.title, sizeof(f.title), "%s answers all-ones after its %s: it did "
				 "not come back", dev, ds->reset_name);
			f.severity = PT_SEV_CRITICAL;
			f.confidence = 85;
		} else {
			snprintf(f.title, sizeof(f.title), "%s was reset (%s) %.2f s before %s%s",
				 dev, ds->reset_name, -pt_rel(a, ds->reset.ts), pt_crash_point(a),
				 ds->answered_after ? ", and answered normally after it" : "");
			f.cls = PT_CLASS_CONTEXT;
			/* followed by normal traffic, or without a crash: history, not the cause */
			f.severity = a->crash.kind == PT_CRASH_END_OF_TRACE || ds->answered_after
				     ? PT_SEV_INFO : PT_SEV_LOW;
			f.confidence = 50;
		}
		snprintf(f.why, sizeof(f.why), "the driver reset the device to recover it; %s",
			 stuck || gone ? "the device stayed unresponsive after the wait the PCI "
			 "specifications give it, so the driver gave up and the guest crashed"
			 : ds->answered_after ? "the device answered afterwards: history, not the cause"
			 : "the trace does not show whether it came back");
		snprintf(f.advice, sizeof(f.advice), "check that the device supports the reset used "
			 "(FLR in its PCIe DevCap, or a bus reset with no other function on the bus); "
			 "on the host try another reset method (/sys/bus/pci/devices/BDF/reset_method), "
			 "and look for AER or vfio errors in the host's dmesg");
		pt_finding_evidence(&f, &ds->reset, &ds->reset_acc, "%s", ds->reset_name);
		if (stuck && ds->first_after.ts) {
			pt_finding_evidence(&f, &ds->first_after, &ds->first_after_acc,
					    "first read after the reset: unchanged");
			pt_finding_evidence(&f, &ds->last_after, &ds->last_after_acc,
					    "last read before %s: unchanged", pt_crash_point(a));
		}
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_reset = {
	.name = "reset",
	.summary = "resets (FLR, bus, D3hot->D0, soft) the device did not recover from",
	.kinds = PT_KINDS_DEVICE_ACCESS,
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
