// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Words for what the analysis saw (analyzer/describe.c): the one place that
 * turns an event, with the device, BAR, register and guest function it was
 * resolved to, into a line a person reads.  The reports and the TUI use it.
 */
#ifndef PT_DESCRIBE_H
#define PT_DESCRIBE_H

#include <stddef.h>
#include "pt-analyze.h"

/*
 * "mmio read   00:03.0 BAR0+0x0024 STATUS gpa 0xfebf0024 len 4 val 0x100
 * { ... } by drv_isr+0x1c" for one evidence line, into BUF (always
 * terminated).
 */
void pt_evidence_str(const struct pt_analysis *a, const struct pt_evidence *e, char *buf,
		     size_t size);

#endif
