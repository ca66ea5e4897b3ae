// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kvm events pttrace reads, each written down once (kvm-events.c):
 * the tracepoint's name, the kinds of pt_event it makes, its fields and
 * what they mean.  A reader only gets a record's field values out:
 * reader.c from a trace.dat's binary record, by the field names here;
 * the text reader (text-fields.c) from a line, by the same names when
 * trace-cmd printed the raw fields, else with the row's parser of the
 * event's print format.  The row's decode then makes the pt_event, the
 * same for both, so the two readers cannot drift apart.  (perf does the
 * same: tools/perf/arch/x86/util/kvm-stat.c knows the events,
 * builtin-kvm.c is the engine.)
 *
 * A row may also name events outside the kvm system (system and match):
 * pttrace record's kprobes on the host's PCI resets, whose names carry the
 * recorder's pid.  Those make no event in the stream: their decode says
 * PT_KVM_ASIDE and their keep puts them beside the events
 * (pt_reader_info's host_resets).  Only the trace.dat reader
 * reads them: a text trace has no metadata saying they were recorded.
 */
#ifndef PT_KVM_EVENTS_H
#define PT_KVM_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "pt-event.h"

#define PT_KVM_FIELDS 5
#define PT_KVM_STR 32

struct pt_reader_info;

/* One record of a kvm event, as a reader hands it to pt_kvm_decode. */
struct pt_kvm_record {
	uint64_t v[PT_KVM_FIELDS];	/* its fields' values, in its row's order; 0 when absent */
	unsigned has;			/* bit J: it has field J (decode asks only of
					   the optional ones: the others it always has) */
	/* what decode learns besides the event: */
	int vcpu;			/* the vcpu the record names (kvm_exit's vcpu_id,
					   kvm_eoi's apicid), else -1 */
	int isa;			/* kvm_exit's isa field (pt-exit-reasons.h), 0 when none */
	int sub;			/* which of a matched row's events it is (match's answer) */
	/* a string field's text (a __data_loc one; its v is the length), "" when none */
	char str[PT_KVM_STR];
};

enum pt_kvm_decoded {
	PT_KVM_EVENT,	/* the event is made */
	PT_KVM_SKIP,	/* a record pttrace drops (an unsatisfied read: the completed read follows) */
	PT_KVM_DAMAGED,	/* values no kernel writes (an access of 3 bytes) */
	PT_KVM_ASIDE,	/* no event: a record the row's keep puts beside them */
};

/* Reads a record's field values out of the text its print format made: 0, or -1. */
typedef int pt_kvm_parse_text(const char *p, struct pt_kvm_record *rec);

struct pt_kvm_event {
	const char *name;		/* the tracepoint, in the kvm system; with match, what it names */
	const char *system;		/* NULL: kvm, by name; else its events are found by match */
	/* with system: which of the row's events the event NAME is (>= 0), -1 when none */
	int (*match)(const char *name);
	enum pt_event_kind kind;	/* the kind it makes, the first of two when pair */
	unsigned pair : 1;		/* it makes kind + 1 too: a read or a write */
	unsigned any_thread : 1;	/* raised by whichever thread emulates the device,
					   not on the vcpu's own */
	/* the fields decode reads, NULL-terminated; '?' first: some kernels lack it */
	const char *fields[PT_KVM_FIELDS];
	/* REC's values into EV's kind and the fields pt-event.h gives the kind */
	enum pt_kvm_decoded (*decode)(struct pt_kvm_record *rec, struct pt_event *ev);
	pt_kvm_parse_text *parse_text;	/* text-fields.c's */
	/*
	 * With system: what decode made of a record (PT_KVM_ASIDE: its ts and
	 * tid, and the fields the row's decode says) kept in INFO, on the
	 * caller's thread in the merge's order; never an event in the stream.
	 */
	void (*keep)(const struct pt_event *ev, struct pt_reader_info *info);
	/* what a trace without the event cannot show, for the report; NULL: nothing much */
	const char *missing;
};

extern const struct pt_kvm_event pt_kvm_events[];
extern const size_t pt_kvm_nevents;

/* The row of the kvm tracepoint NAME (LEN bytes, not terminated), or NULL. */
const struct pt_kvm_event *pt_kvm_event_named(const char *name, size_t len);
/* The row of the event SYSTEM:NAME, with *SUB its match's answer (0 for kvm's), or NULL. */
const struct pt_kvm_event *pt_kvm_event_find(const char *system, const char *name, int *sub);
/* The row that makes KIND, or NULL. */
const struct pt_kvm_event *pt_kvm_event_of(enum pt_event_kind kind);
/* The kinds E makes, a bit per enum pt_event_kind (none for a row kept aside). */
unsigned pt_kvm_event_kinds(const struct pt_kvm_event *e);

/*
 * E's record REC (its v and has filled) into EV, which the reader has
 * cleared or given its time, cpu and thread: flags are or'ed in.  Sets
 * REC's vcpu and isa.
 */
static inline enum pt_kvm_decoded pt_kvm_decode(const struct pt_kvm_event *e,
						struct pt_kvm_record *rec, struct pt_event *ev)
{
	rec->vcpu = -1;
	rec->isa = 0;
	return e->decode(rec, ev);
}

#endif
