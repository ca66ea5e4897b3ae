// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lookups the analysis makes for every event remember their last
 * answer (the BAR an address is in, the address in none, a detector's
 * device slot): each must give what a search from the start would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stream.h"
#include "../../analyzer/detector.h"

#define NIC	BDF(0, 4, 0)
#define GPU	BDF(0, 5, 0)
#define NOWHERE	0xffffu

/* The device an MMIO read of GPA is resolved to, as the model resolves it now. */
static uint16_t owner(struct stream *s, uint64_t gpa)
{
	struct pt_event ev = { .ts = s->ts, .kind = PT_EV_MMIO_READ, .addr = gpa, .len = 4,
			       .vcpu = 0, .tid = 100 };
	struct pt_access acc;

	s->ts += s->step;
	pt_model_event(s->a->model, &ev, &acc);
	return acc.type == PT_ACC_BAR && acc.dev ? acc.dev->bdf : NOWHERE;
}

/* Nested BARs: the device first in the model's order wins, whichever was found last. */
static void test_nested_bars(void **state)
{
	struct stream s = stream_start();

	(void)state;
	probe_device(&s, GPU, 0x1af4, 0x1050, 0x030000, 0xfeb10000u, 0x1000);
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, 0xfeb00000u, 0x20000);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(owner(&s, 0xfeb00100u), NIC);
		assert_int_equal(owner(&s, 0xfeb10100u), GPU);
		assert_int_equal(owner(&s, 0xfeb1f000u), NIC);
		assert_int_equal(owner(&s, 0xfeb10ffcu), GPU);
	}
	pt_analysis_free(s.a);
}

/* An address in no BAR is remembered only until a BAR comes there. */
static void test_miss_then_bar_moves_there(void **state)
{
	struct stream s = stream_start();

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, 0xfeb00000u, 0x20000);
	assert_int_equal(owner(&s, 0xfe000000u), NOWHERE);
	assert_int_equal(owner(&s, 0xfe000000u), NOWHERE);
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xfe000000u);
	assert_int_equal(owner(&s, 0xfe000000u), NIC);
	assert_int_equal(owner(&s, 0xfeb00000u), NOWHERE);
	/* and gone again when it moves back */
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xfeb00000u);
	assert_int_equal(owner(&s, 0xfe000000u), NOWHERE);
	assert_int_equal(owner(&s, 0xfeb00000u), NIC);
	pt_analysis_free(s.a);
}

/* Sizing a BAR in place and writing it back, as drivers do, keeps it; a new size is seen. */
static void test_sizing_in_place(void **state)
{
	struct stream s = stream_start();

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, 0xfeb00000u, 0x20000);
	assert_int_equal(owner(&s, 0xfeb1fffcu), NIC);
	assert_int_equal(owner(&s, 0xfeb20000u), NOWHERE);
	for (int i = 0; i < 3; i++) {
		cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xffffffffu);
		cfg_read(&s, NIC, PCI_BASE_ADDRESS_0, 4, ~(0x20000u - 1));
		cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xfeb00000u);
		cfg_read(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xfeb00000u);
		assert_int_equal(owner(&s, 0xfeb00008u), NIC);
		assert_int_equal(owner(&s, 0xfeb1fffcu), NIC);
	}
	/* sized again smaller (a function reset to another BAR layout) */
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xffffffffu);
	cfg_read(&s, NIC, PCI_BASE_ADDRESS_0, 4, ~(0x10000u - 1));
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xfeb00000u);
	assert_int_equal(owner(&s, 0xfeb0fffcu), NIC);
	assert_int_equal(owner(&s, 0xfeb1fffcu), NOWHERE);
	pt_analysis_free(s.a);
}

struct slot {
	uint16_t bdf;
	int uses;
};

struct slots {
	struct slot dev[3];
	unsigned ndev, dev_last;
};

static struct slot *use(struct slots *s, uint16_t bdf)
{
	struct slot *d = PT_DEV_SLOT(s, bdf);

	if (d)
		d->uses++;
	return d;
}

/* A detector's device slots: the same slot for a device however the lookups go, none when full. */
static void test_dev_slots(void **state)
{
	struct slots s = { 0 };

	(void)state;
	assert_ptr_equal(use(&s, NIC), &s.dev[0]);
	assert_ptr_equal(use(&s, GPU), &s.dev[1]);
	assert_ptr_equal(use(&s, NIC), &s.dev[0]);
	assert_ptr_equal(use(&s, NIC), &s.dev[0]);
	assert_ptr_equal(use(&s, GPU), &s.dev[1]);
	assert_ptr_equal(use(&s, BDF(0, 6, 0)), &s.dev[2]);
	assert_null(use(&s, BDF(0, 7, 0)));
	assert_ptr_equal(use(&s, GPU), &s.dev[1]);
	assert_ptr_equal(use(&s, BDF(0, 6, 0)), &s.dev[2]);
	assert_null(use(&s, BDF(0, 7, 0)));
	assert_int_equal(s.ndev, 3);
	assert_int_equal(s.dev[0].uses, 3);
	assert_int_equal(s.dev[1].uses, 3);
	assert_int_equal(s.dev[2].uses, 2);
	assert_int_equal(s.dev[0].bdf, NIC);
	assert_int_equal(s.dev[1].bdf, GPU);
	/* bdf 0 is a device like any other, not an empty slot */
	s = (struct slots){ 0 };
	assert_ptr_equal(use(&s, GPU), &s.dev[0]);
	assert_ptr_equal(use(&s, 0), &s.dev[1]);
	assert_ptr_equal(use(&s, 0), &s.dev[1]);
	assert_ptr_equal(use(&s, GPU), &s.dev[0]);
	assert_int_equal(s.ndev, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_bars),
		cmocka_unit_test(test_miss_then_bar_moves_there),
		cmocka_unit_test(test_sizing_in_place),
		cmocka_unit_test(test_dev_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
