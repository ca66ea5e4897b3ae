// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model's insides, shared by its three files: model.c (the device
 * table, event dispatch, BAR ranges, lookups), model-config.c (config
 * space and what its reads and writes do) and model-irq.c (MSI, MSI-X,
 * the IO-APIC and INTx routing).
 */
#ifndef PT_MODEL_PRIV_H
#define PT_MODEL_PRIV_H

#include "pt-model.h"

/* The IO-APIC's registers in guest memory (82093AA datasheet) */
#define IOAPIC_BASE	0xfec00000ull
#define IOAPIC_PINS	24

struct pt_model {
	struct pt_model_opts opts;
	struct pt_device *devs[PT_MAX_DEVICES];
	unsigned ndevs;
	uint32_t cf8;			/* the config address latch */
	int ecam_seen;
	uint32_t ioapic_sel;
	struct pt_ioapic_pin ioapic[IOAPIC_PINS];
	int q35;			/* INTx routing follows QEMU's q35 */
	/* the valid BARs as a flat table, rebuilt when one changes */
	struct range {
		uint64_t start, end;
		struct pt_device *dev;
		int bar, io;
	} ranges[PT_MAX_DEVICES * 6];
	unsigned nranges;
	int ranges_dirty;
	/* no two ranges overlap: the last range found is the first that holds its addresses */
	int ranges_apart;
	unsigned last_range;
	/* the last address in no range (port 0xcfc, the local APIC's page), until they change */
	uint64_t last_miss;
	int last_miss_io;		/* -1: none */
	/* MMIO in no known BAR, by page, and the regions they make */
	struct upage {
		uint64_t page;
		uint64_t reads, writes, answered_reads, kernel_writes;
		uint64_t first_ts, last_ts;
	} upages[PT_MAX_UNKNOWN_PAGES];
	unsigned nupages;
	struct pt_unknown_region uregions[PT_MAX_UNKNOWN_PAGES];
	unsigned nuregions;
	int uregions_dirty;
	uint64_t mmio_exits;		/* KVM_EXIT_MMIO userspace exits seen */
	/* writes to unknown pages waiting for their thread's next event */
	struct pending_write {
		uint32_t tid;
		int upage;		/* index in upages, -1 when free */
	} pending[16];
	unsigned npending;		/* slots in use */
};

/* model.c */

/* The device at BDF, added when new; NULL when the table is full or memory is out. */
struct pt_device *pt_model_device_get(struct pt_model *m, uint16_t bdf);
/* Counts EV (a read, or a write) on the register ACC names, and sets ACC->reg. */
void pt_model_touch(struct pt_device *d, struct pt_access *acc, const struct pt_event *ev,
		    int write);

/* model-config.c */

/* A config cycle (0xCFC or ECAM) of EV at config offset OFF of BDF: the shadow and its effects. */
void pt_model_config(struct pt_model *m, uint16_t bdf, unsigned off, const struct pt_event *ev,
		     int write, struct pt_access *acc);

/* model-irq.c */

/* After a config access of LEN bytes at OFF of D: its INTx GSI, if that told it. */
void pt_model_intx_route(struct pt_model *m, struct pt_device *d, unsigned off, unsigned len);
/* A write EV to D's BAR at OFF: an MSI-X table entry's address, data or mask, if it is one. */
void pt_model_msix_write(struct pt_device *d, int bar, uint64_t off, const struct pt_event *ev);
/* An access EV to the IO-APIC's registers. */
void pt_model_ioapic(struct pt_model *m, const struct pt_event *ev);
/* An MSI (EV) or an INTx line change: the device that sent it, into ACC. */
void pt_model_msi(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc);
void pt_model_irq_line(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc);

#endif
