// SPDX-License-Identifier: GPL-2.0-or-later
/* pttrace's metadata, read back: what it tells the device model. */
#include <stdio.h>
#include <string.h>

#include "meta-apply.h"
#include "pt-analyze.h"

static double num(const struct pt_json *obj, const char *key, double dflt)
{
	const struct pt_json *m = pt_json_get(obj, key);

	return m && m->type == PT_JSON_NUMBER ? m->num : dflt;
}

static int truthy(const struct pt_json *obj, const char *key)
{
	const struct pt_json *m = pt_json_get(obj, key);

	return m && m->type == PT_JSON_TRUE;
}

/* The device query-pci lists with qdev id ID, or NULL. */
static struct pt_device *by_qdev_id(struct pt_model *m, const struct pt_json *pci, const char *id)
{
	for (const struct pt_json *d = pci && id ? pci->child : NULL; d; d = d->next) {
		const char *qid = pt_json_get_str(d, "qdev_id"), *bdfs = pt_json_get_str(d, "bdf");
		uint16_t bdf;

		if (qid && !strcmp(qid, id) && bdfs && !pt_bdf_parse(bdfs, &bdf, NULL))
			return pt_model_find(m, bdf);
	}
	return NULL;
}

void pt_meta_apply(struct pt_model *m, const struct pt_json *meta)
{
	const struct pt_json *pci = pt_json_get(meta, "pci");
	const struct pt_json *devs = pt_json_get(meta, "devices");

	/* guest BDFs and BARs as QEMU had them when the recording stopped */
	for (const struct pt_json *d = pci ? pci->child : NULL; d; d = d->next) {
		const struct pt_json *bars = pt_json_get(d, "bars");
		const char *bdfs = pt_json_get_str(d, "bdf");
		uint16_t bdf;

		if (!bdfs || pt_bdf_parse(bdfs, &bdf, NULL))
			continue;
		if (!pt_model_describe(m, bdf, num(d, "vendor", 0), num(d, "device", 0),
				       (uint32_t)num(d, "class", 0) << 8))
			continue;
		for (const struct pt_json *b = bars ? bars->child : NULL; b; b = b->next) {
			double addr = num(b, "address", -1), size = num(b, "size", 0);
			const char *type = pt_json_get_str(b, "type");

			/* QEMU says -1 for a BAR the guest has not programmed */
			if (addr < 0 || addr >= 18446744073709551615.0 || size <= 0)
				continue;
			pt_model_set_bar(m, bdf, num(b, "bar", 0), (uint64_t)addr, (uint64_t)size,
					 type && !strcmp(type, "io"));
		}
	}
	/* which of them are passed through: the command line's devices, by id or addr= */
	for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
		const char *addr = pt_json_get_str(d, "addr"), *host = pt_json_get_str(d, "host");
		const struct pt_json *nommap = pt_json_get(d, "x_no_mmap");
		struct pt_device *dev;
		unsigned slot, fn;

		if (!truthy(d, "assigned"))
			continue;
		/* by its id in query-pci: devices behind root ports, where addr= is not the BDF */
		dev = by_qdev_id(m, pci, pt_json_get_str(d, "id"));
		if (!dev && (!addr || pt_devfn_parse(addr, &slot, &fn) ||
			     !(dev = pt_model_find(m, (uint16_t)(slot << 3 | fn)))))
			continue;
		dev->assigned = 1;
		if (host)
			snprintf(dev->host, sizeof(dev->host), "%.15s", host);
		if (nommap)
			dev->x_no_mmap = nommap->type == PT_JSON_TRUE;
	}
}

enum pt_vm_terms pt_analysis_terms(const struct pt_analysis *a)
{
	return truthy(pt_json_get(a->meta, "vm"), "libvirt") ? PT_TERMS_LIBVIRT : PT_TERMS_QEMU;
}

const char *pt_analysis_device_id(const struct pt_analysis *a, const char *host)
{
	const struct pt_json *devs = pt_json_get(a->meta, "devices");

	for (const struct pt_json *d = devs && host && *host ? devs->child : NULL; d; d = d->next) {
		const char *h = pt_json_get_str(d, "host"), *id = pt_json_get_str(d, "id");

		/* the model's host is the metadata's, as the command line gave it */
		if (h && id && *id && !strcmp(h, host))
			return id;
	}
	return NULL;
}
