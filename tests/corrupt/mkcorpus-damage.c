/*
 * mkcorpus's damages (mkcorpus.c says what): each variant of the parsed
 * file changes one thing, a truncation, one number given an impossible
 * value, or a few random bytes in one region or anywhere.  All candidates
 * are counted first, then an evenly spread share of each class is written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkcorpus.h"

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
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void wr(unsigned char *p, int size, uint64_t v)
{
	int i;

	for (i = 0; i < size; i++)
		p[big_endian ? size - 1 - i : i] = v >> (8 * i);
}

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
		memcpy(w + f->off, trace + f->off, f->size + (f->kind == K_EVHDR ? 4 : 0));
	if (r)
		memcpy(w + r->off, trace + r->off, r->len);
}

static int values(const struct field *f, uint64_t *v)
{
	uint64_t o = rd(trace + f->off, f->size);
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
		v[k++] = 0xffffffff; v[k++] = 0x7fffffff; v[k++] = o + 1; v[k++] = trace_len;
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
			v[k++] = trace_len & ones; v[k++] = (trace_len + 1) & ones;
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
		if (f->off + 8 <= trace_len)
			wr(w + f->off + 4, 4, ev[i].a);
		emit(C_DATA, trace_len, "%s.%s", f->name, ev[i].what);
		reset(f, NULL);
	}
	/* the same type, the time delta all ones */
	wr(w + f->off, 4, rd(trace + f->off, 4) | 0xffffffe0);
	emit(C_DATA, trace_len, "%s.delta_max", f->name);
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
		emit(C_JSON, trace_len, "%s.rewrite%u", r->name, i);
		reset(NULL, r);
	}
	/* no NUL at the end, and NUL in the middle */
	w[r->off + r->len - 1] = '}';
	emit(C_JSON, trace_len, "%s.no_nul", r->name);
	reset(NULL, r);
	w[r->off + r->len / 2] = 0;
	emit(C_JSON, trace_len, "%s.mid_nul", r->name);
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

	w = malloc(trace_len);
	if (!w)
		die("out of memory");
	memcpy(w, trace, trace_len);

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
			cut(rnd() % trace_len);
		cut(trace_len - 1);
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
			uint64_t o = rd(trace + f->off, f->size);

			if (v[j] == o && f->kind != K_ENDIAN)
				continue;
			if (f->kind == K_ENDIAN || f->kind == K_LONGSIZE)
				w[f->off] = v[j];
			else
				wr(w + f->off, f->size, v[j]);
			emit(cls_of(f), trace_len, "%s.%#llx", f->name, (unsigned long long)v[j]);
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
			emit(C_FLIP, trace_len, "%s.flip%u", r->name, j);
			reset(NULL, r);
		}
	}
	/* and anywhere */
	for (j = 0; j < (lite ? 10 : 40); j++) {
		unsigned flips = 1 + rnd() % 64;

		for (k = 0; k < flips; k++) {
			size_t at = rnd() % trace_len;

			w[at] ^= 1 + rnd() % 255;
		}
		emit(C_ANY, trace_len, "anywhere.flip%u", j);
		memcpy(w, trace, trace_len);
	}
	free(w);
}

void damage(const char *dir, const char *nm, unsigned long max_variants)
{
	const char *p;
	size_t i;

	outdir = dir;
	name = nm;
	rng = 0x9e3779b97f4a7c15ULL;
	for (p = name; *p; p++)
		rng = (rng ^ (unsigned char)*p) * 0x100000001b3ULL;
	rng |= 1;
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
}
