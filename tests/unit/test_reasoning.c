// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The analyzer's reasoning steps on constructed streams, each case with
 * its healthy twin: why nothing arrived (every link of the interrupt
 * path), the PCI timing rules, the value that killed the guest, storms
 * judged against handler progress, and causes ranked before their
 * consequences.
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
#define MSIX_TABLE 0x2000u		/* in BAR0 */
#define MSIX_CAP 0x90u
#define MSI_ADDR_DEST_OF(a) (((a) >> 12) & 0xff)

static void end_of_trace(struct stream *s)
{
	pt_analysis_finish(s->a);
}

static int evidence_at(const struct pt_finding *f, unsigned off)
{
	for (unsigned i = 0; i < f->nevidence; i++)
		if (f->evidence[i].has_target && f->evidence[i].bar == PT_REG_CONFIG &&
		    f->evidence[i].off == off)
			return 1;
	return 0;
}

/* The NIC's driver at work: a doorbell, an interrupt, the handler reads its cause and acks. */
static void nic_work(struct stream *s, int n, int interrupts, uint32_t addr)
{
	for (int i = 0; i < n; i++) {
		mmio(s, 1, NIC_BAR + 0x3818, i & 0xff);		/* TX tail: write-only */
		if (interrupts)
			deliver(s, addr, 0x41, MSI_ADDR_DEST_OF(addr));
		mmio(s, 0, NIC_BAR + 0x00c0, 0x1);		/* ICR */
		mmio(s, 1, NIC_BAR + 0x00c0, 0x1);
	}
}

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

/* D3hot -> D0, then the driver reads after 2 ms (all-ones) or after the 10 ms it needs */
static void d3_d0(struct stream *s, uint64_t wait_ns, uint32_t early_val)
{
	probe_device(s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(s, 20, 0, 0);
	cfg_write(s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	s->ts += 500000000;
	cfg_write(s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	s->ts += wait_ns;
	cfg_write(s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);	/* restored */
	for (int i = 0; i < 5; i++)
		mmio(s, 0, NIC_BAR + 8, early_val);
	s->ts += 20000000;
	for (int i = 0; i < 20; i++)
		mmio(s, 0, NIC_BAR + 8, 0x80283);
}

static void test_too_soon_after_d3(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	d3_d0(&s, 2000000, 0xffffffff);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_TOO_SOON);
	assert_int_equal(f->severity, PT_SEV_CRITICAL);
	assert_non_null(strstr(f->title, "accessed 2.0 ms after its D3hot->D0 transition; it needs 10 ms"));
	assert_true(evidence_at(f, PM_CAP + PCI_PM_CTRL));
	pt_analysis_free(s.a);

	/* twin: the same, 10 ms later */
	s = stream_start();
	d3_d0(&s, 10000000, 0x80283);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	assert_null(first_of_class(s.a, PT_CLASS_TOO_SOON));
	pt_analysis_free(s.a);
}

#define GPU	BDF(1, 0, 0)
#define PORT	BDF(0, 1, 0)
#define GPU_BAR	0xfd000000u

/* a root port (a bridge to bus 1) and a GPU behind it */
static void port_and_gpu(struct stream *s)
{
	cfg_read(s, PORT, PCI_VENDOR_ID, 4, 0x0c018086);
	cfg_read(s, PORT, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_BRIDGE);
	/* bus numbers: primary 0, secondary 1, subordinate 1 */
	cfg_write(s, PORT, PCI_PRIMARY_BUS, 4, 0x00010100);
	cfg_read(s, PORT, PCI_SECONDARY_BUS, 1, 1);
	probe_device(s, GPU, 0x10de, 0x1b80, 0x030000, GPU_BAR, 0x1000000);
	for (int i = 0; i < 50; i++)
		mmio(s, 0, GPU_BAR + 0x88000, 0x1234 + i);
}

static void test_too_soon_after_bus_reset(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	port_and_gpu(&s);
	cfg_write(&s, PORT, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET);
	s.ts += 2000000;
	cfg_write(&s, PORT, PCI_BRIDGE_CONTROL, 2, 0);
	s.ts += 5000000;					/* 5 ms: too soon */
	cfg_read(&s, GPU, PCI_VENDOR_ID, 4, 0xffffffff);
	cfg_write(&s, GPU, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (int i = 0; i < 30; i++)
		mmio(&s, 0, GPU_BAR + 0x88000, 0xffffffff);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_TOO_SOON);
	assert_int_equal(f->bdf, GPU);
	assert_non_null(strstr(f->title, "secondary bus reset"));
	pt_analysis_free(s.a);

	/* twin: 100 ms, config restored, normal answers */
	s = stream_start();
	port_and_gpu(&s);
	cfg_write(&s, PORT, PCI_BRIDGE_CONTROL, 2, PCI_BRIDGE_CTL_BUS_RESET);
	s.ts += 2000000;
	cfg_write(&s, PORT, PCI_BRIDGE_CONTROL, 2, 0);
	s.ts += 100000000;
	cfg_read(&s, GPU, PCI_VENDOR_ID, 4, 0x1b8010de);
	cfg_write(&s, GPU, PCI_BASE_ADDRESS_0, 4, GPU_BAR);
	cfg_write(&s, GPU, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (int i = 0; i < 30; i++)
		mmio(&s, 0, GPU_BAR + 0x88000, 0x2000 + i);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

#define PORT_PCIE 0x40u		/* the root port's PCIe capability */

/* The root port's capability list is read, and its link retrained. */
static void port_retrain(struct stream *s)
{
	cfg_read(s, PORT, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_read(s, PORT, PCI_CAPABILITY_LIST, 1, PORT_PCIE);
	cfg_read(s, PORT, PORT_PCIE + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP);
	cfg_read(s, PORT, PORT_PCIE + PCI_CAP_LIST_NEXT, 1, 0);
	cfg_write(s, PORT, PORT_PCIE + PCI_EXP_LNKCTL, 2, PCI_EXP_LNKCTL_RL);
}

/* a link retrain on the root port, then the GPU 5 ms later */
static void test_too_soon_after_retrain(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	port_and_gpu(&s);
	port_retrain(&s);
	s.ts += 5000000;
	for (int i = 0; i < 5; i++)
		mmio(&s, 0, GPU_BAR + 0x88000, 0xffffffff);
	pvpanic(&s);
	f = first_of_class(s.a, PT_CLASS_TOO_SOON);
	assert_non_null(f);
	assert_int_equal(f->bdf, GPU);
	assert_non_null(strstr(f->title, "after its link retrain"));
	pt_analysis_free(s.a);

	/* twin: 100 ms later */
	s = stream_start();
	port_and_gpu(&s);
	port_retrain(&s);
	s.ts += 100000000;
	for (int i = 0; i < 5; i++)
		mmio(&s, 0, GPU_BAR + 0x88000, 0x3000 + i);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* FLR, the full wait, but BAR access before the command register is written again */
static void test_used_before_restore(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 20, 0, 0);
	cfg_write(&s, NIC, PCIE_CAP + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	s.ts += 150000000;
	for (int i = 0; i < 10; i++)
		mmio(&s, 0, NIC_BAR + 8, 0);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_TOO_SOON);
	assert_non_null(strstr(f->title, "before its configuration was restored"));
	pt_analysis_free(s.a);
}

/* an audio controller's position register: steady values, then one far out, then the crash */
static void position_reads(struct stream *s, uint32_t last, int fault)
{
	probe_device(s, NIC, 0x8086, 0x293e, 0x040300, NIC_BAR, 0x4000);
	for (int i = 0; i < 200; i++)
		mmio(s, 0, NIC_BAR + 0x84, (i * 64) % 4096);
	mmio(s, 0, NIC_BAR + 0x84, last);
	if (fault)
		emit(s, PT_EV_INJ_EXCEPTION, 0, 14, 0);
}

static void test_value_that_killed(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	position_reads(&s, 0x7fff0000, 1);
	pvpanic(&s);
	f = first_of_class(s.a, PT_CLASS_BAD_VALUE);
	assert_non_null(f);
	assert_ptr_equal(f, &s.a->findings[0]);
	assert_int_equal(f->off, 0x84);
	assert_non_null(strstr(f->title, "0x7fff0000, far outside"));
	assert_non_null(strstr(f->title, "faulted using it"));
	pt_analysis_free(s.a);

	/* twin: the same reads, an in-range last value, a clean end */
	s = stream_start();
	position_reads(&s, 0x0c40, 0);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);

	/* a crash after in-range values names no value */
	s = stream_start();
	position_reads(&s, 0x0c40, 0);
	pvpanic(&s);
	assert_null(first_of_class(s.a, PT_CLASS_BAD_VALUE));
	pt_analysis_free(s.a);
}

/* gone from the bus: every register all-ones, the vendor id too; twin: a mask register reads ~0 */
static void test_device_gone(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 30, 0, 0);
	for (int i = 0; i < 10; i++) {
		mmio(&s, 0, NIC_BAR + 0x00c0, 0xffffffff);
		mmio(&s, 0, NIC_BAR + 0x0008, 0xffffffff);
		cfg_read(&s, NIC, PCI_VENDOR_ID, 2, 0xffff);
	}
	pvpanic(&s);
	f = first_of_class(s.a, PT_CLASS_DEVICE_GONE);
	assert_non_null(f);
	assert_ptr_equal(f, &s.a->findings[0]);
	assert_non_null(strstr(f->title, "gone from the bus"));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 100; i++) {
		mmio(&s, 0, NIC_BAR + 0x00d0, 0xffffffff);	/* IMS: every cause enabled */
		mmio(&s, 0, NIC_BAR + 0x0008, 0x80283);
	}
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

/*
 * A reset the trace does not show: the command register reads back 0 and
 * BAR0 without its address.  Twins: both restored; and firmware that
 * programmed the BARs before reading the command register (a reboot).
 */
static void test_unseen_reset(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 20, 0, 0);
	mmio(&s, 1, NIC_BAR + 0x20, 0x4e564d65);		/* NVMe NSSR, say */
	s.ts += 500000000;
	cfg_read(&s, NIC, PCI_COMMAND, 2, 0);
	cfg_read(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0);		/* the BAR lost its address */
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	mmio(&s, 0, NIC_BAR + 0x1c, 0xffffffff);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_TOO_SOON);
	assert_non_null(strstr(f->title, "a reset the trace does not show"));
	pt_analysis_free(s.a);

	/* twin: BARs and command restored first */
	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 20, 0, 0);
	s.ts += 500000000;
	cfg_read(&s, NIC, PCI_COMMAND, 2, 0);
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, NIC_BAR);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	nic_work(&s, 20, 0, 0);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 20, 0, 0);
	s.ts += 500000000;					/* the VM reboots */
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, NIC_BAR);
	cfg_read(&s, NIC, PCI_COMMAND, 2, 0);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	nic_work(&s, 20, 0, 0);
	pvpanic(&s);
	assert_null(first_of_class(s.a, PT_CLASS_TOO_SOON));
	pt_analysis_free(s.a);
}

/* after a known FLR the command register reads 0: that is the FLR, not another reset */
static void test_known_reset_explains_zero_command(void **state)
{
	struct stream s = stream_start();

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 20, 0, 0);
	cfg_write(&s, NIC, PCIE_CAP + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	s.ts += 100000000;
	cfg_read(&s, NIC, PCI_COMMAND, 2, 0);
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, NIC_BAR);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	nic_work(&s, 20, 0, 0);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	for (unsigned i = 0; i < s.a->nfindings; i++)
		assert_null(strstr(s.a->findings[i].title, "a reset the trace does not show"));
	pt_analysis_free(s.a);

	/* D3hot -> D0 that did reset the function (command reads 0), BAR used at once */
	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 20, 0, 0);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	s.ts += 100000000;
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	s.ts += 20000000;
	cfg_read(&s, NIC, PCI_COMMAND, 2, 0);
	mmio(&s, 0, NIC_BAR + 8, 0xffffffff);
	pvpanic(&s);
	assert_non_null(first_of_class(s.a, PT_CLASS_TOO_SOON));
	assert_non_null(strstr(first_of_class(s.a, PT_CLASS_TOO_SOON)->title,
			       "after its D3hot->D0 transition before its configuration was restored"));
	pt_analysis_free(s.a);
}

/* NVMe: CC.EN=0, CC.EN=1, CSTS.RDY polled and never 1 */
static void nvme_reset(struct stream *s, int ready)
{
	probe_device(s, NIC, 0x144d, 0xa808, 0x010802, NIC_BAR, 0x4000);
	mmio(s, 1, NIC_BAR + 0x14, 0x460001);
	for (int i = 0; i < 20; i++)
		mmio(s, 0, NIC_BAR + 0x1c, 1);
	mmio(s, 1, NIC_BAR + 0x14, 0x460000);			/* CC.EN = 0 */
	mmio(s, 1, NIC_BAR + 0x14, 0x460001);
	s->step = 1000000;					/* 1 ms polls */
	for (int i = 0; i < (ready ? 6 : 1500); i++)
		mmio(s, 0, NIC_BAR + 0x1c, 0);
	s->step = 20000;
	if (ready) {
		mmio(s, 0, NIC_BAR + 0x1c, 1);
		for (int i = 0; i < 500; i++) {
			mmio(s, 1, NIC_BAR + 0x1008, i & 63);	/* SQ 1 tail doorbell */
			mmio(s, 1, NIC_BAR + 0x100c, i & 63);	/* CQ 1 head doorbell */
		}
	}
}

static void test_nvme_reset_hang(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	nvme_reset(&s, 0);
	pvpanic(&s);
	assert_true(s.a->nfindings > 1);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_RESET_HANG);
	assert_non_null(strstr(f->title, "did not come back from its NVMe controller reset"));
	assert_int_equal(s.a->findings[1].cls, PT_CLASS_POLLING);
	assert_int_equal(s.a->findings[1].caused_by, 0);
	pt_analysis_free(s.a);

	/* twin: RDY comes up, I/O goes on */
	s = stream_start();
	nvme_reset(&s, 1);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/*
 * A BAR mapped into the guest (vfio's mmap, no x-no-mmap): D3hot tears the
 * mapping down, so the driver's next touch is an EPT violation and a
 * kvm_page_fault at the BAR, with no value.  Twin: faults in D0 only.
 */
static void mmapped_touch(struct stream *s)
{
	emit(s, PT_EV_EXIT, 0, 48, 0);			/* EPT_VIOLATION */
	emit(s, PT_EV_PAGE_FAULT, NIC_BAR + 0x1000, 0x181, 0);
}

static void test_d3_seen_through_faults(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	mmapped_touch(&s);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	for (int i = 0; i < 3; i++)
		mmapped_touch(&s);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_POWERED_DOWN);
	assert_int_equal(f->count, 3);
	assert_non_null(strstr(f->title, "seen as EPT/NPF faults on its mmapped BAR"));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 4; i++)
		mmapped_touch(&s);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* pttrace's metadata: a vfio-pci device behind a root port, known by its id */
static void test_assigned_behind_root_port(void **state)
{
	struct stream s = stream_start();
	const struct pt_device *d;

	(void)state;
	assert_int_equal(pt_analysis_set_meta(s.a, "{\"pci\": [{\"bdf\": \"01:00.0\", "
		"\"vendor\": 4318, \"device\": 7040, \"class\": 768, \"qdev_id\": \"hostdev0\", "
		"\"bars\": []}], \"devices\": [{\"driver\": \"vfio-pci\", \"id\": \"hostdev0\", "
		"\"addr\": \"0.0\", \"assigned\": true, \"host\": \"0000:03:00.0\"}]}"), 0);
	d = pt_model_find(s.a->model, BDF(1, 0, 0));
	assert_non_null(d);
	assert_true(d->assigned);
	assert_string_equal(d->host, "0000:03:00.0");
	assert_null(pt_model_find(s.a->model, BDF(0, 0, 0)));
	pt_analysis_free(s.a);
}

/* a device pttrace has no name for: a bit written and polled in the same register */
static void self_clearing(struct stream *s, int clears)
{
	probe_device(s, NIC, 0x8086, 0x1572, 0x020000, NIC_BAR, 0x100000);
	for (int i = 0; i < 20; i++)
		mmio(s, 0, NIC_BAR + 0x8, 0x1000 + i);
	mmio(s, 1, NIC_BAR + 0x92400, 1);		/* PF reset */
	s->step = 1500000;
	for (int i = 0; i < 200; i++)
		mmio(s, 0, NIC_BAR + 0x92400, clears && i > 3 ? 0 : 1);
	s->step = 20000;
	if (clears)
		for (int i = 0; i < 50; i++)
			mmio(s, 0, NIC_BAR + 0x8, 0x2000 + i);
}

static void test_unfinished_command(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	self_clearing(&s, 0);
	s.ts += 2000000000;
	pvpanic(&s);
	f = first_of_class(s.a, PT_CLASS_RESET_HANG);
	assert_non_null(f);
	assert_ptr_equal(f, &s.a->findings[0]);
	assert_int_equal(f->off, 0x92400);
	assert_non_null(strstr(f->title, "never finished what it was told"));
	pt_analysis_free(s.a);

	/* twin: the bit clears after a few polls */
	s = stream_start();
	self_clearing(&s, 1);
	s.ts += 2000000000;
	pvpanic(&s);
	assert_null(first_of_class(s.a, PT_CLASS_RESET_HANG));
	pt_analysis_free(s.a);

	/* and with no crash, a bit that stays set is no verdict */
	s = stream_start();
	self_clearing(&s, 0);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bus_master_off),
		cmocka_unit_test(test_msi_destination_missing),
		cmocka_unit_test(test_msix_masks),
		cmocka_unit_test(test_intx_links),
		cmocka_unit_test(test_too_soon_after_d3),
		cmocka_unit_test(test_too_soon_after_bus_reset),
		cmocka_unit_test(test_too_soon_after_retrain),
		cmocka_unit_test(test_used_before_restore),
		cmocka_unit_test(test_value_that_killed),
		cmocka_unit_test(test_device_gone),
		cmocka_unit_test(test_busy_nic_is_no_storm),
		cmocka_unit_test(test_one_msix_vector_masked),
		cmocka_unit_test(test_interrupt_line_gsi),
		cmocka_unit_test(test_unseen_reset),
		cmocka_unit_test(test_known_reset_explains_zero_command),
		cmocka_unit_test(test_nvme_reset_hang),
		cmocka_unit_test(test_d3_seen_through_faults),
		cmocka_unit_test(test_assigned_behind_root_port),
		cmocka_unit_test(test_unfinished_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
