// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pt-tui.h"
#include "pt-tui-screen.h"

static int tui_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "guest-elf", required_argument, NULL, 'g' },
		{ "vm", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	static struct pt_tui_index x;
	struct pt_symbols *symbols = NULL;
	const char *path, *vm = NULL;
	struct pt_err err;
	int c, rc = PT_EXIT_ERROR;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'v') {
			vm = optarg;
			continue;
		}
		if (c != 'g') {
			pt_symbols_free(symbols);
			return pt_die_usage(&pt_cmd_tui, NULL);	/* getopt said why */
		}
		if (pt_cli_guest_elf(&symbols, optarg))
			goto out;
	}
	if (optind != argc - 1)
		goto usage;
	path = argv[optind];
	/* a file that cannot be read fails here, before the screen is taken over */
	if (pt_tui_open(&x, path, symbols, vm, &err)) {
		pt_error("%s", err.msg);
		goto out;
	}
	if (!isatty(0) || !isatty(1)) {
		pt_error("tui needs a terminal; for a report, use 'pttrace analyze %s'", path);
	} else if (pt_tui_run(&x, &err)) {
		pt_error("%s", err.msg);
	} else {
		rc = PT_EXIT_OK;
	}
	pt_tui_close(&x);
out:
	pt_symbols_free(symbols);
	return rc;
usage:
	pt_symbols_free(symbols);
	return pt_die_usage(&pt_cmd_tui, "tui wants one trace file");
}

const struct pt_cmd pt_cmd_tui = {
	.name = "tui",
	.summary = "browse the events before a crash",
	.usage =
	"usage: pttrace tui [--guest-elf <file>[@<bias>]]... [--vm <pid>|<name>] <file>\n"
	"       pttrace analyze --tui [--guest-elf <file>[@<bias>]]... <file>\n"
	"\n"
	"A terminal browser over a recorded crash, on the same analysis as\n"
	"pttrace analyze: the event list opened at the crash (time from the crash,\n"
	"vcpu, event, device and register, R/W, length, value), a detail pane with\n"
	"every field, the findings (Enter shows a finding's evidence, Enter again\n"
	"goes to the event), a timeline of each device's activity and the\n"
	"interrupt rate with the crash marked (a span selected there narrows the\n"
	"list), and the registers of every device. It shows the end of the file at\n"
	"once and indexes the rest while you look (16 bytes an event; records are\n"
	"read again as they are shown).\n"
	"\n"
	"--guest-elf names the guest code behind each access, as in pttrace\n"
	"analyze: the detail pane and the findings show function+0xoff.\n"
	"\n"
	"NO_COLOR turns colours off.\n",
	.usage_more = pt_tui_print_keys,
	.run = tui_run,
	.uses_plugins = 1,
};
