// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Text kvm traces: trace-cmd report, ftrace trace / trace_pipe and perf
 * script output, possibly wrapped and quoted by a mail client.  See
 * pt-text.h for what text cannot say, and text-local.h for the parts.
 *
 * Lines that do not start a record are kept as pieces of the record
 * before them, and the pieces are joined when the next record starts.
 * This file reads the lines and keeps what the whole trace says: the
 * threads and their vcpus and names, the cpus and their drops.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text-local.h"

#define TID_SLOTS 1024		/* as analyzer/reader.c */
#define MAX_CPUS 4096
#define COMM_LEN 32

struct comm {
	uint32_t tid;
	char name[COMM_LEN];
};

struct pt_text_reader {
	FILE *f;
	struct pt_text_info info;
	char line[PT_TEXT_LINE_MAX];
	/* the record being collected: its pieces, one per text line */
	struct pt_text_pieces pieces;
	/* events one flush made; pieces can hold several wrapped records */
	struct pt_event ready[PT_TEXT_PIECES];
	int nready, next_ready;
	/* thread -> vcpu, the same table and order as reader.c's vcpu_of */
	uint32_t tid_keys[TID_SLOTS];
	int16_t tid_vcpu[TID_SLOTS];
	uint32_t last_tid;
	int16_t last_vcpu;
	int next_vcpu;
	/* thread -> comm: open addressing over the index into comms[] */
	int16_t comm_slot[PT_TEXT_COMMS * 2];
	struct comm comms[PT_TEXT_COMMS];
	unsigned ncomms;
	uint8_t cpu_seen[MAX_CPUS];
	uint8_t cpu_lost[MAX_CPUS];	/* a drop was announced: flag the next record */
	int saw_cpus_line, saw_tracer_line;
	char err[256];
};

/* vcpu of a thread: from the record when it says, else by first appearance (reader.c) */
static int16_t vcpu_of(struct pt_text_reader *r, uint32_t tid, int known)
{
	unsigned h = (tid * 2654435761u) % TID_SLOTS;

	if (tid == r->last_tid && tid && (known < 0 || known == r->last_vcpu))
		return r->last_vcpu;
	r->last_tid = tid;
	r->last_vcpu = -1;

	for (unsigned n = 0; n < TID_SLOTS; n++, h = (h + 1) % TID_SLOTS) {
		if (r->tid_keys[h] == tid) {
			if (known >= 0)
				r->tid_vcpu[h] = known;
			return r->last_vcpu = r->tid_vcpu[h];
		}
		if (!r->tid_keys[h]) {
			r->tid_keys[h] = tid;
			r->tid_vcpu[h] = known >= 0 ? known : r->next_vcpu++;
			r->info.vcpus++;
			return r->last_vcpu = r->tid_vcpu[h];
		}
	}
	return -1;
}

/* Where TID is in the comm hash, or the free slot it would take; -1 when the hash is full. */
static int comm_slot(const struct pt_text_reader *t, uint32_t tid)
{
	unsigned h = (tid * 2654435761u) % (PT_TEXT_COMMS * 2);

	for (unsigned i = 0; i < PT_TEXT_COMMS * 2; i++, h = (h + 1) % (PT_TEXT_COMMS * 2)) {
		int s = t->comm_slot[h] - 1;

		if (s < 0 || t->comms[s].tid == tid)
			return (int)h;
	}
	return -1;
}

static void remember_comm(struct pt_text_reader *t, uint32_t tid, const char *comm, size_t n)
{
	int h, s;

	/* ftrace's "<...>": the name was not recorded, keep the one we have */
	if (!n || (n == 5 && !strncmp(comm, "<...>", 5)))
		return;
	if (n >= COMM_LEN)
		n = COMM_LEN - 1;
	h = comm_slot(t, tid);
	if (h < 0)
		return;
	s = t->comm_slot[h] - 1;
	if (s < 0) {
		if (t->ncomms == PT_TEXT_COMMS)
			return;
		s = t->ncomms++;
		t->comms[s].tid = tid;
		t->comm_slot[h] = (int16_t)t->ncomms;
	}
	memcpy(t->comms[s].name, comm, n);
	t->comms[s].name[n] = '\0';
}

/* What a whole record tells: comm, cpu, drops, the event. */
static void take(struct pt_text_reader *t, const struct pt_text_header *h,
		 enum pt_text_result res, struct pt_event *ev, int vcpu)
{
	const struct pt_kvm_event *e = pt_text_event(h);
	int flag_lost = 0;

	t->info.records++;
	if (t->info.format == PT_TEXT_UNKNOWN)
		t->info.format = h->perf ? PT_TEXT_PERF
			       : (h->flags_column || t->saw_tracer_line) && !t->saw_cpus_line
			       ? PT_TEXT_FTRACE : PT_TEXT_TRACE_CMD;
	remember_comm(t, h->tid, h->comm, h->comm_len);
	if (h->cpu >= 0 && h->cpu < MAX_CPUS) {
		if ((unsigned)h->cpu + 1 > t->info.cpus)
			t->info.cpus = h->cpu + 1;
		t->cpu_seen[h->cpu] = 1;
		flag_lost = t->cpu_lost[h->cpu];
		t->cpu_lost[h->cpu] = 0;
	}
	if (res != R_OTHER && e)
		t->info.present |= pt_kvm_event_kinds(e);
	if (res == R_DAMAGED || res == R_BAD)
		t->info.damaged++;
	if (res != R_EVENT)
		return;
	ev->ts = h->ts;
	ev->cpu = (int16_t)h->cpu;
	ev->tid = h->tid;
	if (flag_lost)
		ev->flags |= PT_EVF_LOST_BEFORE;
	ev->vcpu = e->any_thread ? -1 : vcpu_of(t, ev->tid, vcpu);
	if (h->usec)
		t->info.usec_ts = 1;
	if (!t->info.events)
		t->info.first_ts = ev->ts;
	t->info.last_ts = ev->ts;
	t->info.events++;
	if (t->nready < PT_TEXT_PIECES)
		t->ready[t->nready++] = *ev;
}

/* Every record the collected pieces hold. */
static void flush(struct pt_text_reader *t)
{
	struct pt_text_record rec;

	while (pt_text_unwrap(&t->pieces, &rec)) {
		if (rec.joined)
			t->info.joined = 1;
		if (rec.res == R_NONE)
			t->info.damaged++;
		else
			take(t, &rec.h, rec.res, &rec.ev, rec.vcpu);
	}
}

/* "CPU:2 [123 EVENTS DROPPED]", "CPU:2 [EVENTS DROPPED]", "CPU:2 [LOST 123 EVENTS]" */
static int drop_line(struct pt_text_reader *t, const char *s)
{
	const char *p = s;
	uint64_t cpu, n = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "CPU:", 4))
		return 0;
	p += 4;
	if (pt_text_num(&p, 0, &cpu) || !strchr(p, '[') ||
	    (!strstr(p, "DROPPED]") && !strstr(p, "EVENTS]")))
		return 0;
	p = strchr(p, '[') + 1;
	if (!strncmp(p, "LOST ", 5))
		p += 5;
	pt_text_num(&p, 0, &n);
	if (cpu < MAX_CPUS) {
		if (!t->cpu_seen[cpu]) {
			t->info.overwritten += n;
		} else {
			t->info.lost += n;
			t->info.lost_gaps++;
		}
		t->cpu_lost[cpu] = 1;
	}
	return 1;
}

/* S without mail quoting, "> > " or ">", removed the same way from every line. */
static char *unquote(char *s)
{
	while (*s == '>') {
		s++;
		if (*s == ' ')
			s++;
	}
	return s;
}

static int blank(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return !*s;
}

/* One line of text: ends a record, starts one, or continues one. */
static void line(struct pt_text_reader *t, char *s)
{
	struct pt_text_header h;
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (blank(s)) {
		flush(t);
		return;
	}
	if (*p == '#') {
		flush(t);
		if (!strncmp(p, "# tracer:", 9))
			t->saw_tracer_line = 1;
		return;
	}
	if (!strncmp(p, "cpus=", 5)) {
		uint64_t n;

		flush(t);
		p += 5;
		if (!pt_text_num(&p, 0, &n) && n < MAX_CPUS) {
			t->saw_cpus_line = 1;
			if (n > t->info.cpus)
				t->info.cpus = (unsigned)n;
		}
		return;
	}
	if (drop_line(t, s)) {
		flush(t);
		return;
	}
	if (!pt_text_parse_header(s, &h) || pt_text_starts_record(s) ||
	    t->pieces.n == PT_TEXT_PIECES)
		flush(t);
	snprintf(t->pieces.piece[t->pieces.n++], PT_TEXT_LINE_MAX, "%s", s);
}

int pt_text_next(struct pt_text_reader *t, struct pt_event *ev)
{
	while (t->next_ready == t->nready) {
		char *s;
		size_t n;

		t->next_ready = t->nready = 0;
		if (!t->f)
			return 0;
		if (!fgets(t->line, sizeof(t->line), t->f)) {
			if (ferror(t->f)) {
				snprintf(t->err, sizeof(t->err), "cannot read the trace: %s",
					 strerror(errno ? errno : EIO));
				return -1;
			}
			flush(t);
			t->f = NULL;	/* the end: what flush made is the last */
			continue;
		}
		t->info.lines++;
		n = strlen(t->line);
		if (n && t->line[n - 1] != '\n' && !feof(t->f)) {
			int c;

			/* longer than any kvm record: keep the start, drop the rest */
			while ((c = getc(t->f)) != EOF && c != '\n')
				;
		}
		while (n && (t->line[n - 1] == '\n' || t->line[n - 1] == '\r'))
			t->line[--n] = '\0';
		s = unquote(t->line);
		if (s != t->line)
			t->info.quoted = 1;
		line(t, s);
	}
	*ev = t->ready[t->next_ready++];
	return 1;
}

struct pt_text_reader *pt_text_open(FILE *f, struct pt_err *err)
{
	struct pt_text_reader *t = calloc(1, sizeof(*t));

	if (!t) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	t->f = f;
	return t;
}

void pt_text_close(struct pt_text_reader *t)
{
	free(t);
}

const struct pt_text_info *pt_text_info(const struct pt_text_reader *t)
{
	return &t->info;
}

const char *pt_text_error(const struct pt_text_reader *t)
{
	return t->err;
}

const char *pt_text_comm(const struct pt_text_reader *t, uint32_t tid)
{
	int h = comm_slot(t, tid);

	if (h < 0 || !t->comm_slot[h])
		return NULL;
	return t->comms[t->comm_slot[h] - 1].name;
}

unsigned pt_text_ncomms(const struct pt_text_reader *t)
{
	return t->ncomms;
}

const char *pt_text_comm_at(const struct pt_text_reader *t, unsigned i, uint32_t *tid)
{
	if (i >= t->ncomms)
		return NULL;
	if (tid)
		*tid = t->comms[i].tid;
	return t->comms[i].name;
}

const char *pt_text_format_name(enum pt_text_format format)
{
	switch (format) {
	case PT_TEXT_TRACE_CMD:
		return "trace-cmd report";
	case PT_TEXT_FTRACE:
		return "ftrace";
	case PT_TEXT_PERF:
		return "perf script";
	case PT_TEXT_UNKNOWN:
		break;
	}
	return "unknown";
}

/*
 * Text, not binary (a trace.dat starts "\x17\x08\x44tracing" and has NULs),
 * with a line that is a kvm event record, or, when mail wrapped every
 * record, a kvm event name next to a cpu column somewhere.
 */
int pt_text_probe(const char *buf, size_t len)
{
	char l[PT_TEXT_LINE_MAX];
	size_t i = 0;
	int name = 0, cpu_col = 0;

	if (!buf || !len)
		return 0;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = buf[k];

		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f'))
			return 0;
	}
	while (i < len) {
		size_t n = 0;
		struct pt_text_header h;
		char *s;

		while (i < len && buf[i] != '\n') {
			if (n < sizeof(l) - 1)
				l[n++] = buf[i];
			i++;
		}
		i++;
		l[n] = '\0';
		if (i > len)
			break;	/* the last line may be cut short: not judged */
		s = unquote(l);
		if (!pt_text_parse_header(s, &h) && pt_text_event(&h))
			return 1;
		if (!name)
			name = pt_text_names_event(s);
		if (!cpu_col)
			cpu_col = pt_text_cpu_column(s) != NULL;
	}
	return name && cpu_col;
}

