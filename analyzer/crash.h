// SPDX-License-Identifier: GPL-2.0-or-later
/* Finding the crash point in the event stream. */
#ifndef PT_CRASH_H
#define PT_CRASH_H

#include "pt-analyze.h"

struct pt_crash_tracker {
	int done;
	struct pt_crash crash;
	uint64_t hv[5];
	unsigned hv_seen;		/* P0-P4 written (bits 0-4) */
	unsigned hv_refused;		/* of them, refused with #GP */
	int candidate;
	struct pt_event candidate_event;
};

/* Returns 1 when EV is the crash (the first definitive signal). */
int pt_crash_event(struct pt_crash_tracker *t, const struct pt_event *ev, const struct pt_access *acc);
void pt_crash_finish(struct pt_crash_tracker *t, uint64_t last_ts, struct pt_crash *out);

#endif
