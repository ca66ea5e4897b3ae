// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TUI's index: its memory (tui/index-store.c) reserved, faulted in on
 * another thread, grown past a wrong bound, or realloc'd; and the index of
 * every sample the same with and without those threads, its timeline the
 * counts of its own entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <cmocka.h>

#include "pt-tui.h"
#include "../../tui/index-store.h"

static struct pt_tui_entry entry_for(size_t i)
{
	return (struct pt_tui_entry){ .where = i * 0x9e3779b97f4a7c15ull, .addr = (uint32_t)i,
				      .val = (uint32_t)~i };
}

/* Writes N entries as the index does (asking for room when it runs out); checks them all. */
static void fill(struct pt_tui_store *s, size_t n)
{
	struct pt_tui_entry *e = NULL;
	size_t cap = 0, room = 0;

	for (size_t i = 0; i < n; i++) {
		if (i == room) {
			room = pt_tui_store_room(s, &e, &cap, i);
			assert_true(room > i);
			assert_true(room <= cap);
		}
		e[i] = entry_for(i);
	}
	pt_tui_store_fit(s, &e, &cap, n);
	assert_int_equal(cap, n);
	for (size_t i = 0; i < n; i++) {
		struct pt_tui_entry want = entry_for(i);

		assert_memory_equal(&e[i], &want, sizeof(want));
	}
}

/* Reserved as the file's bound says, faulted in by the helper. */
static void test_reserved(void **state)
{
	struct pt_tui_store *s;

	(void)state;
	s = pt_tui_store_new(3000000, 1);
	assert_non_null(s);
	fill(s, 2500000);
	pt_tui_store_free(s);
	s = pt_tui_store_new(3000000, 0);
	assert_non_null(s);
	fill(s, 3000000);
	pt_tui_store_free(s);
}

/* A bound that was wrong: the entries go on in ordinary memory, none lost. */
static void test_past_the_bound(void **state)
{
	struct pt_tui_store *s;

	(void)state;
	s = pt_tui_store_new(1000, 1);
	assert_non_null(s);
	fill(s, 700000);
	pt_tui_store_free(s);
}

/* No reservation at all (no bound, or no address space for it): realloc. */
static void test_unreserved(void **state)
{
	struct pt_tui_store *s;

	(void)state;
	s = pt_tui_store_new(0, 1);
	assert_non_null(s);
	fill(s, 300000);
	pt_tui_store_free(s);
	s = pt_tui_store_new(UINT64_MAX, 1);
	assert_non_null(s);
	fill(s, 1000);
	pt_tui_store_free(s);
}

/* Given back before it was whole (pttrace tui quit while indexing): the helper ends. */
static void test_free_while_indexing(void **state)
{
	struct pt_tui_entry *e = NULL;
	size_t cap = 0;

	(void)state;
	for (int k = 0; k < 20; k++) {
		struct pt_tui_store *s = pt_tui_store_new(1u << 22, 1);
		size_t room;

		assert_non_null(s);
		room = pt_tui_store_room(s, &e, &cap, 0);
		assert_true(room > 0);
		e[0] = entry_for(0);
		pt_tui_store_free(s);
	}
}

struct index_out {
	struct pt_tui_entry *entries;
	size_t n;
	uint32_t dev_counts[PT_TUI_NO_DEVICE][PT_TUI_BUCKETS];
	uint32_t irq_counts[PT_TUI_BUCKETS];
	uint16_t dev_bdf[PT_TUI_NO_DEVICE];
	unsigned ndevs;
};

/* PATH indexed with JOBS; the timeline's counts checked against its entries. */
static void index_file(const char *path, unsigned jobs, struct index_out *out)
{
	static struct pt_tui_index x;
	static uint32_t dev[PT_TUI_NO_DEVICE][PT_TUI_BUCKETS], irq[PT_TUI_BUCKETS];
	struct pt_analysis_opts opts = { .vcpu = -1, .jobs = jobs };
	struct pt_err err;
	int r;

	assert_int_equal(pt_tui_open(&x, path, &opts, &err), 0);
	while ((r = pt_tui_step(&x, 1000, &err)) > 0)
		;
	assert_int_equal(r, 0);
	assert_true(x.n > 0);
	assert_int_equal(x.cap, x.n);
	/* the buckets as a division finds them at the final width */
	memset(dev, 0, sizeof(dev));
	memset(irq, 0, sizeof(irq));
	for (size_t i = 0; i < x.n; i++) {
		const struct pt_tui_entry *e = &x.entries[i];
		struct pt_event ev;
		uint64_t b;

		assert_int_equal(pt_tui_event(&x, i, &ev), 0);
		b = (ev.ts - x.t0) / x.bucket_ns;
		assert_true(b < PT_TUI_BUCKETS);
		if (pt_tui_device(e) != PT_TUI_NO_DEVICE && pt_tui_type(e) == PT_ACC_BAR)
			dev[pt_tui_device(e)][b]++;
		if (pt_tui_kind(e) == PT_EV_APIC_ACCEPT)
			irq[b]++;
	}
	if (memcmp(dev, x.dev_counts, sizeof(dev)) || memcmp(irq, x.irq_counts, sizeof(irq)))
		fail_msg("%s, jobs %u: the timeline's counts are not its entries'", path, jobs);
	out->n = x.n;
	out->entries = malloc(x.n * sizeof(*x.entries));
	assert_non_null(out->entries);
	memcpy(out->entries, x.entries, x.n * sizeof(*x.entries));
	memcpy(out->dev_counts, x.dev_counts, sizeof(out->dev_counts));
	memcpy(out->irq_counts, x.irq_counts, sizeof(out->irq_counts));
	memcpy(out->dev_bdf, x.dev_bdf, sizeof(out->dev_bdf));
	out->ndevs = x.ndevs;
	pt_tui_close(&x);
}

static unsigned check_glob(const char *pattern)
{
	static struct index_out one, many;
	unsigned files = 0;
	glob_t g;

	if (glob(pattern, 0, NULL, &g))
		return 0;
	for (size_t f = 0; f < g.gl_pathc; f++) {
		index_file(g.gl_pathv[f], 1, &one);
		index_file(g.gl_pathv[f], 2, &many);
		assert_int_equal(one.n, many.n);
		assert_int_equal(one.ndevs, many.ndevs);
		if (memcmp(one.entries, many.entries, one.n * sizeof(*one.entries)) ||
		    memcmp(one.dev_counts, many.dev_counts, sizeof(one.dev_counts)) ||
		    memcmp(one.irq_counts, many.irq_counts, sizeof(one.irq_counts)) ||
		    memcmp(one.dev_bdf, many.dev_bdf, sizeof(one.dev_bdf)))
			fail_msg("%s: the index with 2 jobs differs from one thread's", g.gl_pathv[f]);
		free(one.entries);
		free(many.entries);
		files++;
	}
	globfree(&g);
	return files;
}

static void test_samples_indexed_alike(void **state)
{
	(void)state;
	assert_true(check_glob("samples/traces/*.dat") >= 7);
	assert_true(check_glob("samples/traces/pttrace/*.dat") >= 7);
	assert_true(check_glob("tests/field/after-boot/*.dat") >= 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_past_the_bound),
		cmocka_unit_test(test_unreserved),
		cmocka_unit_test(test_free_while_indexing),
		cmocka_unit_test(test_samples_indexed_alike),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
