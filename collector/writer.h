// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing a trace.dat from raw per-cpu ring-buffer pages. */
#ifndef PT_WRITER_H
#define PT_WRITER_H

#include "pt-meta.h"
#include "pttrace.h"

struct pt_write_buffer {
	const char *name;	/* the first buffer is the top-level one: its name is unused */
	int cpus;
	char *const *files;	/* one file of raw pages per cpu */
};

/*
 * Writes the trace.dat (v7, zstd when COMPRESS) with METADATA as pttrace's
 * option to OUT_FD, an empty file the caller made and still owns (the file
 * is never opened by name: see capture.c's write_at); errors speak of NAME.
 * EXTRA_EVENTS (NULL: none) is one more "system:event" glob whose formats the
 * file needs (the recorder's kprobes).  KALLSYMS is an empty file: host kernel symbols mean nothing to a guest
 * crash and cost 5 MB, and a missing file corrupts compressed output.
 */
int pt_write_tracedat(int out_fd, const char *name, const char *kallsyms,
		      const struct pt_write_buffer *buffers, int nbuffers, const char *metadata,
		      const char *extra_events, int compress, struct pt_err *err);

#endif
