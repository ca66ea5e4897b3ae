// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ATI Radeon R100 family (QEMU's ati-vga,model=rv100 is 1002:5159), register
 * offsets as the Linux radeon driver's radeon_reg.h has them.
 */
#include <stddef.h>

#include "pttrace-plugin.h"

static const struct pt_plugin_field soft_reset_fields[] = {
	{ "CP", 0, 1, NULL }, { "HI", 1, 1, NULL }, { "SE", 2, 1, NULL }, { "RE", 3, 1, NULL },
	{ "PP", 4, 1, NULL }, { "E2", 5, 1, NULL }, { "RB", 6, 1, NULL }, { "HDP", 7, 1, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct pt_plugin_field rbbm_status_fields[] = {
	{ "CMDFIFO_AVAIL", 0, 7, NULL }, { "GUI_ACTIVE", 31, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field int_fields[] = {
	{ "CRTC_VBLANK", 0, 1, NULL }, { "CRTC2_VBLANK", 9, 1, NULL }, { "SW_INT", 25, 1, NULL },
	{ "GUI_IDLE", 19, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field rb_cntl_fields[] = {
	{ "RB_BUFSZ", 0, 6, NULL }, { "RB_BLKSZ", 8, 6, NULL }, { "RB_NO_UPDATE", 27, 1, NULL },
	{ "RB_RPTR_WR_ENA", 31, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_value csq_modes[] = {
	{ 0, "PRIDIS_INDDIS" }, { 1, "PRIPIO_INDDIS" }, { 2, "PRIBM_INDDIS" },
	{ 3, "PRIPIO_INDBM" }, { 4, "PRIBM_INDBM" }, { 15, "PRIPIO_INDPIO" }, { 0, NULL },
};

static const struct pt_plugin_field csq_fields[] = {
	{ "CSQ_MODE", 28, 4, csq_modes }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_reg regs[] = {
	{ 2, 0x0000, "MM_INDEX", 4, 0, 0, NULL },
	{ 2, 0x0004, "MM_DATA", 4, 0, 0, NULL },
	{ 2, 0x0010, "BIOS_SCRATCH", 4, 8, 4, NULL },
	{ 2, 0x0040, "GEN_INT_CNTL", 4, 0, 0, int_fields },
	{ 2, 0x0044, "GEN_INT_STATUS", 4, 0, 0, int_fields },
	{ 2, 0x0050, "CRTC_GEN_CNTL", 4, 0, 0, NULL },
	{ 2, 0x00f0, "RBBM_SOFT_RESET", 4, 0, 0, soft_reset_fields },
	{ 2, 0x00f8, "CONFIG_MEMSIZE", 4, 0, 0, NULL },
	{ 2, 0x0700, "CP_RB_BASE", 4, 0, 0, NULL },
	{ 2, 0x0704, "CP_RB_CNTL", 4, 0, 0, rb_cntl_fields },
	{ 2, 0x070c, "CP_RB_RPTR_ADDR", 4, 0, 0, NULL },
	{ 2, 0x0710, "CP_RB_RPTR", 4, 0, 0, NULL },
	{ 2, 0x0714, "CP_RB_WPTR", 4, 0, 0, NULL },
	{ 2, 0x0740, "CP_CSQ_CNTL", 4, 0, 0, csq_fields },
	{ 2, 0x0770, "SCRATCH_UMSK", 4, 0, 0, NULL },
	{ 2, 0x0774, "SCRATCH_ADDR", 4, 0, 0, NULL },
	{ 2, 0x0e40, "RBBM_STATUS", 4, 0, 0, rbbm_status_fields },
	{ 2, 0x15e0, "SCRATCH_REG", 4, 6, 4, NULL },
	{ 0, 0, NULL, 0, 0, 0, NULL },
};

static const struct pt_plugin_device devices[] = {
	{ 0x1002, PT_PLUGIN_ANY, 0x030000, 0xff0000, "ATI Radeon R100", regs },
	{ 0, 0, 0, 0, NULL, NULL },
};

static const struct pt_plugin plugin = {
	.api_version = PT_PLUGIN_API_VERSION,
	.name = "radeon",
	.description = "ATI Radeon R100 family (QEMU ati-vga model=rv100)",
	.devices = devices,
};

const struct pt_plugin *pt_plugin_init(unsigned host_api)
{
	(void)host_api;
	return &plugin;
}
