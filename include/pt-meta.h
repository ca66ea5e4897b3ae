// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace's metadata inside a trace.dat: what the VM was (its name, its
 * passed-through and emulated PCI devices, their guest BARs from QMP) and
 * how it was recorded.  It travels as a trace.dat option with an id of its
 * own (trace-cmd report skips options it does not know), so it survives
 * the ring buffer wrapping; its text is JSON (docs/record-metadata.md).
 */
#ifndef PT_META_H
#define PT_META_H

#include <stddef.h>
#include "pttrace.h"

#define PT_OPTION_METADATA 0x7074	/* "pt" */

/* pt-tracefile.h finds it while reading the options: pt_reader_meta(). */

#endif
