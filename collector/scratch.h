// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A recording's scratch directory: the raw per-cpu pages, the metadata and
 * a small state file that are enough to finish the trace.dat later (after a
 * failed write, by the watchdog after the recorder was killed, or by
 * `pttrace record --recover DIR`).  Each live scratch is listed in
 * /run/pttrace, so a later run finds what a dead one left wherever it was.
 */
#ifndef PT_SCRATCH_H
#define PT_SCRATCH_H

#include <limits.h>
#include <sys/types.h>
#include "pttrace.h"

#define PT_SCRATCH_CPUS 256
/* a recording's tracefs instances are PT_INST_PREFIX "<recorder pid>-<vm>": cleanup reads the pid back */
#define PT_INST_PREFIX "pttrace-"
#define PT_SCRATCH_REGISTRY "/run/pttrace"

enum pt_scratch_phase {
	PT_PHASE_ARMED,		/* the instances hold the capture (or part of it) */
	PT_PHASE_WRITING,	/* drained: the files hold all of it, the output is being written */
	PT_PHASE_KEPT,		/* the output could not be written: kept for --recover */
};

struct pt_scratch {
	char dir[PATH_MAX];		/* absolute */
	int dirfd;			/* every file inside is reached through it, never by name */
	/* the state file */
	pid_t pid, watchdog;
	enum pt_scratch_phase phase;
	char output[PATH_MAX];
	int cpus, stream;
	char instance[64], host[80];	/* host "": no host instance */
	/* the output's temporary file while it is written, for whoever finishes after a kill */
	char partial[PATH_MAX];
	dev_t partial_dev;
	ino_t partial_ino;
};

/*
 * Makes a scratch directory in TMPDIR (NULL: $TMPDIR, else the directory of
 * OUTPUT) with room for NEED bytes, and lists it in the registry.
 */
int pt_scratch_create(struct pt_scratch *s, const char *tmpdir, const char *output,
		      unsigned long long need, struct pt_err *err);
/* Opens a scratch directory a recorder made and reads its state. */
int pt_scratch_open(struct pt_scratch *s, const char *dir, struct pt_err *err);
void pt_scratch_close(struct pt_scratch *s);
/* Reads the state file again (another process may have moved it on). */
int pt_scratch_reload(struct pt_scratch *s);
/* Writes the state file (atomically: a new one renamed over the old). */
int pt_scratch_save(const struct pt_scratch *s, struct pt_err *err);
/*
 * Removes the half-written temporary output a killed writer left, when the
 * name still holds that very file (its device and inode): never a file
 * made there since.
 */
void pt_scratch_remove_partial(struct pt_scratch *s);
/* Removes its files, the directory and the registry entry, and closes it. */
void pt_scratch_remove(struct pt_scratch *s);

/* A path to NAME inside, through the directory's descriptor (/proc/self/fd/N/NAME). */
void pt_scratch_path(const struct pt_scratch *s, const char *name, char *buf, size_t size);
/* Writes NAME inside atomically; reads it back (malloc'd, NULL when absent). */
int pt_scratch_put(const struct pt_scratch *s, const char *name, const char *text);
char *pt_scratch_get(const struct pt_scratch *s, const char *name);

/* Is PID a pttrace (recorder or watchdog) that still runs? */
int pt_scratch_pttrace_alive(pid_t pid);

/* Calls FN for each scratch the registry lists (open; FN may remove it). */
int pt_scratch_each(void (*fn)(struct pt_scratch *s, void *ctx), void *ctx);

#endif
