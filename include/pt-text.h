// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading kvm events out of a trace given as text: `trace-cmd report`
 * output (with or without -t, -l, instance prefixes), ftrace's trace and
 * trace_pipe files, and `perf script` output of kvm:* events, also when a
 * mail client wrapped the lines or quoted them with "> ".
 *
 * The events are the ones analyzer/reader.c makes of the same records in
 * a trace.dat, field for field, so the analysis finds the same things.
 * What text cannot say is documented at the event it concerns:
 *   - kvm_msi_set_irq prints the destination, vector, delivery mode,
 *     logical/physical, trigger mode and redirection hint, not the raw
 *     address and data: they are rebuilt from those (address
 *     0xfee00000 | dst << 12 | rh << 3 | logical << 2, data vec |
 *     mode << 8 | level << 15), so bits outside those are 0.
 *   - kvm_exit reasons are printed by name: they map back to VMX basic
 *     exit reasons (upper case names) or SVM exit codes (lower case); a
 *     name neither knows gives PT_TEXT_EXIT_UNNAMED.
 *   - timestamps printed in microseconds are exact to the microsecond.
 *
 * Memory is bounded: the text is read line by line (lines longer than
 * PT_TEXT_LINE_MAX are cut), and never seeked, so stdin works.
 */
#ifndef PT_TEXT_H
#define PT_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pt-event.h"
#include "pttrace.h"

#define PT_TEXT_LINE_MAX 4096
/* kvm_exit val for a reason name that is neither a VMX nor an SVM name */
#define PT_TEXT_EXIT_UNNAMED 0xfffffff0u

enum pt_text_format {
	PT_TEXT_UNKNOWN,	/* no event record seen yet */
	PT_TEXT_TRACE_CMD,	/* trace-cmd report */
	PT_TEXT_FTRACE,		/* tracefs trace / trace_pipe */
	PT_TEXT_PERF,		/* perf script */
};

struct pt_text_info {
	uint64_t lines;		/* lines read */
	uint64_t records;	/* event records found, kvm or not */
	uint64_t events;	/* records turned into pt_events */
	uint64_t damaged;	/* records of kvm events that could not be parsed, or
				   with impossible values (an access of 3 bytes) */
	unsigned present;	/* bit per enum pt_event_kind whose source event
				   appears (kvm_mmio sets both MMIO kinds, like
				   pt_reader_info.present) */
	enum pt_text_format format;	/* of the first record */
	unsigned cpus;		/* highest host cpu seen + 1, or trace-cmd's cpus=N */
	unsigned vcpus;		/* distinct vcpu threads */
	uint64_t lost;		/* events dropped in the middle ("EVENTS DROPPED" lines) */
	unsigned lost_gaps;
	uint64_t overwritten;	/* dropped before a cpu's first record */
	uint64_t first_ts, last_ts;
	int usec_ts;		/* timestamps had 6 decimals: exact to the microsecond */
	int quoted;		/* lines had "> " quote prefixes */
	int joined;		/* wrapped lines were joined */
};

struct pt_text_reader;

/* Does BUF (the first LEN bytes of a file, up to 64 KiB) look like a text kvm trace? */
int pt_text_probe(const char *buf, size_t len);

/*
 * Starts reading F from its current position.  The reader does not take
 * F: the caller closes it, after pt_text_close.  NULL with ERR set when
 * out of memory.
 */
struct pt_text_reader *pt_text_open(FILE *f, struct pt_err *err);

/*
 * The next kvm event, in the order of the text: 1, 0 at the end, -1 on a
 * read error (pt_text_error says which).
 */
int pt_text_next(struct pt_text_reader *t, struct pt_event *ev);

/* The message of the read error pt_text_next returned -1 for; "" before one. */
const char *pt_text_error(const struct pt_text_reader *t);

/* Frees T (not its FILE). */
void pt_text_close(struct pt_text_reader *t);

const struct pt_text_info *pt_text_info(const struct pt_text_reader *t);

/*
 * Thread names, the latest one each thread showed ("CPU 0/KVM"): the
 * comm of TID, or NULL.  The table holds PT_TEXT_COMMS threads; later ones
 * are not kept.
 */
#define PT_TEXT_COMMS 1024
const char *pt_text_comm(const struct pt_text_reader *t, uint32_t tid);
/* How many threads have a name, and the I-th of them (in first-seen order). */
unsigned pt_text_ncomms(const struct pt_text_reader *t);
const char *pt_text_comm_at(const struct pt_text_reader *t, unsigned i, uint32_t *tid);

const char *pt_text_format_name(enum pt_text_format format);

#endif
