// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "cli.h"
#include "pttrace.h"

static int version_run(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return pt_die_usage(&pt_cmd_version, "too many arguments");
	printf("pttrace version %s\n", PT_VERSION);
	return PT_EXIT_OK;
}

const struct pt_cmd pt_cmd_version = {
	.name = "version",
	.summary = "show the version",
	.usage =
	"usage: pttrace version\n"
	"       pttrace --version\n"
	"\n"
	"Prints the version of pttrace.\n",
	.run = version_run,
};
