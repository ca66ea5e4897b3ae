// SPDX-License-Identifier: GPL-2.0-or-later
/* QEMU's edu device (1234:11e8), from QEMU's docs/specs/edu.rst. */
#include <stddef.h>

#include "pttrace-plugin.h"

static const struct pt_plugin_field status_fields[] = {
	{ "COMPUTING", 0, 1, NULL }, { "IRQ_AFTER_FACTORIAL", 7, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_field irq_fields[] = {
	{ "FACTORIAL", 0, 1, NULL }, { "DMA", 8, 1, NULL }, { NULL, 0, 0, NULL },
};

static const struct pt_plugin_value dma_direction[] = {
	{ 0, "RAM_TO_EDU" }, { 1, "EDU_TO_RAM" }, { 0, NULL },
};

static const struct pt_plugin_field dma_cmd_fields[] = {
	{ "START", 0, 1, NULL }, { "DIRECTION", 1, 1, dma_direction }, { "RAISE_IRQ", 2, 1, NULL },
	{ NULL, 0, 0, NULL },
};

static const struct pt_plugin_reg edu_regs[] = {
	{ 0, 0x00, "ID", 4, 0, 0, NULL },
	{ 0, 0x04, "LIVENESS", 4, 0, 0, NULL },
	{ 0, 0x08, "FACTORIAL", 4, 0, 0, NULL },
	{ 0, 0x20, "STATUS", 4, 0, 0, status_fields },
	{ 0, 0x24, "IRQ_STATUS", 4, 0, 0, irq_fields },
	{ 0, 0x60, "IRQ_RAISE", 4, 0, 0, irq_fields },
	{ 0, 0x64, "IRQ_ACK", 4, 0, 0, irq_fields },
	{ 0, 0x80, "DMA_SRC", 8, 0, 0, NULL },
	{ 0, 0x88, "DMA_DST", 8, 0, 0, NULL },
	{ 0, 0x90, "DMA_COUNT", 8, 0, 0, NULL },
	{ 0, 0x98, "DMA_CMD", 8, 0, 0, dma_cmd_fields },
	{ 0, 0x40000, "DMA_BUFFER", 4096, 0, 0, NULL },
	{ 0, 0, NULL, 0, 0, 0, NULL },
};

static const struct pt_plugin_device devices[] = {
	{ 0x1234, 0x11e8, 0, 0, "edu", edu_regs },
	{ 0, 0, 0, 0, NULL, NULL },
};

static const struct pt_plugin plugin = {
	.api_version = PT_PLUGIN_API_VERSION,
	.name = "edu",
	.description = "QEMU's educational PCI device",
	.devices = devices,
};

const struct pt_plugin *pt_plugin_init(unsigned host_api)
{
	(void)host_api;
	return &plugin;
}
