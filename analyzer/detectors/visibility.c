// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Devices whose BARs show no traffic at all although the guest uses them
 * (they interrupt, or it set up MSI): a passed-through device whose BARs
 * vfio-pci mmapped into the guest, so KVM never sees the accesses.
 */
#include <stdio.h>

#include "../detector.h"

static void finish(void *p, struct pt_analysis *a)
{
	unsigned n;
	struct pt_device *const *devs = pt_model_devices(a->model, &n);

	(void)p;
	for (unsigned i = 0; i < n; i++) {
		const struct pt_device *d = devs[i];
		struct pt_finding f;
		char dev[48];
		int mem_bars = 0;

		for (int b = 0; b < 6; b++)
			mem_bars += d->bar[b].valid && !d->bar[b].is_io;
		if (!d->present || !mem_bars || d->mmio_reads || d->mmio_writes)
			continue;
		/* a passed-through device, or one the guest evidently uses */
		if (!d->assigned && !d->msis && !d->intx && !d->msi_enabled && !d->msix_enabled)
			continue;
		/* with x-no-mmap=on every access traps: none seen means none made */
		if (d->assigned && d->x_no_mmap == 1)
			continue;
		pt_dev_str(d, dev, sizeof(dev));
		pt_finding_start(&f, PT_CLASS_CONTEXT, d, -1, 0);
		if (d->assigned)
			snprintf(f.title, sizeof(f.title), "%s, passed through from host %s%s, shows no BAR "
				 "access at all: its BARs are mapped into the guest, invisible to tracing",
				 dev, d->host[0] ? d->host : "?",
				 d->x_no_mmap == 0 ? " (x-no-mmap=off)" : "");
		else
			snprintf(f.title, sizeof(f.title), "%s is in use (%llu interrupts) but none of its "
				 "BAR accesses is in the trace", dev, (unsigned long long)(d->msis + d->intx));
		f.severity = d->assigned ? PT_SEV_MEDIUM : PT_SEV_LOW;
		f.confidence = d->assigned ? 90 : 70;
		snprintf(f.why, sizeof(f.why), "vfio-pci maps a passed-through device's BARs straight "
			 "into the guest, so KVM never sees the driver's register accesses: no detector "
			 "can judge what this device's driver did");
		if (pt_analysis_terms(a) == PT_TERMS_LIBVIRT)
			pt_advice_nommap(PT_TERMS_LIBVIRT, pt_analysis_device_id(a, d->host), f.advice,
					 sizeof(f.advice));
		else
			snprintf(f.advice, sizeof(f.advice), "for a debugging run restart the VM with "
				 "x-no-mmap=on on the device (-device vfio-pci,host=...,x-no-mmap=on): "
				 "every access then traps (slower, but visible)");
		pt_finding_add(a, &f);
	}
}

const struct pt_detector pt_detector_visibility = {
	.name = "visibility",
	.summary = "devices in use whose BAR accesses are invisible (mmapped BARs)",
	.state_size = 0,
	.finish = finish,
};
