// SPDX-License-Identifier: GPL-2.0-or-later
/* The command table and its lookup, apart from main() so tests can use it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct pt_cmd *const commands[] = {
	&pt_cmd_analyze,
	&pt_cmd_check,
	&pt_cmd_diff,
	&pt_cmd_help,
	&pt_cmd_lab,
	&pt_cmd_plugins,
	&pt_cmd_record,
	&pt_cmd_report,
	&pt_cmd_tui,
	&pt_cmd_version,
	&pt_cmd_vms,
};

const struct pt_cmd *const *pt_cmds(size_t *count)
{
	*count = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct pt_cmd *pt_cmd_find(const struct pt_cmd *const *table, size_t n,
				 const char *name, int *ambiguous)
{
	const struct pt_cmd *found = NULL;
	size_t len = strlen(name);
	int matches = 0;

	*ambiguous = 0;
	if (!len)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(table[i]->name, name))
			return table[i];
		if (!strncmp(table[i]->name, name, len)) {
			found = table[i];
			matches++;
		}
	}
	if (matches > 1) {
		*ambiguous = 1;
		return NULL;
	}
	return found;
}

const struct pt_cmd *pt_cmd_lookup(const char *name, int *ambiguous)
{
	return pt_cmd_find(commands, sizeof(commands) / sizeof(commands[0]), name, ambiguous);
}

void pt_cmd_print_ambiguous(FILE *f, const struct pt_cmd *const *table, size_t n,
			    const char *name)
{
	const char *sep = "";

	fprintf(f, "pttrace: ambiguous command: %s, could be: ", name);
	for (size_t i = 0; i < n; i++) {
		if (!strncmp(table[i]->name, name, strlen(name))) {
			fprintf(f, "%s%s", sep, table[i]->name);
			sep = ", ";
		}
	}
	fputc('\n', f);
}

void pt_cmd_print_usage(const struct pt_cmd *cmd, FILE *f)
{
	fputs(cmd->usage, f);
	if (cmd->usage_more)
		cmd->usage_more(f);
}

void pt_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pttrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int pt_die_usage(const struct pt_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "pttrace %s: ", cmd->name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fprintf(stderr, "Try 'pttrace %s --help' for more information.\n", cmd->name);
	return PT_EXIT_ERROR;
}
