// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pt-json.h"
#include "pt-vm.h"

static void devices_str(const struct pt_vm *vm, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < vm->ndev && n < size; i++) {
		const struct pt_vm_device *d = &vm->dev[i];

		n += snprintf(buf + n, size - n, "%s%s%s%s%s%s", i ? ", " : "", d->driver,
			      d->host[0] ? " host=" : "", d->host, d->addr[0] ? " addr=" : "", d->addr);
	}
}

static void vcpus_str(const struct pt_vm *vm, char *buf, size_t size)
{
	if (vm->nvcpus)
		snprintf(buf, size, "%u", vm->nvcpus);
	else
		snprintf(buf, size, "%d", vm->smp);
}

/* The second lines of a libvirt domain: what its live XML says. */
static void print_domain(const struct pt_vm *vm)
{
	const struct pt_domain *dom = &vm->dom;

	if (!vm->libvirt)
		return;
	if (!dom->have_xml) {
		printf("%-46s libvirt: %s\n", "", dom->xml_error[0] ? dom->xml_error : "no live XML");
		return;
	}
	printf("%-46s libvirt: domain id %d, uuid %s, on_crash %s, panic ", "", dom->id, dom->uuid,
	       dom->on_crash);
	for (unsigned p = 0; p < dom->npanic; p++)
		printf("%s%s", p ? ", " : "", dom->panic[p]);
	printf("%s\n", dom->npanic ? "" : "none");
	for (unsigned h = 0; h < dom->nhostdev; h++) {
		const struct pt_dom_hostdev *hd = &dom->hostdev[h];

		printf("%-46s hostdev: %s -> guest %s (%s, %s%s)\n", "", hd->host,
		       hd->guest[0] ? hd->guest : "auto", hd->alias[0] ? hd->alias : "no alias",
		       hd->managed ? "managed" : "not managed",
		       hd->multifunction ? ", multifunction" : "");
	}
}

static void print_json(const struct pt_vm *vms, unsigned n)
{
	printf("[");
	for (unsigned i = 0; i < n; i++) {
		const struct pt_vm *vm = &vms[i];

		printf("%s\n  {\"name\": ", i ? "," : "");
		pt_json_put_str(stdout, vm->name);
		printf(", \"pid\": %d, \"libvirt\": %s, \"vcpus\": %d, \"threads\": [", (int)vm->pid,
		       vm->libvirt ? "true" : "false", vm->nvcpus ? (int)vm->nvcpus : vm->smp);
		for (unsigned t = 0; t < vm->nthreads; t++)
			printf("%s%d", t ? ", " : "", (int)vm->threads[t]);
		printf("], \"qmp\": [");
		for (unsigned q = 0; q < vm->nqmp; q++) {
			printf("%s", q ? ", " : "");
			pt_json_put_str(stdout, vm->qmp[q]);
		}
		printf("], \"devices\": [");
		for (unsigned d = 0; d < vm->ndev; d++) {
			printf("%s{\"driver\": ", d ? ", " : "");
			pt_json_put_str(stdout, vm->dev[d].driver);
			printf(", \"host\": ");
			pt_json_put_str(stdout, vm->dev[d].host);
			printf(", \"addr\": ");
			pt_json_put_str(stdout, vm->dev[d].addr);
			printf(", \"assigned\": %s}", vm->dev[d].assigned ? "true" : "false");
		}
		printf("], \"domain\": ");
		pt_domain_put_json(stdout, &vm->dom);
		printf("}");
	}
	printf("\n]\n");
}

static int vms_run(int argc, char **argv)
{
	const char *sysroot = NULL;
	int json = 0;
	struct pt_vm *vms;
	struct pt_err err;
	unsigned n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--sysroot") && i + 1 < argc)
			sysroot = argv[++i];
		else
			return pt_die_usage(&pt_cmd_vms, "unknown argument '%s'", argv[i]);
	}
	if (pt_vm_scan(sysroot, &vms, &n, &err)) {
		pt_error("%s", err.msg);
		return PT_EXIT_ERROR;
	}
	if (json) {
		print_json(vms, n);
	} else if (!n) {
		printf("no QEMU process is running\n");
	} else {
		printf("%-20s %8s %6s %8s  %s\n", "NAME", "PID", "VCPUS", "THREADS", "DEVICES");
		for (unsigned i = 0; i < n; i++) {
			char devs[512], vcpus[16];

			devices_str(&vms[i], devs, sizeof(devs));
			vcpus_str(&vms[i], vcpus, sizeof(vcpus));
			printf("%-20s %8d %6s %8u  %s%s\n", vms[i].name[0] ? vms[i].name : "-",
			       (int)vms[i].pid, vcpus, vms[i].nthreads, devs,
			       vms[i].libvirt ? " (libvirt)" : "");
			print_domain(&vms[i]);
		}
	}
	free(vms);
	return PT_EXIT_OK;
}

const struct pt_cmd pt_cmd_vms = {
	.name = "vms",
	.summary = "list the running VMs pttrace can record",
	.usage =
	"usage: pttrace vms [--json] [--sysroot <dir>]\n"
	"\n"
	"Lists the QEMU processes running on this host, whoever started them (by\n"
	"hand, a script, libvirt): their -name, pid, vcpus (from -smp, or the\n"
	"threads' names with -name ...,debug-threads=on), thread count and PCI\n"
	"devices, with host= for passed-through ones.  A libvirt domain (found by\n"
	"its pid file in /run/libvirt/qemu) gets a line from its live XML: domain\n"
	"id, UUID, on_crash and <panic> models, and one per <hostdev>: host and\n"
	"guest address, alias, managed, multifunction.  QEMU's -device is read in\n"
	"both forms, driver,key=val and the JSON libvirt writes.\n"
	"\n"
	"    --json            the list as JSON\n"
	"    --sysroot <dir>   read <dir>/proc and <dir>/sys instead (for tests)\n",
	.run = vms_run,
};
