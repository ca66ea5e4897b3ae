// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A v7 file cut short loses its last options section, where trace-cmd
 * writes where each cpu's data is.  The sections are in a row after the
 * last options section read: the data is found by walking them, and each
 * cpu's part by the data's own structure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tracefile-local.h"

static uint64_t page_up(const struct pt_tracefile *tf, uint64_t off)
{
	return (off + tf->page_size - 1) & ~(uint64_t)(tf->page_size - 1);
}

/* A cpu of B whose data was found at OFFSET, checked against the file; NULL when out of memory. */
static struct pt_tf_cpu *add_cpu(struct pt_tracefile *tf, struct pt_tf_buffer *b,
				 uint64_t offset, uint64_t size)
{
	struct pt_tf_cpu *c = realloc(b->cpus, (b->ncpus + 1) * sizeof(*c));

	if (!c)
		return NULL;
	b->cpus = c;
	c = &b->cpus[b->ncpus];
	c->cpu = b->ncpus++;
	c->offset = offset;
	c->size = size;
	c->avail = 0;
	pt_tf_place_cpu(tf, b, c);
	return c;
}

/*
 * The cpus of compressed data from START: each is a chunk count and its
 * chunks, the next one page-aligned after it.  The last may be cut short.
 */
static void scan_compressed(struct pt_tracefile *tf, struct pt_tf_buffer *b, uint64_t start,
			    uint64_t end)
{
	while (start + 4 <= end && b->ncpus < PT_TF_MAX_CPUS) {
		struct pt_tf_src s = pt_tf_file_src(tf, 0, end, start);
		uint64_t count = pt_tf_read_num(&s, 4), size = 0;

		if (s.bad || !count || count > (end - start) / 8 + 1)
			break;
		for (uint64_t i = 0; i < count; i++) {
			uint64_t zsize = pt_tf_read_num(&s, 4);

			pt_tf_read_num(&s, 4);
			if (s.bad)
				break;
			s.pos += zsize;
			size = s.pos - start - 4;
			if (s.pos > end)
				break;
		}
		if (!add_cpu(tf, b, start, s.bad ? end - start - 4 : size))
			return;
		if (s.bad || s.pos >= end)
			break;
		start = page_up(tf, s.pos);
	}
}

/* Uncompressed pages from START: a page older than the one before starts the next cpu. */
static void scan_pages(struct pt_tracefile *tf, struct pt_tf_buffer *b, uint64_t start,
		       uint64_t end)
{
	uint64_t from = start, prev = 0;

	for (uint64_t off = start; off + tf->page_size <= end; off += tf->page_size) {
		uint8_t h[8];
		uint64_t ts;

		if (pread(tf->fd, h, 8, off) != 8)
			break;
		ts = pt_tf_num(tf, h, 8);
		if (off > from && ts < prev && b->ncpus < PT_TF_MAX_CPUS) {
			add_cpu(tf, b, from, off - from);
			from = off;
		}
		prev = ts;
	}
	if (end - from >= tf->page_size)
		add_cpu(tf, b, from, (end - from) / tf->page_size * tf->page_size);
}

void pt_tf_recover_v7(struct pt_tracefile *tf, uint64_t at)
{
	char saved[sizeof(tf->damage)];

	snprintf(saved, sizeof(saved), "%s", tf->damage);
	for (int n = 0; n < PT_TF_MAX_CHAIN && at + 16 <= tf->size; n++) {
		struct pt_tf_src s = pt_tf_file_src(tf, at, tf->size - at, 0);
		unsigned id, flags;
		uint64_t size;

		pt_tf_section_header(&s, &id, &flags, &size);
		if (s.bad || id > 64 || flags > 1)
			return;
		if (id == OPT_BUFFER) {
			uint64_t start = page_up(tf, at + 16);
			uint64_t end = at + 16 + size < tf->size && at + 16 + size > at ? at + 16 + size
											 : tf->size;
			struct pt_tf_buffer *b = pt_tf_add_buffer(tf, "recovered");

			if (!b || start >= end)
				return;
			if (tf->codec)
				scan_compressed(tf, b, start, end);
			else
				scan_pages(tf, b, start, end);
			tf->damage[0] = 0;
			pt_tf_damage(tf, "%s; %d cpus' data found by walking the file (their cpu "
				     "numbers and buffer name are lost)", saved, b->ncpus);
			return;
		}
		if (size > tf->size - at - 16)
			return;
		at += 16 + size;
	}
}

