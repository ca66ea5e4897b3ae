// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The PCI and PCIe timing rules: after a D3hot->D0 transition a function
 * needs 10 ms (PCI PM 1.2, 5.6.1), after an FLR 100 ms (PCIe base spec,
 * 6.6.2), after a secondary bus reset or a link retrain the devices
 * behind the bridge 100 ms from the end of the reset or the retrain
 * (6.6.1), and after any reset the function's BARs and command register
 * are zero until software restores them.  An access inside the wait, or
 * to a BAR before the command register is written again, is the classic
 * driver bug; the gap is measured from the trace.  A violation the device
 * survived (normal answers afterwards) is history: info.
 */
#include <stdio.h>
#include <linux/pci_regs.h>

#include "../detector.h"

#define MS 1000000ull

enum transition { T_NONE, T_D3_D0, T_FLR, T_SBR, T_RETRAIN, T_UNSEEN };

static const struct rule {
	const char *name;
	uint64_t wait_ns;
	const char *spec;
} rules[] = {
	[T_NONE] = { "", 0, "" },
	[T_D3_D0] = { "D3hot->D0 transition", 10 * MS, "PCI PM 1.2 5.6.1: 10 ms recovery" },
	[T_FLR] = { "function level reset (FLR)", 100 * MS, "PCIe 6.6.2: 100 ms after an FLR" },
	[T_SBR] = { "secondary bus reset", 100 * MS,
		    "PCIe 6.6.1: 100 ms after the reset ends" },
	[T_RETRAIN] = { "link retrain", 100 * MS, "PCIe 6.6.1: 100 ms after the link trains" },
	/* a device-specific reset (NVMe NSSR, a firmware reset): config reads back as reset */
	[T_UNSEEN] = { "reset (its command register read back 0: a reset the trace does not show)",
		       0, "" },
};

struct dev_state {
	uint16_t bdf;
	int8_t power;			/* the power state before this event, -1 unknown */
	uint8_t sbr_asserted;		/* a bridge: Bridge Control's reset bit is set */
	/* the latest transition and what followed it */
	enum transition t;
	struct pt_event t_ev;
	struct pt_access t_acc;
	uint8_t reset_clears;		/* the transition zeroes BARs and command */
	uint8_t restored;		/* command written with decode on, and a BAR, since */
	uint8_t cmd_restored, bar_restored;
	uint8_t cmd_known;
	uint16_t cmd;			/* the command register as last written or read */
	uint8_t accessed;		/* the first access after it is taken */
	uint8_t unrestored_seen;	/* a BAR access before the restore is taken */
	/* the worst violation so far */
	enum transition bad;
	struct pt_event bad_t_ev, bad_first;
	struct pt_access bad_t_acc, bad_first_acc;
	uint64_t bad_gap;
	uint32_t bad_early, bad_early_ones;	/* reads inside the wait, all-ones among them */
	uint8_t bad_unrestored;		/* a BAR access before the command was restored */
	uint64_t normal_after;		/* reads after the wait that returned data */
	uint64_t ones_after;
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev, dev_last;
};

static struct dev_state *slot(struct state *s, uint16_t bdf)
{
	unsigned before = s->ndev;
	struct dev_state *ds = PT_DEV_SLOT(s, bdf);

	if (ds && s->ndev != before)
		ds->power = -1;
	return ds;
}

static void begin(struct dev_state *ds, enum transition t, int clears, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	ds->t = t;
	ds->t_ev = *ev;
	ds->t_acc = *acc;
	ds->reset_clears = clears;
	ds->restored = ds->cmd_restored = 0;
	/*
	 * FLR and bus resets zero the BARs; after a reset the trace only
	 * infers, the BARs are lost when one reads back 0 (firmware may have
	 * programmed them before it read the command register).
	 */
	ds->bar_restored = t == T_UNSEEN;
	ds->unrestored_seen = 0;
	ds->accessed = 0;
}

/* Every device behind bridge D (its secondary bus) starts T now. */
static void behind(struct state *s, struct pt_analysis *a, const struct pt_device *d,
		   enum transition t, const struct pt_event *ev, const struct pt_access *acc)
{
	uint32_t sec;
	unsigned n;
	struct pt_device *const *devs = pt_model_devices(a->model, &n);

	if (pt_cfg_read(d, PCI_SECONDARY_BUS, 1, &sec))
		return;
	for (unsigned i = 0; i < n; i++) {
		struct dev_state *c;

		if (devs[i]->bdf >> 8 != sec || !(c = slot(s, devs[i]->bdf)))
			continue;
		begin(c, t, t == T_SBR, ev, acc);
	}
}

static int covers(const struct pt_access *acc, const struct pt_event *ev, unsigned reg)
{
	unsigned len = ev->len ? ev->len : 4;

	return acc->off <= reg && acc->off + len > reg;
}

/* A config write that starts a transition on D or the devices behind it. */
static void config_write(struct state *s, struct pt_analysis *a, struct pt_device *d,
			 struct dev_state *ds, const struct pt_event *ev, const struct pt_access *acc)
{
	uint32_t v;

	if (d->pm_cap && covers(acc, ev, d->pm_cap + PCI_PM_CTRL)) {
		/*
		 * Whether D3hot->D0 reset the function depends on No_Soft_Reset,
		 * which the shadow cannot tell from what the guest wrote: only
		 * FLR and bus resets are taken to clear the configuration.
		 */
		if (ds->power == PT_D3HOT && d->power_state == PT_D0)
			begin(ds, T_D3_D0, 0, ev, acc);
		return;
	}
	if (d->pcie_cap && covers(acc, ev, d->pcie_cap + PCI_EXP_DEVCTL + 1) &&
	    d->reset_kind == PT_RESET_FLR && d->reset_ts == ev->ts) {
		begin(ds, T_FLR, 1, ev, acc);
		return;
	}
	if (covers(acc, ev, PCI_COMMAND) && ds->t && (d->command & PCI_COMMAND_MEMORY))
		ds->cmd_restored = 1;
	if (acc->off >= PCI_BASE_ADDRESS_0 && acc->off <= PCI_BASE_ADDRESS_5 && ds->t)
		ds->bar_restored = 1;
	ds->restored = ds->cmd_restored && ds->bar_restored;
	if ((d->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE &&
	    covers(acc, ev, PCI_BRIDGE_CONTROL) && !pt_cfg_read(d, PCI_BRIDGE_CONTROL, 2, &v)) {
		if (v & PCI_BRIDGE_CTL_BUS_RESET)
			ds->sbr_asserted = 1;
		else if (ds->sbr_asserted) {
			/* the wait runs from the end of the reset */
			ds->sbr_asserted = 0;
			behind(s, a, d, T_SBR, ev, acc);
		}
		return;
	}
	if (d->pcie_cap && covers(acc, ev, d->pcie_cap + PCI_EXP_LNKCTL) &&
	    !pt_cfg_read(d, d->pcie_cap + PCI_EXP_LNKCTL, 2, &v) && (v & PCI_EXP_LNKCTL_RL))
		behind(s, a, d, T_RETRAIN, ev, acc);
}

/* Did the kept violation show: all-ones answers, or config not restored? */
static int violation_showed(const struct dev_state *ds)
{
	return ds->bad_early_ones || ds->ones_after || ds->bad_unrestored;
}

/* An access to D after its transition: inside the wait, or before it was restored? */
static void after(struct dev_state *ds, const struct pt_event *ev, const struct pt_access *acc)
{
	const struct rule *r = &rules[ds->t];
	uint64_t gap = ev->ts - ds->t_ev.ts;
	int read = ev->kind == PT_EV_MMIO_READ || ev->kind == PT_EV_PIO_READ;
	int ones = read && pt_all_ones(ev->val, ev->len);
	int early = gap < r->wait_ns;
	int unrestored = (acc->type == PT_ACC_BAR || acc->type == PT_ACC_FAULT) && ds->reset_clears &&
			 !ds->restored;

	/*
	 * The first access inside the wait, or the first BAR access before the
	 * restore; it replaces the violation kept unless that one showed.
	 */
	if (((!ds->accessed && early) || (unrestored && !ds->unrestored_seen)) &&
	    (!ds->bad || !violation_showed(ds))) {
		ds->unrestored_seen = unrestored;
		ds->bad = ds->t;
		ds->bad_t_ev = ds->t_ev;
		ds->bad_t_acc = ds->t_acc;
		ds->bad_first = *ev;
		ds->bad_first_acc = *acc;
		ds->bad_gap = gap;
		ds->bad_unrestored = unrestored && !early;
		ds->bad_early = ds->bad_early_ones = 0;
		ds->normal_after = ds->ones_after = 0;
	}
	ds->accessed = 1;
	if (!ds->bad || ds->bad_t_ev.ts != ds->t_ev.ts || !read)
		return;
	if (early) {
		ds->bad_early++;
		ds->bad_early_ones += ones;
	} else if (ones) {
		ds->ones_after++;
	} else {
		ds->normal_after++;
	}
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct pt_device *d = acc->dev;
	struct dev_state *ds;
	int write = ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE;

	/* a fault on an mmapped BAR is its first touch as much as an MMIO exit */
	if (!d || (acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG && acc->type != PT_ACC_FAULT) ||
	    !(ds = slot(s, d->bdf)))
		return;
	/* a BAR that reads back without its address after an unseen reset: it was lost too */
	if (acc->type == PT_ACC_CONFIG && !write && ds->t == T_UNSEEN && !ds->restored &&
	    acc->off >= PCI_BASE_ADDRESS_0 && acc->off <= PCI_BASE_ADDRESS_5 && ev->len == 4 &&
	    !(ev->val & PCI_BASE_ADDRESS_MEM_MASK) && !pt_all_ones(ev->val, ev->len))
		ds->bar_restored = 0;
	/* the command register reads back cleared, though nothing wrote it: a reset happened */
	if (acc->type == PT_ACC_CONFIG && !write && covers(acc, ev, PCI_COMMAND) &&
	    acc->off <= PCI_COMMAND) {
		uint16_t cmd = (uint16_t)(ev->val >> (8 * (PCI_COMMAND - acc->off)));

		if (ds->cmd_known && (ds->cmd & PCI_COMMAND_MEMORY) && !(cmd & PCI_COMMAND_MEMORY) &&
		    !pt_all_ones(ev->val, ev->len)) {
			/* a reset we know of explains it; after D3hot->D0 it shows No_Soft_Reset was 0 */
			if (ds->t == T_D3_D0 && !ds->accessed)
				ds->reset_clears = 1;
			else if (!(ds->t && ds->reset_clears && !ds->restored))
				begin(ds, T_UNSEEN, 1, ev, acc);
		}
		ds->cmd = cmd;
		ds->cmd_known = 1;
	}
	if (acc->type == PT_ACC_CONFIG && write && covers(acc, ev, PCI_COMMAND)) {
		ds->cmd = d->command;
		ds->cmd_known = 1;
	}
	if (acc->type == PT_ACC_CONFIG && write) {
		enum transition before = ds->t;
		uint64_t before_ts = ds->t_ev.ts;

		config_write(s, a, d, ds, ev, acc);
		ds->power = d->power_state;
		/* the write that starts a transition is no access after it */
		if (ds->t != before || ds->t_ev.ts != before_ts || ds->t == T_NONE)
			return;
	}
	ds->power = d->power_state;
	if (ds->t == T_UNSEEN && ds->t_ev.ts == ev->ts)
		return;
	/* reading back the register that made the transition is how drivers confirm it */
	if (ds->t && !(acc->type == PT_ACC_CONFIG && ds->t_acc.type == PT_ACC_CONFIG &&
		       ds->t_acc.dev == d && acc->off == ds->t_acc.off))
		after(ds, ev, acc);
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_state *ds = &s->dev[i];
		struct pt_device *d = pt_model_find(a->model, ds->bdf);
		const struct rule *r = &rules[ds->bad];
		int crashed = a->crash.kind != PT_CRASH_END_OF_TRACE, survived;
		struct pt_finding f;
		char dev[48];

		if (!d || !ds->bad || ds->bad_first.ts > a->crash.ts)
			continue;
		pt_dev_str(d, dev, sizeof(dev));
		pt_finding_start(&f, PT_CLASS_TOO_SOON, d, ds->bad_first_acc.bar,
				ds->bad_first_acc.off);
		f.count = ds->bad_early ? ds->bad_early : 1;
		if (ds->bad_unrestored)
			snprintf(f.title, sizeof(f.title), "%s used %.1f ms after its %s before its "
				 "configuration was restored: BAR access before the BARs and the command "
				 "register were written again", dev, ds->bad_gap / 1e6, r->name);
		else
			snprintf(f.title, sizeof(f.title), "%s accessed %.1f ms after its %s; it needs "
				 "%llu ms (%s)%s", dev, ds->bad_gap / 1e6, r->name,
				 (unsigned long long)(r->wait_ns / MS), r->spec,
				 ds->bad_early_ones ? ": the reads inside the wait returned all-ones" : "");
		/* answered normally afterwards, no crash: the device survived it */
		survived = (ds->normal_after || ds->bad_early > ds->bad_early_ones) &&
			   !violation_showed(ds);
		/*
		 * A violation the device survived is history, crash or not; one
		 * that shows (all-ones, config not restored) is the cause of a
		 * crash; one without a value to show either way is no verdict.
		 */
		if (survived)
			f.severity = PT_SEV_INFO;
		else if (violation_showed(ds))
			f.severity = crashed ? PT_SEV_CRITICAL : PT_SEV_LOW;
		else
			f.severity = crashed ? PT_SEV_MEDIUM : PT_SEV_INFO;
		f.confidence = ds->bad_early_ones || ds->bad_unrestored ? 90 : 80;
		snprintf(f.why, sizeof(f.why), "a function that is still recovering does not "
			 "answer: reads complete with all-ones (or CRS), writes are lost, and what the "
			 "driver programs in that window never reaches the device%s",
			 survived ? "; the device answered normally afterwards" : "");
		snprintf(f.advice, sizeof(f.advice), ds->bad_unrestored
			 ? "restore config space (pci_restore_state: BARs, command, MSI) after the "
			   "reset and before the first BAR access"
			 : "wait the full delay (pci_pm_reset/pci_flr_wait do; a driver's own reset "
			   "path often does not), or poll the vendor id until it reads back; on the "
			   "host, vfio-pci's d3hot_delay / reset quirks apply the same rule");
		pt_finding_evidence(&f, &ds->bad_t_ev, &ds->bad_t_acc, "%s", r->name);
		pt_finding_evidence(&f, &ds->bad_first, &ds->bad_first_acc, "first access, %.1f ms "
				    "later (the rule: %llu ms)", ds->bad_gap / 1e6,
				    (unsigned long long)(r->wait_ns / MS));
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_timing = {
	.name = "timing",
	.summary = "accesses inside the PCI/PCIe waits after D3hot->D0, FLR, bus reset, link retrain",
	.kinds = PT_KINDS_DEVICE_ACCESS | PT_KIND(PAGE_FAULT),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
