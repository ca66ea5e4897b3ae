// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A version 6 trace.dat after its head: the page header, the formats,
 * kallsyms, printk formats and command lines in a row, the cpu count,
 * then options (instances among them) and the top buffer's cpu table,
 * or a latency tracer's text.
 */
#include <stdlib.h>
#include <string.h>

#include "tracefile-local.h"

/* v6: "flyrecord\0" then offset(8) size(8) per cpu; options may come first. */
static int read_v6_cpu_table(struct pt_tracefile *tf, struct pt_tf_src *s, int buffer, int ncpus,
			     int top);

/* An instance's options are read for its clock only: its BUFFER options would loop. */
static int read_v6_options(struct pt_tracefile *tf, struct pt_tf_src *s, int ncpus, int top)
{
	for (int n = 0; n < 4096; n++) {
		unsigned id = pt_tf_read_num(s, 2);
		uint64_t size, start;

		if (s->bad)
			return -1;
		if (id == OPT_DONE)
			return 0;
		size = pt_tf_read_num(s, 4);
		start = s->pos;
		if (s->bad || size > s->len - s->pos)
			return -1;
		if (id == OPT_BUFFER && size > 8 && top) {
			struct pt_tf_src sub = *s;
			uint64_t off = pt_tf_read_num(&sub, 8);
			char name[64];
			struct pt_tf_buffer *b;

			if (!pt_tf_read_string(&sub, name, sizeof(name)) && sub.pos <= start + size &&
			    (b = pt_tf_add_buffer(tf, name))) {
				struct pt_tf_src at = pt_tf_file_src(tf, 0, tf->size, off);

				if (off >= tf->size ||
				    read_v6_cpu_table(tf, &at, b - tf->buffers, ncpus, 0))
					pt_tf_damage(tf, "buffer '%s' cannot be read: its cpu table is "
						     "damaged or beyond the end of the file", name);
			}
		} else {
			pt_tf_time_option(tf, s, id, size);
		}
		s->bad = 0;
		s->pos = start + size;
	}
	return -1;
}

/* BUFFER (an index in tf->buffers: options may add buffers and move them) */
static int read_v6_cpu_table(struct pt_tracefile *tf, struct pt_tf_src *s, int buffer, int ncpus,
			     int top)
{
	struct pt_tf_buffer *b;
	char kind[10];

	if (pt_tf_read(s, kind, 10))
		return -1;
	if (!memcmp(kind, "options  ", 10)) {
		if (read_v6_options(tf, s, ncpus, top) || pt_tf_read(s, kind, 10))
			return -1;
	}
	b = &tf->buffers[buffer];
	if (!memcmp(kind, "latency  ", 10)) {
		tf->latency = top;
		return top ? 0 : -1;
	}
	if (memcmp(kind, "flyrecord", 10))
		return -1;
	b->cpus = calloc(ncpus ? ncpus : 1, sizeof(*b->cpus));
	if (!b->cpus)
		return -1;
	for (int c = 0; c < ncpus; c++) {
		b->cpus[c].cpu = c;
		b->cpus[c].offset = pt_tf_read_num(s, 8);
		b->cpus[c].size = pt_tf_read_num(s, 8);
		if (s->bad)
			return -1;
		b->ncpus++;
		pt_tf_place_cpu(tf, b, &b->cpus[c]);
	}
	return 0;
}

int pt_tf_read_v6(struct pt_tracefile *tf, struct pt_tf_src *s, const char **stage)
{
	uint64_t ncpus;

	*stage = "page header format";
	if (pt_tf_read_header_info(tf, s))
		return -1;
	*stage = "ftrace event formats";
	if (pt_tf_read_formats(tf, s, "ftrace"))
		return -1;
	*stage = "event formats";
	if (pt_tf_read_systems(tf, s))
		return -1;
	*stage = "kernel symbols";
	pt_tf_skip(s, pt_tf_read_num(s, 4));
	if (s->bad)
		return -1;
	*stage = "printk formats";
	pt_tf_skip(s, pt_tf_read_num(s, 4));
	if (s->bad)
		return -1;
	*stage = "saved command lines";
	if (pt_tf_read_cmdlines(tf, s))
		return -1;
	*stage = "cpu count";
	ncpus = pt_tf_read_num(s, 4);
	if (s->bad || ncpus > PT_TF_MAX_CPUS)
		return -1;
	*stage = "options and cpu table";
	/* the top buffer comes first, whatever order the options list instances in */
	if (!pt_tf_add_buffer(tf, ""))
		return -1;
	return read_v6_cpu_table(tf, s, 0, ncpus, 1);
}

