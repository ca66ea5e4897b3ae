// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A version 7 trace.dat after its head: everything is in sections (id,
 * flags, size; compressed with the file's codec when flag 1 is set),
 * found through a chain of options sections, whose BUFFER options say
 * where each buffer's cpus' data is.
 */
#include <stdlib.h>
#include <string.h>

#include "pt-codec.h"
#include "pt-meta.h"
#include "tracefile-local.h"

#define MAX_SECTION (256u << 20)	/* a decompressed header section */

void pt_tf_section_header(struct pt_tf_src *s, unsigned *id, unsigned *flags, uint64_t *size)
{
	*id = pt_tf_read_num(s, 2);
	*flags = pt_tf_read_num(s, 2);
	pt_tf_read_num(s, 4);
	*size = pt_tf_read_num(s, 8);
}

/*
 * A v7 section at OFF, whose header must say ID: its content, decompressed
 * when it is compressed, in memory the caller frees.
 */
static uint8_t *read_section(struct pt_tracefile *tf, uint64_t off, unsigned id, uint64_t *len)
{
	struct pt_tf_src s = pt_tf_file_src(tf, off, tf->size - (off < tf->size ? off : tf->size), 0);
	unsigned sid, flags;
	uint64_t size;
	uint8_t *out;

	pt_tf_section_header(&s, &sid, &flags, &size);
	if (s.bad || sid != id || size > s.len - s.pos)
		return NULL;
	if (!(flags & 1)) {
		*len = size;
		return (uint8_t *)pt_tf_read_blob(&s, size);
	} else {
		uint64_t zsize = pt_tf_read_num(&s, 4), usize = pt_tf_read_num(&s, 4);
		char *z;
		long n;

		if (!tf->codec || s.bad || zsize > size || usize > MAX_SECTION)
			return NULL;
		if (!(z = pt_tf_read_blob(&s, zsize)))
			return NULL;
		out = malloc(usize + 1);
		n = out ? pt_codec_decompress(tf->codec, z, zsize, out, usize) : -1;
		free(z);
		if (n != (long)usize) {
			free(out);
			return NULL;
		}
		out[usize] = 0;
		*len = usize;
		return out;
	}
}

/* offset(8) name clock page_size(4) cpus(4) x [cpu(4) offset(8) size(8)] */
static void read_v7_buffer(struct pt_tracefile *tf, struct pt_tf_src *s)
{
	char name[64], clock[64];
	uint64_t ncpus;
	struct pt_tf_buffer *b;

	pt_tf_read_num(s, 8);
	if (pt_tf_read_string(s, name, sizeof(name)) || pt_tf_read_string(s, clock, sizeof(clock)))
		goto bad;
	if (!(b = pt_tf_add_buffer(tf, name)))
		return;
	b->page_size = pt_tf_read_num(s, 4);
	ncpus = pt_tf_read_num(s, 4);
	if (s->bad || ncpus > PT_TF_MAX_CPUS || ncpus > (s->len - s->pos) / 20)
		goto bad;
	if (!pt_tf_page_size_ok(b->page_size))
		goto bad;
	b->cpus = calloc(ncpus ? ncpus : 1, sizeof(*b->cpus));
	if (!b->cpus)
		goto bad;
	for (uint64_t i = 0; i < ncpus; i++) {
		struct pt_tf_cpu *c = &b->cpus[b->ncpus];

		c->cpu = pt_tf_read_num(s, 4);
		c->offset = pt_tf_read_num(s, 8);
		c->size = pt_tf_read_num(s, 8);
		if (s->bad || c->cpu < 0 || c->cpu >= PT_TF_MAX_CPUS)
			goto bad;
		b->ncpus++;
		pt_tf_place_cpu(tf, b, c);
	}
	return;
bad:
	pt_tf_damage(tf, "a buffer's description (option BUFFER%s%s) is damaged: its data is "
		     "skipped", name[0] ? " of " : "", name[0] ? name : "");
}

struct v7_sections {
	uint64_t off[OPT_BUFFER_TEXT + 1];
};

static void read_v7_options(struct pt_tracefile *tf, const uint8_t *mem, uint64_t len,
			    struct v7_sections *sec, uint64_t *next)
{
	struct pt_tf_src s = pt_tf_mem_src(tf, mem, len);

	*next = 0;
	while (!s.bad && s.pos < len) {
		unsigned id = pt_tf_read_num(&s, 2);
		uint64_t size = pt_tf_read_num(&s, 4), start = s.pos;

		if (s.bad || size > len - s.pos) {
			pt_tf_damage(tf, "an options section is damaged: option %u claims %llu bytes",
				     id, (unsigned long long)size);
			return;
		}
		if (id == OPT_DONE) {
			*next = size >= 8 ? pt_tf_read_num(&s, 8) : 0;
			return;
		}
		if (id == OPT_BUFFER) {
			struct pt_tf_src sub = pt_tf_mem_src(tf, mem + start, size);

			read_v7_buffer(tf, &sub);
		} else if (id >= OPT_HEADER_INFO && id <= OPT_CMDLINES && size >= 8) {
			sec->off[id] = pt_tf_read_num(&s, 8);
		} else if (id == OPT_BUFFER_TEXT) {
			tf->latency = 1;
		} else if (id == PT_OPTION_METADATA && !tf->meta) {
			tf->meta = pt_tf_read_blob(&s, size);
		} else {
			pt_tf_time_option(tf, &s, id, size);
		}
		s.bad = 0;
		s.pos = start + size;
	}
	pt_tf_damage(tf, "an options section has no end: the options after it are lost");
}

static int has_data(const struct pt_tracefile *tf)
{
	for (int i = 0; i < tf->nbuffers; i++)
		for (int c = 0; c < tf->buffers[i].ncpus; c++)
			if (tf->buffers[i].cpus[c].size)
				return 1;
	return 0;
}

#define NO_SECTION (-2)

/* The section at OFF, whose header must say ID, read by FN: what FN returns, or NO_SECTION. */
static int with_section(struct pt_tracefile *tf, uint64_t off, unsigned id,
			int (*fn)(struct pt_tracefile *tf, struct pt_tf_src *s))
{
	uint64_t len;
	uint8_t *mem = read_section(tf, off, id, &len);
	struct pt_tf_src m;
	int r;

	if (!mem)
		return NO_SECTION;
	m = pt_tf_mem_src(tf, mem, len);
	r = fn(tf, &m);
	free(mem);
	return r;
}

static int read_ftrace_formats(struct pt_tracefile *tf, struct pt_tf_src *s)
{
	return pt_tf_read_formats(tf, s, "ftrace");
}

int pt_tf_read_v7(struct pt_tracefile *tf, struct pt_tf_src *s, const char **stage)
{
	struct v7_sections sec = { { 0 } };
	uint64_t next = pt_tf_read_num(s, 8);
	uint64_t len, last = 0;
	uint8_t *mem;
	int r;

	*stage = "options";
	if (s->bad)
		return -1;
	for (int n = 0; next && n < PT_TF_MAX_CHAIN; n++) {
		uint64_t at = next;

		if (!(mem = read_section(tf, at, OPT_DONE, &len))) {
			if (at >= tf->size)
				pt_tf_damage(tf, "the file is cut short: it ends at byte %llu, before "
					     "its options section at byte %llu",
					     (unsigned long long)tf->size, (unsigned long long)at);
			else
				pt_tf_damage(tf, "the options section at byte %llu is damaged",
					     (unsigned long long)at);
			break;
		}
		read_v7_options(tf, mem, len, &sec, &next);
		free(mem);
		last = at;
	}
	if (next && last && !has_data(tf))
		pt_tf_recover_v7(tf, last);
	*stage = "page header format";
	if (with_section(tf, sec.off[OPT_HEADER_INFO], OPT_HEADER_INFO, pt_tf_read_header_info))
		return -1;
	*stage = "event formats";
	r = with_section(tf, sec.off[OPT_EVENT_FORMATS], OPT_EVENT_FORMATS, pt_tf_read_systems);
	if (r == NO_SECTION)
		return -1;
	if (r)
		pt_tf_damage(tf, "the event formats are damaged: some events cannot be decoded");
	/* these may be missing or damaged: events are read without them */
	with_section(tf, sec.off[OPT_FTRACE_EVENTS], OPT_FTRACE_EVENTS, read_ftrace_formats);
	with_section(tf, sec.off[OPT_CMDLINES], OPT_CMDLINES, pt_tf_read_cmdlines);
	*stage = "buffer index";
	if (!tf->nbuffers && !tf->latency) {
		if (!tf->damage[0])
			pt_tf_damage(tf, "the file has no index of its trace data (no BUFFER option)");
		return -1;
	}
	return 0;
}

