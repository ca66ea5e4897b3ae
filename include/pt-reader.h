// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading kvm events out of a trace.dat (v6 or v7, uncompressed, zstd or
 * zlib, any buffer instance) into pt_events, on pt-tracefile.h.
 */
#ifndef PT_READER_H
#define PT_READER_H

#include <stdint.h>
#include "pt-event.h"
#include "pt-threads.h"
#include "pttrace.h"

struct pt_reader;

#define PT_MAX_HOST_RESETS 64

/*
 * A reset of a host PCI device that pttrace record's kprobes saw
 * (pt-hostreset.h): not a kvm event, kept beside them in pt_reader_info.
 */
struct pt_host_reset {
	uint64_t ts;
	uint16_t fn;		/* index in pt_hr_funcs */
	char dev[16];		/* the pci_dev's name, "0000:01:00.0"; "" when not recorded */
	uint32_t tid;		/* the host thread that reset it */
};

struct pt_reader_info {
	unsigned present;	/* bit per enum pt_event_kind whose event the file has */
	uint64_t records;	/* records read, kvm or not */
	uint64_t events;	/* records turned into pt_events */
	uint64_t lost;		/* events the ring buffer dropped in the middle */
	unsigned lost_gaps;	/* places where it dropped some */
	int lost_unknown;	/* drops happened, of unknown size */
	uint64_t overwritten;	/* older events a flight recorder overwrote: before a
				   cpu's first record, history, not a gap */
	uint64_t damaged;	/* records that cannot be right: unknown event ids, time
				   going backwards on a cpu, impossible field values */
	uint64_t first_ts, last_ts;
	int buffers;		/* buffers with data (top level and instances) */
	char buffer[64];	/* name of the instance read ("" for top level) */
	unsigned vcpus;		/* distinct vcpu threads seen */
	/* the VMs whose threads are in the trace (pt-threads.h); pt_event.vm indexes them */
	struct pt_vm_info vms[PT_MAX_VMS];
	unsigned nvms;
	int vms_guessed;	/* some were told apart by thread ids alone */
	uint64_t file_size;
	uint64_t data_bytes;	/* the cpus' event data, uncompressed (trace.dat) */
	int is_text;		/* a text trace: no offsets to read events at again */
	/* one line on the file's structural damage ("the file is cut short: ..."), "" when none */
	char damage[256];
	/*
	 * enum pt_exit_isa: which table kvm_exit's exit_reason is a number in,
	 * from the record's "isa" field (1 VMX, 2 SVM) on kernels that have
	 * one; 0 unknown (an older kernel, or no kvm_exit).  The analysis then
	 * guesses it from the reasons seen where that is safe (pt-exit-reasons.h).
	 */
	int exit_isa;
	/* the host's resets in the file, oldest first (the first PT_MAX_HOST_RESETS) */
	struct pt_host_reset host_resets[PT_MAX_HOST_RESETS];
	unsigned nhost_resets;
	uint64_t host_resets_dropped;	/* more than that */
};

/*
 * Opens a trace.dat, or a text trace (pt-text.h; PATH "-" is standard
 * input).  Returns NULL with ERR set: not a trace, unreadable, no events.
 */
struct pt_reader *pt_reader_open(const char *path, struct pt_err *err);
void pt_reader_close(struct pt_reader *r);

/*
 * How many threads read R (before its first event): JOBS counting the
 * caller's, which merges what the others decode; 0 one per usable cpu;
 * 1, the default, reads on the caller's thread only.  The events come in
 * the same order either way.  Until the last event was read, while other
 * threads read R, it cannot read at positions (pt_reader_read_at,
 * pt_reader_tail): use a second reader of the file for that.
 */
void pt_reader_set_jobs(struct pt_reader *r, unsigned jobs);

/* The cpus this process may run on (taskset and cpusets count): jobs 0's count. */
unsigned pt_cpus_usable(void);

/*
 * Calls FN for every kvm event in time order; FN returning non-zero stops.
 * Returns 0, or -1 with ERR set.  Safe to call once per reader.
 */
int pt_reader_read(struct pt_reader *r, int (*fn)(void *ctx, const struct pt_event *ev),
		   void *ctx, struct pt_err *err);

/*
 * What was read so far (the VMs as far as their threads were seen).  With
 * jobs (pt_reader_set_jobs), the counts of records, drops and damage come
 * a batch at a time: they are whole once the last event was read.
 */
const struct pt_reader_info *pt_reader_info(struct pt_reader *r);

/*
 * Where a record is, for reading it again: OFFSET counts through every
 * cpu's (uncompressed) data, one cpu after the other, so it stays below
 * the trace's uncompressed size.
 */
struct pt_position {
	uint64_t offset;
	uint8_t buffer;
};

/*
 * The pull form of pt_reader_read (use one or the other on a reader):
 * the next kvm event in time order and where it is.  1, 0 at the end.
 */
int pt_reader_next(struct pt_reader *r, struct pt_event *ev, struct pt_position *pos);

/* The same without a copy: the event where the reader holds it, until the next call; NULL at the end. */
const struct pt_event *pt_reader_next_event(struct pt_reader *r, struct pt_position *pos);

/*
 * The last MAX kvm events of the file, oldest first, read backwards from
 * the end without reading the rest (vcpu unknown).  Returns how many.
 */
int pt_reader_tail(struct pt_reader *r, struct pt_event *evs, unsigned max);

/*
 * Reads the event at POS again (on any reader of the same file; its vcpu
 * is known only to the reader that saw the file whole).  0, or -1.
 */
int pt_reader_read_at(struct pt_reader *r, const struct pt_position *pos, struct pt_event *ev);

/* pttrace's metadata (JSON, pt-meta.h) in the file; NULL when it has none. */
const char *pt_reader_meta(const struct pt_reader *r);

/* What a missing event kind hides, for the report; NULL if nothing much. */
const char *pt_reader_missing_consequence(enum pt_event_kind kind);

#endif
