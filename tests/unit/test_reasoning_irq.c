/*
 * The analyzer's reasoning on constructed streams, each case with its
 * healthy twin: why nothing arrived, link by link of the interrupt path
 * (bus master, MSI destination, MSI-X masks, INTx and the IO-APIC, the GSI
 * a device's line reaches), and a busy device's interrupts judged against
 * its handler's progress, not taken for a storm.
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
#include "reasoning.h"

#define MSIX_TABLE 0x2000u		/* in BAR0 */
#define MSIX_CAP 0x90u

static void msi_nic(struct stream *s, uint32_t addr)
{
	probe_device(s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(s, NIC, addr, 0x41);
}

/* bus mastering cleared while the driver waits for its MSI */
static void test_bus_master_off(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	msi_nic(&s, 0xfee00000);
	nic_work(&s, 50, 1, 0xfee00000);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);	/* bus master off */
	nic_work(&s, 50, 0, 0);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_INTERRUPT_PATH);
	assert_int_equal(f->severity, PT_SEV_CRITICAL);
	assert_int_equal(f->off, PCI_COMMAND);
	assert_non_null(strstr(f->title, "bus mastering is off"));
	assert_true(evidence_at(f, PCI_COMMAND));
	pt_analysis_free(s.a);

	/* twin: the same reset, bus mastering set again before the wait */
	s = stream_start();
	msi_nic(&s, 0xfee00000);
	nic_work(&s, 50, 1, 0xfee00000);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	nic_work(&s, 50, 1, 0xfee00000);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);

	/* twin: a driver's remove path clears it and stops touching the device */
	s = stream_start();
	msi_nic(&s, 0xfee00000);
	nic_work(&s, 50, 1, 0xfee00000);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* MSI to APIC id 4 of a two-vcpu guest: raised, never accepted */
static void test_msi_destination_missing(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	s.vcpu = 1;
	emit(&s, PT_EV_EOI, 1, 0xec, 0);	/* vcpu 1 exists, APIC id 1 */
	s.vcpu = 0;
	msi_nic(&s, 0xfee04000);
	for (int i = 0; i < 6; i++) {
		mmio(&s, 1, NIC_BAR + 0x3818, i);
		emit(&s, PT_EV_MSI, 0xfee04000, 0x41, 0);
		mmio(&s, 0, NIC_BAR + 0x00c0, 0);
	}
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_INTERRUPT_PATH);
	assert_non_null(strstr(f->title, "APIC id 4"));
	assert_non_null(strstr(f->title, "2 vcpus"));
	pt_analysis_free(s.a);

	/* twin: APIC id 1, which vcpu 1 has */
	s = stream_start();
	s.vcpu = 1;
	emit(&s, PT_EV_EOI, 1, 0xec, 0);
	s.vcpu = 0;
	msi_nic(&s, 0xfee01000);
	nic_work(&s, 20, 1, 0xfee01000);
	pvpanic(&s);
	assert_null(first_of_class(s.a, PT_CLASS_INTERRUPT_PATH));
	pt_analysis_free(s.a);
}

/* A device with MSI-X at MSIX_CAP, its table in BAR0, enabled with entry 0 programmed. */
static void msix_nic(struct stream *s, int mask_entry, int fn_mask_left)
{
	/* enumeration as probe_device does it, with MSI-X at MSIX_CAP after PM */
	cfg_read(s, NIC, PCI_VENDOR_ID, 4, 0x10d38086);
	cfg_read(s, NIC, PCI_CLASS_REVISION, 4, 0x020000 << 8);
	cfg_read(s, NIC, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
	cfg_read(s, NIC, PCI_BASE_ADDRESS_0, 4, 0);
	cfg_write(s, NIC, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cfg_read(s, NIC, PCI_BASE_ADDRESS_0, 4, ~(0x20000u - 1));
	cfg_write(s, NIC, PCI_BASE_ADDRESS_0, 4, NIC_BAR);
	cfg_read(s, NIC, PCI_INTERRUPT_PIN, 1, 1);
	cfg_read(s, NIC, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_read(s, NIC, PCI_CAPABILITY_LIST, 1, PM_CAP);
	cfg_read(s, NIC, PM_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM);
	cfg_read(s, NIC, PM_CAP + PCI_CAP_LIST_NEXT, 1, MSIX_CAP);
	cfg_read(s, NIC, MSIX_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX);
	cfg_read(s, NIC, MSIX_CAP + PCI_CAP_LIST_NEXT, 1, 0);
	cfg_read(s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	cfg_read(s, NIC, MSIX_CAP + PCI_MSIX_TABLE, 4, MSIX_TABLE | 0);	/* in BAR0 */
	cfg_write(s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_write(s, NIC, MSIX_CAP + PCI_MSIX_FLAGS, 2,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | 3);
	mmio(s, 1, NIC_BAR + MSIX_TABLE + PCI_MSIX_ENTRY_LOWER_ADDR, 0xfee00000);
	mmio(s, 1, NIC_BAR + MSIX_TABLE + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
	mmio(s, 1, NIC_BAR + MSIX_TABLE + PCI_MSIX_ENTRY_DATA, 0x41);
	mmio(s, 1, NIC_BAR + MSIX_TABLE + PCI_MSIX_ENTRY_VECTOR_CTRL,
	     mask_entry ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
	if (!fn_mask_left)
		cfg_write(s, NIC, MSIX_CAP + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | 3);
}

static void test_msix_masks(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	msix_nic(&s, 0, 1);
	nic_work(&s, 30, 0, 0);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_INTERRUPT_PATH);
	assert_non_null(strstr(f->title, "function mask"));
	assert_int_equal(f->off, MSIX_CAP + PCI_MSIX_FLAGS);
	pt_analysis_free(s.a);

	s = stream_start();
	msix_nic(&s, 1, 0);
	nic_work(&s, 30, 0, 0);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_INTERRUPT_PATH);
	assert_non_null(strstr(f->title, "MSI-X vector 0 masked"));
	assert_int_equal(f->bar, 0);
	assert_int_equal(f->off, MSIX_TABLE + PCI_MSIX_ENTRY_VECTOR_CTRL);
	pt_analysis_free(s.a);

	/* twin: masks cleared, interrupts flow */
	s = stream_start();
	msix_nic(&s, 0, 0);
	nic_work(&s, 30, 1, 0xfee00000);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* INTx: the device's line goes through GSI 20's IO-APIC entry (q35 is not seen: set it by hand) */
static void intx_nic(struct stream *s)
{
	probe_device(s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	pt_model_find(s->a->model, NIC)->gsi = 20;
	emit(s, PT_EV_MMIO_WRITE, 0xfec00000, 0x10 + 2 * 20, 4);
	emit(s, PT_EV_MMIO_WRITE, 0xfec00010, 0x8000 | 0x51, 4);	/* level, vector 0x51 */
}

static void intx_work(struct stream *s, int n, int accepted)
{
	for (int i = 0; i < n; i++) {
		mmio(s, 1, NIC_BAR + 0x3818, i);
		emit(s, PT_EV_IRQ_LINE, 20, 1, 0);
		if (accepted) {
			emit(s, PT_EV_APIC_ACCEPT, 0, 0x51, 0);
			mmio(s, 0, NIC_BAR + 0xc0, 1);
			emit(s, PT_EV_IRQ_LINE, 20, 0, 0);
			emit(s, PT_EV_EOI, 0, 0x51, 0);
		} else {
			mmio(s, 0, NIC_BAR + 0xc0, 0);
		}
	}
}

static void test_intx_links(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	intx_nic(&s);
	intx_work(&s, 20, 1);
	emit(&s, PT_EV_MMIO_WRITE, 0xfec00000, 0x10 + 2 * 20, 4);
	emit(&s, PT_EV_MMIO_WRITE, 0xfec00010, 0x18000 | 0x51, 4);	/* masked */
	intx_work(&s, 20, 0);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_INTERRUPT_PATH);
	assert_non_null(strstr(f->title, "IO-APIC entry of GSI 20"));
	pt_analysis_free(s.a);

	s = stream_start();
	intx_nic(&s);
	intx_work(&s, 20, 1);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		  PCI_COMMAND_INTX_DISABLE);
	intx_work(&s, 20, 0);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_INTERRUPT_PATH);
	assert_non_null(strstr(f->title, "INTx disabled"));
	assert_true(evidence_at(f, PCI_COMMAND));
	pt_analysis_free(s.a);

	/* twin: the same device, its entry unmasked throughout */
	s = stream_start();
	intx_nic(&s);
	intx_work(&s, 40, 1);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* a busy NIC: 25000 interrupts a second, each EOId and serviced, is traffic */
static void test_busy_nic_is_no_storm(void **state)
{
	struct stream s = stream_start();

	(void)state;
	msi_nic(&s, 0xfee00000);
	s.step = 1000000;
	nic_work(&s, 100, 1, 0xfee00000);		/* a quiet start */
	s.step = 8000;
	nic_work(&s, 60000, 1, 0xfee00000);		/* then busy */
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	assert_null(first_of_class(s.a, PT_CLASS_IRQ_STORM));
	pt_analysis_free(s.a);
}

/* three MSI-X queues deliver; the driver masks queue 1 on resume and waits on it */
static void test_one_msix_vector_masked(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	msix_nic(&s, 0, 0);
	for (unsigned e = 1; e < 3; e++) {
		mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 * e, 0xfee00000);
		mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 * e + 8, 0x41 + e);
		mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 * e + 12, 0);
	}
	for (int i = 0; i < 20; i++)
		for (unsigned e = 0; e < 3; e++)
			deliver(&s, 0xfee00000, 0x41 + e, 0);
	mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 + 12, 1);		/* queue 1 masked */
	for (int i = 0; i < 20; i++) {
		deliver(&s, 0xfee00000, 0x41, 0);
		deliver(&s, 0xfee00000, 0x43, 0);
		mmio(&s, 0, NIC_BAR + 0xc0, 0);
	}
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_INTERRUPT_PATH);
	assert_int_equal(f->severity, PT_SEV_CRITICAL);
	assert_int_equal(f->off, MSIX_TABLE + 16 + PCI_MSIX_ENTRY_VECTOR_CTRL);
	assert_non_null(strstr(f->title, "MSI-X vector 1 masked"));
	pt_analysis_free(s.a);

	/* twin: queue 1 unmasked again */
	s = stream_start();
	msix_nic(&s, 0, 0);
	mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16, 0xfee00000);
	mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 + 8, 0x42);
	mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 + 12, 0);
	for (int i = 0; i < 20; i++) {
		deliver(&s, 0xfee00000, 0x41, 0);
		deliver(&s, 0xfee00000, 0x42, 0);
	}
	mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 + 12, 1);
	mmio(&s, 1, NIC_BAR + MSIX_TABLE + 16 + 12, 0);
	for (int i = 0; i < 20; i++)
		deliver(&s, 0xfee00000, 0x42, 0);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* Interrupt Line 16-23 names the IO-APIC pin; the q35 guess would say 20 for slot 4 */
static void test_interrupt_line_gsi(void **state)
{
	struct stream s = stream_start();

	(void)state;
	cfg_read(&s, BDF(0, 0, 0), PCI_VENDOR_ID, 4, 0x29c08086);	/* q35 host bridge */
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	assert_int_equal(pt_model_find(s.a->model, NIC)->gsi, 20);
	cfg_write(&s, NIC, PCI_INTERRUPT_LINE, 1, 17);
	assert_int_equal(pt_model_find(s.a->model, NIC)->gsi, 17);
	cfg_write(&s, NIC, PCI_INTERRUPT_LINE, 1, 11);		/* a PIC IRQ: no pin */
	assert_int_equal(pt_model_find(s.a->model, NIC)->gsi, 17);
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bus_master_off),
		cmocka_unit_test(test_msi_destination_missing),
		cmocka_unit_test(test_msix_masks),
		cmocka_unit_test(test_intx_links),
		cmocka_unit_test(test_busy_nic_is_no_storm),
		cmocka_unit_test(test_one_msix_vector_masked),
		cmocka_unit_test(test_interrupt_line_gsi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
