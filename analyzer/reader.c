// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <event-parse.h>

#include "pt-reader.h"
#include "pt-text.h"
#include "pt-threads.h"
#include "pt-tracefile.h"

#include "kvm-events.h"
#include "reader-int.h"

/* F of a tep format, flat; size 0 when it is missing or cannot be read. */
static struct field flat_field(const struct tep_format_field *f)
{
	struct field out = { 0, 0, 0, 0 };

	if (f && f->offset >= 0 && f->offset <= UINT16_MAX && f->size > 0) {
		out.offset = (uint16_t)f->offset;
		out.size = f->size > 8 ? 8 : (uint8_t)f->size;
		out.mask = out.size == 8 ? ~0ull : (1ull << (8 * out.size)) - 1;
		out.string = !!(f->flags & TEP_FIELD_IS_DYNAMIC);
	}
	return out;
}

/*
 * F of REC where R's fields are one load (r->native): a record is followed
 * by 8 readable bytes (pt-tracefile.h), so 8 bytes and the field's mask.
 */
static inline uint64_t field_load(const struct pt_raw_record *rec, const struct field *f)
{
	uint64_t v;

	memcpy(&v, (const unsigned char *)rec->data + f->offset, 8);
	return v & f->mask;
}

/* Always inline: it runs for every field of every record. */
static inline __attribute__((always_inline))
uint64_t field_u64(const struct pt_reader *r, const struct pt_raw_record *rec, const struct field *f)
{
	if (!f->size || (unsigned)f->offset + f->size > rec->size)
		return 0;
	if (r->native)
		return field_load(rec, f);
	return tep_read_number(r->tf->tep, (const unsigned char *)rec->data + f->offset, f->size);
}

/*
 * Builds the id-indexed decoder table for the file's formats of the events
 * in kvm-events.c's table (kvm's, and pttrace record's kprobes).
 */
static int build_decoders(struct pt_reader *r, struct pt_err *err)
{
	struct tep_handle *tep = r->tf->tep;
	struct tep_event **all = tep_list_events(tep, TEP_EVENT_SORT_ID);
	int sub;

	r->max_id = -1;
	for (int i = 0; all && all[i]; i++)
		if (all[i]->id > r->max_id && pt_kvm_event_find(all[i]->system, all[i]->name, &sub))
			r->max_id = all[i]->id;
	if (r->max_id < 0)
		return 0;
	r->decoders = calloc(r->max_id + 1, sizeof(*r->decoders));
	if (!r->decoders)
		return pt_err_set(err, "out of memory");
	for (int i = 0; all[i]; i++) {
		const struct pt_kvm_event *e = pt_kvm_event_find(all[i]->system, all[i]->name, &sub);
		struct tep_event *found = all[i];
		struct decoder *d;
		int ok = 1;

		if (!e || found->id < 0)
			continue;
		d = &r->decoders[found->id];
		for (int j = 0; j < PT_KVM_FIELDS && e->fields[j]; j++, d->nf++) {
			const char *name = e->fields[j];
			int optional = name[0] == '?';

			d->f[j] = flat_field(tep_find_field(found, name + optional));
			if (d->f[j].size)
				d->has |= 1u << j;
			else if (!optional)
				ok = 0;
			if (d->f[j].offset + d->f[j].size > d->need)
				d->need = d->f[j].offset + d->f[j].size;
			d->strings |= d->f[j].string;
		}
		if (!ok) {
			/* a format we do not know: the event counts as missing */
			memset(d, 0, sizeof(*d));
			continue;
		}
		d->event = e;
		d->sub = sub;
		if (!r->have_common) {
			r->pid_field = flat_field(tep_find_common_field(found, "common_pid"));
			r->type_field = flat_field(tep_find_common_field(found, "common_type"));
			r->have_common = 1;
		}
		r->info.present |= pt_kvm_event_kinds(e);
	}
	return 0;
}

/* What every record tells about the trace as a whole: counts, drops, damage. */
void pt_reader_account(struct pt_reader_tally *t, struct pt_reader_lane_state *ls,
		       const struct pt_raw_record *rec)
{
	t->records++;
	/* one cpu's buffer is in time order: going back means damage */
	if (rec->ts < ls->last_ts)
		t->damaged++;
	ls->last_ts = rec->ts;
	if (rec->missed && !ls->seen) {
		if (rec->missed > 0)
			t->overwritten += rec->missed;
	} else if (rec->missed) {
		t->lost_gaps++;
		if (rec->missed > 0)
			t->lost += rec->missed;
		else
			t->lost_unknown = 1;
	}
	ls->seen = 1;
}

void pt_reader_add_tally(struct pt_reader_tally *to, const struct pt_reader_tally *t)
{
	to->records += t->records;
	to->damaged += t->damaged;
	to->overwritten += t->overwritten;
	to->lost += t->lost;
	to->lost_gaps += t->lost_gaps;
	to->lost_unknown |= t->lost_unknown;
}

/* The __data_loc string F of REC into BUF: its offset in the low 16 bits, length in the high. */
static void field_str(const struct pt_reader *r, const struct pt_raw_record *rec,
		      const struct field *f, char *buf, size_t size)
{
	uint64_t loc = field_u64(r, rec, f);
	unsigned off = loc & 0xffff, len = (loc >> 16) & 0xffff;

	if (len > size - 1)
		len = size - 1;
	if (off + len > rec->size)
		len = 0;
	memcpy(buf, (const char *)rec->data + off, len);
	buf[len] = 0;
}

static int event_id(const struct pt_reader *r, const struct pt_raw_record *rec)
{
	if (r->type_field.size)
		return (int)field_u64(r, rec, &r->type_field);
	if (rec->size < 2)
		return -1;
	return (int)tep_read_number(r->tf->tep, rec->data, 2);
}

static int known_id(const struct pt_tracefile *tf, int id)
{
	return id >= 0 && (unsigned)id <= tf->max_known_id && (tf->known_ids[id / 8] & (1u << (id % 8)));
}

/*
 * Turns REC into EV, its thread not yet placed: 1, or 0 when it is no kvm
 * event.  DAMAGED (NULL: not counted) counts records that cannot be right.
 * Only reads R's tables, so the jobs (reader-jobs.c) call it too.
 */
int pt_reader_decode(const struct pt_reader *r, const struct pt_raw_record *rec, int cpu,
		     struct pt_decoded *out, uint64_t *damaged)
{
	const struct decoder *d;
	struct pt_kvm_record kr;
	struct pt_event *ev = &out->ev;
	int id;

	id = event_id(r, rec);
	if (id < 0 || id > r->max_id || !r->decoders[id].event) {
		if (damaged && !known_id(r->tf, id))
			(*damaged)++;
		return 0;
	}
	d = &r->decoders[id];
	kr.str[0] = 0;
	if (!d->strings && r->native && rec->size >= d->need) {
		/* the usual record: every field inside it, a load and a mask each */
		for (int j = 0; j < d->nf; j++)
			kr.v[j] = field_load(rec, &d->f[j]);
	} else {
		for (int j = 0; j < d->nf; j++) {
			kr.v[j] = field_u64(r, rec, &d->f[j]);
			if (d->f[j].string) {
				field_str(r, rec, &d->f[j], kr.str, sizeof(kr.str));
				kr.v[j] = strlen(kr.str);
			}
		}
	}
	kr.has = d->has;
	kr.sub = d->sub;

	memset(ev, 0, sizeof(*ev));
	ev->ts = rec->ts;
	ev->cpu = cpu;
	ev->tid = (uint32_t)field_u64(r, rec, &r->pid_field);
	if (rec->missed)
		ev->flags |= PT_EVF_LOST_BEFORE;
	out->aside = 0;
	switch (pt_kvm_decode(d->event, &kr, ev)) {
	case PT_KVM_EVENT:
		break;
	case PT_KVM_ASIDE:
		/* kept beside the events in the merge's order (pt_reader_keep), never one */
		out->aside = (uint8_t)(d->event - pt_kvm_events + 1);
		return 1;
	case PT_KVM_DAMAGED:
		if (damaged)
			(*damaged)++;
		return 0;
	case PT_KVM_SKIP:
		return 0;
	}
	out->vcpu = (int16_t)kr.vcpu;
	out->isa = (uint8_t)kr.isa;
	out->any_thread = d->event->any_thread;
	return 1;
}

void pt_reader_keep(struct pt_reader *r, const struct pt_decoded *d)
{
	pt_kvm_events[d->aside - 1].keep(&d->ev, &r->info);
}

/* REC as an event, placed: 1, or 0 when it is no kvm event (an aside one is kept on FIRST_PASS). */
static int decode(struct pt_reader *r, const struct pt_raw_record *rec, int cpu,
		  struct pt_event *out, int first_pass)
{
	struct pt_decoded d;

	if (!pt_reader_decode(r, rec, cpu, &d, first_pass ? &r->tally.damaged : NULL))
		return 0;
	if (d.aside) {
		if (first_pass)
			pt_reader_keep(r, &d);
		return 0;
	}
	pt_reader_place(r, &d, first_pass);
	*out = d.ev;
	return 1;
}

static const char *comm_of(void *ctx, uint32_t tid)
{
	return pt_tracefile_comm(ctx, tid);
}

static const char *text_comm_of(void *ctx, uint32_t tid)
{
	return pt_text_comm(ctx, tid);
}

#define PROBE_BYTES 65536

/* The probed start of a text again, then the rest: standard input cannot seek. */
struct replay {
	char *head;
	size_t len, pos;
	FILE *rest;
};

static ssize_t replay_read(void *cookie, char *buf, size_t size)
{
	struct replay *rp = cookie;

	if (rp->pos < rp->len) {
		size_t n = rp->len - rp->pos < size ? rp->len - rp->pos : size;

		memcpy(buf, rp->head + rp->pos, n);
		rp->pos += n;
		return n;
	}
	return fread(buf, 1, size, rp->rest);
}

static int replay_close(void *cookie)
{
	struct replay *rp = cookie;

	if (rp->rest != stdin)
		fclose(rp->rest);
	free(rp->head);
	free(rp);
	return 0;
}

/*
 * A text trace (trace-cmd report, ftrace, perf script, pasted from a bug
 * report): 1 when PATH is one and R reads it, 0 when it is not, -1 with
 * ERR set.  "-" is standard input, which can only be text: a trace.dat
 * is read at offsets.
 */
static int open_text(struct pt_reader *r, const char *path, struct pt_err *err)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	int is_text;

	if (!rp || !(rp->head = malloc(PROBE_BYTES)))
		goto oom;
	if (strcmp(path, "-")) {
		struct stat st;

		if (stat(path, &st) || !S_ISREG(st.st_mode) || !(rp->rest = fopen(path, "re")))
			goto not_text;
	} else {
		rp->rest = stdin;
	}
	rp->len = fread(rp->head, 1, PROBE_BYTES, rp->rest);
	is_text = rp->len >= 3 && memcmp(rp->head, "\x17\x08\x44", 3) &&
		  pt_text_probe(rp->head, rp->len);
	if (!is_text && rp->rest == stdin) {
		replay_close(rp);
		return pt_err_set(err, "standard input is not a text kvm trace (trace-cmd report, "
				  "ftrace or perf script): give a trace.dat by its file name");
	}
	if (!is_text)
		goto not_text;
	r->text_file = fopencookie(rp, "r", (cookie_io_functions_t){ .read = replay_read,
								       .close = replay_close });
	if (!r->text_file) {
		replay_close(rp);
		return pt_err_set(err, "out of memory");
	}
	r->text = pt_text_open(r->text_file, err);
	if (!r->text)
		return -1;
	r->threads = pt_threads_new(text_comm_of, r->text);
	if (!r->threads)
		return pt_err_set(err, "out of memory");
	/* what a text holds is known once it is read: until then any kind may be there */
	r->info.present = ~0u;
	r->info.is_text = 1;
	return 1;
not_text:
	if (rp && rp->rest)
		replay_close(rp);
	else if (rp) {
		free(rp->head);
		free(rp);
	}
	return 0;
oom:
	if (rp)
		free(rp->head);
	free(rp);
	return pt_err_set(err, "out of memory");
}

static int open_streams(struct pt_reader *r)
{
	int total = 0;

	for (int b = 0; b < r->tf->nbuffers; b++)
		total += r->tf->buffers[b].ncpus;
	r->streams = calloc(total ? total : 1, sizeof(*r->streams));
	if (!r->streams)
		return -1;
	for (int b = 0; b < r->tf->nbuffers; b++) {
		const struct pt_tf_buffer *buf = &r->tf->buffers[b];

		for (int c = 0; c < buf->ncpus; c++) {
			struct stream *st = &r->streams[r->nstreams];

			if (!buf->cpus[c].avail)
				continue;
			st->cs = pt_cpu_stream_new(r->tf, b, c);
			if (!st->cs)
				return -1;
			st->buffer = b;
			st->cpu_index = c;
			st->cpu = buf->cpus[c].cpu;
			/* positions are one space over every cpu's data, as in the file */
			st->base = r->nstreams ? st[-1].base + st[-1].len : 0;
			st->len = pt_cpu_stream_length(st->cs);
			r->info.data_bytes += st->len;
			r->nstreams++;
		}
	}
	for (int b = 0; b < r->tf->nbuffers; b++)
		r->info.buffers += r->tf->buffers[b].ncpus > 0;
	return 0;
}

struct pt_reader *pt_reader_open(const char *path, struct pt_err *err)
{
	/* aligned as its lines are laid out (reader-int.h) */
	struct pt_reader *r = aligned_alloc(64, sizeof(*r));

	if (!r) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	r->jobs = 1;
	switch (open_text(r, path, err)) {
	case 1:
		return r;
	case -1:
		goto fail;
	}
	r->tf = pt_tracefile_open(path, err);
	if (!r->tf)
		goto fail;
	r->info.file_size = r->tf->size;
	r->threads = pt_threads_new(comm_of, r->tf);
	if (!r->threads) {
		pt_err_set(err, "out of memory");
		goto fail;
	}
	snprintf(r->info.damage, sizeof(r->info.damage), "%s", r->tf->damage);
	/* a masked load is the field's value only in little-endian on both sides */
	r->native = !r->tf->big_endian && !tep_is_local_bigendian(r->tf->tep);
	if (build_decoders(r, err))
		goto fail;
	if (r->tf->guest_side) {
		pt_err_set(err, "'%s' is the guest side of a host-guest recording (trace-cmd record -A): "
			   "it holds the guest's own events; analyze the host's file", path);
		goto fail;
	}
	if (!r->info.present) {
		pt_err_set(err, "'%s' has no kvm events: record the VM's kvm events "
			   "(pttrace record, or trace-cmd with -e kvm)", path);
		goto fail;
	}
	if (open_streams(r)) {
		pt_err_set(err, "out of memory");
		goto fail;
	}
	return r;
fail:
	pt_reader_close(r);
	return NULL;
}

void pt_reader_note_broken(struct pt_reader *r)
{
	for (int i = 0; i < r->nstreams; i++) {
		uint64_t at;

		r->tally.damaged += pt_cpu_stream_damaged(r->streams[i].cs);
		if (!r->info.damage[0] && pt_cpu_stream_broken(r->streams[i].cs, &at))
			snprintf(r->info.damage, sizeof(r->info.damage), "cpu %d's data is %s at byte "
				 "%llu: the events after that point are missing", r->streams[i].cpu,
				 at >= r->tf->size ? "cut short" : "damaged", (unsigned long long)at);
	}
}

/* The next event of a text trace, its VM and vcpu placed like a trace.dat's. */
static int text_next(struct pt_reader *r, struct pt_event *ev, struct pt_position *pos)
{
	int got = pt_text_next(r->text, ev);
	const struct pt_text_info *ti = pt_text_info(r->text);

	if (got <= 0) {
		r->info.records = ti->records;
		r->info.damaged = ti->damaged;
		r->info.lost = ti->lost;
		r->info.lost_gaps = ti->lost_gaps;
		r->info.overwritten = ti->overwritten;
		r->info.present = ti->present;
		if (got < 0)
			snprintf(r->info.damage, sizeof(r->info.damage), "%s", pt_text_error(r->text));
		return 0;
	}
	pt_threads_place(r->threads, ev->tid,
			 ev->kind == PT_EV_EXIT || ev->kind == PT_EV_PAGE_FAULT ? ev->vcpu : -1,
			 ev->vcpu >= 0, &ev->vcpu, &ev->vm);
	if (!r->info.events)
		r->info.first_ts = ev->ts;
	r->info.last_ts = ev->ts;
	r->info.events++;
	/* a text has no offsets to read an event at again */
	pos->offset = r->info.events;
	pos->buffer = 0;
	return 1;
}

/* Whether R is read by other threads (reader-jobs.c), starting them at the first event. */
static int use_jobs(struct pt_reader *r)
{
	if (r->running)
		return 1;
	if (r->text || r->started || r->jobs == 1)
		return 0;
	if (!pt_reader_jobs_start(r))
		return 1;
	r->jobs = 1;	/* no threads to be had: one, and no second try */
	return 0;
}

const struct pt_event *pt_reader_next_event(struct pt_reader *r, struct pt_position *pos)
{
	struct pt_event *ev = &r->next;

	if (r->text)
		return text_next(r, ev, pos) ? ev : NULL;
	if (use_jobs(r))
		return pt_reader_jobs_next(r, pos);
	if (!r->started) {
		for (int i = 0; i < r->nstreams; i++)
			r->streams[i].has = pt_cpu_stream_next(r->streams[i].cs, &r->streams[i].rec);
		r->started = 1;
	}
	for (;;) {
		struct stream *st = NULL;
		int found;

		for (int i = 0; i < r->nstreams; i++)
			if (r->streams[i].has && (!st || r->streams[i].rec.ts < st->rec.ts))
				st = &r->streams[i];
		if (!st) {
			if (r->started == 1) {
				pt_reader_note_broken(r);
				r->started = 2;
			}
			return NULL;
		}
		pt_reader_account(&r->tally, &st->lane, &st->rec);
		found = decode(r, &st->rec, st->cpu, ev, 1);
		if (found) {
			pt_reader_count_event(r, st->buffer, ev);
			pos->offset = st->base + st->rec.pos;
			pos->buffer = st->buffer;
		}
		st->has = pt_cpu_stream_next(st->cs, &st->rec);
		if (found)
			return ev;
	}
}

int pt_reader_next(struct pt_reader *r, struct pt_event *ev, struct pt_position *pos)
{
	const struct pt_event *next = pt_reader_next_event(r, pos);

	if (!next)
		return 0;
	*ev = *next;
	return 1;
}

int pt_reader_read(struct pt_reader *r, int (*fn)(void *ctx, const struct pt_event *ev),
		   void *ctx, struct pt_err *err)
{
	const struct pt_event *ev;
	struct pt_position pos;

	(void)err;
	if (use_jobs(r)) {
		pt_reader_jobs_read(r, fn, ctx);
		return 0;
	}
	while ((ev = pt_reader_next_event(r, &pos)) && !fn(ctx, ev))
		;
	return 0;
}

static struct stream *stream_at(struct pt_reader *r, uint64_t offset)
{
	for (int i = 0; i < r->nstreams; i++)
		if (offset >= r->streams[i].base && offset - r->streams[i].base < r->streams[i].len)
			return &r->streams[i];
	return NULL;
}

int pt_reader_read_at(struct pt_reader *r, const struct pt_position *pos, struct pt_event *ev)
{
	struct stream *st = r->text || r->running ? NULL : stream_at(r, pos->offset);
	struct pt_raw_record rec;
	uint64_t at;

	if (!st)
		return -1;
	at = pos->offset - st->base;
	if ( pt_cpu_stream_seek(st->cs, at) || pt_cpu_stream_next(st->cs, &rec) <= 0 ||
	    rec.pos != at)
		return -1;
	return decode(r, &rec, st->cpu, ev, 0) ? 0 : -1;
}

#define TAIL_MAX_PAGES 4096	/* gives up if kvm events are that rare at the end */

static int by_time(const void *a, const void *b)
{
	const struct pt_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

int pt_reader_tail(struct pt_reader *r, struct pt_event *evs, unsigned max)
{
	struct pt_event *all;
	size_t n = 0, cap = 0;

	if (!max || r->text || r->running)
		return 0;
	/* each cpu's last MAX: the newest MAX of all of them are among these */
	cap = (size_t)max * (r->nstreams ? r->nstreams : 1);
	all = malloc(cap * sizeof(*all));
	if (!all)
		return 0;
	for (int i = 0; i < r->nstreams; i++) {
		struct stream *st = &r->streams[i];
		size_t mine = 0;

		for (unsigned page = 0; mine < max && page < TAIL_MAX_PAGES; page++) {
			struct pt_raw_record rec;
			size_t start = n;

			if (pt_cpu_stream_seek_last(st->cs, page))
				break;
			while (pt_cpu_stream_next(st->cs, &rec) > 0 && n < cap)
				if (decode(r, &rec, st->cpu, &all[n], 0))
					n++;
			mine += n - start;
		}
		pt_cpu_stream_seek(st->cs, 0);
	}
	qsort(all, n, sizeof(*all), by_time);
	if (n > max) {
		memmove(all, all + (n - max), max * sizeof(*all));
		n = max;
	}
	memcpy(evs, all, n * sizeof(*evs));
	free(all);
	return n;
}

void pt_reader_set_jobs(struct pt_reader *r, unsigned jobs)
{
	r->jobs = jobs;
}

const struct pt_reader_info *pt_reader_info(struct pt_reader *r)
{
	if (r->tf) {
		r->info.records = r->tally.records;
		r->info.damaged = r->tally.damaged;
		r->info.overwritten = r->tally.overwritten;
		r->info.lost = r->tally.lost;
		r->info.lost_gaps = r->tally.lost_gaps;
		r->info.lost_unknown = r->tally.lost_unknown;
	}
	r->info.nvms = pt_threads_nvms(r->threads);
	for (unsigned i = 0; i < r->info.nvms; i++)
		r->info.vms[i] = *pt_threads_vm(r->threads, i);
	r->info.vms_guessed = pt_threads_guessed(r->threads);
	r->info.vcpus = pt_threads_nvcpus(r->threads);
	return &r->info;
}

const char *pt_reader_meta(const struct pt_reader *r)
{
	return r->tf ? r->tf->meta : NULL;
}

void pt_reader_close(struct pt_reader *r)
{
	if (!r)
		return;
	pt_reader_jobs_stop(r);
	for (int i = 0; i < r->nstreams; i++)
		pt_cpu_stream_free(r->streams[i].cs);
	free(r->streams);
	free(r->decoders);
	pt_tracefile_close(r->tf);
	pt_text_close(r->text);
	if (r->text_file)
		fclose(r->text_file);
	pt_threads_free(r->threads);
	free(r);
}

const char *pt_reader_missing_consequence(enum pt_event_kind kind)
{
	const struct pt_kvm_event *e = pt_kvm_event_of(kind);

	return e ? e->missing : NULL;
}
