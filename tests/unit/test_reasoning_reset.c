/*
 * The analyzer's reasoning on constructed streams, each case with its
 * healthy twin: the PCI timing rules after D3hot->D0, a secondary bus
 * reset, a link retrain and an FLR; a reset the trace does not show; and
 * resets that never finish (an NVMe controller's, a self-clearing bit's).
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
		cmocka_unit_test(test_too_soon_after_d3),
		cmocka_unit_test(test_too_soon_after_bus_reset),
		cmocka_unit_test(test_too_soon_after_retrain),
		cmocka_unit_test(test_used_before_restore),
		cmocka_unit_test(test_unseen_reset),
		cmocka_unit_test(test_known_reset_explains_zero_command),
		cmocka_unit_test(test_nvme_reset_hang),
		cmocka_unit_test(test_unfinished_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
