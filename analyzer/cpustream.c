// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One cpu's ring-buffer pages, and the records on them, read the way
 * libtraceevent's kbuffer reads them but with every length checked against
 * the page: a commit size larger than the page, a record that runs past
 * the commit, a chunk that does not decompress to its stated size are
 * counted as damage and skipped, never trusted.  Compressed data is held
 * one chunk at a time (trace-cmd writes 10 pages a chunk), uncompressed
 * data one block of pages at a time.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt-codec.h"
#include "pt-tracefile.h"

#define BLOCK_PAGES 64			/* uncompressed pages read at once */
#define MAX_CHUNK (16u << 20)		/* a chunk's uncompressed size; trace-cmd's are 40 KB */
#define PAD 64				/* zeroes after the held data */

#define TYPE_PADDING 29
#define TYPE_TIME_EXTEND 30
#define TYPE_TIME_STAMP 31
#define TS_SHIFT 27
#define TS_MSB (0xf8ull << 56)
#define COMMIT_MASK ((1u << 27) - 1)
#define MISSED_EVENTS (1u << 31)
#define MISSED_STORED (1u << 30)

struct chunk {
	uint64_t zoff;		/* the compressed bytes, in the file */
	uint32_t zsize, usize;
	uint64_t ustart;	/* where its data starts in the cpu's uncompressed stream */
};

struct pt_cpu_stream {
	struct pt_tracefile *tf;
	const struct pt_tf_cpu *c;
	unsigned psize, hdr;
	int compressed;
	uint64_t ulen;			/* uncompressed: whole pages inside the file */
	/* compressed: the chunk index, learnt as far as it was needed */
	struct chunk *chunks;
	unsigned nchunks, cap;
	uint32_t declared;		/* the count the data starts with */
	uint64_t next_hdr;		/* file offset of the next chunk header to learn */
	int index_done;
	/* the data held: stream bytes [hold_start, hold_start + hold_len) */
	uint8_t *hold, *zbuf;
	size_t hold_cap, zcap, hold_len;
	uint64_t hold_start;
	int holding;
	/* the page being parsed */
	uint64_t page;			/* its stream offset */
	const uint8_t *pdata;		/* its records */
	unsigned commit, off;
	uint64_t ts;
	int64_t missed;
	int in_page;
	uint64_t next_page;
	uint64_t page_limit;		/* stop before this stream offset (seek_last) */
	uint64_t skip_until;		/* seek: records before this are skipped */
	uint64_t damaged;
	int broken;
	uint64_t broken_at;
};

static void set_broken(struct pt_cpu_stream *s, uint64_t where)
{
	if (!s->broken) {
		s->broken = 1;
		s->broken_at = where;
	}
}

/* Learns chunk headers until one covers stream offset UPTO (or all, for ~0). */
static int learn_chunks(struct pt_cpu_stream *s, uint64_t upto)
{
	const struct pt_tf_cpu *c = s->c;
	uint64_t end = c->offset + c->avail;

	while (!s->index_done) {
		struct chunk *k;
		uint8_t h[8];
		uint64_t ustart;

		if (s->nchunks && s->chunks[s->nchunks - 1].ustart + s->chunks[s->nchunks - 1].usize > upto)
			return 0;
		if (s->nchunks == s->declared) {
			s->index_done = 1;
			break;
		}
		if (s->next_hdr + 8 > end || pread(s->tf->fd, h, 8, s->next_hdr) != 8) {
			/* cut short: what was learnt is what there is */
			s->index_done = 1;
			set_broken(s, s->next_hdr);
			break;
		}
		if (s->nchunks == s->cap) {
			unsigned cap = s->cap ? 2 * s->cap : 64;
			struct chunk *n = realloc(s->chunks, cap * sizeof(*n));

			if (!n)
				return -1;
			s->chunks = n;
			s->cap = cap;
		}
		ustart = s->nchunks ? s->chunks[s->nchunks - 1].ustart + s->chunks[s->nchunks - 1].usize : 0;
		k = &s->chunks[s->nchunks];
		k->zsize = pt_tf_num(s->tf, h, 4);
		k->usize = pt_tf_num(s->tf, h + 4, 4);
		k->zoff = s->next_hdr + 8;
		k->ustart = ustart;
		if (!k->usize || k->usize > MAX_CHUNK || k->usize % s->psize || k->zsize > end - k->zoff) {
			/* a header that cannot be right: nothing after it can be trusted */
			s->index_done = 1;
			if (k->zsize > end - k->zoff && k->zoff + k->zsize > s->tf->size)
				set_broken(s, s->tf->size);
			else {
				s->damaged++;
				set_broken(s, s->next_hdr);
			}
			break;
		}
		s->next_hdr = k->zoff + k->zsize;
		s->nchunks++;
	}
	return 0;
}

static int reserve(uint8_t **buf, size_t *cap, size_t n)
{
	uint8_t *p;

	if (n + PAD <= *cap)
		return 0;
	p = realloc(*buf, n + PAD);
	if (!p)
		return -1;
	*buf = p;
	*cap = n + PAD;
	return 0;
}

/* Makes the page at stream offset POS held; its bytes, or NULL past the end. */
static const uint8_t *get_page(struct pt_cpu_stream *s, uint64_t pos)
{
	if (s->holding && pos >= s->hold_start && pos + s->psize <= s->hold_start + s->hold_len)
		return s->hold + (pos - s->hold_start);
	s->holding = 0;
	if (!s->compressed) {
		uint64_t n = (uint64_t)BLOCK_PAGES * s->psize;
		ssize_t got;

		if (pos + s->psize > s->ulen)
			return NULL;
		if (n > s->ulen - pos)
			n = s->ulen - pos;
		if (reserve(&s->hold, &s->hold_cap, n))
			return NULL;
		got = pread(s->tf->fd, s->hold, n, s->c->offset + pos);
		if (got < (ssize_t)s->psize) {
			set_broken(s, s->c->offset + pos);
			return NULL;
		}
		s->hold_start = pos;
		s->hold_len = got - got % s->psize;
		memset(s->hold + s->hold_len, 0, PAD);
		s->holding = 1;
		return s->hold;
	}
	for (;;) {
		unsigned lo = 0, hi;
		struct chunk *k;
		long n;

		if (learn_chunks(s, pos))
			return NULL;
		hi = s->nchunks;
		if (!hi || pos >= s->chunks[hi - 1].ustart + s->chunks[hi - 1].usize)
			return NULL;
		while (hi - lo > 1) {
			unsigned mid = (lo + hi) / 2;

			if (s->chunks[mid].ustart <= pos)
				lo = mid;
			else
				hi = mid;
		}
		k = &s->chunks[lo];
		if (reserve(&s->zbuf, &s->zcap, k->zsize) || reserve(&s->hold, &s->hold_cap, k->usize))
			return NULL;
		if (pread(s->tf->fd, s->zbuf, k->zsize, k->zoff) != (ssize_t)k->zsize) {
			set_broken(s, k->zoff);
			return NULL;
		}
		n = pt_codec_decompress(s->tf->codec, s->zbuf, k->zsize, s->hold, k->usize);
		if (n == (long)k->usize) {
			s->hold_start = k->ustart;
			s->hold_len = k->usize;
			memset(s->hold + s->hold_len, 0, PAD);
			s->holding = 1;
			return s->hold + (pos - s->hold_start);
		}
		/* a chunk that does not decompress: its pages are lost, the next ones are not */
		s->damaged++;
		pos = k->ustart + k->usize;
		s->next_page = pos;
	}
}

struct pt_cpu_stream *pt_cpu_stream_new(struct pt_tracefile *tf, int buffer, int cpu_index)
{
	const struct pt_tf_buffer *b = &tf->buffers[buffer];
	struct pt_cpu_stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->tf = tf;
	s->c = &b->cpus[cpu_index];
	s->psize = b->page_size ? b->page_size : tf->page_size;
	s->hdr = tf->page_header;
	s->compressed = tf->codec != NULL;
	if (s->compressed) {
		uint8_t h[4];

		if (s->c->avail >= 4 && pread(tf->fd, h, 4, s->c->offset) == 4) {
			s->declared = pt_tf_num(tf, h, 4);
			s->next_hdr = s->c->offset + 4;
		} else {
			s->index_done = 1;
		}
	} else {
		s->ulen = s->c->avail - s->c->avail % s->psize;
	}
	s->page_limit = ~0ull;
	return s;
}

void pt_cpu_stream_free(struct pt_cpu_stream *s)
{
	if (!s)
		return;
	free(s->chunks);
	free(s->hold);
	free(s->zbuf);
	free(s);
}

static uint64_t to_ns(const struct pt_tracefile *tf, uint64_t ts)
{
	if (tf->tsc_mult)
		ts = (uint64_t)(((unsigned __int128)ts * tf->tsc_mult) >> tf->tsc_shift);
	return ts + tf->ts_offset;
}

/* Loads the next page; 0 when there is none. */
static int load_page(struct pt_cpu_stream *s)
{
	for (;;) {
		const uint8_t *p;
		uint64_t flags;

		if (s->next_page >= s->page_limit)
			return 0;
		p = get_page(s, s->next_page);
		if (!p)
			return 0;
		s->page = s->next_page;
		s->next_page += s->psize;
		s->ts = pt_tf_num(s->tf, p, 8);
		flags = pt_tf_num(s->tf, p + 8, s->hdr - 8);
		s->commit = flags & COMMIT_MASK;
		s->pdata = p + s->hdr;
		s->off = 0;
		if (s->commit > s->psize - s->hdr) {
			s->damaged++;	/* impossible commit: the page cannot be read */
			continue;
		}
		s->missed = 0;
		if (flags & MISSED_EVENTS) {
			s->missed = -1;
			if ((flags & MISSED_STORED) && s->commit + (s->hdr - 8) <= s->psize - s->hdr)
				s->missed = pt_tf_num(s->tf, s->pdata + s->commit, s->hdr - 8);
			/* a count no ring buffer could hold is damage: some were lost */
			if (s->missed <= 0 || s->missed > (1ll << 40))
				s->missed = -1;
		}
		s->in_page = 1;
		return 1;
	}
}

int pt_cpu_stream_next(struct pt_cpu_stream *s, struct pt_raw_record *rec)
{
	for (;;) {
		unsigned off, type, len, start;
		uint32_t word;
		uint64_t delta;

		if (!s->in_page && !load_page(s))
			return 0;
		off = s->off;
		if (off >= s->commit) {
			s->in_page = 0;
			continue;
		}
		if (off + 4 > s->commit) {
			s->damaged++;
			s->in_page = 0;
			continue;
		}
		word = pt_tf_num(s->tf, s->pdata + off, 4);
		if (s->tf->big_endian) {
			type = word >> 27;
			delta = word & ((1u << 27) - 1);
		} else {
			type = word & 31;
			delta = word >> 5;
		}
		start = off;
		switch (type) {
		case TYPE_PADDING:
		case TYPE_TIME_EXTEND:
		case TYPE_TIME_STAMP:
		case 0:
			if (off + 8 > s->commit) {
				s->damaged++;
				s->in_page = 0;
				continue;
			}
			len = pt_tf_num(s->tf, s->pdata + off + 4, 4);
			break;
		default:
			len = type * 4;
		}
		switch (type) {
		case TYPE_PADDING:
			s->ts += delta;
			/* the rest of the page is padding when it says 0 */
			if (!delta && !len) {
				s->in_page = 0;
				continue;
			}
			if ((uint64_t)off + 4 + len > s->commit) {
				s->in_page = 0;
				continue;
			}
			s->off = off + 4 + len;
			continue;
		case TYPE_TIME_EXTEND:
			s->ts += ((uint64_t)len << TS_SHIFT) + delta;
			s->off = off + 8;
			continue;
		case TYPE_TIME_STAMP:
			s->ts = (((uint64_t)len << TS_SHIFT) + delta) | (s->ts & TS_MSB);
			s->off = off + 8;
			continue;
		case 0:
			if (len < 4) {
				s->damaged++;
				s->in_page = 0;
				continue;
			}
			len = ((len - 4) + 3) & ~3u;
			off += 8;
			break;
		default:
			off += 4;
		}
		s->ts += delta;
		if ((uint64_t)off + len > s->commit) {
			s->damaged++;	/* a record past the commit: the rest of the page is noise */
			s->in_page = 0;
			continue;
		}
		s->off = off + len;
		rec->pos = s->page + s->hdr + start;
		if (rec->pos < s->skip_until)
			continue;
		s->skip_until = 0;
		rec->ts = to_ns(s->tf, s->ts);
		rec->data = s->pdata + off;
		rec->size = len;
		rec->missed = s->missed;
		s->missed = 0;
		return 1;
	}
}

int pt_cpu_stream_seek(struct pt_cpu_stream *s, uint64_t pos)
{
	s->page_limit = ~0ull;
	s->next_page = pos - pos % s->psize;
	s->in_page = 0;
	s->skip_until = pos;
	return 0;
}

uint64_t pt_cpu_stream_length(struct pt_cpu_stream *s)
{
	if (!s->compressed)
		return s->ulen;
	if (learn_chunks(s, ~0ull) || !s->nchunks)
		return 0;
	return s->chunks[s->nchunks - 1].ustart + s->chunks[s->nchunks - 1].usize;
}

int pt_cpu_stream_seek_last(struct pt_cpu_stream *s, unsigned n)
{
	uint64_t len = pt_cpu_stream_length(s);

	if ((uint64_t)(n + 1) * s->psize > len)
		return -1;
	s->next_page = len - (uint64_t)(n + 1) * s->psize;
	s->page_limit = s->next_page + s->psize;
	s->in_page = 0;
	s->skip_until = 0;
	return 0;
}

uint64_t pt_cpu_stream_damaged(const struct pt_cpu_stream *s)
{
	return s->damaged;
}

int pt_cpu_stream_broken(const struct pt_cpu_stream *s, uint64_t *where)
{
	if (where)
		*where = s->broken_at;
	return s->broken;
}
