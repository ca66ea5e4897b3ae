// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reader's insides, shared by reader.c (opening, decoding, the
 * one-thread merge) and reader-jobs.c (decoding on other threads, the
 * same merge over what they decoded).
 */
#ifndef PT_READER_INT_H
#define PT_READER_INT_H

#include <stdio.h>

#include "kvm-events.h"
#include "pt-reader.h"
#include "pt-text.h"
#include "pt-threads.h"
#include "pt-tracefile.h"

/* Where a field is in a record: read for every record, so kept flat. */
struct field {
	uint16_t offset;
	uint8_t size;		/* 0: not in this file's format */
	uint8_t string;		/* a __data_loc string: the value is where it lies */
	uint64_t mask;		/* the low SIZE bytes */
};

/* A kvm event's row (kvm-events.h) and its fields in this file's format. */
struct decoder {
	const struct pt_kvm_event *event;	/* NULL: no event pttrace reads */
	struct field f[PT_KVM_FIELDS];
	int nf;					/* the row's fields */
	unsigned has;				/* bit J: f[J] is there */
	int sub;				/* which of a matched row's events (kvm-events.h) */
	unsigned need;				/* a record this long has every field */
	uint8_t strings;			/* some field is a string (else each is one load) */
};

/* The counts every record adds to (pt_reader_info's, until they are folded in). */
struct pt_reader_tally {
	uint64_t records, damaged, overwritten, lost;
	unsigned lost_gaps;
	int lost_unknown;
};

/* What accounting a cpu's records needs to know of that cpu's earlier ones. */
struct pt_reader_lane_state {
	uint64_t last_ts;
	int seen;		/* a record was read: later drops are gaps, not history */
};

/* A kvm event decoded, its thread not yet placed (pt_reader_place). */
struct pt_decoded {
	struct pt_event ev;
	uint64_t key;		/* reader-jobs.c: its place in the merge */
	uint64_t offset;	/* reader-jobs.c: pt_position.offset */
	int16_t vcpu;		/* the vcpu the record names, -1 */
	uint8_t isa;		/* kvm_exit's isa, 0 */
	uint8_t any_thread;	/* raised by whichever thread emulates (kvm-events.h) */
	/* no event but a record kept beside them: its row's index in pt_kvm_events + 1 */
	uint8_t aside;
};

struct stream {
	struct pt_cpu_stream *cs;
	int buffer, cpu_index, cpu;
	uint64_t base;			/* pt_position.offset of its data's first byte */
	uint64_t len;
	int has;			/* REC holds its next record */
	struct pt_raw_record rec;
	struct pt_reader_lane_state lane;
};

struct pt_reader_jobs;

struct pt_reader {
	struct pt_tracefile *tf;	/* a trace.dat, or */
	struct pt_text_reader *text;	/* a text trace (pt-text.h) */
	FILE *text_file;
	int native;			/* file and host little-endian: a field is one load (field_load) */
	struct decoder *decoders;	/* indexed by event id */
	int max_id;
	struct field pid_field, type_field;
	int have_common;
	struct stream *streams;
	int nstreams;
	/*
	 * What the merge writes for every event from here on, on lines of its
	 * own: the decoding threads read the fields above for every record,
	 * and sharing a line with them cost the merge a miss an event.
	 */
	struct pt_reader_info info __attribute__((aligned(64)));
	struct pt_reader_tally tally;	/* a trace.dat's counts, folded into info when asked */
	struct pt_threads *threads;	/* which VM and vcpu each thread is */
	int started;
	unsigned jobs;			/* pt_reader_set_jobs */
	struct pt_reader_jobs *running;	/* the decoding threads, once started */
	struct pt_event next;		/* pt_reader_next_event's, on one thread */
};

void pt_reader_account(struct pt_reader_tally *t, struct pt_reader_lane_state *ls,
		       const struct pt_raw_record *rec);
void pt_reader_add_tally(struct pt_reader_tally *to, const struct pt_reader_tally *t);
int pt_reader_decode(const struct pt_reader *r, const struct pt_raw_record *rec, int cpu,
		     struct pt_decoded *out, uint64_t *damaged);
/*
 * The first pass, in time order, learns thread -> vcpu and VM and the
 * exit ISA; reads at random offsets later only look up.  (Inline, as
 * the counting below: the merge does both for every event.)
 */
static inline void pt_reader_place(struct pt_reader *r, struct pt_decoded *d, int first_pass)
{
	struct pt_event *ev = &d->ev;

	if (d->isa && !r->info.exit_isa)
		r->info.exit_isa = d->isa;
	if (first_pass) {
		pt_threads_place(r->threads, ev->tid, d->vcpu, !d->any_thread, &ev->vcpu, &ev->vm);
	} else {
		pt_threads_lookup(r->threads, ev->tid, &ev->vcpu, &ev->vm);
		if (d->any_thread)
			ev->vcpu = -1;
	}
}

/* What the reader says of the events it gave: how many, their times, their buffer. */
static inline void pt_reader_count_event(struct pt_reader *r, int buffer,
					 const struct pt_event *ev)
{
	if (!r->info.events) {
		r->info.first_ts = ev->ts;
		/* the buffer the VM's events are in: an instance's, for trace-cmd extract -B */
		snprintf(r->info.buffer, sizeof(r->info.buffer), "%s",
			 r->tf->buffers[buffer].name);
	}
	r->info.last_ts = ev->ts;
	r->info.events++;
}

/* An aside record D (pt_decoded's aside) into R's info, in the merge's order. */
void pt_reader_keep(struct pt_reader *r, const struct pt_decoded *d);

/* Says in INFO where a stream that stopped early stopped, once for the file. */
void pt_reader_note_broken(struct pt_reader *r);

/*
 * reader-jobs.c: starts R's decoding threads (0), or says it cannot
 * (-1: read on one thread); the next event in the one-thread merge's
 * order (NULL at the end), or all of them through FN (as pt_reader_read);
 * and the threads stopped and freed.
 */
int pt_reader_jobs_start(struct pt_reader *r);
const struct pt_event *pt_reader_jobs_next(struct pt_reader *r, struct pt_position *pos);
void pt_reader_jobs_read(struct pt_reader *r, int (*fn)(void *ctx, const struct pt_event *ev),
			 void *ctx);
void pt_reader_jobs_stop(struct pt_reader *r);

#endif
