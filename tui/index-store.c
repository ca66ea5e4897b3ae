// SPDX-License-Identifier: GPL-2.0-or-later
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "index-store.h"

#define FIRST_ENTRIES (1u << 16)	/* the first malloc'd array */
#define NUDGE_ENTRIES (1u << 17)	/* 2 MiB of entries: the writer says how far it got */
#define AHEAD_BYTES (8u << 20)		/* faulted in ahead of the writer */

struct pt_tui_store {
	struct pt_tui_entry *base;
	size_t cap;		/* entries BASE holds */
	size_t mapped;		/* bytes of the reservation BASE is; 0: malloc'd */
	/* the helper faults [0, WANTED) in; FAULTED is how far it got */
	int helper;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	size_t wanted, faulted;
	int stop;
};

static size_t page_up(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (bytes + page - 1) / page * page;
}

static void *fault_ahead(void *arg)
{
	struct pt_tui_store *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		size_t from = s->faulted, to = s->wanted;
		int failed;

		if (s->stop)
			break;
		if (from >= to) {
			pthread_cond_wait(&s->wake, &s->lock);
			continue;
		}
		pthread_mutex_unlock(&s->lock);
		/* only page tables change: the writer may be in these pages meanwhile */
		failed = madvise((char *)s->base + from, to - from, MADV_POPULATE_WRITE);
		pthread_mutex_lock(&s->lock);
		/* a kernel before 5.14, or no memory: the writer faults its pages itself */
		if (failed)
			break;
		s->faulted = to;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void stop_helper(struct pt_tui_store *s)
{
	if (!s->helper)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->helper = 0;
}

struct pt_tui_store *pt_tui_store_new(uint64_t max, int helper)
{
	struct pt_tui_store *s = calloc(1, sizeof(*s));
	size_t bytes;
	void *p;

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (!max || max > SIZE_MAX / sizeof(struct pt_tui_entry) / 2)
		return s;
	bytes = page_up(max * sizeof(struct pt_tui_entry));
	/* address space only: what is never written is never memory */
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return s;
	s->base = p;
	s->mapped = bytes;
	s->cap = bytes / sizeof(struct pt_tui_entry);
	if (helper && !pthread_create(&s->thread, NULL, fault_ahead, s))
		s->helper = 1;
	return s;
}

/* Past the reservation (the bound was wrong) or without one: a malloc'd array, doubled. */
static int grow(struct pt_tui_store *s)
{
	size_t cap = s->cap ? s->cap * 2 : FIRST_ENTRIES;
	struct pt_tui_entry *n;

	if (!s->mapped) {
		n = realloc(s->base, cap * sizeof(*n));
		if (!n)
			return -1;
	} else {
		stop_helper(s);
		n = malloc(cap * sizeof(*n));
		if (!n)
			return -1;
		memcpy(n, s->base, s->cap * sizeof(*n));
		munmap(s->base, s->mapped);
		s->mapped = 0;
	}
	s->base = n;
	s->cap = cap;
	return 0;
}

size_t pt_tui_store_room(struct pt_tui_store *s, struct pt_tui_entry **entries, size_t *cap,
			 size_t n)
{
	size_t next;

	if (n >= s->cap && grow(s))
		return 0;
	*entries = s->base;
	*cap = s->cap;
	if (s->helper) {
		size_t want = page_up((n + NUDGE_ENTRIES) * sizeof(**entries) + AHEAD_BYTES);

		pthread_mutex_lock(&s->lock);
		if (want > s->mapped)
			want = s->mapped;
		if (want > s->wanted) {
			s->wanted = want;
			pthread_cond_signal(&s->wake);
		}
		pthread_mutex_unlock(&s->lock);
	}
	next = s->helper ? n + NUDGE_ENTRIES : s->cap;
	return next < s->cap ? next : s->cap;
}

void pt_tui_store_fit(struct pt_tui_store *s, struct pt_tui_entry **entries, size_t *cap, size_t n)
{
	stop_helper(s);
	if (s->mapped) {
		size_t keep = page_up((n ? n : 1) * sizeof(*s->base));

		if (keep < s->mapped) {
			munmap((char *)s->base + keep, s->mapped - keep);
			s->mapped = keep;
		}
		s->cap = n;
	} else if (n && n < s->cap) {
		struct pt_tui_entry *fit = realloc(s->base, n * sizeof(*fit));

		if (fit) {
			s->base = fit;
			s->cap = n;
		}
	}
	*entries = s->base;
	*cap = s->cap;
}

void pt_tui_store_free(struct pt_tui_store *s)
{
	if (!s)
		return;
	stop_helper(s);
	if (s->mapped)
		munmap(s->base, s->mapped);
	else
		free(s->base);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}
