// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoding on other threads.  Each cpu's stream (a lane) is parsed and
 * decoded by one worker into batches; the caller's thread merges the
 * lanes by time and does what needs the merged order (placing threads in
 * VMs, counting), so the model and the detectors get the very sequence
 * the one-thread reader gives them.
 *
 * That reader merges records, kvm or not, always taking the stream whose
 * next record is oldest (the lowest stream on a tie).  On a damaged
 * stream whose time goes back, that is not a sort by time: a record
 * older than one before it on its cpu comes right after that one.  The
 * same order comes from sorting by (the newest time seen on the record's
 * cpu so far, stream, position), which needs nothing of the records the
 * merge drops: the workers stamp each event with that key.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader-int.h"

/*
 * Each lane holds NBATCH batches: one being merged, the others filled
 * meanwhile.  A batch is as large as the memory allows (a hand-over
 * costs a wake-up when one side waits), all of them under BATCH_BYTES
 * however many cpus the file has: when even BATCH_MIN events a batch
 * would not fit, the file is read on one thread.
 */
#define NBATCH 3
#define BATCH_MAX 16384
#define BATCH_MIN 256
#define BATCH_BYTES (24u << 20)
#define SCAN_RECORDS 4		/* records read for a batch, at most: times its size */
#define PREFETCH_AHEAD 16	/* events: far enough to hide a miss to the other core */

struct batch {
	struct pt_decoded *ev;
	unsigned n;
	int last;			/* the lane ends with it */
	struct pt_reader_tally tally;	/* what its records add, kvm or not */
} __attribute__((aligned(64)));

/* The worker's part and the merge's on lines of their own: both write theirs often. */
struct lane {
	struct stream *st;
	struct batch b[NBATCH];
	/*
	 * Batches handed over and given back, written under the lock; the
	 * merge also peeks at FILLED without it (a release store, an acquire load).
	 */
	unsigned filled, merged;
	struct {
		struct pt_reader_lane_state state;
		uint64_t key;
		int ended;
	} __attribute__((aligned(64)));
	struct {
		struct pt_decoded *ev;	/* the batch being merged: its events, */
		unsigned n, at;		/* how many, the next one */
		int holding;		/* b[merged % NBATCH] is held */
		int done;
	} __attribute__((aligned(64)));
};

struct worker {
	struct pt_reader_jobs *j;
	pthread_t thread;
	pthread_cond_t room;		/* one of its lanes' batches was given back, or stop */
	unsigned first, step;		/* its lanes: first, first + step, ... */
};

struct pt_reader_jobs {
	struct pt_reader *r;
	struct lane *lanes;
	int nlanes;
	unsigned batch;			/* events a batch holds */
	struct worker *workers;
	unsigned nworkers, nslots;	/* threads started, of as many slots */
	pthread_mutex_t lock;
	pthread_cond_t ready;		/* a batch was handed over */
	int stop;
	/*
	 * The lane the merge takes from, and the least (key, lane) of the
	 * others' next events: until the lane's events reach it, they come
	 * next without a look at the others.
	 */
	struct lane *run, *limit_lane;
	uint64_t limit;
};

/*
 * Fills B from L's stream: outside the lock, only L's worker touches it.
 * It counts in locals and writes B once: the merge reads the lane's
 * other batches meanwhile, and a store per record to a line it reads
 * would take turns with it for that line.
 */
static void fill(struct pt_reader_jobs *j, struct lane *l, struct batch *b)
{
	const struct pt_reader *r = j->r;
	struct stream *st = l->st;
	struct pt_reader_lane_state state = l->state;
	struct pt_reader_tally tally = { 0 };
	struct pt_raw_record rec;
	struct pt_decoded *ev = b->ev;
	uint64_t key = l->key, base = st->base;
	unsigned n = 0;
	int cpu = st->cpu, last = 0;

	/*
	 * A batch also ends after SCAN_RECORDS times its size in records,
	 * whatever they were: a cpu with few kvm events among many others
	 * (no vcpu ran there, or sched events were recorded too) hands over
	 * as it goes, and a close is seen every 4096 records.
	 */
	for (unsigned scanned = 0; n < j->batch && scanned < j->batch * SCAN_RECORDS; scanned++) {
		if ((scanned & 4095) == 4095 && __atomic_load_n(&j->stop, __ATOMIC_RELAXED))
			break;
		if (pt_cpu_stream_next(st->cs, &rec) <= 0) {
			last = 1;
			break;
		}
		pt_reader_account(&tally, &state, &rec);
		if (rec.ts > key)
			key = rec.ts;
		if (pt_reader_decode(r, &rec, cpu, &ev[n], &tally.damaged)) {
			ev[n].key = key;
			ev[n].offset = base + rec.pos;
			n++;
		}
	}
	b->n = n;
	b->last = last;
	b->tally = tally;
	l->state = state;
	l->key = key;
	l->ended = last;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pt_reader_jobs *j = w->j;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		struct lane *todo = NULL;
		int live = 0;

		for (int i = w->first; i < j->nlanes; i += w->step) {
			struct lane *l = &j->lanes[i];

			if (l->ended)
				continue;
			live = 1;
			/* the lane furthest behind first: the merge waits on it soonest */
			if (l->filled - l->merged < NBATCH &&
			    (!todo || l->filled - l->merged < todo->filled - todo->merged))
				todo = l;
		}
		if (j->stop || !live)
			break;
		if (!todo) {
			pthread_cond_wait(&w->room, &j->lock);
			continue;
		}
		pthread_mutex_unlock(&j->lock);
		fill(j, todo, &todo->b[todo->filled % NBATCH]);
		pthread_mutex_lock(&j->lock);
		__atomic_store_n(&todo->filled, todo->filled + 1, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&j->ready);
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

unsigned pt_cpus_usable(void)
{
	cpu_set_t set;
	long n;

	if (!sched_getaffinity(0, sizeof(set), &set) && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static void free_jobs(struct pt_reader_jobs *j)
{
	for (int i = 0; j->lanes && i < j->nlanes; i++)
		for (int k = 0; k < NBATCH; k++)
			free(j->lanes[i].b[k].ev);
	free(j->lanes);
	for (unsigned w = 0; j->workers && w < j->nslots; w++)
		pthread_cond_destroy(&j->workers[w].room);
	free(j->workers);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->ready);
	free(j);
}

/* R's streams that have data, in their order (the merge's tie-break), as lanes. */
static int make_lanes(struct pt_reader_jobs *j, struct pt_reader *r)
{
	void *lanes;
	int n = 0;

	for (int i = 0; i < r->nstreams; i++)
		n += r->streams[i].len > 0;
	/* the batches' floor over the budget: so many cpus are read better on one */
	if (!n || (size_t)n * NBATCH * BATCH_MIN * sizeof(struct pt_decoded) > BATCH_BYTES)
		return -1;
	/* aligned: the lane's parts are on lines of their own */
	if (posix_memalign(&lanes, 64, n * sizeof(struct lane)))
		return -1;
	memset(lanes, 0, n * sizeof(struct lane));
	j->lanes = lanes;
	j->batch = BATCH_BYTES / sizeof(struct pt_decoded) / NBATCH / n;
	j->batch = j->batch > BATCH_MAX ? BATCH_MAX : j->batch;
	for (int i = 0; i < r->nstreams; i++) {
		struct lane *l = &j->lanes[j->nlanes];

		if (!r->streams[i].len)
			continue;
		j->nlanes++;
		l->st = &r->streams[i];
		for (int k = 0; k < NBATCH; k++)
			if (!(l->b[k].ev = malloc(j->batch * sizeof(struct pt_decoded))))
				return -1;
	}
	return 0;
}

int pt_reader_jobs_start(struct pt_reader *r)
{
	unsigned jobs = r->jobs ? r->jobs : pt_cpus_usable();
	struct pt_reader_jobs *j;

	/* the caller's thread merges and analyses: one job less decodes */
	if (jobs < 2 || !(j = calloc(1, sizeof(*j))))
		return -1;
	j->r = r;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->ready, NULL);
	if (make_lanes(j, r))
		goto fail;
	j->nslots = jobs - 1 < (unsigned)j->nlanes ? jobs - 1 : (unsigned)j->nlanes;
	j->workers = calloc(j->nslots, sizeof(*j->workers));
	if (!j->workers)
		goto fail;
	for (unsigned w = 0; w < j->nslots; w++) {
		j->workers[w] = (struct worker){ .j = j, .first = w, .step = j->nslots };
		pthread_cond_init(&j->workers[w].room, NULL);
	}
	/* the workers wait for the lock: none reads a stream before all are started */
	pthread_mutex_lock(&j->lock);
	for (unsigned w = 0; w < j->nslots; w++) {
		if (pthread_create(&j->workers[w].thread, NULL, work, &j->workers[w])) {
			/* fewer threads than asked: stop those started, read on one */
			j->stop = 1;
			pthread_mutex_unlock(&j->lock);
			r->running = j;
			pt_reader_jobs_stop(r);
			return -1;
		}
		j->nworkers++;
	}
	pthread_mutex_unlock(&j->lock);
	r->running = j;
	return 0;
fail:
	free_jobs(j);
	return -1;
}

/*
 * Gives L's merged batch back and takes the next, waiting for its worker:
 * its first event, or NULL at the lane's end.
 */
static struct pt_decoded *next_batch(struct pt_reader_jobs *j, struct lane *l)
{
	for (;;) {
		struct batch *b = &l->b[l->merged % NBATCH];

		if (l->holding) {
			/* merged: its counts are the trace's, its room the worker's */
			pt_reader_add_tally(&j->r->tally, &b->tally);
			l->done = b->last;
			l->holding = 0;
			pthread_mutex_lock(&j->lock);
			l->merged++;
			/* only the lane's worker can use the room: lanes go round the workers */
			pthread_cond_signal(&j->workers[(l - j->lanes) % j->nslots].room);
			pthread_mutex_unlock(&j->lock);
			continue;
		}
		if (l->done)
			return NULL;
		/* a peek without the lock first: the worker is usually ahead */
		if (__atomic_load_n(&l->filled, __ATOMIC_ACQUIRE) == l->merged) {
			pthread_mutex_lock(&j->lock);
			while (l->filled == l->merged)
				pthread_cond_wait(&j->ready, &j->lock);
			pthread_mutex_unlock(&j->lock);
		}
		l->holding = 1;
		l->ev = b->ev;
		l->n = b->n;
		l->at = 0;
		if (l->n)
			return l->ev;
	}
}

/* L's next event; NULL at its end. */
static inline struct pt_decoded *head(struct pt_reader_jobs *j, struct lane *l)
{
	return l->at < l->n ? &l->ev[l->at] : next_batch(j, l);
}

/* Whether D, L's next event, comes before the others' (their least is the limit). */
static inline int before_limit(const struct pt_reader_jobs *j, const struct lane *l,
			       const struct pt_decoded *d)
{
	return d->key < j->limit || (d->key == j->limit && l < j->limit_lane);
}

/*
 * The next event in the merge's order, placed and counted, where it lies
 * in its batch (valid until the next call), and its buffer; NULL at the end.
 */
static struct pt_decoded *merge_next(struct pt_reader *r, int *buffer)
{
	struct pt_reader_jobs *j = r->running;
	struct pt_decoded *best;
	struct lane *from;

again:
	best = NULL;
	from = j->run;
	if (from && (best = head(j, from)) && !before_limit(j, from, best))
		best = NULL;
	if (!best) {
		/* the least (key, lane) and the runner-up, which bounds the run */
		struct pt_decoded *second = NULL;

		from = NULL;
		j->limit_lane = NULL;
		for (int i = 0; i < j->nlanes; i++) {
			struct lane *l = &j->lanes[i];
			struct pt_decoded *d = head(j, l);

			if (!d)
				continue;
			if (!best || d->key < best->key) {
				if (best) {
					second = best;
					j->limit_lane = from;
				}
				best = d;
				from = l;
			} else if (!second || d->key < second->key) {
				second = d;
				j->limit_lane = l;
			}
		}
		j->run = from;
		/* no other lane: the run goes to the lane's end */
		j->limit = second ? second->key : UINT64_MAX;
		if (!second)
			j->limit_lane = j->lanes + j->nlanes;
	}
	if (!best) {
		/*
		 * The end: the workers are done, the streams are the reader's
		 * again (pt_reader_read_at, pt_reader_tail) and the batches go.
		 */
		pt_reader_jobs_stop(r);
		pt_reader_note_broken(r);
		r->started = 2;
		return NULL;
	}
	from->at++;
	/* the worker wrote them on the other core: ask for the next ones early */
	if (from->at + PREFETCH_AHEAD < from->n)
		__builtin_prefetch(&from->ev[from->at + PREFETCH_AHEAD]);
	if (best->aside) {
		/* no event: kept beside them, where the one-thread reader keeps it */
		pt_reader_keep(r, best);
		goto again;
	}
	pt_reader_place(r, best, 1);
	pt_reader_count_event(r, from->st->buffer, &best->ev);
	*buffer = from->st->buffer;
	return best;
}

const struct pt_event *pt_reader_jobs_next(struct pt_reader *r, struct pt_position *pos)
{
	int buffer;
	struct pt_decoded *d = merge_next(r, &buffer);

	if (!d)
		return NULL;
	pos->offset = d->offset;
	pos->buffer = buffer;
	return &d->ev;
}

void pt_reader_jobs_read(struct pt_reader *r, int (*fn)(void *ctx, const struct pt_event *ev),
			 void *ctx)
{
	struct pt_decoded *d;
	int buffer;

	/* the event where it lies: no copy of it per event */
	while ((d = merge_next(r, &buffer)))
		if (fn(ctx, &d->ev))
			break;
}

void pt_reader_jobs_stop(struct pt_reader *r)
{
	struct pt_reader_jobs *j = r->running;

	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	__atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
	for (unsigned w = 0; w < j->nworkers; w++)
		pthread_cond_signal(&j->workers[w].room);
	pthread_mutex_unlock(&j->lock);
	for (unsigned w = 0; w < j->nworkers; w++)
		pthread_join(j->workers[w].thread, NULL);
	free_jobs(j);
	r->running = NULL;
}
