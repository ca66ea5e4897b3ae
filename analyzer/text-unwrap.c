// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records a mail client wrapped, joined again.  A client may have broken
 * a line inside a word, or at a space it then dropped: each way of
 * joining the pieces is tried, directly first, and the first that makes
 * a kvm record wins; pieces that fit no record (a greeting before, a
 * signature after) are left out.
 */
#include <ctype.h>
#include <string.h>

#include "text-local.h"

/* The text of the pieces FROM..TO, joined directly or with a space where MASK says. */
static const char *join(struct pt_text_pieces *p, int from, int to, unsigned mask)
{
	size_t n = 0, max = sizeof(p->join);

	for (int i = from; i <= to; i++) {
		size_t l = strlen(p->piece[i]);

		if (i > from && (mask >> (i - from - 1) & 1) && n < max - 1)
			p->join[n++] = ' ';
		if (l > max - 1 - n)
			l = max - 1 - n;
		memcpy(p->join + n, p->piece[i], l);
		n += l;
	}
	p->join[n] = '\0';
	return p->join;
}

/* Whether a space at the boundary after piece I changes nothing (one is there). */
static int spaced(const struct pt_text_pieces *p, int i)
{
	size_t l = strlen(p->piece[i]);

	return (l && isspace((unsigned char)p->piece[i][l - 1])) ||
	       isspace((unsigned char)p->piece[i + 1][0]);
}

static enum pt_text_result parse(const char *s, struct pt_text_record *rec)
{
	if (pt_text_parse_header(s, &rec->h))
		return R_NONE;
	return pt_text_decode(&rec->h, &rec->ev, &rec->vcpu);
}

int pt_text_unwrap(struct pt_text_pieces *p, struct pt_text_record *rec)
{
	int n = p->n, used = 0, bad = 0;

	if (!n)
		return 0;
	for (int from = 0; from < n && !used; from++) {
		for (int to = n - 1; to >= from && !used; to--) {
			unsigned combos = 1u << (to - from);
			int other = -1;	/* a join that made a non-kvm record */
			unsigned best = 0;

			for (unsigned mask = 0; mask < combos; mask++) {
				enum pt_text_result res;
				int skip = 0;

				for (int i = from; i < to; i++)
					if ((mask >> (i - from) & 1) && spaced(p, i))
						skip = 1;
				if (skip)
					continue;
				res = parse(join(p, from, to, mask), rec);
				if (res == R_BAD)
					bad = 1;
				if (res == R_BAD || res == R_NONE)
					continue;
				/*
				 * "kvm_emulate_insn:" + "0:10003e:" is an event
				 * no one knows: a space may make a kvm record
				 */
				if (res == R_OTHER) {
					if (other < 0)
						other = (int)mask;
					continue;
				}
				best = mask;
				used = to + 1;
				break;
			}
			if (!used && other >= 0) {
				best = (unsigned)other;
				used = to + 1;
			}
			if (used) {
				rec->joined = to > from;
				rec->res = parse(join(p, from, to, best), rec);
			}
		}
	}
	if (!used) {
		p->n = 0;
		if (!bad)
			return 0;
		/* a kvm record nothing fixes: count it once, with its header */
		rec->joined = 0;
		rec->res = parse(join(p, 0, n - 1, 0), rec) != R_NONE ? R_BAD : R_NONE;
		return 1;
	}
	/* the pieces after the record may be the next one */
	memmove(p->piece[0], p->piece[used], sizeof(p->piece[0]) * (n - used));
	p->n = n - used;
	return 1;
}
