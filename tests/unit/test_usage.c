// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The usage texts read for the man pages and the completion (cli/usage.h):
 * a made-up text with every shape, then the real table's texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"
#include "usage.h"

static const char text[] =
	"usage: pttrace frob <file> [--json] [--at <time>] (--vm <name> | --pid <pid>)\n"
	"                    [-e <event>]... [--guest-elf <file>[@<bias>]]\n"
	"       pttrace frob run <scenario> [-q]\n"
	"       pttrace other --not-mine\n"
	"\n"
	"Some text that says -name <x> and --not-an-option in passing.\n"
	"\n"
	"list\n"
	"    Shows the things.\n"
	"\n"
	"Options:\n"
	"    -n, --name <vm>     the name, and a body that goes\n"
	"                        -on, here (not an option)\n"
	"        --long-one <bdf>:<bar>\n"
	"                        its body below\n"
	"  term  a term that is a word\n"
	"\n"
	"Exit status: 0 fine, 2 error.\n";

static char *list_opts(const char *usage, const char *name)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	pt_usage_list_opts(f, usage, name);
	fclose(f);
	return buf;
}

static void test_kinds(void **state)
{
	static const struct {
		enum pt_usage_kind kind;
		const char *start;
		size_t indent;
	} want[] = {
		{ PT_USAGE_SYNOPSIS, "pttrace frob <file>", 0 },
		{ PT_USAGE_SYNOPSIS, "[-e <event>]", 13 },
		{ PT_USAGE_SYNOPSIS, "pttrace frob run", 0 },
		{ PT_USAGE_SYNOPSIS, "pttrace other", 0 },
		{ PT_USAGE_BLANK, "", 0 },
		{ PT_USAGE_TEXT, "Some text", 0 },
		{ PT_USAGE_BLANK, "", 0 },
		{ PT_USAGE_TERM, "list", 0 },
		{ PT_USAGE_BODY, "Shows", 4 },
		{ PT_USAGE_BLANK, "", 0 },
		{ PT_USAGE_TEXT, "Options:", 0 },
		{ PT_USAGE_TERM, "-n, --name <vm>", 4 },
		{ PT_USAGE_BODY, "-on, here", 24 },
		{ PT_USAGE_TERM, "--long-one", 8 },
		{ PT_USAGE_BODY, "its body", 24 },
		{ PT_USAGE_TERM, "term", 2 },
		{ PT_USAGE_BLANK, "", 0 },
		{ PT_USAGE_TEXT, "Exit status", 0 },
	};
	struct pt_usage_iter it;
	struct pt_usage_line l;
	unsigned n = 0;

	(void)state;
	pt_usage_iter_init(&it, text);
	while (pt_usage_next(&it, &l)) {
		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_int_equal(l.kind, want[n].kind);
		assert_int_equal(l.indent, want[n].indent);
		assert_memory_equal(l.text, want[n].start, strlen(want[n].start));
		if (l.kind == PT_USAGE_TERM && l.text[0] == '-' && l.text[2] == ',') {
			assert_int_equal(l.term_len, strlen("-n, --name <vm>"));
			assert_non_null(l.body);
			assert_memory_equal(l.body, "the name, and a body that goes", l.body_len);
		}
		if (l.kind == PT_USAGE_TERM && l.text[1] == '-')
			assert_null(l.body);	/* --long-one: below */
		if (l.kind == PT_USAGE_TERM && l.text[0] == 't')
			assert_int_equal(l.term_len, 4);
		n++;
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
}

static void test_list_opts(void **state)
{
	char *got = list_opts(text, "frob");

	(void)state;
	assert_string_equal(got,
			    "<file>\n--json\n--at <time>\n--vm <name>\n--pid <pid>\n-e <event>\n"
			    "--guest-elf <file>\nrun <scenario>\n-q\n-n <vm>\n--name <vm>\n"
			    "--long-one <bdf>\n--help\n");
	free(got);
}

/* pttrace's own options: the forms that do not name a command */
static void test_list_opts_global(void **state)
{
	char *got = list_opts("usage: pttrace [--version] [--plugin-dir <dir>]...\n"
			      "               <command> [<args>]\n"
			      "       pttrace help [<command>] [--not-global]\n", NULL);

	(void)state;
	assert_string_equal(got, "--version\n--plugin-dir <dir>\n<command>\n<args>\n--help\n");
	free(got);
}

/* Each command's text has its synopsis, and its options listed come out. */
static void test_table_texts(void **state)
{
	const struct pt_cmd *const *cmds;
	size_t n;

	(void)state;
	cmds = pt_cmds(&n);
	for (size_t i = 0; i < n; i++) {
		struct pt_usage_iter it;
		struct pt_usage_line l;
		char *opts = list_opts(cmds[i]->usage, cmds[i]->name);

		pt_usage_iter_init(&it, cmds[i]->usage);
		assert_true(pt_usage_next(&it, &l));
		assert_int_equal(l.kind, PT_USAGE_SYNOPSIS);
		assert_memory_equal(l.text, "pttrace", 7);
		while (pt_usage_next(&it, &l)) {
			char want[64];

			if (l.kind != PT_USAGE_TERM || l.text[0] != '-' || l.text[1] != '-')
				continue;
			snprintf(want, sizeof(want), "%.*s", (int)strcspn(l.text, " ,\n"), l.text);
			if (!strstr(opts, want))
				fail_msg("%s: --list-opts lacks %s", cmds[i]->name, want);
		}
		free(opts);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_list_opts),
		cmocka_unit_test(test_list_opts_global),
		cmocka_unit_test(test_table_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
