// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The guest's PCI devices as the trace shows them: config space seen
 * through 0xCF8/0xCFC and ECAM, BARs, power state, MSI/MSI-X, resets, and
 * which device, BAR and offset every MMIO access hits.  State is kept
 * through time as events stream by.
 */
#ifndef PT_MODEL_H
#define PT_MODEL_H

#include <stdint.h>
#include "pt-event.h"
#include "pttrace.h"

#define PT_MAX_DEVICES	128
#define PT_MAX_REGS	1024	/* per device; more are counted as "other" */
#define PT_MSIX_VECTORS	32

struct pt_bar {
	uint64_t base, size;	/* size 0: not seen sized */
	uint64_t prev_base;	/* where it was before it last moved, 0 if never */
	uint64_t moved_ts;
	uint8_t valid, is_io, is64, sizing, hinted;
};

struct pt_reg {
	uint64_t key;		/* bar << 32 | offset; bar 7 is config space */
	uint64_t last_val;
	uint64_t first_ts, last_ts;
	uint64_t first_write_ts;
	uint32_t reads, writes;
	uint8_t len;
	uint8_t ever_not_ones;	/* a read returned something other than all-ones */
	/* the current run of reads returning the same value, with no write */
	uint32_t run_reads;
	uint64_t run_start_ts;
	uint32_t changes;	/* reads that returned a new value */
};

#define PT_FAULT_ADDRS 8

/*
 * A BAR address the guest touched as kvm_page_fault shows it (after an
 * EPT violation or an NPF): where, how often, never what was read or
 * written, which that event does not carry.
 */
struct pt_fault_addr {
	uint64_t gpa;
	uint64_t count;
	uint64_t first_ts, last_ts;
	int8_t bar;
};

enum pt_reset_kind { PT_RESET_NONE, PT_RESET_FLR, PT_RESET_BUS, PT_RESET_PM, PT_RESET_SOFT };

/* The PowerState field of PMCSR (PCI_PM_CTRL_STATE_MASK). */
enum pt_power_state { PT_D0, PT_D1, PT_D2, PT_D3HOT };

struct pt_device {
	uint16_t bdf;
	uint16_t vendor, device;
	uint8_t present;		/* a config read returned a real vendor id */
	uint8_t hinted;			/* given with --device or by the metadata */
	uint8_t assigned;		/* passed through (pttrace's metadata says) */
	int8_t x_no_mmap;		/* -1 unknown */
	char host[16];			/* the host BDF of an assigned device */
	uint8_t header_type;
	uint32_t class_code;

	uint8_t cfg[4096];
	uint8_t cfg_known[4096 / 8];

	struct pt_bar bar[6];

	uint16_t command;
	uint8_t command_known;
	uint64_t command_ts;

	uint8_t caps_walked;
	uint8_t pm_cap, msi_cap, msix_cap, pcie_cap;

	int8_t power_state;		/* enum pt_power_state, -1 unknown */
	uint64_t power_ts;

	uint8_t msi_enabled, msi_masked;
	uint64_t msi_address;
	uint32_t msi_data;
	uint64_t msi_ts;		/* last change of MSI address, data or enable */

	uint8_t msix_enabled, msix_fn_mask, msix_bar;
	uint32_t msix_table, msix_size;
	uint64_t msix_address[PT_MSIX_VECTORS];
	uint32_t msix_data[PT_MSIX_VECTORS];
	uint8_t msix_masked[PT_MSIX_VECTORS];

	enum pt_reset_kind reset_kind;
	uint64_t reset_ts;

	int gsi;			/* INTx GSI, -1 unknown */
	uint8_t gsi_from_line;		/* read from Interrupt Line, not guessed from q35 */

	/* counts for the report */
	uint64_t mmio_reads, mmio_writes, cfg_reads, cfg_writes, msis, intx;
	uint64_t first_ts, last_ts;

	/*
	 * kvm_page_fault GPAs in its BARs: accesses seen without kvm_mmio.
	 * Kept apart from the MMIO counts and registers above, which have
	 * values and feed the detectors; these have none.
	 */
	uint64_t bar_faults;
	struct pt_fault_addr fault_addr[PT_FAULT_ADDRS];	/* the first distinct ones */
	uint32_t nfault_addrs;

	struct pt_reg *regs;		/* open-addressed, PT_MAX_REGS slots */
	uint32_t nregs, regs_dropped;
};

#define PT_REG_CONFIG 7

/* What an event touched, as the model resolved it. */
enum pt_access_type {
	PT_ACC_NONE,
	PT_ACC_BAR,		/* MMIO or port I/O on a device BAR */
	PT_ACC_CONFIG,		/* a config cycle (0xCFC or ECAM) */
	PT_ACC_PLATFORM,	/* LAPIC, IO-APIC, HPET, the 0xCF8 latch, ... */
	PT_ACC_UNMAPPED,	/* MMIO to a GPA in no BAR and no platform region */
	PT_ACC_INTERRUPT,	/* an MSI or INTx attributed to a device */
	/*
	 * kvm_page_fault at a BAR address after an EPT violation or NPF: the
	 * guest touched a BAR mapped into it (vfio's mmap, torn down by a
	 * reset, decode off or D3hot and faulted back in); no value, no reg
	 */
	PT_ACC_FAULT,
};

struct pt_access {
	enum pt_access_type type;
	struct pt_device *dev;	/* NULL when none */
	int bar;		/* PT_REG_CONFIG for config space */
	uint64_t off;		/* offset in the BAR or config space */
	struct pt_reg *reg;
	const char *platform;	/* name of the platform region */
	/* for UNMAPPED: the device and BAR that used to be there, if any */
	struct pt_device *stale_dev;
	int stale_bar;
};

/*
 * MMIO to addresses in no BAR the model knows, grouped: pages within
 * PT_UNKNOWN_GAP pages of each other are one region.  A region "answers"
 * when a device evidently owns it: a read returned data (neither 0, which
 * QEMU returns for nothing, nor all-ones), or KVM completed a write in the
 * kernel (ioeventfd, coalesced MMIO: no KVM_EXIT_MMIO followed on that
 * thread).  A trace begun after boot shows device BARs this way.
 */
#define PT_MAX_UNKNOWN_PAGES	256
#define PT_UNKNOWN_GAP		4
struct pt_unknown_region {
	uint64_t start, end;		/* page-aligned, end exclusive */
	uint64_t reads, writes;
	uint64_t answered_reads;	/* returned data */
	uint64_t kernel_writes;		/* completed by KVM, no userspace exit */
	uint64_t first_ts, last_ts;
};

static inline int pt_unknown_answers(const struct pt_unknown_region *r)
{
	return r->answered_reads || r->kernel_writes;
}

struct pt_model_opts {
	uint64_t ecam_base;	/* 0: q35's 0xb0000000 when accesses look like ECAM */
	uint64_t ecam_size;
};

struct pt_model;

struct pt_model *pt_model_new(const struct pt_model_opts *opts, struct pt_err *err);
void pt_model_free(struct pt_model *m);

/* A device known from elsewhere than the trace (pttrace's metadata). */
struct pt_device *pt_model_describe(struct pt_model *m, uint16_t bdf, uint16_t vendor,
				     uint16_t device, uint32_t class_code);
int pt_model_set_bar(struct pt_model *m, uint16_t bdf, int bar, uint64_t base, uint64_t size,
		     int io);
/* "--device 00:03.0:0=0xfea00000+0x100000"; returns -1 with ERR on bad text */
int pt_model_hint(struct pt_model *m, const char *spec, struct pt_err *err);

/* Resolves EV against the state before it, then applies its effect. */
void pt_model_event(struct pt_model *m, const struct pt_event *ev, struct pt_access *acc);

/*
 * A guest physical address the guest faulted on (kvm_page_fault after an
 * EPT violation or NPF, EV's addr): counted on the device whose memory BAR
 * holds it.  Returns that device, or NULL, and fills ACC (PT_ACC_FAULT) for it.
 * Changes nothing the detectors see of values or registers.
 */
struct pt_device *pt_model_gpa_fault(struct pt_model *m, const struct pt_event *ev,
				      struct pt_access *acc);

struct pt_device *const *pt_model_devices(const struct pt_model *m, unsigned *count);
struct pt_device *pt_model_find(struct pt_model *m, uint16_t bdf);
/* An IO-APIC redirection entry as the guest programmed it. */
struct pt_ioapic_pin {
	uint8_t programmed;	/* its low dword was written in the trace */
	uint8_t vector, masked;
};
/* GSI's entry (all zero when never written), NULL past the 24 pins. */
const struct pt_ioapic_pin *pt_model_ioapic_pin(const struct pt_model *m, unsigned gsi);
/* The vector the guest programmed for an IO-APIC pin, -1 when not seen. */
int pt_model_gsi_vector(const struct pt_model *m, unsigned gsi);
/* The device whose MSI or INTx uses VECTOR, or NULL; *GSI gets its IO-APIC pin or -1. */
struct pt_device *pt_model_vector_device(const struct pt_model *m, unsigned vector, int *gsi);
/* Did the trace see enumeration (every present device's BARs sized)? */
int pt_model_map_complete(const struct pt_model *m);
/*
 * The unknown regions so far, lowest address first (see pt_unknown_region);
 * the array is the model's, valid until the next event.
 */
const struct pt_unknown_region *pt_model_unknown_regions(struct pt_model *m, unsigned *count);
/* The unknown region holding ADDR, or NULL. */
const struct pt_unknown_region *pt_model_unknown_at(struct pt_model *m, uint64_t addr);

void pt_bdf_str(uint16_t bdf, char *buf, size_t size);	/* "00:03.0" */
void pt_dev_str(const struct pt_device *d, char *buf, size_t size);	/* "00:03.0 [1234:11e8]" */
int pt_bdf_parse(const char *s, uint16_t *bdf, const char **end);
/* QEMU's addr= ("05.0", "0x5", "5") -> slot and function; -1 when it is none of those */
int pt_devfn_parse(const char *addr, unsigned *slot, unsigned *fn);
const char *pt_power_state_name(int state);		/* "D3hot" */

/* Reads a config byte range from the shadow; -1 when any byte is unknown. */
int pt_cfg_read(const struct pt_device *d, unsigned off, unsigned len, uint32_t *val);

#endif
