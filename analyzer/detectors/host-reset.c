// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An assigned device the host did not reset before the guest began using
 * it: it starts as the previous VM run (or the host's driver) left it, a
 * GPU with its firmware hung ("not able to reset the graphics card ... a
 * reboot of the host cures this").  From the host's resets that pttrace
 * record's kprobes saw (pt_reader_info.host_resets, pt-hostreset.h), the
 * VM's start (vfio opening the device, or the QEMU process's start in the
 * metadata) and the guest's first access to the device.
 */
#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "../detector.h"
#include "pt-hostreset.h"

struct dev_use {
	uint16_t bdf;
	struct pt_event first;		/* the guest's first access to it */
	struct pt_access first_acc;
	int found;			/* that access read its vendor id: the guest found it then */
};

struct state {
	struct dev_use dev[PT_MAX_DEVICES];
	unsigned ndev, dev_last;
};

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct dev_use *u;

	(void)a;
	if (!acc->dev || !acc->dev->assigned || (acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG))
		return;
	u = PT_DEV_SLOT(s, acc->dev->bdf);
	if (!u || u->first.ts)
		return;
	u->first = *ev;
	u->first_acc = *acc;
	u->found = acc->type == PT_ACC_CONFIG && acc->off == PCI_VENDOR_ID &&
		   (ev->kind == PT_EV_PIO_READ || ev->kind == PT_EV_MMIO_READ);
}

static double num(const struct pt_json *obj, const char *key, double dflt)
{
	const struct pt_json *m = pt_json_get(obj, key);

	return m && m->type == PT_JSON_NUMBER ? m->num : dflt;
}

/* "01:00.0" as the kernel names it, "0000:01:00.0". */
static void full_bdf(const char *in, char *out, size_t size)
{
	snprintf(out, size, "%s%s", strlen(in) == 7 ? "0000:" : "", in);
}

/* The bridge the metadata found above host device BDF, "" when none. */
static const char *bridge_of(const struct pt_json *hrm, const char *bdf)
{
	const struct pt_json *devs = pt_json_get(hrm, "devices");

	for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
		const char *h = pt_json_get_str(d, "host"), *b = pt_json_get_str(d, "bridge");

		if (h && b && !strcmp(h, bdf))
			return b;
	}
	return "";
}

/* Is the reset R about host device BDF (under BRIDGE)?  1 yes, 0 no, -1 it has no name. */
static int about(const struct pt_json *hrm, const struct pt_host_reset *r, const char *bdf,
		 const char *bridge)
{
	const char *fn = pt_hr_funcs[r->fn].symbol;

	if (!r->dev[0])
		return -1;
	if (!strcmp(r->dev, bdf))
		return 1;
	/* a bus reset names the bridge, or one of the functions on its bus */
	if (bridge[0] && !strcmp(fn, "pci_bridge_secondary_bus_reset"))
		return !strcmp(r->dev, bridge);
	if (bridge[0] && !strcmp(fn, "pci_reset_bus"))
		return !strcmp(bridge_of(hrm, r->dev), bridge);
	return 0;
}

/* Were the probes of how a device is reset (FLR, D3hot->D0, bus) on? */
static int methods_probed(const struct pt_json *hrm)
{
	const struct pt_json *probes = pt_json_get(hrm, "probes");

	for (const struct pt_json *p = probes ? probes->child : NULL; p; p = p->next) {
		int fn = p->str ? pt_hr_find(p->str) : -1;

		if (fn >= 0 && pt_hr_funcs[fn].role == PT_HR_METHOD)
			return 1;
	}
	return 0;
}

struct seen {
	const struct pt_host_reset *open;	/* vfio opened it: a VM's start */
	const struct pt_host_reset *method;	/* the last reset done to it */
	const struct pt_host_reset *entry;	/* the last reset asked for */
	const struct pt_host_reset *unnamed;	/* the last reset of a device not named */
};

/* What the host did to BDF from FROM (ns; 0: the trace's start) until the guest's first use UNTIL. */
static void scan(const struct pt_analysis *a, const struct pt_json *hrm, const char *bdf,
		 uint64_t from, uint64_t until, struct seen *s)
{
	const char *bridge = bridge_of(hrm, bdf);

	for (unsigned i = 0; i < a->info.nhost_resets; i++) {
		const struct pt_host_reset *r = &a->info.host_resets[i];
		enum pt_hr_role role;
		int is;

		if (r->fn >= pt_hr_nfuncs || r->ts > until || r->ts < from)
			continue;
		role = pt_hr_funcs[r->fn].role;
		is = about(hrm, r, bdf, bridge);
		if (role == PT_HR_VFIO_OPEN && is) {
			/* the latest opening before the use starts the run; resets before it do not count */
			s->open = r;
			s->method = s->entry = s->unnamed = NULL;
		} else if ((role == PT_HR_METHOD || role == PT_HR_ENTRY) && is < 0) {
			s->unnamed = r;
		} else if (role == PT_HR_METHOD && is > 0) {
			s->method = r;
		} else if (role == PT_HR_ENTRY && is > 0) {
			s->entry = r;
		}
	}
}

static void finish(void *p, struct pt_analysis *a)
{
	const struct pt_json *hrm = pt_json_get(pt_json_get(a->meta, "recording"), "host_resets");
	const struct pt_json *recorded = pt_json_get(hrm, "recorded");
	double vm_started = num(hrm, "vm_started", -1);
	struct state *s = p;

	if (!recorded || recorded->type != PT_JSON_TRUE)
		return;		/* the host's resets were not recorded: nothing to say either way */
	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_use *u = &s->dev[i];
		struct pt_device *d = pt_model_find(a->model, u->bdf);
		uint64_t start = 0, use = u->first.ts;
		const char *start_what = NULL;
		struct seen seen = { 0 };
		char dev[48], host[24];
		struct pt_finding f;

		if (!d || !d->host[0] || !use || use > a->crash.ts)
			continue;
		full_bdf(d->host, host, sizeof(host));
		pt_dev_str(d, dev, sizeof(dev));
		scan(a, hrm, host, 0, use, &seen);
		if (seen.open) {
			start = seen.open->ts;
			start_what = "vfio opened it";
		} else if (vm_started >= 0 && vm_started * 1e9 >= a->info.first_ts &&
			   vm_started * 1e9 <= use) {
			start = vm_started * 1e9;
			start_what = "its QEMU started";
		}
		pt_finding_start(&f, PT_CLASS_CONTEXT, d, -1, 0);
		f.severity = PT_SEV_INFO;
		if (seen.method || seen.unnamed || (seen.entry && !methods_probed(hrm))) {
			const struct pt_host_reset *r = seen.method ? seen.method : seen.entry ? seen.entry
											  : seen.unnamed;

			snprintf(f.title, sizeof(f.title), "%s (host %s) was reset by the host (%s%s) "
				 "%.2f s before the guest began using it", dev, host,
				 pt_hr_funcs[r->fn].what, r == seen.unnamed ? " of a device it did not name"
				 : "", (use - r->ts) / 1e9);
			f.confidence = r == seen.unnamed ? 50 : 90;
			snprintf(f.why, sizeof(f.why), "the guest found the device as a reset leaves it");
		} else if (seen.entry || start_what) {
			f.cls = PT_CLASS_NOT_RESET;
			f.severity = a->crash.kind == PT_CRASH_END_OF_TRACE ? PT_SEV_LOW : PT_SEV_MEDIUM;
			f.confidence = 70;
			if (seen.entry)
				snprintf(f.title, sizeof(f.title), "the host asked to reset %s (host %s: %s, "
					 "%.2f s before the guest began using it), but no reset method ran",
					 dev, host, pt_hr_funcs[seen.entry->fn].symbol,
					 (use - seen.entry->ts) / 1e9);
			else
				snprintf(f.title, sizeof(f.title), "%s (host %s) was not reset by the host "
					 "between the VM's start (%s, %.2f s before) and the guest's first "
					 "use of it", dev, host, start_what, (use - start) / 1e9);
			snprintf(f.why, sizeof(f.why), "the device started as the previous VM run or the "
				 "host's driver left it: a GPU whose driver crashed or was shut down "
				 "uncleanly keeps its engines hung, and the guest's driver then fails to "
				 "bring it up (\"cannot reset the graphics card\") until the host reboots");
			snprintf(f.advice, sizeof(f.advice), "pttrace check --vm NAME shows how the host "
				 "can reset it; shut the guest down cleanly; for an AMD GPU load the "
				 "vendor-reset module; pass every function on its bus to the VM so that "
				 "vfio may reset the bus; else reboot the host between runs");
		} else if (u->found) {
			char ago[48] = "";

			if (vm_started >= 0 && vm_started * 1e9 < a->info.first_ts)
				snprintf(ago, sizeof(ago), " %.1f s", (a->info.first_ts - vm_started * 1e9) / 1e9);
			snprintf(f.title, sizeof(f.title), "no host reset of %s (host %s) is in the trace "
				 "before the guest began using it, but the VM started%s before the "
				 "recording: a reset when QEMU opened it would not show", dev, host, ago);
			f.confidence = 50;
			snprintf(f.why, sizeof(f.why), "the host resets an assigned device when QEMU opens "
				 "it and when the guest reboots; only resets while recording are in the trace");
		} else {
			continue;	/* the guest was using it before the trace began */
		}
		pt_finding_evidence(&f, &u->first, &u->first_acc, "the guest's first access to it");
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_host_reset = {
	.name = "host-reset",
	.summary = "assigned devices the host did not reset before the guest used them (record's kprobes)",
	.kinds = PT_KINDS_DEVICE_ACCESS,
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
