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

/*
 * Reads the metadata option of the v7 trace.dat at PATH.  Returns 1 with
 * *TEXT (malloc'd, NUL-terminated) when there is one, 0 when the file has
 * none (or is not v7), -1 with ERR on a damaged file.
 */
int pt_meta_read(const char *path, char **text, struct pt_err *err);

#endif
