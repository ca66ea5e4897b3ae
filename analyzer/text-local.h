// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parts of the text trace reader (pt-text.h), and what they share.
 * A line of text goes through them in this order:
 *   text-trace.c   reads lines, removes mail quoting, keeps the state of
 *                  the whole trace (threads, cpus, drops) and the API;
 *   text-unwrap.c  joins the lines a mail client wrapped into records;
 *   text-header.c  finds a record's header in each layout (trace-cmd
 *                  report with or without -l, ftrace, perf script);
 *   text-fields.c  reads the fields of each kvm event out of its text,
 *                  for the event's decode in kvm-events.c;
 *   text-scan.c    the numbers and words all of them read.
 */
#ifndef PT_TEXT_LOCAL_H
#define PT_TEXT_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "pt-event.h"
#include "pt-exit-reasons.h"
#include "pt-text.h"
#include "kvm-events.h"

/* ---- text-scan.c ---- */

static inline int pt_text_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether C may end a number or a word: the end, a space or a delimiter. */
int pt_text_is_end(char c);
/*
 * A number at *P (spaces before it skipped): "0x" hex, or decimal, or hex
 * without prefix when HEX; an optional '-' (the value is then two's
 * complement, 64-bit).  It must end where pt_text_is_end says, so
 * "0x1Thanks" is not 0x1.  0 with *P moved past it, or -1 with *P as it was.
 */
int pt_text_num(const char **p, int hex, uint64_t *out);
/* The word W (and the spaces before it) at *P: 0 with *P past it, or -1. */
int pt_text_word(const char **p, const char *w);
/* "W NUMBER" at *P, as pt_text_word and pt_text_num. */
int pt_text_key(const char **p, const char *w, int hex, uint64_t *out);

/* ---- text-header.c ---- */

/* A record's header: what comes before the event's own fields. */
struct pt_text_header {
	const char *comm;	/* not terminated: comm_len bytes */
	size_t comm_len;
	uint32_t tid;
	int cpu;
	uint64_t ts;
	int usec;
	int flags_column;	/* ftrace's "d..2." */
	int perf;		/* "kvm:kvm_mmio", comm and tid apart */
	const char *event;	/* without "kvm:" */
	size_t event_len;
	const char *payload;
};

/* The header of the record in S into *H (pointing into S): 0, or -1 when S is none. */
int pt_text_parse_header(const char *s, struct pt_text_header *h);
/*
 * Whether S begins a record a mail client cut after its cpu column:
 * "comm-tid [cpu]" or "comm tid [cpu]", whatever follows.
 */
int pt_text_starts_record(const char *s);
/* The first cpu column, "[digits]", at or after S: its '[', or NULL. */
const char *pt_text_cpu_column(const char *s);

/* ---- text-fields.c ---- */

enum pt_text_result {
	R_NONE,		/* no record */
	R_OTHER,	/* a record, not of an event pttrace reads */
	R_EVENT,	/* *EV is filled */
	R_SKIP,		/* a kvm record pttrace drops (unsatisfied-read) */
	R_DAMAGED,	/* a kvm record that is wrong: no combination of pieces fixes it */
	R_BAD,		/* a kvm record that does not parse (a wrong join, perhaps) */
};

/*
 * The event of the record H heads, into *EV (cleared first) when it is
 * one pttrace reads: never R_NONE.  *VCPU gets the record's own vcpu
 * number when it prints one, else -1.
 */
enum pt_text_result pt_text_decode(const struct pt_text_header *h, struct pt_event *ev,
				   int *vcpu);
/* The row (kvm-events.h) of the event H names, NULL when pttrace does not read it. */
const struct pt_kvm_event *pt_text_event(const struct pt_text_header *h);
/* Whether S has the name of an event pttrace reads followed by ':'. */
int pt_text_names_event(const char *s);
/*
 * The exit reason kvm_exit printed as the N bytes at P: a VMX name with
 * its flags ("EPT_MISCONFIG FAILED_VMENTRY"), an SVM name, a number, or
 * PT_TEXT_EXIT_UNNAMED for a word neither knows.  0, or -1 when it is
 * not a reason.
 */
int pt_text_exit_reason(const char *p, size_t n, uint64_t *val);

/* Each event's parse_text (kvm-events.h), by the event's name without "kvm_". */
pt_kvm_parse_text pt_text_mmio, pt_text_pio, pt_text_msr, pt_text_msi, pt_text_set_irq,
		  pt_text_apic_accept, pt_text_eoi, pt_text_inj_virq, pt_text_inj_exception,
		  pt_text_user_exit, pt_text_exit, pt_text_page_fault, pt_text_emulate;

/* ---- text-unwrap.c ---- */

#define PT_TEXT_PIECES 6	/* a 4 KiB record wrapped at 72 columns needs more,
				   but the kvm events pttrace reads are < 400 bytes */

/* The lines collected since the last record started, one piece each. */
struct pt_text_pieces {
	char piece[PT_TEXT_PIECES][PT_TEXT_LINE_MAX];
	int n;
	char join[PT_TEXT_LINE_MAX * 2];
};

/* A record found in the pieces. */
struct pt_text_record {
	enum pt_text_result res;	/* R_NONE: a kvm record too damaged to have a header */
	struct pt_text_header h;	/* points into the pieces' join buffer */
	struct pt_event ev;		/* when res is R_EVENT */
	int vcpu;			/* as pt_text_decode */
	int joined;			/* it was made of more than one piece */
};

/*
 * The next record the pieces P hold, with the pieces it used removed:
 * 1 and *REC (valid until the next call), or 0 when the pieces hold no
 * more (they are then empty).  Pieces that fit no record (a greeting, a
 * signature) are dropped.
 */
int pt_text_unwrap(struct pt_text_pieces *p, struct pt_text_record *rec);

#endif
