/*
 * mkcorpus's reading of a trace.dat (mkcorpus.c says why): the file's
 * structure, parsed on its own terms from trace-cmd.dat.v6(5) and
 * trace-cmd.dat.v7(5), and the places in it worth damaging: numbers
 * (fields), spans for random bytes (regions) and truncation points (cuts).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "mkcorpus.h"

unsigned char *trace;
size_t trace_len;
int big_endian, v7, compressed;
uint32_t page_size = 4096;
int long_size = 8;

struct field *fields;
size_t nfields;
struct region *regions;
size_t nregions;
size_t *cuts;
size_t ncuts;

uint64_t rd(const unsigned char *p, int size)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

/* A number of SIZE bytes at OFF, or ~0 past the end */
static uint64_t num(size_t off, int size)
{
	return off + size <= trace_len ? rd(trace + off, size) : ~0ULL;
}

static void field(size_t off, int size, enum kind kind, const char *fmt, ...)
{
	struct field *f;
	va_list ap;

	size_t i;

	if (off + size > trace_len)
		return;
	for (i = 0; i < nfields; i++)
		if (fields[i].off == off && fields[i].size == size && fields[i].kind == kind)
			return;
	fields = realloc(fields, (nfields + 1) * sizeof(*fields));
	f = &fields[nfields++];
	f->off = off;
	f->size = size;
	f->kind = kind;
	va_start(ap, fmt);
	vsnprintf(f->name, sizeof(f->name), fmt, ap);
	va_end(ap);
}

static void region(size_t off, size_t len, const char *fmt, ...)
{
	struct region *r;
	va_list ap;

	size_t i;

	if (off >= trace_len || !len)
		return;
	if (off + len > trace_len)
		len = trace_len - off;
	for (i = 0; i < nregions; i++)
		if (regions[i].off == off && regions[i].len == len)
			return;
	regions = realloc(regions, (nregions + 1) * sizeof(*regions));
	r = &regions[nregions++];
	r->off = off;
	r->len = len;
	va_start(ap, fmt);
	vsnprintf(r->name, sizeof(r->name), fmt, ap);
	va_end(ap);
}

void cut(size_t off)
{
	if (off == 0 || off >= trace_len)
		return;
	cuts = realloc(cuts, (ncuts + 1) * sizeof(*cuts));
	cuts[ncuts++] = off;
}

/* The sizes and counts of the format parts, from OFF; returns the end. */
static size_t parse_header_info(size_t off)
{
	uint64_t sz;

	if (off + 12 > trace_len || memcmp(trace + off, "header_page", 12))
		return trace_len;
	field(off + 12, 8, K_SIZE, "header_page_size");
	sz = num(off + 12, 8);
	region(off + 20, sz, "header_page_text");
	cut(off + 12 + 4);
	cut(off + 20 + sz / 2);
	off += 20 + sz;
	if (off + 13 > trace_len || memcmp(trace + off, "header_event", 13))
		return trace_len;
	field(off + 13, 8, K_SIZE, "header_event_size");
	sz = num(off + 13, 8);
	region(off + 21, sz, "header_event_text");
	cut(off + 21 + sz / 2);
	return off + 21 + sz;
}

static size_t parse_ftrace(size_t off)
{
	uint32_t cnt = num(off, 4), i;

	field(off, 4, K_COUNT, "ftrace_count");
	off += 4;
	for (i = 0; i < cnt && off + 8 <= trace_len; i++) {
		uint64_t sz = num(off, 8);

		if (i < 3 || i == cnt - 1)
			field(off, 8, K_SIZE, "ftrace_fmt%u_size", i);
		cut(off + 8 + sz / 2);
		off += 8 + sz;
	}
	return off;
}

static size_t parse_events(size_t off)
{
	uint32_t nsys = num(off, 4), s, e;

	field(off, 4, K_COUNT, "systems_count");
	off += 4;
	for (s = 0; s < nsys && off < trace_len; s++) {
		size_t l = strnlen((char *)trace + off, trace_len - off);
		uint32_t cnt;

		if (s < 2)
			region(off, l + 1, "system%u_name", s);
		off += l + 1;
		cnt = num(off, 4);
		field(off, 4, K_COUNT, "system%u_events_count", s);
		off += 4;
		for (e = 0; e < cnt && off + 8 <= trace_len; e++) {
			uint64_t sz = num(off, 8);

			if (e < 2 || e == cnt - 1) {
				field(off, 8, K_SIZE, "sys%u_fmt%u_size", s, e);
				region(off + 8, sz, "sys%u_fmt%u_text", s, e);
			}
			cut(off + 8 + sz / 2);
			off += 8 + sz;
		}
	}
	return off;
}

static size_t parse_sized(size_t off, int size, const char *what)
{
	uint64_t sz = num(off, size);

	field(off, size, K_SIZE, "%s_size", what);
	region(off + size, sz, "%s", what);
	cut(off + size + sz / 2);
	return off + size + sz;
}

/* Event headers in the page at OFF (uncompressed data): a few of them */
static void parse_page(size_t off, const char *what)
{
	uint64_t commit = num(off + 8, 8) & 0xfffffff;
	size_t p = off + 16, end = off + 16 + commit;
	unsigned i = 0;

	field(off, 8, K_STAMP, "%s_timestamp", what);
	field(off + 8, 8, K_COMMIT, "%s_commit", what);
	if (end > off + page_size)
		end = off + page_size;
	while (p + 4 <= end && i < 64) {
		uint32_t w = num(p, 4), type_len = w & 31;
		size_t len;

		if (i == 0 || i == 5 || i == 40)
			field(p, 4, K_EVHDR, "%s_ev%u", what, i);
		if (type_len <= 28 && type_len && (i == 1 || i == 6))
			field(p + 4, 2, K_EVTYPE, "%s_ev%u_type", what, i);
		if (type_len == 0 || type_len == 29) {
			if (type_len == 29 && !(w >> 5))
				break;		/* the rest of the page */
			len = 4 + num(p + 4, 4);
		} else if (type_len >= 30) {
			len = 8;
		} else {
			len = 4 + 4 * type_len;
		}
		if (len < 4)
			break;
		p += len;
		i++;
	}
}

/* Trace data of one cpu at OFF, SIZE bytes in the file */
static void parse_cpu_data(size_t off, uint64_t size, const char *what, int npages)
{
	char buf[48];

	field(off, 4, K_NUM, "%s_first_word", what);
	region(off, size, "%s_data", what);
	cut(off + 1);
	cut(off + size / 2);
	if (off + size > trace_len || !size)
		return;
	if (compressed) {
		uint32_t cnt = num(off, 4), i;
		size_t p = off + 4;

		field(off, 4, K_COUNT, "%s_chunk_count", what);
		for (i = 0; i < cnt && p + 8 <= off + size; i++) {
			uint32_t csz = num(p, 4);

			if (i < 2 || i == cnt - 1) {
				field(p, 4, K_SIZE, "%s_chunk%u_csize", what, i);
				field(p + 4, 4, K_SIZE, "%s_chunk%u_usize", what, i);
				region(p + 8, csz, "%s_chunk%u_zdata", what, i);
				cut(p + 4);
				cut(p + 8 + csz / 2);
			}
			p += 8 + csz;
		}
		return;
	} else {
		uint64_t pages = size / page_size, k;

		for (k = 0; k < pages; k++) {
			int pick = k < (uint64_t)npages || k == pages - 1 || k == pages / 2;

			if (k < 8 || k + 8 > pages || k % 16 == 0) {
				cut(off + k * page_size);
				if (k < 4)
					cut(off + k * page_size + 20);
			}
			if (!pick)
				continue;
			snprintf(buf, sizeof(buf), "%s_page%lu", what, (unsigned long)k);
			parse_page(off + k * page_size, buf);
		}
	}
}

static char *strings;		/* v7 string section(s), for names only */

/* Options at OFF..END: file based when FILE, else only read */
static void parse_v7_options(const unsigned char *o, size_t len, size_t fileoff, int file,
			     unsigned sect, size_t *next)
{
	size_t p = 0;
	unsigned i = 0;

	*next = 0;
	while (p + 6 <= len) {
		uint16_t id = rd(o + p, 2);
		uint32_t sz = rd(o + p + 2, 4);
		const unsigned char *od = o + p + 6;
		size_t fo = fileoff + p;
		char w[32];

		snprintf(w, sizeof(w), "s%u_opt%u_%#x", sect, i, id);
		if (file) {
			field(fo, 2, K_OPTID, "%s_id", w);
			field(fo + 2, 4, K_SIZE, "%s_size", w);
			cut(fo + 3);
			cut(fo + 6 + sz / 2);
		}
		if (p + 6 + sz > len)
			break;
		if (id == 0 && sz >= 8) {
			*next = rd(od, 8);
			if (file)
				field(fo + 6, 8, K_OFFSET, "%s_next", w);
			break;
		}
		if (id >= 16 && id <= 21 && sz >= 8 && file)
			field(fo + 6, 8, K_OFFSET, "%s_sect", w);
		if (id == 0x7074 && file)
			region(fo + 6, sz, "%s_json", w);
		if (id == 3 && sz >= 8) {	/* BUFFER */
			size_t q = 8, l1, l2;
			uint32_t cpus, c;

			if (file)
				field(fo + 6, 8, K_OFFSET, "%s_buf_sect", w);
			l1 = strnlen((char *)od + q, sz - q);
			q += l1 + 1;
			l2 = q < sz ? strnlen((char *)od + q, sz - q) : 0;
			q += l2 + 1;
			if (q + 8 <= sz) {
				if (file) {
					field(fo + 6 + q, 4, K_PAGESIZE, "%s_buf_pagesize", w);
					field(fo + 6 + q + 4, 4, K_COUNT, "%s_buf_cpus", w);
				}
				cpus = rd(od + q + 4, 4);
				q += 8;
				for (c = 0; c < cpus && q + 20 <= sz; c++, q += 20) {
					uint64_t coff = rd(od + q + 4, 8), csz = rd(od + q + 12, 8);
					char cw[40];

					snprintf(cw, sizeof(cw), "b%u_cpu%u", i, (unsigned)rd(od + q, 4));
					if (file) {
						field(fo + 6 + q, 4, K_NUM, "%s_%s_id", w, cw);
						field(fo + 6 + q + 4, 8, K_OFFSET, "%s_%s_off", w, cw);
						field(fo + 6 + q + 12, 8, K_SIZE, "%s_%s_size", w, cw);
					}
					if (csz && c < 4)
						parse_cpu_data(coff, csz, cw, lite ? 1 : 3);
				}
			}
		}
		p += 6 + sz;
		i++;
	}
}

/* The content of the v7 section at OFF (after its 16-byte header) */
static size_t parse_v7_section(size_t off, unsigned idx, size_t *next_opts)
{
	uint16_t id = num(off, 2), flags = num(off + 2, 2);
	uint64_t size = num(off + 8, 8);
	size_t c = off + 16;

	(void)strings;
	field(off, 2, K_SECID, "sec%u_%u_id", idx, id);
	field(off + 2, 2, K_FLAGS, "sec%u_%u_flags", idx, id);
	field(off + 4, 4, K_STRID, "sec%u_%u_strid", idx, id);
	field(off + 8, 8, K_SIZE, "sec%u_%u_size", idx, id);
	cut(off + 8);
	cut(off + 16 + size / 2);
	region(c, size, "sec%u_%u_body", idx, id);
	if (c + size > trace_len)
		return trace_len;
	if ((flags & 1) && size >= 8 && id != 3 && id != 22) {
		uint32_t csz = num(c, 4), usz = num(c + 4, 4);
		unsigned char *u;

		field(c, 4, K_SIZE, "sec%u_%u_csize", idx, id);
		field(c + 4, 4, K_SIZE, "sec%u_%u_usize", idx, id);
		if (id == 0 && c + 8 + csz <= trace_len && (u = malloc(usz + 1))) {
			size_t got = ZSTD_decompress(u, usz, trace + c + 8, csz);

			if (!ZSTD_isError(got))
				parse_v7_options(u, got, 0, 0, idx, next_opts);
			free(u);
		}
		return c + size;
	}
	switch (id) {
	case 0:
		parse_v7_options(trace + c, size, c, 1, idx, next_opts);
		break;
	case 16:
		parse_header_info(c);
		break;
	case 17:
		parse_ftrace(c);
		break;
	case 18:
		parse_events(c);
		break;
	case 19:
		parse_sized(c, 4, "kallsyms");
		break;
	case 20:
		parse_sized(c, 4, "printk");
		break;
	case 21:
		parse_sized(c, 8, "cmdlines");
		break;
	}
	return c + size;
}

static void parse_v7(size_t off)
{
	size_t opts, next, seen[64];
	unsigned idx = 0, nseen = 0, i;

	field(off, 8, K_OFFSET, "first_options_offset");
	opts = num(off, 8);
	off += 8;
	/* the sections one after the other from here, while they look right */
	while (off + 16 <= trace_len && idx < 32) {
		uint16_t id = num(off, 2);
		uint64_t size = num(off + 8, 8);

		if (id > 22 || size > trace_len - off - 16 || num(off + 2, 2) > 1)
			break;
		if (nseen < 64)
			seen[nseen++] = off;
		next = 0;
		off = parse_v7_section(off, idx++, &next);
	}
	/* and the options chain, when it was not among them */
	while (opts && opts < trace_len && idx < 48) {
		for (i = 0; i < nseen && seen[i] != opts; i++)
			;
		next = 0;
		if (i == nseen) {
			if (nseen < 64)
				seen[nseen++] = opts;
			parse_v7_section(opts, idx++, &next);
		} else {
			/* parsed already; find its next */
			uint16_t fl = num(opts + 2, 2);
			uint64_t sz = num(opts + 8, 8);

			if (!(fl & 1) && opts + 16 + sz <= trace_len)
				parse_v7_options(trace + opts + 16, sz, opts + 16, 0, idx, &next);
			else
				break;
		}
		opts = next;
	}
}

static void parse_v6(size_t off)
{
	uint32_t cpus, i;
	uint64_t bufoff[16];
	unsigned nbuf = 0, b;

	off = parse_header_info(off);
	off = parse_ftrace(off);
	off = parse_events(off);
	off = parse_sized(off, 4, "kallsyms");
	off = parse_sized(off, 4, "printk");
	off = parse_sized(off, 8, "cmdlines");
	field(off, 4, K_COUNT, "cpu_count");
	cpus = num(off, 4);
	off += 4;
	cut(off + 5);
	region(off, 10, "options_tag");
	if (off + 10 <= trace_len && !memcmp(trace + off, "options  ", 10)) {
		unsigned k = 0;

		off += 10;
		while (off + 2 <= trace_len) {
			uint16_t id = num(off, 2);
			uint32_t sz;

			field(off, 2, K_OPTID, "opt%u_%#x_id", k, id);
			if (!id) {
				off += 2;
				break;
			}
			sz = num(off + 2, 4);
			field(off + 2, 4, K_SIZE, "opt%u_%#x_size", k, id);
			cut(off + 4);
			cut(off + 6 + sz / 2);
			if (id == 3 && sz >= 8) {
				field(off + 6, 8, K_OFFSET, "opt%u_buffer_offset", k);
				if (nbuf < 16)
					bufoff[nbuf++] = num(off + 6, 8);
			}
			if (id == 0x7074)
				region(off + 6, sz, "opt%u_json", k);
			off += 6 + sz;
			k++;
		}
	}
	region(off, 10, "flyrecord_tag");
	if (off + 10 > trace_len || memcmp(trace + off, "flyrecord", 10))
		return;
	bufoff[nbuf] = off;	/* the top instance last */
	for (b = 0; b <= nbuf; b++) {
		size_t p = bufoff[b];

		if (p + 10 <= trace_len && !memcmp(trace + p, "flyrecord", 10))
			p += 10;
		for (i = 0; i < cpus && p + 16 <= trace_len; i++, p += 16) {
			uint64_t coff = num(p, 8), csz = num(p + 8, 8);
			char w[32];

			snprintf(w, sizeof(w), "b%u_cpu%u", b, i);
			field(p, 8, K_OFFSET, "%s_off", w);
			field(p + 8, 8, K_SIZE, "%s_size", w);
			if (csz && i < 4)
				parse_cpu_data(coff, csz, w, lite ? 1 : 3);
		}
	}
}
void parse(void)
{
	size_t off;

	if (trace_len < 18 || memcmp(trace, "\027\010\104tracing", 10))
		die("not a trace.dat file");
	v7 = trace[10] == '7';
	if (!v7 && trace[10] != '6')
		die("version %c: only 6 and 7", trace[10]);
	off = 12;
	field(off, 1, K_ENDIAN, "endian");
	field(off + 1, 1, K_LONGSIZE, "long_size");
	big_endian = trace[off];
	long_size = trace[off + 1];
	field(off + 2, 4, K_PAGESIZE, "page_size");
	page_size = num(off + 2, 4);
	if (page_size < 64 || page_size > (1 << 20))
		die("page size %u", page_size);
	region(0, 18, "initial_header");
	cut(3);
	cut(11);
	cut(13);
	cut(16);
	off += 6;
	if (v7) {
		size_t l = strnlen((char *)trace + off, trace_len - off);

		compressed = l != 4 || memcmp(trace + off, "none", 4);
		region(off, l + 1, "compression_name");
		off += l + 1;
		l = strnlen((char *)trace + off, trace_len - off);
		region(off, l + 1, "compression_version");
		off += l + 1;
		parse_v7(off);
	} else {
		parse_v6(off);
	}
}

void load(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read '%s': %s", path, strerror(errno));
	trace_len = len;
	trace = malloc(trace_len + 1);
	if (!trace || fread(trace, 1, trace_len, f) != trace_len)
		die("cannot read '%s'", path);
	fclose(f);
}
