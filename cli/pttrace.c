/* pttrace: find out what a passed-through PCI device did before the guest crashed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pttrace.h"

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
	argv[1] = (char *)cmd->name;
	return cmd->run(argc - 1, argv + 1);
}
