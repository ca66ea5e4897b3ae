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

/* QEMU's query-pci, bus by bus, as guest BDFs with their BARs. */
static void pci_devices(FILE *f, const struct pt_json *buses)
{
	int first = 1;

	for (const struct pt_json *bus = buses ? buses->child : NULL; bus; bus = bus->next) {
		const struct pt_json *devs = pt_json_get(bus, "devices");

		for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
			const struct pt_json *id = pt_json_get(d, "id");
			const struct pt_json *cls = pt_json_get(d, "class_info");
			const struct pt_json *regions = pt_json_get(d, "regions");
			const char *qdev = pt_json_get_str(d, "qdev_id");
			int rfirst = 1;

			fprintf(f, "%s\n    {\"bdf\": \"%02x:%02x.%x\", \"vendor\": %.0f, \"device\": %.0f, "
				"\"class\": %.0f", first ? "" : ",", (int)num_of(d, "bus"),
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
			first = 0;
		}
	}
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
	fprintf(f, ", \"pvpanic\": %s, \"hv_crash\": %s},\n \"host\": {", vm->pvpanic ? "true" : "false",
		vm->hv_crash ? "true" : "false");
	str(f, "kernel", u.release, 0);
	str(f, "machine", u.machine, 1);
	fprintf(f, "},\n \"recording\": {");
	str(f, "mode", rec->stream ? "stream" : "flight-recorder", 0);
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
	fprintf(f, "]},\n \"devices\": [");
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
	fprintf(f, "]}\n");
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
