// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace tui's model on a big trace, without a terminal: how soon the
 * first screen's events are there, how long the index takes, its bytes
 * per event, a whole-trace search, a page of rows read again, the jump to
 * the crash.  bench/tui.sh runs it, and times the real first screen in tmux.
 * usage: tui-bench FILE [JOBS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "pt-tui.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct pt_tui_index x;
	struct pt_tui_filter all = { 0 };	/* passes every event */
	struct pt_err err;
	struct pt_event ev;
	struct rusage ru;
	double t0 = now(), c0, c_index, t_open, t_index, t_search, t_page, t_crash;
	size_t hit;
	int r;

	struct pt_analysis_opts opts = { .vcpu = -1 };

	/* tui-bench FILE [JOBS]: JOBS as pttrace tui --jobs, one per cpu by default */
	if (argc != 2 && argc != 3)
		return 2;
	if (argc == 3)
		opts.jobs = atoi(argv[2]);
	if (pt_tui_open(&x, argv[1], &opts, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	t_open = now() - t0;
	t0 = now();
	c0 = thread_cpu();
	while ((r = pt_tui_step(&x, 200000, &err)) > 0)
		;
	c_index = thread_cpu() - c0;
	if (r < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	t_index = now() - t0;
	t0 = now();
	hit = pt_tui_search(&x, "0x7ebc0de5", 0, 1, &all);	/* a value no event has */
	t_search = now() - t0;
	t0 = now();
	for (int page = 0; page < 20; page++)
		for (size_t i = 0; i < 50; i++)
			pt_tui_event(&x, (size_t)((uint64_t)x.n * page / 20) + i, &ev);
	t_page = (now() - t0) / 20;
	t0 = now();
	pt_tui_find_ts(&x, x.a->crash.ts);
	t_crash = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("events %zu\n", x.n);
	printf("first_screen_s %.3f\n", t_open);
	printf("index_s %.3f\n", t_index);
	/* the index's own thread: merge, model, detectors, index (the rest decode) */
	printf("index_thread_cpu_s %.3f\n", c_index);
	printf("index_bytes_per_event %.1f\n", (double)x.cap * sizeof(*x.entries) / x.n);
	printf("search_s %.3f %s\n", t_search, hit == (size_t)-1 ? "(no match, whole trace)" : "");
	printf("page_ms %.2f\n", t_page * 1e3);
	printf("crash_jump_ms %.2f\n", t_crash * 1e3);
	printf("peak_rss_mib %.1f\n", ru.ru_maxrss / 1024.0);
	pt_tui_close(&x);
	return 0;
}
