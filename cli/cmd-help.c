// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pttrace.h"

static int help_run(int argc, char **argv)
{
	const struct pt_cmd *cmd;
	const struct pt_cmd *const *cmds;
	size_t n;
	int ambiguous;

	if (argc > 2)
		return pt_die_usage(&pt_cmd_help, "too many arguments");
	if (argc == 2) {
		cmd = pt_cmd_lookup(argv[1], &ambiguous);
		if (!cmd) {
			pt_error(ambiguous ? "ambiguous command: %s" : "no such command: %s", argv[1]);
			return PT_EXIT_ERROR;
		}
		pt_cmd_print_usage(cmd, stdout);
		return PT_EXIT_OK;
	}
	pt_cmd_print_usage(&pt_cmd_help, stdout);
	printf("\nCommands:\n");
	cmds = pt_cmds(&n);
	for (size_t i = 0; i < n; i++)
		printf("   %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	printf("\nSee 'pttrace help <command>' or 'pttrace <command> --help' for one command.\n");
	return PT_EXIT_OK;
}

const struct pt_cmd pt_cmd_help = {
	.name = "help",
	.summary = "show the commands, or one command's manual",
	.usage =
	"usage: pttrace [--version] [--help] [--no-plugins] [--plugin-dir <dir>]...\n"
	"               <command> [<args>]\n"
	"       pttrace help [<command>]\n"
	"\n"
	"pttrace finds out what a PCI device passed through to a KVM guest was doing\n"
	"when the guest crashed: it records the VM's kvm events in a flight-recorder\n"
	"buffer, stops at the crash, and names the suspicious driver behaviour.\n"
	"\n"
	"Commands may be abbreviated to any unique prefix.\n"
	"\n"
	"    -V, --version       print the version\n"
	"    -h, --help          print this text; after a command, that command's\n"
	"    --no-plugins        load no device plugin (PTTRACE_NO_PLUGINS=1 too)\n"
	"    --plugin-dir <dir>  load the plugins of <dir> too, repeatable (as root the\n"
	"                        only way to add any: see 'pttrace plugins')\n"
	"\n"
	"Exit status: 0 success, 1 ran but the result is not the good one,\n"
	"2 error (bad usage, missing file, missing permission).\n",
	.run = help_run,
};
