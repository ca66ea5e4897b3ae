// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The built-in config-space decoder (analyzer/pci-config.c): register
 * names and field decoding for the standard and bridge headers, PM, MSI
 * (32- and 64-bit layouts), MSI-X and PCIe, on devices the model learnt
 * from config cycles.  No plugins are loaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "pt-plugins.h"
#include "stream.h"

#define NIC		BDF(0, 4, 0)
#define NIC_BAR		0xfeb00000u
#define PORT		BDF(0, 1, 0)
#define MSIX_DEV	BDF(0, 6, 0)
#define MSIX_CAP	0x90u		/* MSIX_DEV's only capability */

/* A config offset and its name; NULL: it has none. */
struct name {
	unsigned off;
	const char *name;
};

/* A value of the config register at OFF, and how it decodes; NULL: it does not. */
struct decoding {
	unsigned off;
	uint32_t val;
	const char *text;
};

#define N(table) (sizeof(table) / sizeof(table[0]))

static void check_names(const struct pt_device *d, const struct name *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		int rc = pt_reg_name(d, PT_REG_CONFIG, t[i].off, buf, sizeof(buf));

		if (!t[i].name && !rc)
			fail_msg("config+0x%02x is %s, want no name", t[i].off, buf);
		if (t[i].name && rc)
			fail_msg("config+0x%02x has no name, want %s", t[i].off, t[i].name);
		if (t[i].name)
			assert_string_equal(buf, t[i].name);
	}
}

static void check_values(const struct pt_device *d, const struct decoding *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char buf[160];
		int rc = pt_reg_value_str(d, PT_REG_CONFIG, t[i].off, t[i].val, buf, sizeof(buf));

		if (!t[i].text && !rc)
			fail_msg("config+0x%02x = 0x%x decodes as %s, want nothing", t[i].off,
				 t[i].val, buf);
		if (t[i].text && rc)
			fail_msg("config+0x%02x = 0x%x does not decode, want %s", t[i].off,
				 t[i].val, t[i].text);
		if (t[i].text)
			assert_string_equal(buf, t[i].text);
	}
}

static struct pt_device *device(struct stream *s, uint16_t bdf)
{
	struct pt_device *d = pt_model_find(s->a->model, bdf);

	assert_non_null(d);
	return d;
}

/* the NIC of probe_device: PM_CAP, MSI_CAP and PCIE_CAP */
static struct pt_device *probed_nic(struct stream *s)
{
	probe_device(s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	return device(s, NIC);
}

static void test_header(void **state)
{
	static const struct name names[] = {
		{ PCI_VENDOR_ID, "VENDOR_ID" }, { PCI_DEVICE_ID, "DEVICE_ID" },
		{ PCI_COMMAND, "COMMAND" }, { PCI_STATUS, "STATUS" },
		{ PCI_CLASS_PROG, "PROG_IF" }, { PCI_CLASS_DEVICE, "CLASS" },
		{ PCI_HEADER_TYPE, "HEADER_TYPE" }, { PCI_BASE_ADDRESS_0, "BAR[0]" },
		{ PCI_BASE_ADDRESS_5, "BAR[5]" }, { PCI_BASE_ADDRESS_2 + 2, "BAR[2]+0x2" },
		{ PCI_SUBSYSTEM_VENDOR_ID, "SUBSYSTEM" }, { PCI_ROM_ADDRESS, "ROM_BAR" },
		{ PCI_CAPABILITY_LIST, "CAP_PTR" }, { PCI_INTERRUPT_LINE, "INTERRUPT_LINE" },
		{ PCI_INTERRUPT_PIN, "INTERRUPT_PIN" },
		/* CardBus CIS, and a bridge's register on a type 0 header */
		{ PCI_CARDBUS_CIS, NULL }, { PCI_BRIDGE_CONTROL, NULL },
	};
	static const struct decoding values[] = {
		{ PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, "{ MEMORY | MASTER }" },
		{ PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE,
		  "{ IO | SERR | INTX_DISABLE }" },
		{ PCI_COMMAND, 0, "{ }" },
		/* a byte inside a register, and a register without fields */
		{ PCI_COMMAND + 1, PCI_COMMAND_INTX_DISABLE >> 8, NULL },
		{ PCI_STATUS, PCI_STATUS_CAP_LIST, NULL },
	};
	struct stream s = stream_start();
	struct pt_device *d = probed_nic(&s);
	char buf[64];

	(void)state;
	check_names(d, names, N(names));
	check_values(d, values, N(values));
	pt_reg_label(d, PT_REG_CONFIG, PCI_COMMAND, buf, sizeof(buf));
	assert_string_equal(buf, "config+0x04 COMMAND");
	pt_reg_label(d, PT_REG_CONFIG, PCI_CARDBUS_CIS, buf, sizeof(buf));
	assert_string_equal(buf, "config+0x28");
	/* BARs are named only by plugins */
	assert_int_equal(pt_reg_name(d, 0, 0x710, buf, sizeof(buf)), -1);
	pt_reg_label(d, 0, 0x710, buf, sizeof(buf));
	assert_string_equal(buf, "BAR0+0x0710");
	assert_int_equal(pt_reg_name(NULL, PT_REG_CONFIG, PCI_COMMAND, buf, sizeof(buf)), -1);
	pt_analysis_free(s.a);
}

static void test_pm(void **state)
{
	static const struct name names[] = {
		{ PM_CAP + PCI_CAP_LIST_ID, "PM.ID" }, { PM_CAP + PCI_CAP_LIST_NEXT, "PM.ID+0x1" },
		{ PM_CAP + PCI_PM_PMC, "PM.PMC" }, { PM_CAP + PCI_PM_CTRL, "PM.PMCSR" },
		{ PM_CAP + PCI_PM_CTRL + 1, "PM.PMCSR+0x1" },
	};
	static const struct decoding values[] = {
		{ PM_CAP + PCI_PM_CTRL, PT_D3HOT, "{ POWER_STATE = D3hot }" },
		{ PM_CAP + PCI_PM_CTRL, PT_D0 | PCI_PM_CTRL_NO_SOFT_RESET | PCI_PM_CTRL_PME_ENABLE |
		  PCI_PM_CTRL_PME_STATUS, "{ POWER_STATE = D0 | NO_SOFT_RESET | PME_EN | PME_STATUS }" },
	};
	struct stream s = stream_start();
	struct pt_device *d = probed_nic(&s);

	(void)state;
	assert_int_equal(d->pm_cap, PM_CAP);
	check_names(d, names, N(names));
	check_values(d, values, N(values));
	assert_string_equal(pt_power_state_name(PT_D3HOT), "D3hot");
	assert_string_equal(pt_power_state_name(PT_D1), "D1");
	assert_string_equal(pt_power_state_name(-1), "unknown");
	pt_analysis_free(s.a);
}

/* MSI's registers move when Message Control says 64-bit addresses. */
static void test_msi_layout(void **state)
{
	/* Message Control never read: the 32-bit layout */
	static const struct name names32[] = {
		{ MSI_CAP + PCI_MSI_FLAGS, "MSI.CTRL" }, { MSI_CAP + PCI_MSI_ADDRESS_LO, "MSI.ADDR" },
		{ MSI_CAP + PCI_MSI_DATA_32, "MSI.DATA" }, { MSI_CAP + PCI_MSI_MASK_32, "MSI.MASK" },
		{ MSI_CAP + PCI_MSI_PENDING_32, "MSI.PENDING" },
	};
	static const struct name names64[] = {
		{ MSI_CAP + PCI_MSI_ADDRESS_LO, "MSI.ADDR_LO" },
		{ MSI_CAP + PCI_MSI_ADDRESS_HI, "MSI.ADDR_HI" },
		{ MSI_CAP + PCI_MSI_DATA_64, "MSI.DATA" }, { MSI_CAP + PCI_MSI_DATA_64 + 1, "MSI.DATA+0x1" },
		{ MSI_CAP + PCI_MSI_MASK_64, "MSI.MASK" }, { MSI_CAP + PCI_MSI_PENDING_64, "MSI.PENDING" },
	};
	static const struct decoding values[] = {
		{ MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_ENABLE,
		  "{ ENABLE | MMC = 0x0 | MME = 0x0 | 64BIT }" },
		/* 4 vectors capable (MMC 2), 2 enabled (MME 1), per-vector masking */
		{ MSI_CAP + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE | 2 << 1 | 1 << 4 | PCI_MSI_FLAGS_MASKBIT,
		  "{ ENABLE | MMC = 0x2 | MME = 0x1 | MASKABLE }" },
	};
	struct stream s = stream_start();
	struct pt_device *d = probed_nic(&s);

	(void)state;
	check_names(d, names32, N(names32));
	msi_program(&s, NIC, 0xfee00000, 0x41);
	check_names(d, names64, N(names64));
	check_values(d, values, N(values));
	pt_analysis_free(s.a);
}

static void test_msix(void **state)
{
	static const struct name names[] = {
		{ MSIX_CAP + PCI_CAP_LIST_ID, "MSIX.ID" }, { MSIX_CAP + PCI_MSIX_FLAGS, "MSIX.CTRL" },
		{ MSIX_CAP + PCI_MSIX_TABLE, "MSIX.TABLE" }, { MSIX_CAP + PCI_MSIX_PBA, "MSIX.PBA" },
		{ MSIX_CAP + PCI_CAP_MSIX_SIZEOF, NULL },
		/* no PM capability here */
		{ PM_CAP + PCI_PM_CTRL, NULL },
	};
	static const struct decoding values[] = {
		/* 8 vectors: the table size field holds N - 1 */
		{ MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | (8 - 1),
		  "{ TABLE_SIZE = 0x7 | FUNCTION_MASK | ENABLE }" },
		{ MSIX_CAP + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_QSIZE, "{ TABLE_SIZE = 0x7ff }" },
		{ MSIX_CAP + PCI_MSIX_TABLE, 0x2000, NULL },
	};
	struct stream s = stream_start();
	struct pt_device *d;

	(void)state;
	cfg_read(&s, MSIX_DEV, PCI_VENDOR_ID, 4, 0x10fb8086);
	cfg_read(&s, MSIX_DEV, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
	cfg_read(&s, MSIX_DEV, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_read(&s, MSIX_DEV, PCI_CAPABILITY_LIST, 1, MSIX_CAP);
	cfg_read(&s, MSIX_DEV, MSIX_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX);
	cfg_read(&s, MSIX_DEV, MSIX_CAP + PCI_CAP_LIST_NEXT, 1, 0);
	d = device(&s, MSIX_DEV);
	assert_int_equal(d->msix_cap, MSIX_CAP);
	check_names(d, names, N(names));
	check_values(d, values, N(values));
	pt_analysis_free(s.a);
}

static void test_pcie(void **state)
{
	static const struct name names[] = {
		{ PCIE_CAP + PCI_CAP_LIST_ID, "PCIE.ID" }, { PCIE_CAP + PCI_EXP_FLAGS, "PCIE.CAP" },
		{ PCIE_CAP + PCI_EXP_DEVCAP, "PCIE.DEVCAP" }, { PCIE_CAP + PCI_EXP_DEVCTL, "PCIE.DEVCTL" },
		{ PCIE_CAP + PCI_EXP_DEVCTL + 1, "PCIE.DEVCTL+0x1" },
		{ PCIE_CAP + PCI_EXP_DEVSTA, "PCIE.DEVSTA" }, { PCIE_CAP + PCI_EXP_LNKCAP, "PCIE.LNKCAP" },
		{ PCIE_CAP + PCI_EXP_LNKCTL, "PCIE.LNKCTL" }, { PCIE_CAP + PCI_EXP_LNKSTA, "PCIE.LNKSTA" },
	};
	static const struct decoding values[] = {
		{ PCIE_CAP + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_BCR_FLR,
		  "{ MPS = 0x0 | MRRS = 0x0 | INITIATE_FLR }" },
		/* 256-byte payload (MPS 1), 512-byte read requests (MRRS 2) */
		{ PCIE_CAP + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_URRE | 1 << 5 | 2 << 12,
		  "{ CERE | URRE | MPS = 0x1 | MRRS = 0x2 }" },
		{ PCIE_CAP + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_RL, "{ ASPM = 0x0 | RETRAIN }" },
		{ PCIE_CAP + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_LD | PCI_EXP_LNKCTL_ASPMC,
		  "{ ASPM = 0x3 | LINK_DISABLE }" },
	};
	struct stream s = stream_start();
	struct pt_device *d = probed_nic(&s);

	(void)state;
	check_names(d, names, N(names));
	check_values(d, values, N(values));
	pt_analysis_free(s.a);
}

/* A bridge's header: its own registers where a type 0 header has BARs 2-5, the rest shared. */
static void test_bridge(void **state)
{
	static const struct name names[] = {
		{ PCI_PRIMARY_BUS, "PRIMARY_BUS" }, { PCI_SECONDARY_BUS, "SECONDARY_BUS" },
		{ PCI_SUBORDINATE_BUS, "SUBORDINATE_BUS" }, { PCI_BRIDGE_CONTROL, "BRIDGE_CONTROL" },
		{ PCI_COMMAND, "COMMAND" }, { PCI_BASE_ADDRESS_0, "BAR[0]" },
	};
	static const struct decoding values[] = {
		{ PCI_BRIDGE_CONTROL, PCI_BRIDGE_CTL_BUS_RESET, "{ SECONDARY_BUS_RESET }" },
		{ PCI_BRIDGE_CONTROL, 0, "{ }" },
	};
	struct stream s = stream_start();
	struct pt_device *d;

	(void)state;
	cfg_read(&s, PORT, PCI_VENDOR_ID, 4, 0x0c018086);
	cfg_read(&s, PORT, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_BRIDGE);
	d = device(&s, PORT);
	check_names(d, names, N(names));
	check_values(d, values, N(values));
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_pm),
		cmocka_unit_test(test_msi_layout),
		cmocka_unit_test(test_msix),
		cmocka_unit_test(test_pcie),
		cmocka_unit_test(test_bridge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
