// SPDX-License-Identifier: GPL-2.0-or-later
/* Guest symbol lookup (analyzer/symbols.c) on the committed lab guest ELF. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-symbols.h"

#define ELF "samples/traces/pttrace-rip/pttrace-lab.elf"
#define STRAY 0x1018f0	/* nm: scenario_stray_mmio */

static void test_names(void **state)
{
	struct pt_symbols *s = pt_symbols_new();
	struct pt_err err;
	char note[256], buf[128];

	(void)state;
	assert_true(pt_symbols_add(s, ELF, note, sizeof(note), &err) > 10);
	assert_string_equal(note, "");
	assert_int_equal(pt_symbols_name(s, STRAY, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "scenario_stray_mmio+0x0");
	assert_int_equal(pt_symbols_name(s, STRAY + 0x87, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "scenario_stray_mmio+0x87");
	/* below the first symbol, and in no sized function */
	assert_int_equal(pt_symbols_name(s, 0x1000, buf, sizeof(buf)), -1);
	assert_int_equal(pt_symbols_name(s, 0xfffff000, buf, sizeof(buf)), -1);
	pt_symbols_str(s, 0x1000, buf, sizeof(buf));
	assert_string_equal(buf, "0x1000");
	pt_symbols_free(s);
}

static void test_bias(void **state)
{
	struct pt_symbols *s = pt_symbols_new();
	struct pt_err err;
	char note[256], buf[128];

	(void)state;
	assert_true(pt_symbols_add(s, ELF "@0x10000000", note, sizeof(note), &err) > 10);
	assert_int_equal(pt_symbols_name(s, 0x10000000 + STRAY + 4, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "scenario_stray_mmio+0x4");
	assert_int_equal(pt_symbols_name(s, STRAY + 4, buf, sizeof(buf)), -1);
	pt_symbols_free(s);
}

/* D12, D13: names only inside the file as loaded, and within a function's size */
static void test_bounds(void **state)
{
	struct pt_symbols *s = pt_symbols_new();
	struct pt_err err;
	char note[256], buf[128];

	(void)state;
	assert_int_equal(pt_symbols_add(s, ELF "@-5", note, sizeof(note), &err), -1);
	assert_non_null(strstr(err.msg, "the bias after '@' is negative"));
	assert_int_equal(pt_symbols_add(s, ELF "@0xffffffffffffffff", note, sizeof(note), &err), -1);
	assert_non_null(strstr(err.msg, "past the top of the address space"));
	assert_true(pt_symbols_add(s, ELF, note, sizeof(note), &err) > 10);
	/* far above the image: no symbol's name with a huge offset */
	assert_int_equal(pt_symbols_name(s, 0x7fff00001000ull, buf, sizeof(buf)), -1);
	assert_int_equal(pt_symbols_name(s, ~0ull, buf, sizeof(buf)), -1);
	pt_symbols_str(s, 0x7fff00001000ull, buf, sizeof(buf));
	assert_string_equal(buf, "0x7fff00001000");
	pt_symbols_free(s);
}

static void test_errors(void **state)
{
	struct pt_symbols *s = pt_symbols_new();
	struct pt_err err;
	char note[256];

	(void)state;
	assert_int_equal(pt_symbols_add(s, "/nonexistent.elf", note, sizeof(note), &err), -1);
	assert_string_equal(err.msg, "cannot open '/nonexistent.elf': No such file or directory");
	assert_int_equal(pt_symbols_add(s, "README.md", note, sizeof(note), &err), -1);
	assert_string_equal(err.msg, "cannot read 'README.md': not an ELF file");
	assert_int_equal(pt_symbols_add(s, ELF "@", note, sizeof(note), &err), -1);
	assert_int_equal(pt_symbols_count(s), 0);
	/* no symbols at all: nothing named, never a crash */
	assert_int_equal(pt_symbols_name(s, STRAY, note, sizeof(note)), -1);
	assert_int_equal(pt_symbols_name(NULL, STRAY, note, sizeof(note)), -1);
	pt_symbols_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bias),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
