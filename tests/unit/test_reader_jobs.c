// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reader on several threads gives what it gives on one: every event,
 * its position and its placing (vcpu, VM), in the same order, and the
 * same counts, on every bundled trace and on the field corpus's files.
 * A file whose time goes back on a cpu is in the shell test (jobs.sh,
 * on the damaged corpus).
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-reader.h"

struct read_out {
	struct pt_event *ev;
	struct pt_position *pos;
	size_t n, cap;
	struct pt_reader_info info;
};

static void read_all(const char *path, unsigned jobs, struct read_out *out)
{
	struct pt_err err;
	struct pt_reader *r = pt_reader_open(path, &err);
	struct pt_event ev;
	struct pt_position pos;

	if (!r)
		fail_msg("cannot open '%s': %s", path, err.msg);
	pt_reader_set_jobs(r, jobs);
	memset(out, 0, sizeof(*out));
	while (pt_reader_next(r, &ev, &pos) > 0) {
		if (out->n == out->cap) {
			out->cap = out->cap ? 2 * out->cap : 4096;
			out->ev = realloc(out->ev, out->cap * sizeof(*out->ev));
			out->pos = realloc(out->pos, out->cap * sizeof(*out->pos));
			assert_non_null(out->ev);
			assert_non_null(out->pos);
		}
		out->ev[out->n] = ev;
		out->pos[out->n++] = pos;
	}
	/* a second call at the end is still the end */
	assert_int_equal(pt_reader_next(r, &ev, &pos), 0);
	out->info = *pt_reader_info(r);
	pt_reader_close(r);
}

static void same(const char *path, const struct read_out *one, const struct read_out *many,
		 unsigned jobs)
{
	if (one->n != many->n)
		fail_msg("%s: %zu events on one thread, %zu with --jobs %u", path, one->n, many->n,
			 jobs);
	for (size_t i = 0; i < one->n; i++) {
		if (memcmp(&one->ev[i], &many->ev[i], sizeof(one->ev[i])) ||
		    one->pos[i].offset != many->pos[i].offset ||
		    one->pos[i].buffer != many->pos[i].buffer)
			fail_msg("%s: event %zu differs with --jobs %u (ts %llu vs %llu)", path, i, jobs,
				 (unsigned long long)one->ev[i].ts, (unsigned long long)many->ev[i].ts);
	}
	assert_memory_equal(&one->info, &many->info, sizeof(one->info));
}

static void free_out(struct read_out *o)
{
	free(o->ev);
	free(o->pos);
}

static unsigned check_glob(const char *pattern)
{
	static const unsigned jobs[] = { 2, 3, 8 };
	unsigned files = 0;
	glob_t g;

	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (size_t f = 0; f < g.gl_pathc; f++) {
		struct read_out one, many;

		read_all(g.gl_pathv[f], 1, &one);
		assert_true(one.n > 0);
		for (size_t k = 0; k < sizeof(jobs) / sizeof(jobs[0]); k++) {
			read_all(g.gl_pathv[f], jobs[k], &many);
			same(g.gl_pathv[f], &one, &many, jobs[k]);
			free_out(&many);
		}
		free_out(&one);
		files++;
	}
	globfree(&g);
	return files;
}

static void test_samples(void **state)
{
	(void)state;
	assert_true(check_glob("samples/traces/*.dat") >= 7);
	assert_true(check_glob("samples/traces/pttrace/*.dat") >= 7);
	assert_true(check_glob("samples/traces/pttrace-rip/*.dat") >= 6);
}

static void test_field_after_boot(void **state)
{
	(void)state;
	/* begun after boot: no thread names, QEMU's BAR programming missing */
	assert_true(check_glob("tests/field/after-boot/*.dat") >= 6);
}

/* 0 jobs is one per cpu online: whatever that is here, the same events. */
static void test_jobs_online(void **state)
{
	const char *path = "samples/traces/pttrace/irq-storm.dat";
	struct read_out one, many;

	(void)state;
	read_all(path, 1, &one);
	read_all(path, 0, &many);
	same(path, &one, &many, 0);
	free_out(&one);
	free_out(&many);
}

/* Closed half way, with the threads still decoding: nothing leaks, nothing hangs. */
static void test_close_early(void **state)
{
	struct pt_err err;
	struct pt_event ev;
	struct pt_position pos;

	(void)state;
	for (int stop = 0; stop < 3000; stop += 997) {
		struct pt_reader *r = pt_reader_open("samples/traces/healthy.dat", &err);

		assert_non_null(r);
		pt_reader_set_jobs(r, 3);
		for (int i = 0; i < stop; i++)
			assert_int_equal(pt_reader_next(r, &ev, &pos), 1);
		/* read at a position is for a second reader while threads read this one */
		if (stop)
			assert_int_equal(pt_reader_read_at(r, &pos, &ev), -1);
		pt_reader_close(r);
	}
}

/*
 * Once the last event was read the threads are gone: the reader reads at
 * positions again, as a one-thread reader does after its read.
 */
static void test_after_the_end(void **state)
{
	const char *path = "samples/traces/pttrace/lost-msi.dat";
	struct pt_event first, ev, again, tail1[8], tail2[8];
	struct pt_position pos0, pos;
	struct pt_reader *r[2];
	struct pt_err err;
	int n[2];

	(void)state;
	for (int k = 0; k < 2; k++) {
		r[k] = pt_reader_open(path, &err);
		assert_non_null(r[k]);
		pt_reader_set_jobs(r[k], k ? 3 : 1);
		assert_int_equal(pt_reader_next(r[k], &first, &pos0), 1);
		while (pt_reader_next(r[k], &ev, &pos) > 0)
			;
		assert_int_equal(pt_reader_read_at(r[k], &pos0, &again), 0);
		assert_memory_equal(&again.addr, &first.addr, sizeof(first.addr));
		assert_int_equal(again.ts, first.ts);
		assert_int_equal(again.kind, first.kind);
		n[k] = pt_reader_tail(r[k], k ? tail2 : tail1, 8);
	}
	assert_int_equal(n[0], 8);
	assert_int_equal(n[1], n[0]);
	assert_memory_equal(tail1, tail2, sizeof(tail1));
	assert_memory_equal(pt_reader_info(r[0]), pt_reader_info(r[1]), sizeof(struct pt_reader_info));
	pt_reader_close(r[0]);
	pt_reader_close(r[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_field_after_boot),
		cmocka_unit_test(test_jobs_online),
		cmocka_unit_test(test_close_early),
		cmocka_unit_test(test_after_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
