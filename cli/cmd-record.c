#include "cli.h"

const struct pt_cmd pt_cmd_record = {
	.name = "record",
	.summary = "record a VM's kvm events until its guest crashes",
	.usage =
	"usage: pttrace record --vm <name> [-o <file>]    (not built yet)\n"
	"\n"
	"Will arm the kvm trace events of the VM in a flight-recorder ring buffer,\n"
	"stop at the guest's crash and write a trace.dat file. Until then, record\n"
	"with plain tracefs and trace-cmd as samples/record-traces.sh does.\n",
	.flags = PT_CMD_PLANNED,
};
