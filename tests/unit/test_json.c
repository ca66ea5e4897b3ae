// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-json.h"

static struct pt_json *parse(const char *s, struct pt_err *err)
{
	return pt_json_parse(s, strlen(s), err);
}

static void test_qmp_event(void **state)
{
	struct pt_err err;
	struct pt_json *j = parse("{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5},"
				  " \"event\": \"SHUTDOWN\", \"data\": {\"guest\": true,"
				  " \"reason\": \"guest-reset\"}}\r\n", &err);

	(void)state;
	assert_non_null(j);
	assert_string_equal(pt_json_get_str(j, "event"), "SHUTDOWN");
	assert_string_equal(pt_json_get_str(pt_json_get(j, "data"), "reason"), "guest-reset");
	assert_int_equal(pt_json_get(pt_json_get(j, "data"), "guest")->type, PT_JSON_TRUE);
	assert_true(pt_json_get(pt_json_get(j, "timestamp"), "seconds")->num == 1700000000.0);
	assert_null(pt_json_get(j, "missing"));
	assert_null(pt_json_get_str(j, "data"));	/* not a string */
	assert_null(pt_json_get(pt_json_get(j, "missing"), "x"));	/* chains on NULL */
	pt_json_free(j);
}

static void test_array_and_escapes(void **state)
{
	struct pt_err err;
	struct pt_json *j = parse("[1, -2.5e1, \"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\", null, false, []]", &err);
	const struct pt_json *e;

	(void)state;
	assert_non_null(j);
	assert_int_equal(j->type, PT_JSON_ARRAY);
	e = j->child;
	assert_true(e->num == 1.0);
	e = e->next;
	assert_true(e->num == -25.0);
	e = e->next;
	assert_string_equal(e->str, "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80");
	e = e->next;
	assert_int_equal(e->type, PT_JSON_NULL);
	e = e->next;
	assert_int_equal(e->type, PT_JSON_FALSE);
	e = e->next;
	assert_int_equal(e->type, PT_JSON_ARRAY);
	assert_null(e->child);
	assert_null(e->next);
	pt_json_free(j);
}

static void test_bad_input(void **state)
{
	static const char *bad[] = {
		"", "{", "{\"a\" 1}", "{\"a\": 1,}", "[1 2]", "\"unterminated", "tru",
		"{\"a\": 1} x", "\"bad \\q escape\"", "[\"\\u12\"]", "-", "{1: 2}",
	};
	struct pt_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = 0;
		assert_null(parse(bad[i], &err));
		assert_non_null(strstr(err.msg, "invalid JSON"));
	}
}

static void test_depth_limit(void **state)
{
	char deep[200];
	struct pt_err err;

	(void)state;
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	assert_null(parse(deep, &err));
	assert_non_null(strstr(err.msg, "nested too deeply"));
}

/* QEMU's 64-bit values (hv-crash's bugcheck parameters) stay exact: a double has 53 bits. */
static void test_u64_exact(void **state)
{
	struct pt_err err;
	struct pt_json *j = parse("{\"p3\": 18446744072635809946, \"max\": 18446744073709551615, "
				  "\"over\": 18446744073709551616, \"neg\": -1, \"frac\": 1.5, "
				  "\"exp\": 1e3, \"str\": \"5\"}", &err);
	char *out = NULL;
	size_t size = 0;
	uint64_t v = 0;
	FILE *f;

	(void)state;
	assert_non_null(j);
	assert_int_equal(pt_json_get_u64(j, "p3", &v), 0);
	assert_int_equal(v, 0xffffffffc000009aull);
	assert_int_equal(pt_json_get_u64(j, "max", &v), 0);
	assert_int_equal(v, ~0ull);
	assert_int_equal(pt_json_get_u64(j, "over", &v), -1);
	assert_int_equal(pt_json_get_u64(j, "neg", &v), -1);
	assert_int_equal(pt_json_get_u64(j, "frac", &v), -1);
	assert_int_equal(pt_json_get_u64(j, "exp", &v), -1);
	assert_int_equal(pt_json_get_u64(j, "str", &v), -1);
	assert_int_equal(pt_json_get_u64(j, "missing", &v), -1);
	assert_true(pt_json_get(j, "neg")->num == -1.0);
	/* written back as it came */
	f = open_memstream(&out, &size);
	pt_json_put(f, pt_json_get(j, "p3"));
	fclose(f);
	assert_string_equal(out, "18446744072635809946");
	free(out);
	pt_json_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qmp_event),
		cmocka_unit_test(test_array_and_escapes),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_u64_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
