// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bounded reads of a trace.dat's header: every size the file claims is
 * checked against what is left of the file, or of the section in memory,
 * before anything is read or allocated, so that a flipped byte cannot ask
 * for gigabytes.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracefile-local.h"

/* A read past the end: S is bad, and the file is cut short when S reads the file. */
static void overrun(struct pt_tf_src *s)
{
	s->bad = 1;
	s->cut |= !s->mem;
}

struct pt_tf_src pt_tf_mem_src(struct pt_tracefile *tf, const uint8_t *mem, uint64_t len)
{
	return (struct pt_tf_src){ .tf = tf, .mem = mem, .len = len };
}

struct pt_tf_src pt_tf_file_src(struct pt_tracefile *tf, uint64_t base, uint64_t len,
				uint64_t pos)
{
	return (struct pt_tf_src){ .tf = tf, .base = base, .len = len, .pos = pos };
}

int pt_tf_read(struct pt_tf_src *s, void *buf, uint64_t n)
{
	if (s->bad || n > s->len - s->pos) {
		overrun(s);
		return -1;
	}
	if (s->mem)
		memcpy(buf, s->mem + s->pos, n);
	else if (pread(s->tf->fd, buf, n, s->base + s->pos) != (ssize_t)n) {
		s->bad = 1;
		return -1;
	}
	s->pos += n;
	return 0;
}

uint64_t pt_tf_read_num(struct pt_tf_src *s, int n)
{
	uint8_t b[8];

	if (pt_tf_read(s, b, n))
		return 0;
	return pt_tf_num(s->tf, b, n);
}

int pt_tf_read_string(struct pt_tf_src *s, char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		if (pt_tf_read(s, &buf[i], 1))
			return -1;
		if (!buf[i])
			return 0;
	}
	s->bad = 1;
	buf[size - 1] = 0;
	return -1;
}

char *pt_tf_read_blob(struct pt_tf_src *s, uint64_t n)
{
	char *buf;

	if (s->bad || n > s->len - s->pos) {
		overrun(s);
		return NULL;
	}
	buf = malloc(n + 1);
	if (!buf || pt_tf_read(s, buf, n)) {
		free(buf);
		s->bad = 1;
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

void pt_tf_skip(struct pt_tf_src *s, uint64_t n)
{
	if (n > s->len - s->pos)
		overrun(s);
	else
		s->pos += n;
}
