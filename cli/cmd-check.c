// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pt-check.h"

static void print_item(void *ctx, const struct pt_check_item *item)
{
	static const char *const levels[] = { "ok", "note", "warning", "error" };

	(void)ctx;
	printf("%-8s %-13s %s\n", levels[item->level], item->rule, item->what);
	if (item->advice[0])
		printf("%-8s %-13s -> %s\n", "", "", item->advice);
}

static int check_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vm", required_argument, NULL, 'v' },
		{ "pid", required_argument, NULL, 'p' },
		{ "sysroot", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *sysroot = NULL;
	enum pt_check_level worst;
	struct pt_vm vm;
	struct pt_err err;
	pid_t pid = 0;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "v:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'v':
			name = optarg;
			break;
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0)
				return pt_die_usage(&pt_cmd_check, "--pid wants a process id, not '%s'", optarg);
			break;
		case 'S':
			sysroot = optarg;
			break;
		default:
			return pt_die_usage(&pt_cmd_check, NULL);	/* getopt said why */
		}
	}
	if (name && pid)
		return pt_die_usage(&pt_cmd_check, "--vm and --pid are exclusive: give one");
	if (optind != argc || (!name && !pid))
		return pt_die_usage(&pt_cmd_check, "check wants --vm NAME or --pid PID");
	if (pt_vm_find(sysroot, name, pid, &vm, &err)) {
		pt_error("%s", err.msg);
		return PT_EXIT_ERROR;
	}
	if (vm.dom.have_xml)
		printf("VM '%s' (pid %d, libvirt domain id %d, uuid %s)\n", vm.name, (int)vm.pid,
		       vm.dom.id, vm.dom.uuid);
	else
		printf("VM '%s' (pid %d%s)\n", vm.name, (int)vm.pid, vm.libvirt ? ", libvirt" : "");
	worst = pt_check_vm(sysroot, &vm, print_item, NULL);
	return worst >= PT_CHECK_WARNING ? PT_EXIT_FAILURE : PT_EXIT_OK;
}

const struct pt_cmd pt_cmd_check = {
	.name = "check",
	.summary = "lint a VM's pass-through set-up",
	.usage =
	"usage: pttrace check (--vm <name> | --pid <pid>) [--sysroot <dir>]\n"
	"\n"
	"Reads the VM's command line (and for a libvirt domain its live XML,\n"
	"/run/libvirt/qemu/NAME.xml) and the host's sysfs and says what in its\n"
	"pass-through set-up is known to cause trouble or to hide it from pttrace.\n"
	"--vm takes the VM's name, or a libvirt domain's UUID or id.  The advice\n"
	"is in the VM's own terms: domain XML for a libvirt domain, QEMU's\n"
	"command line otherwise.\n"
	"  multifunction  the functions of one host device (a GPU and its HDMI audio)\n"
	"                 split over guest slots or renumbered\n"
	"  driver         an assigned device not bound to vfio-pci or pci-stub\n"
	"  iommu-group    an IOMMU group shared with a device the VM does not have\n"
	"  reset          an assigned device the host cannot reset between VM runs: no\n"
	"                 FLR (PCIe DevCap, reset_method), No_Soft_Reset in PMCSR, a\n"
	"                 bus reset that would take other devices with it\n"
	"  mmap           BARs mmapped into the guest: tracing cannot see the accesses\n"
	"                 (x-no-mmap=on for a debugging run)\n"
	"  crash-signal   no pvpanic and no hv-crash (libvirt: no <panic>): the\n"
	"                 recorder cannot stop exactly at a guest panic\n"
	"  domain-xml     libvirt runs the VM but its live XML cannot be read\n"
	"  on-crash       libvirt destroys or restarts the guest at its panic\n"
	"                 (<on_crash>preserve</on_crash> keeps it for a look)\n"
	"\n"
	"    --sysroot <dir>   read <dir>/proc and <dir>/sys instead (for tests)\n"
	"\n"
	"Exit status: 0 nothing worse than a note, 1 warnings or errors, 2 error.\n",
	.run = check_run,
};
