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
 * Writes PATH (trace.dat v7, zstd when COMPRESS) with METADATA as pttrace's
 * option; errors speak of NAME, the file the user asked for.
 */
int pt_write_tracedat(const char *path, const char *name, const struct pt_write_buffer *buffers,
		      int nbuffers, const char *metadata, int compress, struct pt_err *err);

#endif
