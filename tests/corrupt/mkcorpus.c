// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkcorpus: damaged copies of a trace.dat, for tests/cli/corrupt.sh.
 *
 *   mkcorpus [--max N] OUTDIR NAME FILE  writes OUTDIR/NAME.<what>.dat variants
 *   mkcorpus --dump FILE                 prints the structure it found
 *
 * The file is parsed here on its own terms, from trace-cmd.dat.v6(5) and
 * trace-cmd.dat.v7(5) (not with the reader under test): the initial header,
 * the header_page/header_event sizes, the format counts and sizes, the
 * kallsyms, printk and cmdlines sizes, the v6 cpu count, options and
 * flyrecord offsets, the v7 sections (header, compression header, options,
 * BUFFER options with their per-cpu offsets and sizes), the compressed chunk
 * headers of the trace data, and in uncompressed data the ring-buffer pages
 * (8 bytes timestamp, 8 bytes commit) and the event headers in them
 * (type_len:5, time_delta:27, array[0]).
 *
 * Each variant changes one thing: a truncation, one number or header given
 * an impossible value, or a few random bytes in one region.  Everything is
 * deterministic (the random choices come from a seed made of NAME).
 * All candidates are counted, then about N (default 300) are written: all
 * of the initial header's and the JSON option's, and an evenly spread share
 * of each other class (truncations, metadata numbers, trace data numbers,
 * random bytes); N under 100 also makes fewer candidates (for big files).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

enum kind {
	K_NUM, K_ENDIAN, K_LONGSIZE, K_PAGESIZE, K_SIZE, K_COUNT, K_OFFSET,
	K_OPTID, K_SECID, K_FLAGS, K_STRID, K_COMMIT, K_EVHDR, K_EVTYPE, K_STAMP,
};

struct field {
	size_t off;
	int size;
	enum kind kind;
	char name[40];
};

struct region {
	size_t off, len;
	char name[40];
};

static unsigned char *d;	/* the file */
static size_t n;
static int big_endian, v7, compressed, lite;
static uint32_t page_size = 4096;
static int long_size = 8;

static struct field *fields;
static size_t nfields;
static struct region *regions;
static size_t nregions;
static size_t *cuts;		/* extra truncation points */
static size_t ncuts;

static const char *outdir, *name;
static unsigned long nvariants;

/* Variant classes, each with a share of --max: every candidate is counted
 * first, then an evenly spread selection of each class is written. */
enum cls { C_TRUNC, C_HEAD, C_META, C_DATA, C_JSON, C_FLIP, C_ANY, NCLS };
static const char *const cls_name[NCLS] = {
	"truncations", "initial header", "metadata numbers", "trace data numbers",
	"pttrace JSON option", "random bytes in a region", "random bytes anywhere",
};
static const unsigned cls_share[NCLS] = { 22, 100, 36, 24, 100, 15, 3 };	/* % */
static unsigned long cls_count[NCLS], cls_seen[NCLS], cls_quota[NCLS], cls_made[NCLS];
static int counting;
static unsigned long max_variants = 300;
static uint64_t rng;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkcorpus: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t rd(const unsigned char *p, int size)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

static void wr(unsigned char *p, int size, uint64_t v)
{
	int i;

	for (i = 0; i < size; i++)
		p[big_endian ? size - 1 - i : i] = v >> (8 * i);
}

/* A number of SIZE bytes at OFF, or ~0 past the end */
static uint64_t num(size_t off, int size)
{
	return off + size <= n ? rd(d + off, size) : ~0ULL;
}

static void field(size_t off, int size, enum kind kind, const char *fmt, ...)
{
	struct field *f;
	va_list ap;

	size_t i;

	if (off + size > n)
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

	if (off >= n || !len)
		return;
	if (off + len > n)
		len = n - off;
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

static void cut(size_t off)
{
	if (off == 0 || off >= n)
		return;
	cuts = realloc(cuts, (ncuts + 1) * sizeof(*cuts));
	cuts[ncuts++] = off;
}

/* ---- parsing ---- */

/* The sizes and counts of the format parts, from OFF; returns the end. */
static size_t parse_header_info(size_t off)
{
	uint64_t sz;

	if (off + 12 > n || memcmp(d + off, "header_page", 12))
		return n;
	field(off + 12, 8, K_SIZE, "header_page_size");
	sz = num(off + 12, 8);
	region(off + 20, sz, "header_page_text");
	cut(off + 12 + 4);
	cut(off + 20 + sz / 2);
	off += 20 + sz;
	if (off + 13 > n || memcmp(d + off, "header_event", 13))
		return n;
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
	for (i = 0; i < cnt && off + 8 <= n; i++) {
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
	for (s = 0; s < nsys && off < n; s++) {
		size_t l = strnlen((char *)d + off, n - off);
		uint32_t cnt;

		if (s < 2)
			region(off, l + 1, "system%u_name", s);
		off += l + 1;
		cnt = num(off, 4);
		field(off, 4, K_COUNT, "system%u_events_count", s);
		off += 4;
		for (e = 0; e < cnt && off + 8 <= n; e++) {
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
	if (off + size > n || !size)
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
	if (c + size > n)
		return n;
	if ((flags & 1) && size >= 8 && id != 3 && id != 22) {
		uint32_t csz = num(c, 4), usz = num(c + 4, 4);
		unsigned char *u;

		field(c, 4, K_SIZE, "sec%u_%u_csize", idx, id);
		field(c + 4, 4, K_SIZE, "sec%u_%u_usize", idx, id);
		if (id == 0 && c + 8 + csz <= n && (u = malloc(usz + 1))) {
			size_t got = ZSTD_decompress(u, usz, d + c + 8, csz);

			if (!ZSTD_isError(got))
				parse_v7_options(u, got, 0, 0, idx, next_opts);
			free(u);
		}
		return c + size;
	}
	switch (id) {
	case 0:
		parse_v7_options(d + c, size, c, 1, idx, next_opts);
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
	while (off + 16 <= n && idx < 32) {
		uint16_t id = num(off, 2);
		uint64_t size = num(off + 8, 8);

		if (id > 22 || size > n - off - 16 || num(off + 2, 2) > 1)
			break;
		if (nseen < 64)
			seen[nseen++] = off;
		next = 0;
		off = parse_v7_section(off, idx++, &next);
	}
	/* and the options chain, when it was not among them */
	while (opts && opts < n && idx < 48) {
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

			if (!(fl & 1) && opts + 16 + sz <= n)
				parse_v7_options(d + opts + 16, sz, opts + 16, 0, idx, &next);
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
	if (off + 10 <= n && !memcmp(d + off, "options  ", 10)) {
		unsigned k = 0;

		off += 10;
		while (off + 2 <= n) {
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
	if (off + 10 > n || memcmp(d + off, "flyrecord", 10))
		return;
	bufoff[nbuf] = off;	/* the top instance last */
	for (b = 0; b <= nbuf; b++) {
		size_t p = bufoff[b];

		if (p + 10 <= n && !memcmp(d + p, "flyrecord", 10))
			p += 10;
		for (i = 0; i < cpus && p + 16 <= n; i++, p += 16) {
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

static void parse(void)
{
	size_t off;

	if (n < 18 || memcmp(d, "\027\010\104tracing", 10))
		die("not a trace.dat file");
	v7 = d[10] == '7';
	if (!v7 && d[10] != '6')
		die("version %c: only 6 and 7", d[10]);
	off = 12;
	field(off, 1, K_ENDIAN, "endian");
	field(off + 1, 1, K_LONGSIZE, "long_size");
	big_endian = d[off];
	long_size = d[off + 1];
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
		size_t l = strnlen((char *)d + off, n - off);

		compressed = l != 4 || memcmp(d + off, "none", 4);
		region(off, l + 1, "compression_name");
		off += l + 1;
		l = strnlen((char *)d + off, n - off);
		region(off, l + 1, "compression_version");
		off += l + 1;
		parse_v7(off);
	} else {
		parse_v6(off);
	}
}

/* ---- variants ---- */

static unsigned char *w;	/* the copy being changed */

static void emit(enum cls c, size_t len, const char *fmt, ...)
{
	char path[4096], what[256];
	unsigned long k;
	va_list ap;
	FILE *f;

	if (counting) {
		cls_count[c]++;
		return;
	}
	k = cls_seen[c]++;
	if (cls_quota[c] < cls_count[c] &&
	    k * cls_quota[c] / cls_count[c] == (k + 1) * cls_quota[c] / cls_count[c])
		return;
	cls_made[c]++;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s.%s.dat", outdir, name, what);
	f = fopen(path, "wb");
	if (!f || fwrite(w, 1, len, f) != len || fclose(f))
		die("cannot write '%s': %s", path, strerror(errno));
	nvariants++;
}

static void reset(const struct field *f, const struct region *r)
{
	if (f)
		memcpy(w + f->off, d + f->off, f->size + (f->kind == K_EVHDR ? 4 : 0));
	if (r)
		memcpy(w + r->off, d + r->off, r->len);
}

static int values(const struct field *f, uint64_t *v)
{
	uint64_t o = rd(d + f->off, f->size);
	uint64_t ones = f->size == 8 ? ~0ULL : (1ULL << (8 * f->size)) - 1;
	uint64_t top = 1ULL << (8 * f->size - 1);
	int k = 0;

	switch (f->kind) {
	case K_ENDIAN:
		v[k++] = !o; v[k++] = 2; v[k++] = 0xff;
		break;
	case K_LONGSIZE:
		v[k++] = 0; v[k++] = 4; v[k++] = 2; v[k++] = 16; v[k++] = 0xff;
		break;
	case K_PAGESIZE:
		v[k++] = 0; v[k++] = 1; v[k++] = 16; v[k++] = 4095; v[k++] = 8192;
		v[k++] = 65536; v[k++] = 0x80000000; v[k++] = 0xffffffff;
		break;
	case K_OPTID:
		v[k++] = 0; v[k++] = 3; v[k++] = 16; v[k++] = 0x7074; v[k++] = 0xffff;
		v[k++] = o ^ 1;
		break;
	case K_SECID:
		v[k++] = 0; v[k++] = 16; v[k++] = 21; v[k++] = 0xffff; v[k++] = o ^ 1;
		break;
	case K_FLAGS:
		v[k++] = !(o & 1); v[k++] = 2; v[k++] = 0xffff;
		break;
	case K_STRID:
		v[k++] = 0xffffffff; v[k++] = 0x7fffffff; v[k++] = o + 1; v[k++] = n;
		break;
	case K_COMMIT:
		v[k++] = page_size + 1; v[k++] = (uint64_t)page_size * 16;
		v[k++] = page_size - 15;		/* one past the data */
		v[k++] = 0xffffffff; v[k++] = ~0ULL; v[k++] = -16ULL;
		v[k++] = o | 1ULL << 31; v[k++] = o | 1ULL << 30;
		v[k++] = 0x7fffffffffffffffULL; v[k++] = 0;
		v[k++] = o | 0xffff0000ULL;
		break;
	case K_STAMP:
		v[k++] = ~0ULL; v[k++] = 0; v[k++] = 1ULL << 63;
		break;
	case K_EVTYPE:
		v[k++] = 0; v[k++] = 0xffff; v[k++] = o + 1;
		break;
	case K_EVHDR:	/* handled in mutate_evhdr */
		break;
	case K_COUNT:
	case K_SIZE:
	case K_OFFSET:
	case K_NUM:
		v[k++] = 0; v[k++] = (o + 1) & ones; v[k++] = (o - 1) & ones; v[k++] = ones;
		v[k++] = top; v[k++] = (top - 1);
		if (!lite) {
			v[k++] = n & ones; v[k++] = (n + 1) & ones;
			v[k++] = (o << 8) & ones; v[k++] = (o + 0x10000) & ones;
		}
		break;
	}
	return k;
}

/* An event header word and the word after it */
static void mutate_evhdr(const struct field *f)
{
	static const struct { uint32_t w, a; const char *what; } ev[] = {
		{ 0, 0xfffffff0, "len0_huge" },
		{ 0, 0, "len0_zero" },
		{ 0, 2, "len0_tiny" },
		{ 0, 0x7ffffffc, "len0_int_max" },
		{ 29 | 1 << 5, 0xffffff00, "pad_huge" },
		{ 29, 0, "pad_null" },
		{ 28, 0, "len28" },
		{ 30 | 0xffffffe0, 0xffffffff, "time_extend_max" },
		{ 31 | 0xffffffe0, 0xffffffff, "time_stamp_max" },
		{ 31, 0, "time_stamp_zero" },
		{ 1, 0, "len1" },
	};
	unsigned i;

	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		if (lite && i % 2)
			continue;
		wr(w + f->off, 4, ev[i].w);
		if (f->off + 8 <= n)
			wr(w + f->off + 4, 4, ev[i].a);
		emit(C_DATA, n, "%s.%s", f->name, ev[i].what);
		reset(f, NULL);
	}
	/* the same type, the time delta all ones */
	wr(w + f->off, 4, rd(d + f->off, 4) | 0xffffffe0);
	emit(C_DATA, n, "%s.delta_max", f->name);
	reset(f, NULL);
}

/* Rewrites the JSON of pttrace's option in place (same size) */
static void mutate_json(const struct region *r)
{
	static const char *const fill[] = {
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		"{\"pttrace_metadata\": 1, \"vm\": {\"name\": \"\x1b[2J\x1b]0;owned\x07\", \"vcpus\": 99999999999999999999}",
		"{\"pttrace_metadata\": 1e999, \"vm\": \"\xff\xfe\xc0\x80\", \"devices\": [{\"bdf\": \"zz:99.9\"}]",
		"{\"pttrace_metadata\": 1, \"vm\": {\"name\": \"\\u001b[31mred\\u0000nul\", \"vcpus\": -1}}",
		"{\"pttrace_metadata\": 1, \"devices\": [{\"bdf\": \"00:03.0\", \"bars\": [{\"bar\": 99, \"size\": -5, \"address\": 1e308}]}]}",
		"\"",
	};
	unsigned i;
	size_t k;

	for (i = 0; i < sizeof(fill) / sizeof(fill[0]); i++) {
		size_t l = strlen(fill[i]);

		for (k = 0; k < r->len; k++)
			w[r->off + k] = i == 0 ? fill[0][0] : k < l ? fill[i][k] : ' ';
		if (i == 5)
			memset(w + r->off, '"', 1);
		emit(C_JSON, n, "%s.rewrite%u", r->name, i);
		reset(NULL, r);
	}
	/* no NUL at the end, and NUL in the middle */
	w[r->off + r->len - 1] = '}';
	emit(C_JSON, n, "%s.no_nul", r->name);
	reset(NULL, r);
	w[r->off + r->len / 2] = 0;
	emit(C_JSON, n, "%s.mid_nul", r->name);
	reset(NULL, r);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static enum cls cls_of(const struct field *f)
{
	switch (f->kind) {
	case K_ENDIAN: case K_LONGSIZE: return C_HEAD;
	case K_PAGESIZE: return f->off < 18 ? C_HEAD : C_META;
	case K_COMMIT: case K_STAMP: case K_EVHDR: case K_EVTYPE: return C_DATA;
	default:
		return strstr(f->name, "chunk") || strstr(f->name, "first_word") ||
		       !strcmp(f->name, "first_options_offset") ? C_DATA - (f->off < 64) : C_META;
	}
}

static void variants(void)
{
	uint64_t v[16];
	size_t i, k, last = 0;
	unsigned j;
	int nv;

	w = malloc(n);
	if (!w)
		die("out of memory");
	memcpy(w, d, n);

	/* truncations: at every field, in every region, at the cut points */
	for (i = 0; i < nfields && counting; i++) {
		cut(fields[i].off);
		cut(fields[i].off + 1);
	}
	for (i = 0; i < nregions && counting; i++) {
		cut(regions[i].off);
		cut(regions[i].off + regions[i].len / 2);
		cut(regions[i].off + regions[i].len - 1);
	}
	if (counting) {
		for (j = 0; j < 30; j++)
			cut(rnd() % n);
		cut(n - 1);
		qsort(cuts, ncuts, sizeof(*cuts), cmp_size);
	}
	for (i = 0, k = 0; i < ncuts; i++) {
		if (cuts[i] == last)
			continue;
		last = cuts[i];
		emit(C_TRUNC, cuts[i], "trunc.%zu", cuts[i]);
	}

	/* impossible numbers */
	for (i = 0; i < nfields; i++) {
		const struct field *f = &fields[i];

		if (f->kind == K_EVHDR) {
			mutate_evhdr(f);
			continue;
		}
		nv = values(f, v);
		for (j = 0; j < (unsigned)nv; j++) {
			uint64_t o = rd(d + f->off, f->size);

			if (v[j] == o && f->kind != K_ENDIAN)
				continue;
			if (f->kind == K_ENDIAN || f->kind == K_LONGSIZE)
				w[f->off] = v[j];
			else
				wr(w + f->off, f->size, v[j]);
			emit(cls_of(f), n, "%s.%#llx", f->name, (unsigned long long)v[j]);
			reset(f, NULL);
		}
	}

	/* random bytes in each region; the JSON rewritten */
	for (i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];
		unsigned per = r->len < 16 ? 3 : lite ? 4 : 12;

		if (strstr(r->name, "_json"))
			mutate_json(r);
		for (j = 0; j < per; j++) {
			unsigned flips = 1 + rnd() % (j % 3 ? 4 : 32);

			for (k = 0; k < flips; k++)
				w[r->off + rnd() % r->len] ^= 1 + rnd() % 255;
			emit(C_FLIP, n, "%s.flip%u", r->name, j);
			reset(NULL, r);
		}
	}
	/* and anywhere */
	for (j = 0; j < (lite ? 10 : 40); j++) {
		unsigned flips = 1 + rnd() % 64;

		for (k = 0; k < flips; k++) {
			size_t at = rnd() % n;

			w[at] ^= 1 + rnd() % 255;
		}
		emit(C_ANY, n, "anywhere.flip%u", j);
		memcpy(w, d, n);
	}
	free(w);
}

static void load(const char *path)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read '%s': %s", path, strerror(errno));
	n = len;
	d = malloc(n + 1);
	if (!d || fread(d, 1, n, f) != n)
		die("cannot read '%s'", path);
	fclose(f);
}

int main(int argc, char **argv)
{
	size_t i;
	const char *p;

	if (argc == 3 && !strcmp(argv[1], "--dump")) {
		load(argv[2]);
		parse();
		printf("v%d %s endian=%s page=%u long=%d size=%zu\n", v7 ? 7 : 6,
		       compressed ? "compressed" : "uncompressed", big_endian ? "big" : "little",
		       page_size, long_size, n);
		for (i = 0; i < nfields; i++)
			printf("field %-8zu %d %-40s %llu\n", fields[i].off, fields[i].size,
			       fields[i].name, (unsigned long long)rd(d + fields[i].off, fields[i].size));
		for (i = 0; i < nregions; i++)
			printf("region %-8zu %-8zu %s\n", regions[i].off, regions[i].len, regions[i].name);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--max")) {
		max_variants = strtoul(argv[2], NULL, 0);
		lite = max_variants < 100;
		argv += 2, argc -= 2;
	}
	if (argc != 4)
		die("usage: mkcorpus [--max N] OUTDIR NAME FILE | --dump FILE");
	outdir = argv[1];
	name = argv[2];
	for (p = name; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *p))
			die("NAME: letters, digits, _ and - only");
	rng = 0x9e3779b97f4a7c15ULL;
	for (p = name; *p; p++)
		rng = (rng ^ (unsigned char)*p) * 0x100000001b3ULL;
	rng |= 1;
	load(argv[3]);
	parse();
	counting = 1;
	variants();
	counting = 0;
	for (i = 0; i < NCLS; i++)
		cls_quota[i] = i == C_HEAD && lite ? max_variants / 4 :
			       i == C_HEAD || i == C_JSON ? cls_count[i] :
			       max_variants * cls_share[i] / 100;
	variants();
	for (i = 0; i < NCLS; i++)
		printf("%s %s: %lu of %lu\n", name, cls_name[i], cls_made[i], cls_count[i]);
	return 0;
}
