// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pt-analyze.h"
#include "pt-plugins.h"

static int plugins_run(int argc, char **argv)
{
	const struct pt_loaded_plugin *list;
	unsigned n = pt_plugins_list(&list);
	struct pt_detector_info dets[64];
	unsigned ndets = pt_analysis_detectors(dets, 64);

	(void)argv;
	if (argc > 1)
		return pt_die_usage(&pt_cmd_plugins, "plugins takes no argument");
	if (pt_plugins_disabled()) {
		printf("plugins are off (--no-plugins or PTTRACE_NO_PLUGINS)\n");
		return PT_EXIT_OK;
	}
	if (!n)
		printf("no plugin loaded\n");
	for (unsigned i = 0; i < n; i++) {
		const struct pt_plugin *p = list[i].plugin;

		printf("%-10s %s\n", p->name, list[i].path);
		printf("%-10s %s\n", "", p->description ? p->description : "");
		for (const struct pt_plugin_device *d = p->devices; d && d->name; d++) {
			unsigned regs = 0;

			for (const struct pt_plugin_reg *r = d->regs; r && r->name; r++)
				regs++;
			printf("%-10s   ", "");
			if (d->vendor == PT_PLUGIN_ANY)
				printf("any vendor");
			else if (d->device == PT_PLUGIN_ANY)
				printf("%04x:*", d->vendor);
			else
				printf("%04x:%04x", d->vendor, d->device);
			if (d->class_mask)
				printf(" class %06x", d->class_code);
			printf("  %s, %u registers\n", d->name, regs);
		}
		for (unsigned d = 0; d < ndets && d < 64; d++)
			if (dets[d].plugin && !strcmp(dets[d].plugin, p->name))
				printf("%-10s   detector %s: %s\n", "", dets[d].name, dets[d].summary);
	}
	printf("config space: built in (standard header, PM, MSI, MSI-X, PCI Express)\n");
	return PT_EXIT_OK;
}

const struct pt_cmd pt_cmd_plugins = {
	.name = "plugins",
	.summary = "list the device plugins loaded, and from where",
	.usage =
	"usage: pttrace plugins\n"
	"\n"
	"Lists the device plugins pttrace loaded: their files, the devices they\n"
	"describe and the detectors they add. Plugins are searched in the installed\n"
	"plugin directory, then each 'pttrace --plugin-dir DIR', then (not as root)\n"
	"$PTTRACE_PLUGIN_DIR and ~/.local/lib/pttrace/plugins; 'pttrace --no-plugins\n"
	"...' or PTTRACE_NO_PLUGINS=1 loads none. Only directories and files owned by\n"
	"root or you, that no one else can write, are used. A plugin built for another\n"
	"plugin API version is refused, and one that crashes in its init is named and\n"
	"left out, each with a message. Only analyze, tui and plugins load plugins.\n"
	"The ABI is include/pttrace-plugin.h (installed with make install).\n",
	.run = plugins_run,
	.uses_plugins = 1,
};
