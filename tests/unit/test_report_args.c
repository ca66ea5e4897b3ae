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

#include "pt-model.h"
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
	assert_int_equal(f.reg[0].n, 1);
	assert_string_equal(f.reg[0].r[0].name, "PMCSR");
	assert_int_equal(pt_tui_parse_filter(x, "reg=SCRATCH_REG[3]", &f, &err), 0);
	assert_string_equal(f.reg[0].r[0].name, "SCRATCH_REG[3]");
	assert_int_equal(pt_tui_parse_filter(x, "reg=BAR2+0x710", &f, &err), 0);
	assert_int_equal(f.reg[0].r[0].bar, 2);
	assert_int_equal(f.reg[0].r[0].off, 0x710);
	assert_string_equal(f.reg[0].r[0].name, "");
	assert_int_equal(pt_tui_parse_filter(x, "reg=config+0xcc", &f, &err), 0);
	assert_int_equal(f.reg[0].r[0].bar, PT_REG_CONFIG);
	assert_int_equal(f.reg[0].r[0].off, 0xcc);
	assert_int_equal(f.reg[1].n, 0);
	/* BAR+offsets gone wrong are errors, not names */
	assert_int_equal(pt_tui_parse_filter(x, "reg=BAR9+x", &f, &err), -1);
	assert_non_null(strstr(err.msg, "BAR9+x"));
	assert_int_equal(pt_tui_parse_filter(x, "reg=config+zz", &f, &err), -1);
	assert_int_equal(pt_tui_parse_filter(x, "reg=0x24", &f, &err), -1);
	assert_int_equal(pt_tui_parse_filter(x, "reg=", &f, &err), -1);
	free(x);
}

#define NIC 0x20	/* 00:04.0 */
#define GPU 0x28	/* 00:05.0 */

/* One event of KIND on VCPU (-1 none) at ADDR with VAL, resolved to TYPE on device BDF (0 none) */
static struct pt_tui_entry entry(struct pt_tui_index *x, enum pt_event_kind kind, int vcpu,
				 enum pt_access_type type, uint16_t bdf, uint64_t addr, uint32_t val)
{
	static struct pt_device dev;
	struct pt_event ev = { .kind = kind, .vcpu = vcpu, .addr = addr, .val = val };
	struct pt_position pos = { 0 };
	struct pt_access acc = { .type = type, .dev = bdf ? &dev : NULL, .off = addr };
	struct pt_tui_entry e;

	dev.bdf = bdf;
	pt_tui_entry_set(x, &e, &ev, &pos, &acc);
	return e;
}

/* Does TEXT parse, and pass E? */
static int passes(struct pt_tui_index *x, const char *text, const struct pt_tui_entry *e)
{
	struct pt_tui_filter f;
	struct pt_err err;

	if (pt_tui_parse_filter(x, text, &f, &err))
		fail_msg("'%s': %s", text, err.msg);
	return pt_tui_match(x, e, &f);
}

/* key!=value and key=a,b for every key, in one parser (review D26) */
static void test_filter_not_and_or(void **state)
{
	struct pt_tui_index *x = calloc(1, sizeof(*x));
	struct pt_tui_entry emulate, mmio_r, mmio_w, pio_w, msi, cfg_nic, cfg_gpu;
	struct pt_tui_filter f;
	struct pt_err err;

	(void)state;
	assert_non_null(x);
	pt_tui_device_index(x, NIC);
	pt_tui_device_index(x, GPU);
	emulate = entry(x, PT_EV_EMULATE, 0, PT_ACC_NONE, 0, 0xffffffff81000000, 0);
	mmio_r = entry(x, PT_EV_MMIO_READ, 0, PT_ACC_NONE, 0, 0xfeb00008, 0x100);
	mmio_w = entry(x, PT_EV_MMIO_WRITE, 1, PT_ACC_NONE, 0, 0xfeb000d0, 0x1);
	pio_w = entry(x, PT_EV_PIO_WRITE, 1, PT_ACC_NONE, 0, 0x70, 0x8f);
	msi = entry(x, PT_EV_MSI, -1, PT_ACC_NONE, 0, 0xfee00000, 0x21);
	cfg_nic = entry(x, PT_EV_PIO_WRITE, 0, PT_ACC_CONFIG, NIC, 0x4, 0x6);
	cfg_gpu = entry(x, PT_EV_PIO_READ, 0, PT_ACC_CONFIG, GPU, 0x44, 0x3);

	/* kind: the review's two */
	assert_false(passes(x, "kind!=emulate", &emulate));
	assert_true(passes(x, "kind!=emulate", &mmio_r));
	assert_true(passes(x, "kind!=emulate", &msi));
	assert_true(passes(x, "kind=mmio,pio", &mmio_r));
	assert_true(passes(x, "kind=mmio,pio", &pio_w));
	assert_false(passes(x, "kind=mmio,pio", &msi));
	assert_false(passes(x, "kind=mmio,pio", &emulate));
	assert_false(passes(x, "kind!=emulate,msi", &msi));
	assert_true(passes(x, "kind=mmio kind!=mmio-write", &mmio_r));
	assert_false(passes(x, "kind=mmio kind!=mmio-write", &mmio_w));
	/* the kinds left are none: nothing passes */
	assert_int_equal(pt_tui_parse_filter(x, "kind=msi kind!=msi", &f, &err), 0);
	assert_true(f.none);
	assert_false(pt_tui_match(x, &msi, &f));
	/* vcpu: an event of no vcpu is not vcpu 0 */
	assert_true(passes(x, "vcpu=0,1", &mmio_w));
	assert_false(passes(x, "vcpu!=1", &mmio_w));
	assert_true(passes(x, "vcpu!=1", &mmio_r));
	assert_true(passes(x, "vcpu!=0", &msi));
	/* rw: what is neither is not a read */
	assert_true(passes(x, "rw=r,w", &mmio_w));
	assert_false(passes(x, "rw=r,w", &msi));
	assert_false(passes(x, "rw!=r", &mmio_r));
	assert_true(passes(x, "rw!=r", &msi));
	/* value */
	assert_true(passes(x, "value=0x1,0x100", &mmio_r));
	assert_false(passes(x, "value!=0x100,0x21", &msi));
	assert_true(passes(x, "value!=0x100,0x21", &mmio_w));
	/* dev: one not in the trace passes nothing, and excludes nothing */
	assert_true(passes(x, "dev=00:04.0,00:05.0", &cfg_gpu));
	assert_false(passes(x, "dev=00:04.0,00:1f.7", &cfg_gpu));
	assert_false(passes(x, "dev!=00:05.0", &cfg_gpu));
	assert_true(passes(x, "dev!=00:05.0", &cfg_nic));
	assert_true(passes(x, "dev!=00:05.0", &msi));
	assert_true(passes(x, "dev!=00:1f.7", &cfg_gpu));
	/* reg */
	assert_true(passes(x, "reg=config+0x4,config+0x44", &cfg_gpu));
	assert_false(passes(x, "reg!=config+0x44", &cfg_gpu));
	assert_true(passes(x, "reg!=config+0x44", &cfg_nic));
	assert_true(passes(x, "reg!=config+0x44", &msi));
	/* terms of different keys: all hold */
	assert_true(passes(x, "kind!=emulate dev!=00:05.0 vcpu=0", &cfg_nic));
	assert_false(passes(x, "kind!=emulate dev!=00:05.0 vcpu=1", &cfg_nic));

	/* errors say which term */
	assert_int_equal(pt_tui_parse_filter(x, "kind!=", &f, &err), -1);
	assert_string_equal(err.msg, "kind!= wants a value");
	assert_int_equal(pt_tui_parse_filter(x, "kind=mmio,", &f, &err), -1);
	assert_string_equal(err.msg, "kind= wants a value between each two commas");
	assert_int_equal(pt_tui_parse_filter(x, "!=mmio", &f, &err), -1);
	assert_non_null(strstr(err.msg, "key=value or key!=value"));
	assert_int_equal(pt_tui_parse_filter(x, "kind=mmio,nosuch", &f, &err), -1);
	assert_string_equal(err.msg, "no event kind 'nosuch'");
	assert_int_equal(pt_tui_parse_filter(x, "vcpu!=x", &f, &err), -1);
	assert_string_equal(err.msg, "vcpu!= wants a number, not 'x'");
	assert_int_equal(pt_tui_parse_filter(x, "vcpu=0,1,2,3,4,5,6,7,8", &f, &err), -1);
	assert_string_equal(err.msg, "vcpu= takes at most 8 values");
	assert_int_equal(pt_tui_parse_filter(x, "kinds!=mmio", &f, &err), -1);
	assert_non_null(strstr(err.msg, "unknown filter key 'kinds'"));
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_filter_terms),
		cmocka_unit_test(test_filter_not_and_or),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
