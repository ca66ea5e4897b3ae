// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace.dat files (v6 and v7, as trace-cmd.dat.v6(5) and .v7(5) lay them
 * out) read by pttrace itself: every size and offset is checked against
 * the file before it is used, compressed data is decompressed a chunk at a
 * time, and ring-buffer pages are parsed with their commit sizes and
 * record lengths checked.  A damaged or truncated file yields what can be
 * read before the damage and says where the damage is; it never takes the
 * process down.  libtraceevent parses the event formats.
 */
#ifndef PT_TRACEFILE_H
#define PT_TRACEFILE_H

#include <stdint.h>
#include <string.h>
#include "pttrace.h"

struct tep_handle;
struct pt_codec;

struct pt_tf_cpu {
	int cpu;		/* host cpu number */
	uint64_t offset;	/* where its data starts in the file */
	uint64_t size;		/* bytes the file says it has */
	uint64_t avail;		/* bytes of it inside the file, a compressed one's count
				   included (less when truncated) */
};

struct pt_tf_buffer {
	char name[64];		/* "" for the top level */
	unsigned page_size;
	int ncpus;
	struct pt_tf_cpu *cpus;
};

struct pt_tf_comm {
	uint32_t pid;
	char comm[24];
};

struct pt_tracefile {
	int fd;
	uint64_t size;
	int version;		/* 6 or 7 */
	int big_endian;
	int long_size;		/* 4 or 8 */
	unsigned page_size;
	unsigned page_header;	/* bytes before a page's records: 16, or 12 on 32-bit */
	char codec_name[32];	/* "none" when not compressed */
	const struct pt_codec *codec;
	struct tep_handle *tep;	/* every kvm event format, parsed */
	uint8_t *known_ids;	/* bitmap of every event id the file describes */
	unsigned max_known_id;
	int nbuffers;
	struct pt_tf_buffer *buffers;
	struct pt_tf_comm *comms;	/* saved command lines, pid order of the file */
	unsigned ncomms;
	int64_t ts_offset;	/* added to every timestamp (OFFSET, DATE options) */
	uint32_t tsc_mult, tsc_shift;	/* TSC2NSEC: timestamps are TSC cycles */
	int guest_side;		/* a guest's file of a host-guest recording (record -A) */
	int latency;		/* text of a latency tracer: no ring-buffer data */
	char *meta;		/* pttrace's metadata option (pt-meta.h), NULL when none */
	/* one line on what is damaged or missing in the structure, "" when none */
	char damage[256];
};

/* An N-byte number at P in the file's byte order. */
static inline uint64_t pt_tf_num(const struct pt_tracefile *tf, const uint8_t *p, int n)
{
	uint64_t v = 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* the usual case, a load: this runs for every word of every page */
	if (!tf->big_endian && (n == 2 || n == 4 || n == 8)) {
		uint16_t v16;
		uint32_t v32;

		switch (n) {
		case 2: memcpy(&v16, p, 2); return v16;
		case 4: memcpy(&v32, p, 4); return v32;
		default: memcpy(&v, p, 8); return v;
		}
	}
#endif
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[tf->big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

/*
 * Opens PATH and reads its structure and event formats.  NULL with ERR
 * set when it is not a trace.dat or no event data can be located; a
 * file whose data is damaged or cut short opens, with DAMAGE set.
 */
struct pt_tracefile *pt_tracefile_open(const char *path, struct pt_err *err);
void pt_tracefile_close(struct pt_tracefile *tf);

/* The comm the file saved for PID, NULL when none. */
const char *pt_tracefile_comm(const struct pt_tracefile *tf, uint32_t pid);

/* One record of a ring-buffer page. */
struct pt_raw_record {
	uint64_t ts;		/* ns, with the file's offsets applied */
	const void *data;	/* the event: common fields first */
	unsigned size;
	int64_t missed;		/* events dropped before it: -1 some, 0 none */
	uint64_t pos;		/* where it is: pt_cpu_stream_seek goes back to it */
};

/*
 * The records of one cpu of one buffer, in file order.  Memory is one
 * page (or one decompressed chunk) whatever the file's size.
 */
struct pt_cpu_stream;

struct pt_cpu_stream *pt_cpu_stream_new(struct pt_tracefile *tf, int buffer, int cpu_index);
void pt_cpu_stream_free(struct pt_cpu_stream *s);
/*
 * The next record: 1, or 0 at the end of the data or at damage it cannot
 * read past.  REC's data stays valid until the next call on S, and at
 * least 8 bytes after its end can be read (the page's, or zeroes), so a
 * field of up to 8 bytes is one load.
 */
int pt_cpu_stream_next(struct pt_cpu_stream *s, struct pt_raw_record *rec);
/* Bytes of (uncompressed) data S has: record positions are below it. */
uint64_t pt_cpu_stream_length(struct pt_cpu_stream *s);
/* Positions S so that the next record is the one at POS.  0, or -1. */
int pt_cpu_stream_seek(struct pt_cpu_stream *s, uint64_t pos);
/*
 * Positions S at its Nth page from the end (0 the last), for reading
 * backwards a page at a time.  0, or -1 when there is no such page.
 */
int pt_cpu_stream_seek_last(struct pt_cpu_stream *s, unsigned n);
/* Records on S that cannot be right: bad lengths, commit sizes, time going back. */
uint64_t pt_cpu_stream_damaged(const struct pt_cpu_stream *s);
/* Whether S stopped early at damage, and the file offset where. */
int pt_cpu_stream_broken(const struct pt_cpu_stream *s, uint64_t *where);

#endif
