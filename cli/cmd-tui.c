// SPDX-License-Identifier: GPL-2.0-or-later
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "pt-tui.h"
#include "pt-tui-screen.h"

int pt_cli_tui(const char *path, const struct pt_analysis_opts *opts)
{
	static struct pt_tui_index x;
	struct pt_err err;
	int rc = PT_EXIT_ERROR, r;

	/* a file that cannot be read fails here, before the screen is taken over */
	if (pt_tui_open(&x, path, opts, &err)) {
		pt_error("%s", err.msg);
		return rc;
	}
	if (!isatty(0) || !isatty(1)) {
		pt_error("tui needs a terminal; for a report, use 'pttrace analyze %s'", path);
	} else if ((r = pt_tui_run(&x, &err)) < 0) {
		pt_error("%s", err.msg);
	} else {
		rc = r ? 128 + r : PT_EXIT_OK;	/* a signal's number, as a shell says it */
	}
	pt_tui_close(&x);
	return rc;
}

static int tui_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "guest-elf", required_argument, NULL, 'g' },
		{ "vm", required_argument, NULL, 'v' },
		PT_CLI_ANALYSIS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct pt_analysis_opts opts = { .vcpu = -1 };
	struct pt_symbols *symbols = NULL;
	const char *hints[16];
	int c, rc = PT_EXIT_ERROR;

	opts.hints = hints;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'v')
			opts.vm = optarg;
		else if (c == 'g' ? pt_cli_guest_elf(&symbols, optarg) :
			 pt_cli_analysis_opt(&pt_cmd_tui, c, optarg, &opts))
			goto out;
	}
	if (optind != argc - 1) {
		rc = pt_die_usage(&pt_cmd_tui, "tui wants one trace file");
		goto out;
	}
	opts.symbols = symbols;
	rc = pt_cli_tui(argv[optind], &opts);
out:
	pt_symbols_free(symbols);
	return rc;
}

const struct pt_cmd pt_cmd_tui = {
	.name = "tui",
	.summary = "browse the events before a crash",
	.usage =
	"usage: pttrace tui [--guest-elf <file>[@<bias>]]... [--vm <pid>|<name>] [--window <s>]\n"
	"                   [--device <bdf>] [--vcpu <n>] [--at <time>]\n"
	"                   [--device <bdf>:<bar>=<gpa>[+<size>]] [--ecam <gpa>] [--jobs <n>]\n"
	"                   <file>\n"
	"       pttrace analyze --tui [the same options] <file>\n"
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
	"The options are pttrace analyze's: --guest-elf names the guest code behind\n"
	"each access (the detail pane and the findings show function+0xoff); --at\n"
	"puts the crash there; --window, --device and --vcpu narrow the findings as\n"
	"in the report, and --device and --vcpu open the event list filtered\n"
	"(dev= vcpu=; f with nothing clears it).  --window narrows the findings\n"
	"only: the event list, the timeline and the registers show the whole trace.\n"
	"--jobs <n> indexes the file on <n> threads (default: one per cpu online).\n"
	"\n"
	"NO_COLOR turns colours off.\n",
	.usage_more = pt_tui_print_keys,
	.run = tui_run,
	.uses_plugins = 1,
};
