// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel functions that reset a host PCI device, which pttrace record
 * probes and the analyzer reads back (pt-hostreset.h).  Here, not in
 * collector/, because the reader needs the table too.
 */
#include <stdio.h>
#include <string.h>

#include "pt-hostreset.h"

const struct pt_hr_func pt_hr_funcs[] = {
	{ "pci_reset_function", PT_HR_ENTRY, "reset (pci_reset_function)", "dev->dev.kobj.name", 0 },
	{ "pci_try_reset_function", PT_HR_ENTRY, "reset (pci_try_reset_function)",
	  "dev->dev.kobj.name", 0 },
	{ "__pci_reset_function_locked", PT_HR_ENTRY, "reset (__pci_reset_function_locked)",
	  "dev->dev.kobj.name", 0 },
	{ "pci_reset_bus", PT_HR_ENTRY, "bus reset (pci_reset_bus)", "pdev->dev.kobj.name", 0 },
	{ "pcie_flr", PT_HR_METHOD, "function level reset (FLR)", "dev->dev.kobj.name", 0 },
	{ "pci_af_flr", PT_HR_METHOD, "function level reset (AF FLR)", "dev->dev.kobj.name", 1 },
	{ "pci_pm_reset", PT_HR_METHOD, "D3hot->D0 reset", "dev->dev.kobj.name", 1 },
	/* its device is the bridge: every function under it is reset */
	{ "pci_bridge_secondary_bus_reset", PT_HR_METHOD, "secondary bus reset",
	  "dev->dev.kobj.name", 0 },
	{ "vfio_pci_core_enable", PT_HR_VFIO_OPEN, "opened by vfio (a VM starts)",
	  "vdev->pdev->dev.kobj.name", 0 },
	{ "vfio_pci_core_disable", PT_HR_VFIO_CLOSE, "closed by vfio (a VM ends)",
	  "vdev->pdev->dev.kobj.name", 0 },
};

const unsigned pt_hr_nfuncs = sizeof(pt_hr_funcs) / sizeof(pt_hr_funcs[0]);

int pt_hr_probe_pid(const char *name, const char **function)
{
	size_t n = strlen(PT_HR_PROBE_PREFIX);
	int pid, len = 0;

	if (strncmp(name, PT_HR_PROBE_PREFIX, n) || sscanf(name + n, "%d_%n", &pid, &len) != 1 ||
	    pid <= 0 || !len)
		return -1;
	*function = name + n + len;
	return pid;
}

int pt_hr_find(const char *symbol)
{
	for (unsigned i = 0; i < pt_hr_nfuncs; i++)
		if (!strcmp(pt_hr_funcs[i].symbol, symbol))
			return i;
	return -1;
}

