#include "cli.h"

const struct pt_cmd pt_cmd_tui = {
	.name = "tui",
	.summary = "browse the events before a crash",
	.usage =
	"usage: pttrace tui <file>    (not built yet)\n"
	"\n"
	"Will open a terminal browser over a recorded crash: events, findings,\n"
	"a timeline and per-device registers. Until then, KernelShark reads the\n"
	"same files.\n",
	.flags = PT_CMD_PLANNED,
};
