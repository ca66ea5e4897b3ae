// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Accesses to a device that cannot answer them: in D1-D3hot (PMCSR) or
 * with memory/I/O decode off (command register).  Real hardware drops the
 * writes and answers the reads with all-ones; a guest driver that does
 * this is the card that "bluescreens when it tries to save power".
 */
#include <stdio.h>
#include <stdlib.h>
#include <linux/pci_regs.h>

#include "../detector.h"
#include "../pci-config.h"

struct dev_state {
	uint16_t bdf;
	struct pt_kept in_d3, decode_off, irq_in_d3;
	struct pt_event transition;	/* the PMCSR write that powered it down */
	struct pt_access transition_acc;
	int have_transition;
	int state;			/* power state when accessed */
	/* the command write that turned decode off, and whether decode was on */
	struct pt_event decode_write;
	struct pt_access decode_write_acc;
	int decode_was_on;
	uint64_t d3_faults, decode_faults;	/* of those accesses, seen only as EPT/NPF faults */
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev, dev_last;
};

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct pt_device *d = acc->dev;
	struct dev_state *ds;

	(void)a;
	if (!d)
		return;
	if (acc->type == PT_ACC_CONFIG && ev->kind != PT_EV_MMIO_READ && ev->kind != PT_EV_PIO_READ &&
	    d->pm_cap && pt_cfg_touches(acc->off, ev->len ? ev->len : 4, d->pm_cap + PCI_PM_CTRL, 1)) {
		/* the model has applied it: d->power_state is the new state */
		ds = PT_DEV_SLOT(s, d->bdf);
		if (ds && d->power_state > 0) {
			ds->transition = *ev;
			ds->transition_acc = *acc;
			ds->have_transition = 1;
		}
		return;
	}
	if (acc->type == PT_ACC_CONFIG && (ev->kind == PT_EV_PIO_WRITE || ev->kind == PT_EV_MMIO_WRITE) &&
	    acc->off <= PCI_COMMAND && acc->off + (ev->len ? ev->len : 4) > PCI_COMMAND &&
	    (ds = PT_DEV_SLOT(s, d->bdf))) {
		int on = !!(d->command & PCI_COMMAND_MEMORY);

		if (!on && ds->decode_was_on) {
			ds->decode_write = *ev;
			ds->decode_write_acc = *acc;
		} else if (on) {
			ds->decode_write.ts = 0;	/* on again: that write is history */
		}
		ds->decode_was_on = on;
		return;
	}
	if (acc->type == PT_ACC_INTERRUPT) {
		if (d->power_state == PT_D3HOT && (ds = PT_DEV_SLOT(s, d->bdf)))
			pt_kept_add(&ds->irq_in_d3, ev, acc);
		return;
	}
	/* a fault on a BAR mapped into the guest is an access too, one without a value */
	if (acc->type != PT_ACC_BAR && acc->type != PT_ACC_FAULT)
		return;
	ds = PT_DEV_SLOT(s, d->bdf);
	if (!ds)
		return;
	if (d->power_state > 0) {
		ds->state = d->power_state;
		pt_kept_add(&ds->in_d3, ev, acc);
		ds->d3_faults += acc->type == PT_ACC_FAULT;
	} else if (d->command_known &&
		   !(d->command & (d->bar[acc->bar].is_io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY))) {
		pt_kept_add(&ds->decode_off, ev, acc);
		ds->decode_faults += acc->type == PT_ACC_FAULT;
	}
}

/* Accesses known only from faults on a BAR mapped into the guest (vfio's mmap). */
static const char *faults_note(uint64_t faults, uint64_t all)
{
	if (!faults)
		return "";
	return faults == all ? " (seen as EPT/NPF faults on its mmapped BAR: no values)"
			     : " (some seen only as EPT/NPF faults on its mmapped BAR)";
}

static void report_d3(struct pt_analysis *a, struct dev_state *ds, struct pt_device *d)
{
	struct pt_finding f;
	char dev[48];
	const char *state = pt_power_state_name(ds->state);

	pt_dev_str(d, dev, sizeof(dev));
	/* the register named is the first one touched while powered down */
	pt_finding_start(&f, PT_CLASS_POWERED_DOWN, d, ds->in_d3.first_acc[0].bar, ds->in_d3.first_acc[0].off);
	f.count = ds->in_d3.count;
	snprintf(f.title, sizeof(f.title), "%s accessed in %s: %llu BAR accesses after the driver "
		 "powered it down%s", dev, state, (unsigned long long)ds->in_d3.count,
		 faults_note(ds->d3_faults, ds->in_d3.count));
	f.severity = pt_near_crash(a, ds->in_d3.last[(ds->in_d3.count - 1) % PT_KEEP].ts, 10)
		     ? PT_SEV_CRITICAL : PT_SEV_HIGH;
	f.confidence = ds->have_transition ? 95 : 80;
	snprintf(f.why, sizeof(f.why), "a device in %s does not decode its BARs: on real hardware "
		 "these reads return all-ones and the writes are lost, and a driver that trusts them "
		 "misbehaves or hangs", state);
	snprintf(f.advice, sizeof(f.advice), "find what touches the device after suspend (timers, "
		 "watchdogs, interrupt handlers still armed) in the driver's runtime-PM path; to confirm, "
		 "keep the device in D0 (power/control=on in the guest, or vfio-pci disable_idle_d3=1 "
		 "on the host)");
	if (ds->have_transition) {
		uint32_t pmcsr = ds->transition.val & 3;

		pt_finding_evidence(&f, &ds->transition, &ds->transition_acc,
				    "PMCSR write: device enters %s", pt_power_state_name(pmcsr));
	}
	pt_kept_evidence(&f, &ds->in_d3, "BAR access while powered down");
	if (ds->irq_in_d3.count)
		pt_finding_evidence(&f, &ds->irq_in_d3.last[(ds->irq_in_d3.count - 1) % PT_KEEP],
				    NULL, "and it still raised %llu interrupts in D3hot",
				    (unsigned long long)ds->irq_in_d3.count);
	pt_finding_add(a, &f);
}

static void report_decode_off(struct pt_analysis *a, struct dev_state *ds, struct pt_device *d)
{
	struct pt_finding f;
	char dev[48];
	const struct pt_access *first = &ds->decode_off.first_acc[0];

	pt_dev_str(d, dev, sizeof(dev));
	/* the device never sees the driver's doorbells: nothing it waits for can come */
	pt_finding_start(&f, PT_CLASS_INTERRUPT_PATH, d, first->bar, first->off);
	f.count = ds->decode_off.count;
	snprintf(f.title, sizeof(f.title), "%s accessed with its decode off: %llu BAR accesses while "
		 "the command register disabled them%s", dev, (unsigned long long)ds->decode_off.count,
		 faults_note(ds->decode_faults, ds->decode_off.count));
	f.severity = a->crash.kind != PT_CRASH_END_OF_TRACE &&
		     pt_near_crash(a, ds->decode_off.last[(ds->decode_off.count - 1) % PT_KEEP].ts, 10)
		     ? PT_SEV_CRITICAL : PT_SEV_HIGH;
	f.confidence = 85;
	snprintf(f.why, sizeof(f.why), "with memory or I/O decode off the device ignores its BARs: "
		 "reads return all-ones, writes vanish");
	snprintf(f.advice, sizeof(f.advice), "check who cleared the command register (a reset, a "
		 "PCI core rebalance, the hypervisor) and that the driver re-enables it before use");
	if (ds->decode_write.ts)
		pt_finding_evidence(&f, &ds->decode_write, &ds->decode_write_acc, "command write: "
				    "memory decode off (0x%04llx)", (unsigned long long)ds->decode_write.val);
	pt_kept_evidence(&f, &ds->decode_off, "BAR access with decode off");
	pt_finding_add(a, &f);
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < s->ndev; i++) {
		struct pt_device *d = pt_model_find(a->model, s->dev[i].bdf);

		if (!d)
			continue;
		if (s->dev[i].in_d3.count)
			report_d3(a, &s->dev[i], d);
		if (s->dev[i].decode_off.count)
			report_decode_off(a, &s->dev[i], d);
	}
}

const struct pt_detector pt_detector_powered_down = {
	.name = "powered-down",
	.summary = "accesses to a device in D3hot or with its decode off",
	.kinds = PT_KINDS_DEVICE_ACCESS | PT_KIND(MSI) | PT_KIND(IRQ_LINE) | PT_KIND(PAGE_FAULT),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
