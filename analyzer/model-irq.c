// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model's interrupts: MSI and MSI-X messages traced back to their
 * device, the MSI-X table as the guest programs it, the IO-APIC's
 * redirection entries, and INTx routing (Interrupt Line, or QEMU's q35).
 */
#include <linux/pci_regs.h>

#include "model.h"

/* IO-APIC registers: a select register and a window onto the one selected */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
/* selectable registers 0x10-0x3f: each pin's redirection entry, low dword first */
#define IOAPIC_REDTBL		0x10
/* the low dword of a redirection entry */
#define IOAPIC_REDIR_VECTOR	0xffu
#define IOAPIC_REDIR_MASKED	(1u << 16)

/* QEMU's q35 host bridge (MCH) */
#define Q35_MCH_VENDOR		0x8086
#define Q35_MCH_DEVICE		0x29c0

/*
 * QEMU's q35 routes INTx of slot S, pin P (1-4) to PIRQ[E + (S + P - 1) % 4],
 * GSI 16-23 for PIRQ A-H; the chipset's own slots (0x1a-0x1f) have their
 * own routing registers: -1.
 */
static int q35_gsi(uint16_t bdf, unsigned pin)
{
	unsigned slot = (bdf >> 3) & 0x1f;

	if (slot >= 0x1a)
		return -1;
	return 16 + 4 + (slot + pin - 1) % 4;
}

void pt_model_intx_route(struct pt_model *m, struct pt_device *d, unsigned off, unsigned len)
{
	uint32_t line, pin;

	if (d->bdf == 0 && d->vendor == Q35_MCH_VENDOR && d->device == Q35_MCH_DEVICE)
		m->q35 = 1;
	/*
	 * Interrupt Line as firmware or the OS left it: 16-23 can only be an
	 * IO-APIC pin (a PIC IRQ is below 16, SeaBIOS writes those), so it
	 * beats the q35 guess.
	 */
	if (off <= PCI_INTERRUPT_LINE && off + len > PCI_INTERRUPT_LINE &&
	    !pt_cfg_read(d, PCI_INTERRUPT_LINE, 1, &line) && line >= 16 && line < IOAPIC_PINS) {
		d->gsi = line;
		d->gsi_from_line = 1;
	}
	if (d->gsi < 0 && m->q35 && d->present && (d->bdf >> 8) == 0 &&
	    !pt_cfg_read(d, PCI_INTERRUPT_PIN, 1, &pin) && pin >= 1 && pin <= 4)
		d->gsi = q35_gsi(d->bdf, pin);
}

void pt_model_msix_write(struct pt_device *d, int bar, uint64_t off, const struct pt_event *ev)
{
	uint64_t entry;

	if (!d->msix_cap || bar != d->msix_bar || off < d->msix_table ||
	    off >= d->msix_table + (uint64_t)PCI_MSIX_ENTRY_SIZE * d->msix_size)
		return;
	entry = (off - d->msix_table) / PCI_MSIX_ENTRY_SIZE;
	if (entry >= PT_MSIX_VECTORS)
		return;
	switch ((off - d->msix_table) % PCI_MSIX_ENTRY_SIZE) {
	case PCI_MSIX_ENTRY_LOWER_ADDR:
		d->msix_address[entry] = (d->msix_address[entry] & ~0xffffffffull) | (uint32_t)ev->val;
		if (ev->len == 8)
			d->msix_address[entry] = ev->val;
		break;
	case PCI_MSIX_ENTRY_UPPER_ADDR:
		d->msix_address[entry] = (d->msix_address[entry] & 0xffffffff) | ev->val << 32;
		break;
	case PCI_MSIX_ENTRY_DATA:
		d->msix_data[entry] = ev->val;
		if (ev->len == 8)
			d->msix_masked[entry] = (ev->val >> 32) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		break;
	case PCI_MSIX_ENTRY_VECTOR_CTRL:
		d->msix_masked[entry] = ev->val & PCI_MSIX_ENTRY_CTRL_MASKBIT;
		break;
	}
}

void pt_model_ioapic(struct pt_model *m, const struct pt_event *ev)
{
	uint64_t off = ev->addr - IOAPIC_BASE;

	if (ev->kind != PT_EV_MMIO_WRITE)
		return;
	if (off == IOAPIC_REGSEL) {
		m->ioapic_sel = ev->val;
	} else if (off == IOAPIC_WINDOW && m->ioapic_sel >= IOAPIC_REDTBL &&
		   m->ioapic_sel < IOAPIC_REDTBL + 2 * IOAPIC_PINS && !(m->ioapic_sel & 1)) {
		struct pt_ioapic_pin *p = &m->ioapic[(m->ioapic_sel - IOAPIC_REDTBL) / 2];

		p->vector = ev->val & IOAPIC_REDIR_VECTOR;
		p->masked = !!(ev->val & IOAPIC_REDIR_MASKED);
		p->programmed = 1;
	}
}

void pt_model_msi(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc)
{
	struct pt_device *by_vector = NULL;

	for (unsigned i = 0; i < m->ndevs; i++) {
		struct pt_device *d = m->devs[i];

		if (d->msi_enabled && d->msi_address == ev->addr &&
		    (d->msi_data & 0xffff) == (ev->val & 0xffff)) {
			acc->dev = d;
			break;
		}
		if (d->msix_enabled) {
			for (unsigned v = 0; v < PT_MSIX_VECTORS && v < d->msix_size; v++) {
				if (d->msix_address[v] == ev->addr && d->msix_data[v] == (uint32_t)ev->val) {
					acc->dev = d;
					break;
				}
			}
		}
		if (!by_vector && (d->msi_enabled || d->msix_enabled) &&
		    (d->msi_data & 0xff) == (ev->val & 0xff))
			by_vector = d;
	}
	if (!acc->dev)
		acc->dev = by_vector;
	if (acc->dev) {
		acc->type = PT_ACC_INTERRUPT;
		acc->dev->msis++;
	}
}

void pt_model_irq_line(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc)
{
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct pt_device *d = m->devs[i];

		if (d->gsi >= 0 && (uint64_t)d->gsi == ev->addr &&
		    !(d->command_known && (d->command & PCI_COMMAND_INTX_DISABLE))) {
			acc->type = PT_ACC_INTERRUPT;
			acc->dev = d;
			if (ev->val)
				d->intx++;
			return;
		}
	}
}

const struct pt_ioapic_pin *pt_model_ioapic_pin(const struct pt_model *m, unsigned gsi)
{
	return gsi < IOAPIC_PINS ? &m->ioapic[gsi] : NULL;
}

int pt_model_gsi_vector(const struct pt_model *m, unsigned gsi)
{
	return gsi < IOAPIC_PINS && m->ioapic[gsi].vector ? m->ioapic[gsi].vector : -1;
}

struct pt_device *pt_model_vector_device(const struct pt_model *m, unsigned vector, int *gsi)
{
	*gsi = -1;
	for (unsigned g = 0; g < IOAPIC_PINS; g++)
		if (m->ioapic[g].vector == vector && vector)
			*gsi = g;
	for (unsigned i = 0; i < m->ndevs; i++) {
		struct pt_device *d = m->devs[i];

		if ((d->msi_enabled || d->msix_enabled) && (d->msi_data & 0xff) == vector)
			return d;
		if (*gsi >= 0 && d->gsi == *gsi)
			return d;
	}
	return NULL;
}
