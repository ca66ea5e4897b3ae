// SPDX-License-Identifier: GPL-2.0-or-later
/* pttrace: find out what a passed-through PCI device did before the guest crashed. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "usage.h"
#include "pt-plugins.h"
#include "pttrace.h"

#define MAX_PLUGIN_DIRS 8

#ifndef PT_PLUGINDIR
#define PT_PLUGINDIR "/usr/local/lib/pttrace/plugins"
#endif

static void plugin_note(void *ctx, const char *msg)
{
	(void)ctx;
	pt_error("%s", msg);
}

/*
 * The shipped plugins: build/plugins next to the binary in a source tree,
 * else ../lib/pttrace/plugins from the binary (an install under any PREFIX
 * or DESTDIR: the binary is not rebuilt when make install changes PREFIX),
 * else the directory configured at build time.
 */
static const char *builtin_plugin_dir(void)
{
	static const char *const relative[] = { "build/plugins", "../lib/pttrace/plugins" };
	static char dir[PATH_MAX];

	for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++)
		if (pt_exe_relative(relative[i], dir))
			return dir;
	return PT_PLUGINDIR;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct pt_cmd *cmd;
	int ambiguous;

	const char *plugin_dirs[MAX_PLUGIN_DIRS + 1] = { NULL };
	unsigned ndirs = 0;

	/* global options before the command */
	while (argc > 1) {
		int used = 1;

		if (!strcmp(argv[1], "--no-plugins")) {
			pt_plugins_disable();
		} else if (!strcmp(argv[1], "--plugin-dir") || !strncmp(argv[1], "--plugin-dir=", 13)) {
			const char *dir = argv[1][12] == '=' ? argv[1] + 13 : argc > 2 ? argv[2] : NULL;

			if (!dir || !*dir) {
				pt_error("--plugin-dir wants a directory");
				return PT_EXIT_ERROR;
			}
			if (ndirs == MAX_PLUGIN_DIRS) {
				pt_error("at most %d --plugin-dir", MAX_PLUGIN_DIRS);
				return PT_EXIT_ERROR;
			}
			plugin_dirs[ndirs++] = dir;
			used = argv[1][12] == '=' ? 1 : 2;
		} else {
			break;
		}
		argv[used] = argv[0];
		argv += used;
		argc -= used;
	}
	if (argc < 2) {
		pt_cmd_print_usage(&pt_cmd_help, stderr);
		return PT_EXIT_ERROR;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return pt_cmd_version.run(1, (char *[]){ "version", NULL });
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return pt_cmd_help.run(1, (char *[]){ "help", NULL });
	if (!strcmp(argv[1], "--list-cmds")) {
		size_t n;
		const struct pt_cmd *const *cmds = pt_cmds(&n);

		for (size_t i = 0; i < n; i++)
			printf("%s\n", cmds[i]->name);
		return PT_EXIT_OK;
	}
	/* for bash completion: what may follow `pttrace [CMD]` (usage.h) */
	if (!strcmp(argv[1], "--list-opts")) {
		if (argc > 2 && !(cmd = pt_cmd_lookup(argv[2], &ambiguous))) {
			pt_error("'%s' is not a pttrace command", argv[2]);
			return PT_EXIT_ERROR;
		}
		pt_usage_list_opts(stdout, argc > 2 ? cmd->usage : pt_cmd_help.usage,
				   argc > 2 ? cmd->name : NULL);
		return PT_EXIT_OK;
	}
	if (argv[1][0] == '-') {
		pt_error("unknown option '%s'\nTry 'pttrace help' for the commands.", argv[1]);
		return PT_EXIT_ERROR;
	}
	cmd = pt_cmd_lookup(argv[1], &ambiguous);
	if (!cmd) {
		if (ambiguous) {
			size_t n;
			const struct pt_cmd *const *cmds = pt_cmds(&n);

			pt_cmd_print_ambiguous(stderr, cmds, n, argv[1]);
		}
		else
			pt_error("'%s' is not a pttrace command. See 'pttrace help'.", argv[1]);
		return PT_EXIT_ERROR;
	}
	if (wants_help(argc - 1, argv + 1)) {
		pt_cmd_print_usage(cmd, stdout);
		return PT_EXIT_OK;
	}
	/* getopt's messages start with argv[0]: "pttrace record: option '--vm' requires ..." */
	{
		static char full[64];

		snprintf(full, sizeof(full), "pttrace %s", cmd->name);
		argv[1] = full;
	}
	if (cmd->uses_plugins)
		pt_plugins_load(builtin_plugin_dir(), plugin_dirs, plugin_note, NULL);
	{
		int rc = cmd->run(argc - 1, argv + 1);

		pt_plugins_unload();
		return rc;
	}
}
