/*
 * The device and driver the reasoning tests (test_reasoning_*.c) share: a
 * NIC at 00:04.0 with BAR0 at NIC_BAR, its driver's work, and the checks
 * they make on a finding.
 */
#ifndef TEST_REASONING_H
#define TEST_REASONING_H

#include "stream.h"

#define NIC	BDF(0, 4, 0)
#define NIC_BAR	0xfeb00000u
#define MSI_ADDR_DEST_OF(a) (((a) >> 12) & 0xff)

static inline void end_of_trace(struct stream *s)
{
	pt_analysis_finish(s->a);
}

static inline int evidence_at(const struct pt_finding *f, unsigned off)
{
	for (unsigned i = 0; i < f->nevidence; i++)
		if (f->evidence[i].has_target && f->evidence[i].bar == PT_REG_CONFIG &&
		    f->evidence[i].off == off)
			return 1;
	return 0;
}

/* The NIC's driver at work: a doorbell, an interrupt, the handler reads its cause and acks. */
static inline void nic_work(struct stream *s, int n, int interrupts, uint32_t addr)
{
	for (int i = 0; i < n; i++) {
		mmio(s, 1, NIC_BAR + 0x3818, i & 0xff);		/* TX tail: write-only */
		if (interrupts)
			deliver(s, addr, 0x41, MSI_ADDR_DEST_OF(addr));
		mmio(s, 0, NIC_BAR + 0x00c0, 0x1);		/* ICR */
		mmio(s, 1, NIC_BAR + 0x00c0, 0x1);
	}
}

#endif
