/*
 * QMP and the crash event through libvirt (collector/virt.c), without
 * recording: tests/lab/libvirt.sh runs it where /dev/kvm is missing and
 * the domain runs under TCG, which pttrace record refuses.
 *   virt-watch UUID SECONDS   prints query-pci's devices as "pci BUS:SLOT.FN
 *                             VENDOR:DEVICE BAR0", then waits up to SECONDS
 *                             for libvirt's crashed event: "crash: <event>"
 *                             (exit 0; "panicked: ..." before it when QEMU's
 *                             GUEST_PANICKED came through libvirt first), or
 *                             "no crash" (exit 1); 2 on errors
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../collector/virt.h"

static double num(const struct pt_json *o, const char *key)
{
	const struct pt_json *m = pt_json_get(o, key);

	return m && m->type == PT_JSON_NUMBER ? m->num : -1;
}

int main(int argc, char **argv)
{
	struct pt_virt_events ev;
	struct pt_json *pci = NULL;
	struct pt_virt *v;
	struct pt_err err;
	double seconds;

	if (argc != 3) {
		fprintf(stderr, "usage: virt-watch UUID SECONDS\n");
		return 2;
	}
	seconds = atof(argv[2]);
	v = pt_virt_open(NULL, argv[1], NULL, &err);
	if (!v) {
		fprintf(stderr, "virt-watch: %s\n", err.msg);
		return 2;
	}
	if (pt_virt_qmp(v, "{\"execute\": \"query-pci\"}", &pci, &err)) {
		fprintf(stderr, "virt-watch: %s\n", err.msg);
		pt_virt_close(v);
		return 2;
	}
	for (const struct pt_json *bus = pci->child; bus; bus = bus->next)
		for (const struct pt_json *d = pt_json_get(bus, "devices") ?
		     pt_json_get(bus, "devices")->child : NULL; d; d = d->next) {
			const struct pt_json *r = pt_json_get(d, "regions");

			printf("pci %02x:%02x.%x %04x:%04x %.0f\n", (int)num(d, "bus"), (int)num(d, "slot"),
			       (int)num(d, "function"), (int)num(pt_json_get(d, "id"), "vendor"),
			       (int)num(pt_json_get(d, "id"), "device"),
			       r && r->child ? num(r->child, "address") : -1);
		}
	fflush(stdout);
	pt_json_free(pci);
	for (double t = 0; t < seconds; t += 0.02) {
		if (pt_virt_poll(v, &ev, &err)) {
			fprintf(stderr, "virt-watch: %s\n", err.msg);
			break;
		}
		if (ev.panicked)
			printf("panicked: QMP GUEST_PANICKED through libvirt\n");
		if (ev.crashed) {
			printf("crash: libvirt lifecycle event: %s\n", ev.lifecycle);
			pt_virt_close(v);
			return 0;
		}
		usleep(20000);
	}
	printf("no crash\n");
	pt_virt_close(v);
	return 1;
}
