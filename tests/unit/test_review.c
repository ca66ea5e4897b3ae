// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Regressions found by the review of the analyzer's reasoning (issue 10):
 * each a healthy or unrelated case that an earlier build misjudged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <linux/pci_regs.h>
#include "stream.h"

#define NIC	BDF(0, 4, 0)
#define NIC_BAR	0xfeb00000u

static void nic_work(struct stream *s, int n, int interrupts, uint32_t addr)
{
	for (int i = 0; i < n; i++) {
		mmio(s, 1, NIC_BAR + 0x3818, i & 0xff);
		if (interrupts)
			deliver(s, addr, 0x41, 0);
		mmio(s, 0, NIC_BAR + 0x00c0, 0x1);
		mmio(s, 1, NIC_BAR + 0x00c0, 0x1);
	}
}

/* healthy: driver unload: MSI off, then the PCI core reads config; no crash */
static void test_unload(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(&s, NIC, 0xfee00000, 0x41);
	nic_work(&s, 50, 1, 0xfee00000);
	/* MSI off (free_irq/pci_disable_msi) */
	cfg_write(&s, NIC, MSI_CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT);
	cfg_read(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);	/* pci core */
	/* pci_disable_device: bus master off */
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_read(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	pt_analysis_finish(s.a);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* #DF candidate then the trace goes on: last irq after crash.ts */
static void test_df(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(&s, NIC, 0xfee00000, 0x41);
	nic_work(&s, 50, 1, 0xfee00000);
	s.ts += 1000000000ull;
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 8, 0);	/* double fault: candidate */
	deliver(&s, 0xfee00000, 0x41, 0);	/* 20 us after the #DF */
	for (int i = 0; i < 5; i++) mmio(&s, 0, NIC_BAR + 0xc0, 1);
	pt_analysis_finish(s.a);
	for (unsigned i = 0; i < s.a->nfindings; i++)
		assert_null(strstr(s.a->findings[i].title, "-0.00 s"));
	pt_analysis_free(s.a);
}

/* a 64-bit register that always reads all-ones with 8-byte reads */
static void test_ones64(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 20; i++) {
		mmio(&s, 0, NIC_BAR + 0x10, 5);
		emit(&s, PT_EV_MMIO_READ, NIC_BAR + 0x100, ~0ull, 8);
	}
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_null(first_of_class(s.a, PT_CLASS_BAD_VALUE));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 20; i++) {
		mmio(&s, 0, NIC_BAR + 0x10, 5);
		emit(&s, PT_EV_MMIO_READ, NIC_BAR + 0x100, 0x8000000000000000ull + (i & 1), 8);
	}
	emit(&s, PT_EV_MMIO_READ, NIC_BAR + 0x100, 0x8000000000000001ull, 8);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_null(first_of_class(s.a, PT_CLASS_BAD_VALUE));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 20; i++) {
		mmio(&s, 0, NIC_BAR + 0x10, 5);
		emit(&s, PT_EV_MMIO_READ, NIC_BAR + 0x100, (i & 1) ? 0x8000000000000000ull : 0, 8);
	}
	emit(&s, PT_EV_MMIO_READ, NIC_BAR + 0x100, 2, 8);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_null(first_of_class(s.a, PT_CLASS_BAD_VALUE));
	pt_analysis_free(s.a);
}

/* e1000 CTRL.RST at probe, then normal traffic, then an unrelated poll of 0.6 s before a crash */
static void test_reset_history(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	mmio(&s, 1, NIC_BAR + 0x0, 1u << 26);	/* CTRL.RST */
	for (int i = 0; i < 200; i++) {
		mmio(&s, 0, NIC_BAR + 0x8, 0x80080783 + (i & 3));	/* STATUS answering, changing */
		mmio(&s, 1, NIC_BAR + 0x3818, i);
	}
	s.step = 1000000;
	for (int i = 0; i < 700; i++)
		mmio(&s, 0, NIC_BAR + 0x5b50, 0);	/* a poll, 0.7 s */
	s.step = 20000;
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_null(first_of_class(s.a, PT_CLASS_RESET_HANG));
	pt_analysis_free(s.a);
}

/* timing: a bad D3->D0 (all-ones), then a good one later: 'the worst violation so far' */
static void test_timing_worst(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	s.ts += 10000000;
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	for (int i = 0; i < 5; i++) mmio(&s, 0, NIC_BAR + 0x8, 0xffffffff);	/* 20us after: all-ones */
	s.ts += 100000000;
	for (int i = 0; i < 5; i++) mmio(&s, 0, NIC_BAR + 0x8, 0x80080783);
	/* second cycle: 5 ms (too soon, but it answers) */
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	s.ts += 10000000;
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	s.ts += 5000000;
	for (int i = 0; i < 5; i++) mmio(&s, 0, NIC_BAR + 0x8, 0x80080783);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_non_null(first_of_class(s.a, PT_CLASS_TOO_SOON));
	assert_int_equal(first_of_class(s.a, PT_CLASS_TOO_SOON)->severity, PT_SEV_CRITICAL);
	pt_analysis_free(s.a);
}

static void touch(struct stream *s)
{
	emit(s, PT_EV_EXIT, 0, 48, 0);
	emit(s, PT_EV_PAGE_FAULT, NIC_BAR + 0x1000, 0x181, 0);
}

static void test_timing_faults(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	touch(&s);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	s.ts += 100000000;
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	s.ts += 1000000;
	for (int i = 0; i < 3; i++) touch(&s);
	s.ts += 1000000000;
	for (int i = 0; i < 3; i++) touch(&s);
	pt_analysis_finish(s.a);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	s.ts += 100000000;
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	s.ts += 1000000;
	for (int i = 0; i < 30; i++) mmio(&s, 1, NIC_BAR + 0x3818, i);
	pt_analysis_finish(s.a);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

static void test_df_value(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 20; i++) mmio(&s, 0, NIC_BAR + 0x84, 0x100 + i);
	mmio(&s, 0, NIC_BAR + 0x84, 0x7fff0000);
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 14, 0);
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 8, 0);
	pt_analysis_finish(s.a);
	assert_non_null(first_of_class(s.a, PT_CLASS_BAD_VALUE));
	pt_analysis_free(s.a);
	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 20; i++) mmio(&s, 0, NIC_BAR + 0x84, 0x100 + i);
	mmio(&s, 0, NIC_BAR + 0x84, 0x7fff0000);
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 14, 0);
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 8, 0);
	mmio(&s, 0, NIC_BAR + 0x8, 0x1);
	pt_analysis_finish(s.a);
	assert_non_null(first_of_class(s.a, PT_CLASS_BAD_VALUE));
	pt_analysis_free(s.a);
}

/* trace begun after boot: IO-APIC programmed before it; MSI tried then INTx used, working */
static void test_msi_off_intx_works(void **st)
{
	(void)st;
	struct stream s = stream_start();
	cfg_read(&s, BDF(0, 0, 0), PCI_VENDOR_ID, 4, 0x29c08086);
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(&s, NIC, 0xfee00000, 0x41);
	/* MSI off: INTx from now on */
	cfg_write(&s, NIC, MSI_CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT);
	for (int i = 0; i < 30; i++) {
		mmio(&s, 1, NIC_BAR + 0x3818, i);
		emit(&s, PT_EV_IRQ_LINE, 20, 1, 0);
		emit(&s, PT_EV_APIC_ACCEPT, 0, 0x23, 0);
		mmio(&s, 0, NIC_BAR + 0xc0, 1);
		emit(&s, PT_EV_IRQ_LINE, 20, 0, 0);
		emit(&s, PT_EV_EOI, 0, 0x23, 0);
	}
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_null(first_of_class(s.a, PT_CLASS_INTERRUPT_PATH));
	pt_analysis_free(s.a);
}

/* a survived too-soon at probe, minutes before an unrelated failure */
static void test_old_too_soon_becomes_cause(void **st)
{
	(void)st;
	struct stream s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	s.ts += 50000000;
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	s.ts += 2000000;				/* 2 ms: too soon, but it answers */
	for (int i = 0; i < 20; i++) mmio(&s, 0, NIC_BAR + 0x8, 0x80080783);
	msi_program(&s, NIC, 0xfee00000, 0x41);
	nic_work(&s, 50, 1, 0xfee00000);
	s.ts += 120000000000ull;			/* two minutes later */
	nic_work(&s, 50, 1, 0xfee00000);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);	/* bus master off */
	nic_work(&s, 50, 0, 0);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_true(s.a->nfindings > 0);
	assert_int_equal(s.a->findings[0].cls, PT_CLASS_INTERRUPT_PATH);
	assert_int_equal(s.a->findings[0].caused_by, -1);
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unload),
		cmocka_unit_test(test_df),
		cmocka_unit_test(test_ones64),
		cmocka_unit_test(test_reset_history),
		cmocka_unit_test(test_timing_worst),
		cmocka_unit_test(test_timing_faults),
		cmocka_unit_test(test_df_value),
		cmocka_unit_test(test_old_too_soon_becomes_cause),
		cmocka_unit_test(test_msi_off_intx_works),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
