// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building event streams by hand for the analyzer's unit tests: what a
 * guest driver does, as the kvm events KVM would record for it.
 */
#ifndef TEST_STREAM_H
#define TEST_STREAM_H

#include <stdio.h>
#include <string.h>
#include <linux/pci_regs.h>
#include "pt-analyze.h"
#include "pt-hostreset.h"

struct stream {
	struct pt_analysis *a;
	uint64_t ts;		/* ns; each event advances it by step */
	uint64_t step;
	int vcpu;
};

/* A stream at t = 1 s, 20 us between events, into a new analysis (cmocka asserts it). */
static inline struct stream stream_start(void)
{
	struct pt_analysis_opts o = { .vcpu = -1 };
	struct stream s = { .ts = 1000000000ull, .step = 20000 };
	struct pt_err err;

	s.a = pt_analysis_new(&o, &err);
	assert_non_null(s.a);
	return s;
}

/* One event with FLAGS (PT_EVF_*). */
static inline void emit_flags(struct stream *s, enum pt_event_kind kind, uint64_t addr,
			      uint64_t val, unsigned len, uint8_t flags)
{
	struct pt_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ts = s->ts;
	ev.kind = kind;
	ev.addr = addr;
	ev.val = val;
	ev.len = len;
	ev.flags = flags;
	ev.tid = 100 + s->vcpu;
	ev.vcpu = (kind == PT_EV_MSI || kind == PT_EV_IRQ_LINE || kind == PT_EV_APIC_ACCEPT)
		  ? -1 : s->vcpu;
	pt_analysis_feed(s->a, &ev);
	s->ts += s->step;
}

static inline void emit(struct stream *s, enum pt_event_kind kind, uint64_t addr, uint64_t val,
			unsigned len)
{
	emit_flags(s, kind, addr, val, len, 0);
}

static inline void cf8(struct stream *s, uint16_t bdf, unsigned off)
{
	emit(s, PT_EV_PIO_WRITE, 0xcf8, 0x80000000u | (uint32_t)bdf << 8 | (off & 0xfc), 4);
}

static inline void cfg_write(struct stream *s, uint16_t bdf, unsigned off, unsigned len, uint32_t v)
{
	cf8(s, bdf, off);
	emit(s, PT_EV_PIO_WRITE, 0xcfc + (off & 3), v, len);
}

static inline void cfg_read(struct stream *s, uint16_t bdf, unsigned off, unsigned len, uint32_t v)
{
	cf8(s, bdf, off);
	emit(s, PT_EV_PIO_READ, 0xcfc + (off & 3), v, len);
}

/* Where probe_device puts the capabilities of the devices it probes. */
#define PM_CAP		0x40u
#define MSI_CAP		0x50u		/* 64-bit addresses, no masking */
#define PCIE_CAP	0x70u

/*
 * A device as enumeration and a driver's probe leave it: ids, class, BAR0
 * sized and placed, INTA, the capabilities above, and memory decode and
 * bus master on.
 */
static inline void probe_device(struct stream *s, uint16_t bdf, uint16_t vendor, uint16_t device,
				uint32_t class_code, uint32_t bar0, uint32_t bar0_size)
{
	cfg_read(s, bdf, PCI_VENDOR_ID, 4, (uint32_t)device << 16 | vendor);
	cfg_read(s, bdf, PCI_CLASS_REVISION, 4, class_code << 8);
	cfg_read(s, bdf, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
	cfg_read(s, bdf, PCI_BASE_ADDRESS_0, 4, 0);
	cfg_write(s, bdf, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cfg_read(s, bdf, PCI_BASE_ADDRESS_0, 4, ~(bar0_size - 1));
	cfg_write(s, bdf, PCI_BASE_ADDRESS_0, 4, bar0);
	cfg_read(s, bdf, PCI_INTERRUPT_PIN, 1, 1);			/* INTA */
	cfg_read(s, bdf, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_read(s, bdf, PCI_CAPABILITY_LIST, 1, PM_CAP);
	cfg_read(s, bdf, PM_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM);
	cfg_read(s, bdf, PM_CAP + PCI_CAP_LIST_NEXT, 1, MSI_CAP);
	cfg_read(s, bdf, MSI_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSI);
	cfg_read(s, bdf, MSI_CAP + PCI_CAP_LIST_NEXT, 1, PCIE_CAP);
	cfg_read(s, bdf, PCIE_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_EXP);
	cfg_read(s, bdf, PCIE_CAP + PCI_CAP_LIST_NEXT, 1, 0);
	cfg_read(s, bdf, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	cfg_read(s, bdf, PCI_COMMAND, 2, 0);
	cfg_write(s, bdf, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static inline void msi_program(struct stream *s, uint16_t bdf, uint32_t address, uint16_t data)
{
	cfg_read(s, bdf, MSI_CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT);
	cfg_write(s, bdf, MSI_CAP + PCI_MSI_ADDRESS_LO, 4, address);
	cfg_write(s, bdf, MSI_CAP + PCI_MSI_ADDRESS_HI, 4, 0);
	cfg_write(s, bdf, MSI_CAP + PCI_MSI_DATA_64, 2, data);
	cfg_write(s, bdf, MSI_CAP + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_ENABLE);
}

static inline void mmio(struct stream *s, int write, uint64_t gpa, uint64_t val)
{
	emit(s, write ? PT_EV_MMIO_WRITE : PT_EV_MMIO_READ, gpa, val, 4);
}

static __attribute__((noinline, unused)) const struct pt_finding *find(const struct pt_analysis *a, const char *detector)
{
	for (unsigned i = 0; i < a->nfindings; i++)
		if (!strcmp(a->findings[i].detector, detector))
			return &a->findings[i];
	return NULL;
}

#define BDF(b, d, f) ((uint16_t)((b) << 8 | (d) << 3 | (f)))

/*
 * The host runs kernel function FN (pt-hostreset.h) on host device DEV ("" for
 * a probe without the name), now: what pttrace record's kprobes put in the
 * file's host buffer, which the reader keeps beside the kvm events.
 */
static __attribute__((unused)) void host_reset(struct stream *s, const char *fn, const char *dev)
{
	struct pt_host_reset *r = &s->a->info.host_resets[s->a->info.nhost_resets++];

	memset(r, 0, sizeof(*r));
	r->ts = s->ts;
	r->fn = pt_hr_find(fn);
	snprintf(r->dev, sizeof(r->dev), "%s", dev);
	s->ts += s->step;
}

/* The guest panics (pvpanic) and the analysis ends there. */
static __attribute__((unused)) void pvpanic(struct stream *s)
{
	emit(s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s->a);
}

/* An MSI accepted by APIC id APIC, then the handler's EOI on that vcpu. */
static __attribute__((unused)) void deliver(struct stream *s, uint32_t addr, unsigned vector,
					    unsigned apic)
{
	emit(s, PT_EV_MSI, addr, vector, 0);
	emit(s, PT_EV_APIC_ACCEPT, apic, vector, 0);
	emit(s, PT_EV_EOI, apic, vector, 0);
}

/* Is a finding above info?  The first such is printed, so a failing assertion says which. */
static __attribute__((noinline, unused)) int any_above_info(const struct pt_analysis *a)
{
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].severity > PT_SEV_INFO) {
			fprintf(stderr, "finding above info: %s (%s)\n", a->findings[i].title,
				a->findings[i].detector);
			return 1;
		}
	return 0;
}

/* The first finding (in rank order) of class C, or NULL. */
static __attribute__((noinline, unused)) const struct pt_finding *
first_of_class(const struct pt_analysis *a, enum pt_finding_class c)
{
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].cls == c)
			return &a->findings[i];
	return NULL;
}

#endif
