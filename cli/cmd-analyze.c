#include "cli.h"

const struct pt_cmd pt_cmd_analyze = {
	.name = "analyze",
	.summary = "name the suspicious driver behaviour in a recorded crash",
	.usage =
	"usage: pttrace analyze <file>    (not built yet)\n"
	"\n"
	"Will read a trace.dat recorded around a guest crash and report what the\n"
	"guest driver did to its device that looks wrong, with the evidence.\n"
	"Until then, 'trace-cmd report <file>' shows the raw events.\n",
	.flags = PT_CMD_PLANNED,
};
