// SPDX-License-Identifier: GPL-2.0-or-later
/* Building pttrace's metadata for a recording (docs/record-metadata.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "meta-build.h"

static void str(FILE *f, const char *key, const char *v, int comma)
{
	fprintf(f, "%s\"%s\": ", comma ? ", " : "", key);
	pt_json_put_str(f, v ? v : "");
}

static double num_of(const struct pt_json *obj, const char *key)
{
	const struct pt_json *m = pt_json_get(obj, key);

	return m && m->type == PT_JSON_NUMBER ? m->num : -1;
}

static void pci_device(FILE *f, const struct pt_json *d, int *first)
{
	const struct pt_json *id = pt_json_get(d, "id");
	const struct pt_json *cls = pt_json_get(d, "class_info");
	const struct pt_json *regions = pt_json_get(d, "regions");
	const char *qdev = pt_json_get_str(d, "qdev_id");
	int rfirst = 1;

	fprintf(f, "%s\n    {\"bdf\": \"%02x:%02x.%x\", \"vendor\": %.0f, \"device\": %.0f, "
		"\"class\": %.0f", *first ? "" : ",", (int)num_of(d, "bus"),
		(int)num_of(d, "slot"), (int)num_of(d, "function"), num_of(id, "vendor"),
		num_of(id, "device"), num_of(cls, "class"));
	str(f, "qdev_id", qdev, 1);
	fprintf(f, ", \"bars\": [");
	for (const struct pt_json *r = regions ? regions->child : NULL; r; r = r->next) {
		const char *type = pt_json_get_str(r, "type");

		fprintf(f, "%s{\"bar\": %.0f, \"type\": \"%s\", \"address\": %.0f, "
			"\"size\": %.0f}", rfirst ? "" : ", ", num_of(r, "bar"),
			type && !strcmp(type, "io") ? "io" : "memory",
			num_of(r, "address"), num_of(r, "size"));
		rfirst = 0;
	}
	fprintf(f, "]}");
	*first = 0;
}

/* QEMU's query-pci, bus by bus, as guest BDFs with their BARs; bridges' buses too. */
static void pci_bus_devices(FILE *f, const struct pt_json *devs, int *first, int depth)
{
	for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
		const struct pt_json *bridge = pt_json_get(d, "pci_bridge");

		pci_device(f, d, first);
		if (bridge && depth < 8)
			pci_bus_devices(f, pt_json_get(bridge, "devices"), first, depth + 1);
	}
}

static void pci_devices(FILE *f, const struct pt_json *buses)
{
	int first = 1;

	for (const struct pt_json *bus = buses ? buses->child : NULL; bus; bus = bus->next)
		pci_bus_devices(f, pt_json_get(bus, "devices"), &first, 0);
}

/* kvm_page_fault's BAR filters, each with the BARs it covered and from when. */
static void page_faults(FILE *f, const struct pt_meta_page_faults *pf)
{
	fprintf(f, ",\n  \"page_faults\": {\"event\": \"kvm:kvm_page_fault\"");
	str(f, "field", pf->field, 1);
	if (pf->paging)
		str(f, "paging", pf->paging, 1);
	fprintf(f, ", \"armed\": %s", pf->armed ? "true" : "false");
	if (!pf->armed)
		str(f, "reason", pf->reason, 1);
	fprintf(f, ", \"truncated\": %s, \"filters\": [", pf->truncated ? "true" : "false");
	for (unsigned i = 0; i < pf->nfilters; i++) {
		const struct pt_meta_bar_filter *h = &pf->filters[i];

		fprintf(f, "%s\n    {\"at\": %.6f", i ? "," : "", h->at);
		str(f, "scope", h->scope, 1);
		str(f, "filter", h->filter, 1);
		fprintf(f, ", \"ranges\": [");
		for (size_t j = 0; j < h->nranges; j++) {
			const struct pt_bar_range *b = &h->ranges[j];

			fprintf(f, "%s{", j ? ", " : "");
			str(f, "bdf", b->bdf, 0);
			fprintf(f, ", \"bar\": %d, \"start\": %llu, \"end\": %llu}", b->bar,
				(unsigned long long)b->start, (unsigned long long)b->end);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}");
}

static void str_list(FILE *f, const char *key, const char *const *v, unsigned n)
{
	fprintf(f, ", \"%s\": [", key);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "%s", i ? ", " : "");
		pt_json_put_str(f, v[i]);
	}
	fprintf(f, "]");
}

/* The host's resets of the assigned devices: how they were recorded, or why not. */
static void host_resets(FILE *f, const struct pt_meta_host_resets *hr)
{
	fprintf(f, ",\n  \"host_resets\": {\"recorded\": %s", hr->recorded ? "true" : "false");
	if (!hr->recorded)
		str(f, "reason", hr->reason, 1);
	fprintf(f, ", \"named\": %s", hr->named ? "true" : "false");
	if (hr->recorded && !hr->named)
		str(f, "unnamed", hr->unnamed_why, 1);
	str_list(f, "probes", hr->probes, hr->nprobes);
	str_list(f, "missing", hr->missing, hr->nmissing);
	fprintf(f, ", \"devices\": [");
	for (unsigned i = 0; i < hr->ndevs; i++) {
		fprintf(f, "%s{", i ? ", " : "");
		str(f, "host", hr->devs[i], 0);
		str(f, "bridge", hr->bridges[i], 1);
		fprintf(f, "}");
	}
	fprintf(f, "], \"vm_started\": %.6f}", hr->vm_started);
}

char *pt_meta_build(const struct pt_vm *vm, const struct pt_json *query_pci,
		    const struct pt_meta_recording *rec)
{
	struct utsname u;
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	uname(&u);
	fprintf(f, "{\"pttrace_metadata\": 1,\n \"vm\": {");
	str(f, "name", vm->name, 0);
	fprintf(f, ", \"pid\": %d, \"libvirt\": %s, \"vcpus\": %d", (int)vm->pid,
		vm->libvirt ? "true" : "false", vm->nvcpus ? (int)vm->nvcpus : vm->smp);
	str(f, "qemu", vm->exe, 1);
	fprintf(f, ", \"pvpanic\": %s, \"hv_crash\": %s", vm->pvpanic ? "true" : "false",
		vm->hv_crash ? "true" : "false");
	if (vm->libvirt) {
		fprintf(f, ", \"domain\": ");
		pt_domain_put_json(f, &vm->dom);
	}
	fprintf(f, "},\n \"host\": {");
	str(f, "kernel", u.release, 0);
	str(f, "machine", u.machine, 1);
	fprintf(f, "},\n \"recording\": {");
	str(f, "mode", rec->stream ? "stream" : "flight-recorder", 0);
	str(f, "qmp", rec->qmp ? rec->qmp : "", 1);
	fprintf(f, ", \"buffer_kb\": %u, \"overwritten\": %llu, \"dropped\": %llu, \"events\": [",
		rec->buffer_kb, rec->overwritten, rec->dropped);
	for (unsigned i = 0; i < rec->nevents; i++) {
		fprintf(f, "%s", i ? ", " : "");
		pt_json_put_str(f, rec->events[i]);
	}
	fprintf(f, "], \"missing\": [");
	for (unsigned i = 0; i < rec->nmissing; i++) {
		fprintf(f, "%s", i ? ", " : "");
		pt_json_put_str(f, rec->missing[i]);
	}
	fprintf(f, "], \"triggers\": [");
	for (unsigned i = 0; i < rec->ntriggers; i++) {
		fprintf(f, "%s", i ? ", " : "");
		pt_json_put_str(f, rec->triggers[i]);
	}
	fprintf(f, "]");
	if (rec->page_faults)
		page_faults(f, rec->page_faults);
	if (rec->host_resets)
		host_resets(f, rec->host_resets);
	fprintf(f, "},\n \"devices\": [");
	for (unsigned i = 0; i < vm->ndev; i++) {
		const struct pt_vm_device *d = &vm->dev[i];

		fprintf(f, "%s\n    {", i ? "," : "");
		str(f, "driver", d->driver, 0);
		str(f, "id", d->id, 1);
		str(f, "addr", d->addr, 1);
		fprintf(f, ", \"assigned\": %s", d->assigned ? "true" : "false");
		if (d->x_no_mmap >= 0)
			fprintf(f, ", \"x_no_mmap\": %s", d->x_no_mmap ? "true" : "false");
		if (d->host[0]) {
			struct pt_hostdev h;

			str(f, "host", d->host, 1);
			if (!pt_hostdev_read(rec->sysroot, d->host, &h) && h.present) {
				fprintf(f, ", \"host_vendor\": %u, \"host_device\": %u, \"iommu_group\": %d",
					h.vendor, h.device, h.iommu_group);
				str(f, "host_driver", h.driver, 1);
				fprintf(f, ", \"group\": [");
				for (unsigned g = 0; g < h.ngroup; g++) {
					fprintf(f, "%s", g ? ", " : "");
					pt_json_put_str(f, h.group[g]);
				}
				fprintf(f, "]");
			}
		}
		fprintf(f, "}");
	}
	fprintf(f, "],\n \"pci\": [");
	pci_devices(f, query_pci);
	fprintf(f, "]");
	/* as QEMU sent it: hv-crash's bugcheck code and parameters are in its "info" */
	if (rec->guest_panicked) {
		fprintf(f, ",\n \"guest_panicked\": ");
		pt_json_put(f, rec->guest_panicked);
	}
	fprintf(f, "}\n");
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
