// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What pttrace report parses: --from/--to times (pt_parse_time_arg), and
 * the filter terms it shares with the TUI (kinds with dashes, registers
 * by name).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-tui.h"
#include "pttrace.h"

static void test_times(void **state)
{
	static const struct {
		const char *s;
		int64_t ns;
		int relative;
	} good[] = {
		{ "0", 0, 1 },
		{ "-2s", -2000000000, 1 },
		{ "-2", -2000000000, 1 },
		{ "+1.5", 1500000000, 1 },
		{ "-150ms", -150000000, 1 },
		{ "10us", 10000, 1 },
		{ "-7ns", -7, 1 },
		{ "0.0", 0, 1 },
		{ "1234.567890123", 1234567890123, 0 },
		{ "539.217182263", 539217182263, 0 },
		{ ".5", 500000000, 0 },
	};
	static const char *const bad[] = {
		"", "-", "+", "s", "2x", "abc", "1.2.3", "0x10", "1e3", "-inf", "nan", " 1", "1 ", "--1",
		"-2 s", "2S", "9300000000", ".", "-.ms",
	};
	int64_t ns;
	int rel;

	(void)state;
	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ns = 42;
		rel = -1;
		assert_int_equal(pt_parse_time_arg(good[i].s, &ns, &rel), 0);
		assert_int_equal(ns, good[i].ns);
		assert_int_equal(rel, good[i].relative);
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pt_parse_time_arg(bad[i], &ns, &rel) == 0)
			fail_msg("'%s' parsed as %lld", bad[i], (long long)ns);
	}
}

static void test_filter_terms(void **state)
{
	struct pt_tui_index *x = calloc(1, sizeof(*x));
	struct pt_tui_filter f;
	struct pt_err err;

	(void)state;
	assert_non_null(x);
	assert_int_equal(pt_tui_parse_filter(x, "kind=mmio-write", &f, &err), 0);
	assert_int_equal(f.kinds, 1u << PT_EV_MMIO_WRITE);
	assert_int_equal(pt_tui_parse_filter(x, "kind=mmio_read kind=msi", &f, &err), 0);
	assert_int_equal(f.kinds, 1u << PT_EV_MMIO_READ | 1u << PT_EV_MSI);
	assert_int_equal(pt_tui_parse_filter(x, "kind=mmio", &f, &err), 0);
	assert_int_equal(f.kinds, 1u << PT_EV_MMIO_READ | 1u << PT_EV_MMIO_WRITE);
	assert_int_equal(pt_tui_parse_filter(x, "kind=kvm_msi_set_irq", &f, &err), 0);
	assert_int_equal(f.kinds, 1u << PT_EV_MSI);

	assert_int_equal(pt_tui_parse_filter(x, "reg=PMCSR", &f, &err), 0);
	assert_string_equal(f.reg_name, "PMCSR");
	assert_int_equal(f.bar, -1);
	assert_int_equal(pt_tui_parse_filter(x, "reg=SCRATCH_REG[3]", &f, &err), 0);
	assert_string_equal(f.reg_name, "SCRATCH_REG[3]");
	assert_int_equal(pt_tui_parse_filter(x, "reg=BAR2+0x710", &f, &err), 0);
	assert_int_equal(f.bar, 2);
	assert_int_equal(f.off, 0x710);
	assert_string_equal(f.reg_name, "");
	assert_int_equal(pt_tui_parse_filter(x, "reg=config+0xcc", &f, &err), 0);
	assert_int_equal(f.bar, PT_REG_CONFIG);
	assert_int_equal(f.off, 0xcc);
	/* BAR+offsets gone wrong are errors, not names */
	assert_int_equal(pt_tui_parse_filter(x, "reg=BAR9+x", &f, &err), -1);
	assert_non_null(strstr(err.msg, "BAR9+x"));
	assert_int_equal(pt_tui_parse_filter(x, "reg=config+zz", &f, &err), -1);
	assert_int_equal(pt_tui_parse_filter(x, "reg=0x24", &f, &err), -1);
	assert_int_equal(pt_tui_parse_filter(x, "reg=", &f, &err), -1);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_filter_terms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
