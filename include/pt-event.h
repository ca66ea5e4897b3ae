// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The normalized kvm event: what every detector, the report and the TUI
 * see, whatever kernel and trace-cmd wrote the file.  One record of the
 * trace becomes at most one pt_event.
 */
#ifndef PT_EVENT_H
#define PT_EVENT_H

#include <stdint.h>

/*
 * X-macro: kind, name shown to users.  The trace event each comes from is
 * in analyzer/kvm-events.c (pt_event_kind_source).
 */
#define PT_EVENT_KINDS(X) \
	X(MMIO_READ,	"mmio read") \
	X(MMIO_WRITE,	"mmio write") \
	X(PIO_READ,	"pio read") \
	X(PIO_WRITE,	"pio write") \
	X(MSR_READ,	"msr read") \
	X(MSR_WRITE,	"msr write") \
	X(MSI,		"msi") \
	X(IRQ_LINE,	"irq line") \
	X(APIC_ACCEPT,	"apic accept") \
	X(EOI,		"eoi") \
	X(INJ_VIRQ,	"inject irq") \
	X(INJ_EXCEPTION, "exception") \
	X(USER_EXIT,	"userspace exit") \
	X(EXIT,		"exit") \
	X(PAGE_FAULT,	"page fault") \
	X(EMULATE,	"emulate")

enum pt_event_kind {
#define PT_EV_ENUM(k, name) PT_EV_##k,
	PT_EVENT_KINDS(PT_EV_ENUM)
#undef PT_EV_ENUM
	PT_EV_KINDS
};

/*
 * Field use by kind:
 *   MMIO_*, PIO_*   addr = GPA or port, val = data, len = bytes
 *   MSR_*           addr = MSR index, val = data
 *   MSI             addr = MSI address, val = MSI data (vector in bits 0-7)
 *   IRQ_LINE        addr = GSI, val = level
 *   APIC_ACCEPT, EOI   val = vector, addr = the APIC id of the vcpu (0 when not recorded)
 *   INJ_VIRQ        val = vector
 *   INJ_EXCEPTION   val = vector, extra = error code (flags: PT_EVF_ERROR_CODE)
 *   USER_EXIT       val = KVM_EXIT_* reason
 *   EXIT            val = exit reason, rip = guest rip
 *   PAGE_FAULT      addr = fault address, val = error code, rip = guest rip
 *   EMULATE         rip = guest rip
 */
struct pt_event {
	uint64_t ts;		/* ns, the trace's clock */
	uint64_t addr;
	uint64_t val;
	uint64_t rip;		/* guest rip when the record has one, else 0 */
	uint32_t tid;		/* host thread */
	uint32_t extra;
	int16_t cpu;		/* host cpu */
	int16_t vcpu;		/* -1 when unknown */
	uint8_t kind;		/* enum pt_event_kind */
	uint8_t len;
	uint8_t flags;
	uint8_t vm;		/* the VM whose thread raised it (pt-threads.h), PT_VM_NONE */
};

#define PT_EVF_ERROR_CODE	0x01	/* INJ_EXCEPTION: extra is valid */
#define PT_EVF_LOST_BEFORE	0x02	/* the ring buffer dropped events just before */
/* MMIO_*, PIO_*: rip is the nearest rip record before, on the same vcpu */
#define PT_EVF_RIP_NEAREST	0x04
/* MSR_*: KVM refused the access and injected #GP (kvm_msr's exception) */
#define PT_EVF_REFUSED		0x08

/* Kinds whose records carry the guest rip. */
static inline int pt_kind_has_rip(unsigned kind)
{
	return kind == PT_EV_EXIT || kind == PT_EV_PAGE_FAULT || kind == PT_EV_EMULATE;
}

/* Is V all-ones for an access of LEN bytes? */
static inline int pt_all_ones(uint64_t v, unsigned len)
{
	if (len == 0 || len >= 8)
		return v == ~0ull;
	return v == (1ull << (8 * len)) - 1;
}

const char *pt_event_kind_name(enum pt_event_kind kind);
const char *pt_event_kind_source(enum pt_event_kind kind);

/* KVM_EXIT_* names, "KVM_EXIT_SHUTDOWN"; NULL when unknown */
const char *pt_kvm_exit_name(uint64_t reason);
#define PT_KVM_EXIT_IO		2
#define PT_KVM_EXIT_MMIO	6
#define PT_KVM_EXIT_SHUTDOWN	8
#define PT_KVM_EXIT_INTERNAL_ERROR 17
#define PT_KVM_EXIT_SYSTEM_EVENT 24

#endif
