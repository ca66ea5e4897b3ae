#include "cli.h"

static int check_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return PT_EXIT_ERROR;
}

const struct pt_cmd pt_cmd_check = {
	.name = "check",
	.summary = "lint a VM's pass-through set-up",
	.usage = "usage: pttrace check --vm <name>\n",
	.run = check_run,
	.flags = PT_CMD_PLANNED,
};
