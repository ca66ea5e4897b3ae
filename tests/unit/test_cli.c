// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

static void test_exact_and_prefix(void **state)
{
	int ambiguous;

	(void)state;
	assert_ptr_equal(pt_cmd_lookup("lab", &ambiguous), &pt_cmd_lab);
	assert_ptr_equal(pt_cmd_lookup("an", &ambiguous), &pt_cmd_analyze);
	assert_ptr_equal(pt_cmd_lookup("ve", &ambiguous), &pt_cmd_version);
	assert_false(ambiguous);
}

static const struct pt_cmd fake_record = { .name = "record" };
static const struct pt_cmd fake_report = { .name = "report" };
static const struct pt_cmd fake_re = { .name = "re" };
static const struct pt_cmd *const fake_table[] = { &fake_record, &fake_report };

static void test_unknown_and_ambiguous(void **state)
{
	int ambiguous;

	(void)state;
	assert_null(pt_cmd_lookup("frobnicate", &ambiguous));
	assert_false(ambiguous);
	assert_null(pt_cmd_lookup("", &ambiguous));
	assert_false(ambiguous);
	assert_null(pt_cmd_lookup("labx", &ambiguous));

	assert_null(pt_cmd_find(fake_table, 2, "re", &ambiguous));
	assert_true(ambiguous);
	assert_ptr_equal(pt_cmd_find(fake_table, 2, "rec", &ambiguous), &fake_record);
	assert_false(ambiguous);
	assert_ptr_equal(pt_cmd_find(fake_table, 2, "report", &ambiguous), &fake_report);
}

/* An exact name wins over being the prefix of another. */
static void test_exact_beats_prefix(void **state)
{
	const struct pt_cmd *const table[] = { &fake_record, &fake_re };
	int ambiguous;

	(void)state;
	assert_ptr_equal(pt_cmd_find(table, 2, "re", &ambiguous), &fake_re);
}

static void test_ambiguous_message(void **state)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	(void)state;
	pt_cmd_print_ambiguous(f, fake_table, 2, "re");
	fclose(f);
	assert_string_equal(buf, "pttrace: ambiguous command: re, could be: record, report\n");
	free(buf);
}

/* Every command carries a name, a summary and a usage that names it. */
static void test_table_complete(void **state)
{
	size_t n;
	const struct pt_cmd *const *cmds = pt_cmds(&n);

	(void)state;
	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(cmds[i]->name);
		assert_non_null(cmds[i]->summary);
		assert_non_null(strstr(cmds[i]->usage, cmds[i]->name));
		assert_non_null(cmds[i]->run);
		for (size_t j = 0; j < i; j++) {
			int ambiguous;

			assert_string_not_equal(cmds[i]->name, cmds[j]->name);
			/* two commands sharing a first letter make that letter ambiguous */
			if (cmds[i]->name[0] == cmds[j]->name[0]) {
				char one[2] = { cmds[i]->name[0], 0 };

				assert_null(pt_cmd_lookup(one, &ambiguous));
				assert_true(ambiguous);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_and_prefix),
		cmocka_unit_test(test_unknown_and_ambiguous),
		cmocka_unit_test(test_exact_beats_prefix),
		cmocka_unit_test(test_ambiguous_message),
		cmocka_unit_test(test_table_complete),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
