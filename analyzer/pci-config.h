// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PCI config space in one vocabulary, <linux/pci_regs.h>'s: what the
 * model's config logic (model-config.c) and the register decoder
 * (pci-config.c) both need to know of a device's layout.
 */
#ifndef PT_PCI_CONFIG_H
#define PT_PCI_CONFIG_H

#include <linux/pci_regs.h>
#include "pt-model.h"

/* The largest MSI capability: 64-bit addresses and per-vector masking. */
#define PT_MSI_CAP_SIZE		(PCI_MSI_PENDING_64 + 4)

/* Does an access of LEN bytes at config offset OFF touch any of the SIZE bytes at REG? */
static inline int pt_cfg_touches(unsigned off, unsigned len, unsigned reg, unsigned size)
{
	return off < reg + size && off + len > reg;
}

/* A type 0 header: a function with six BARs. */
static inline int pt_cfg_is_normal(const struct pt_device *d)
{
	return (d->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_NORMAL;
}

/* A type 1 header: a bridge, with bus numbers and a bridge control register. */
static inline int pt_cfg_is_bridge(const struct pt_device *d)
{
	return (d->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE;
}

#endif
