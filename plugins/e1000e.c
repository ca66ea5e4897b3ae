// SPDX-License-Identifier: GPL-2.0-or-later
/* Intel 82574 (e1000e, 8086:10d3), from the 82574 GbE controller datasheet. */
#include <stddef.h>

#include "pttrace-plugin.h"

static const struct pt_plugin_value speeds[] = {
	{ 0, "10" }, { 1, "100" }, { 2, "1000" }, { 3, "1000" }, { 0, NULL },
};

static const struct pt_plugin_field ctrl_fields[] = {
	{ "FD", 0, 1, NULL }, { "GIO_MASTER_DISABLE", 2, 1, NULL }, { "ASDE", 5, 1, NULL },
	{ "SLU", 6, 1, NULL }, { "SPEED", 8, 2, speeds }, { "FRCSPD", 11, 1, NULL },
	{ "FRCDPLX", 12, 1, NULL }, { "RST", 26, 1, NULL }, { "VME", 30, 1, NULL },
	{ "PHY_RST", 31, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field status_fields[] = {
	{ "FD", 0, 1, NULL }, { "LU", 1, 1, NULL }, { "TXOFF", 4, 1, NULL },
	{ "SPEED", 6, 2, speeds }, { "PHYRA", 10, 1, NULL }, { "GIO_MASTER_EN", 19, 1, NULL },
	{ NULL, 0, 0, NULL },
};

/* ICR, ICS, IMS and IMC share the interrupt cause bits */
static const struct pt_plugin_field cause_fields[] = {
	{ "TXDW", 0, 1, NULL }, { "TXQE", 1, 1, NULL }, { "LSC", 2, 1, NULL },
	{ "RXDMT0", 4, 1, NULL }, { "RXO", 6, 1, NULL }, { "RXT0", 7, 1, NULL },
	{ "MDAC", 9, 1, NULL }, { "TXD_LOW", 15, 1, NULL }, { "SRPD", 16, 1, NULL },
	{ "ACK", 17, 1, NULL }, { "MNG", 18, 1, NULL }, { "RXQ0", 20, 1, NULL },
	{ "RXQ1", 21, 1, NULL }, { "TXQ0", 22, 1, NULL }, { "TXQ1", 23, 1, NULL },
	{ "OTHER", 24, 1, NULL }, { "INT_ASSERTED", 31, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field enable_fields[] = {
	{ "EN", 1, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_reg regs[] = {
	{ 0, 0x0000, "CTRL", 4, 0, 0, ctrl_fields },
	{ 0, 0x0008, "STATUS", 4, 0, 0, status_fields },
	{ 0, 0x0010, "EEC", 4, 0, 0, NULL },
	{ 0, 0x0014, "EERD", 4, 0, 0, NULL },
	{ 0, 0x0018, "CTRL_EXT", 4, 0, 0, NULL },
	{ 0, 0x0020, "MDIC", 4, 0, 0, NULL },
	{ 0, 0x00c0, "ICR", 4, 0, 0, cause_fields },
	{ 0, 0x00c4, "ITR", 4, 0, 0, NULL },
	{ 0, 0x00c8, "ICS", 4, 0, 0, cause_fields },
	{ 0, 0x00d0, "IMS", 4, 0, 0, cause_fields },
	{ 0, 0x00d8, "IMC", 4, 0, 0, cause_fields },
	{ 0, 0x00e0, "IAM", 4, 0, 0, NULL },
	{ 0, 0x00e8, "IVAR", 4, 0, 0, NULL },
	{ 0, 0x0100, "RCTL", 4, 0, 0, enable_fields },
	{ 0, 0x0400, "TCTL", 4, 0, 0, enable_fields },
	{ 0, 0x2800, "RDBAL", 4, 0, 0, NULL },
	{ 0, 0x2804, "RDBAH", 4, 0, 0, NULL },
	{ 0, 0x2808, "RDLEN", 4, 0, 0, NULL },
	{ 0, 0x2810, "RDH", 4, 0, 0, NULL },
	{ 0, 0x2818, "RDT", 4, 0, 0, NULL },
	{ 0, 0x3800, "TDBAL", 4, 0, 0, NULL },
	{ 0, 0x3804, "TDBAH", 4, 0, 0, NULL },
	{ 0, 0x3808, "TDLEN", 4, 0, 0, NULL },
	{ 0, 0x3810, "TDH", 4, 0, 0, NULL },
	{ 0, 0x3818, "TDT", 4, 0, 0, NULL },
	{ 0, 0x5400, "RAL", 4, 16, 8, NULL },
	{ 0, 0x5404, "RAH", 4, 16, 8, NULL },
	{ 3, 0x0000, "MSIX_TABLE", 16, 5, 16, NULL },
	{ 3, 0x2000, "MSIX_PBA", 8, 0, 0, NULL },
	{ 0, 0, NULL, 0, 0, 0, NULL },
};

static const struct pt_plugin_device devices[] = {
	{ 0x8086, 0x10d3, 0, 0, "Intel 82574L (e1000e)", regs },
	{ 0, 0, 0, 0, NULL, NULL },
};

static const struct pt_plugin plugin = {
	.api_version = PT_PLUGIN_API_VERSION,
	.name = "e1000e",
	.description = "Intel 82574L gigabit Ethernet",
	.devices = devices,
};

const struct pt_plugin *pt_plugin_init(unsigned host_api)
{
	(void)host_api;
	return &plugin;
}
