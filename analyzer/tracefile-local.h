// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parts of the trace.dat reader (pt-tracefile.h), and what they share:
 *   tracefile.c          opens a file: its head (magic, version, byte
 *                        order, compression), then its version's layout;
 *                        the buffers and cpus found, checked against the
 *                        file; what is damaged
 *   tracefile-src.c      bounded reads, of the file or of a section in memory
 *   tracefile-headers.c  what both versions hold alike: the page header,
 *                        the event formats, the saved command lines and
 *                        the options on time
 *   tracefile-v6.c       version 6: the header in a row, options, the cpu table
 *   tracefile-v7.c       version 7: sections, compressed or not, found
 *                        through chained options sections
 *   tracefile-recover.c  a v7 file cut short before its last options
 *                        section: its data found by walking the file
 * The ring-buffer pages are read by cpustream.c.
 */
#ifndef PT_TRACEFILE_LOCAL_H
#define PT_TRACEFILE_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "pt-tracefile.h"

#define PT_TF_MAX_CHAIN 64		/* options sections in a chain; more is a loop */
#define PT_TF_MAX_IDS 65536		/* common_type is 16 bits */
#define PT_TF_MAX_CPUS 4096

/* trace-cmd's option ids (TRACECMD_OPTION_*) */
enum {
	OPT_DONE = 0, OPT_DATE = 1, OPT_BUFFER = 3, OPT_OFFSET = 7, OPT_TIME_SHIFT = 12,
	OPT_TSC2NSEC = 14, OPT_HEADER_INFO = 16, OPT_FTRACE_EVENTS = 17, OPT_EVENT_FORMATS = 18,
	OPT_KALLSYMS = 19, OPT_PRINTK = 20, OPT_CMDLINES = 21, OPT_BUFFER_TEXT = 22,
};

/* A page size the file may claim: a power of two from 64 bytes to 1 MiB. */
static inline int pt_tf_page_size_ok(unsigned size)
{
	return size >= 64 && size <= (1u << 20) && !(size & (size - 1));
}

/* ---- tracefile-src.c ---- */

/*
 * A bounded reader over either a piece of memory (a v7 section) or the
 * file itself from BASE (v6's sequential header).  Reading past LEN fails
 * and leaves BAD set; callers check once at the end of a step.
 */
struct pt_tf_src {
	struct pt_tracefile *tf;
	const uint8_t *mem;
	uint64_t base, len, pos;
	int bad;
	int cut;	/* a read went past the end of the file */
};

/* LEN bytes of memory at MEM, read from 0. */
struct pt_tf_src pt_tf_mem_src(struct pt_tracefile *tf, const uint8_t *mem, uint64_t len);
/* The file from BASE on, LEN bytes, read from POS. */
struct pt_tf_src pt_tf_file_src(struct pt_tracefile *tf, uint64_t base, uint64_t len,
				uint64_t pos);
/* N bytes into BUF: 0, or -1 with S->bad set. */
int pt_tf_read(struct pt_tf_src *s, void *buf, uint64_t n);
/* An N-byte number in the file's byte order; 0 when it cannot be read. */
uint64_t pt_tf_read_num(struct pt_tf_src *s, int n);
/* A NUL-terminated string of at most SIZE - 1 bytes; longer ones are damage. */
int pt_tf_read_string(struct pt_tf_src *s, char *buf, size_t size);
/* N bytes, NUL-terminated, in memory the caller frees; N is bounded by what is left. */
char *pt_tf_read_blob(struct pt_tf_src *s, uint64_t n);
void pt_tf_skip(struct pt_tf_src *s, uint64_t n);

/* ---- tracefile.c ---- */

/* Keeps the first thing found wrong: later ones are usually its consequences. */
void pt_tf_damage(struct pt_tracefile *tf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A new buffer named NAME, with no cpus yet; NULL when there are too many. */
struct pt_tf_buffer *pt_tf_add_buffer(struct pt_tracefile *tf, const char *name);
/*
 * Checks the data of cpu C of B against the file and sets its avail;
 * data past the end is cut, and said so.
 */
void pt_tf_place_cpu(struct pt_tracefile *tf, struct pt_tf_buffer *b, struct pt_tf_cpu *c);

/* ---- tracefile-headers.c ---- */

/* The page header's layout: where the records start. */
int pt_tf_read_header_info(struct pt_tracefile *tf, struct pt_tf_src *s);
/* count(4) x [size(8) text]: the ftrace formats, or those of SYSTEM. */
int pt_tf_read_formats(struct pt_tracefile *tf, struct pt_tf_src *s, const char *system);
/* count(4) x [system name, its formats] */
int pt_tf_read_systems(struct pt_tracefile *tf, struct pt_tf_src *s);
int pt_tf_read_cmdlines(struct pt_tracefile *tf, struct pt_tf_src *s);
/*
 * An option on time (DATE, OFFSET, TSC2NSEC, TIME_SHIFT) of SIZE bytes
 * at S: 1 when ID is one, and it is read; 0 when it is another.
 */
int pt_tf_time_option(struct pt_tracefile *tf, struct pt_tf_src *s, unsigned id,
		      uint64_t size);
/*
 * The event format TEXT rewritten from what it must be, with id ID, in
 * memory the caller frees; NULL when it is not that (see its comment).
 */
char *pt_tf_canonical_format(const char *text, long id);

/* ---- tracefile-v6.c, tracefile-v7.c ---- */

/*
 * The rest of the header after the file's head, S positioned there;
 * *STAGE says which part was being read.  0, or -1 when no event data
 * can be located.
 */
int pt_tf_read_v6(struct pt_tracefile *tf, struct pt_tf_src *s, const char **stage);
int pt_tf_read_v7(struct pt_tracefile *tf, struct pt_tf_src *s, const char **stage);

/* A v7 section's header: id(2) flags(2) string id(4) size(8); S->bad when cut. */
void pt_tf_section_header(struct pt_tf_src *s, unsigned *id, unsigned *flags, uint64_t *size);

/* ---- tracefile-recover.c ---- */

/* The data of a v7 file whose options chain breaks after the section at AT. */
void pt_tf_recover_v7(struct pt_tracefile *tf, uint64_t at);

#endif
