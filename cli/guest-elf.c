// SPDX-License-Identifier: GPL-2.0-or-later
/* --guest-elf, shared by analyze and tui. */
#include "cli.h"
#include "pt-symbols.h"

int pt_cli_guest_elf(struct pt_symbols **symbols, const char *spec)
{
	char note[600];
	struct pt_err err;

	if (!*symbols && !(*symbols = pt_symbols_new())) {
		pt_error("cannot read '%s': out of memory", spec);
		return PT_EXIT_ERROR;
	}
	if (pt_symbols_add(*symbols, spec, note, sizeof(note), &err) < 0) {
		pt_error("%s", err.msg);
		return PT_EXIT_ERROR;
	}
	if (note[0])
		pt_error("note: %s", note);
	return PT_EXIT_OK;
}
