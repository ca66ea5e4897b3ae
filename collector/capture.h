// SPDX-License-Identifier: GPL-2.0-or-later
/* Finishing a capture from its scratch directory (scratch.h) into the trace.dat. */
#ifndef PT_CAPTURE_H
#define PT_CAPTURE_H

#include <tracefs.h>
#include "scratch.h"

/*
 * Moves what INST holds for each cpu into the scratch files TAG.cpuN,
 * appending whole pages; with FINAL, the partly filled pages too.
 */
int pt_capture_drain(const struct pt_scratch *s, struct tracefs_instance *inst, const char *tag,
		     int final, struct pt_err *err);

/*
 * Writes the trace.dat with META to OUTPUT, or when that fails to a second
 * place (WRITTEN says where), and removes the scratch: 0 written to OUTPUT,
 * 1 written elsewhere (ERR says why not to OUTPUT), -1 written nowhere: the
 * scratch is kept, and ERR says how to finish it.
 */
int pt_capture_write(struct pt_scratch *s, const char *meta, const char *output, char *written,
		     size_t wsize, struct pt_err *err);

/* What to do before --recover after WHY: "make room, then" after a full disk. */
const char *pt_capture_remedy(const struct pt_err *why);

/*
 * For a recorder that is gone: drains its instances (if they still exist),
 * destroys them, and writes the file with the metadata it left, as
 * pt_capture_write (OUTPUT NULL: the one it was recording to).
 */
int pt_capture_takeover(struct pt_scratch *s, const char *output, char *written, size_t wsize,
			struct pt_err *err);

#endif
