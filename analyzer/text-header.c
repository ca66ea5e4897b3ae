// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A record's header, in each layout that prints one:
 *   trace-cmd report    "[instance: ] comm-tid [cpu] ts: event: payload"
 *   trace-cmd report -l "comm-tid  1d..1.  ts: event: payload"
 *   ftrace              "comm-tid [cpu] d..2. ts: event: payload"
 *   perf script         "comm tid [cpu] ts: kvm:event: payload"
 * with "(tgid)" after the tid, perf's "pid/tid", and perf's sample period
 * before the event.  The header is found from the cpu column, the one
 * part that is the same in all of them.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "text-local.h"

/* "1234.567890:" at *P; ns in *TS */
static int timestamp(const char **p, uint64_t *ts, int *usec)
{
	const char *s = *p;
	uint64_t sec = 0, frac = 0;
	int fd = 0;

	if (!pt_text_digit(*s))
		return -1;
	while (pt_text_digit(*s))
		sec = sec * 10 + (*s++ - '0');
	if (*s == '.') {
		s++;
		while (pt_text_digit(*s)) {
			if (fd < 9) {
				frac = frac * 10 + (*s - '0');
				fd++;
			}
			s++;
		}
		if (!fd)
			return -1;
		*usec = fd == 6;
		while (fd++ < 9)
			frac *= 10;
		*ts = sec * 1000000000ull + frac;
	} else {
		*ts = sec;	/* a counter clock: taken as ns */
		*usec = 0;
	}
	if (*s != ':')
		return -1;
	*p = s + 1;
	return 0;
}

/* Back from END: "comm-tid", "comm tid", "comm pid/tid", "(tgid)"; 0 when found. */
static int comm_tid(const char *s, const char *end, struct pt_text_header *h)
{
	const char *p, *q;

	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end > s && end[-1] == ')') {
		const char *o = end - 1;

		while (o > s && *o != '(')
			o--;
		if (*o != '(')
			return -1;
		end = o;
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	q = end;
	while (q > s && pt_text_digit(q[-1]))
		q--;
	if (q == end)
		return -1;
	h->tid = (uint32_t)strtoul(q, NULL, 10);
	if (q > s && q[-1] == '/') {	/* perf's pid/tid */
		q--;
		while (q > s && pt_text_digit(q[-1]))
			q--;
		h->perf = 1;
	}
	if (q > s && q[-1] == '-') {
		end = q - 1;
	} else if (q == s || q[-1] == ' ' || q[-1] == '\t') {
		end = q;
		h->perf = 1;
	} else {
		return -1;
	}
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	/* trace-cmd's "instance: " before the comm of an instance's record */
	p = s;
	for (q = s; q + 1 < end; q++)
		if (q[0] == ':' && (q[1] == ' ' || q[1] == '\t'))
			p = q + 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	h->comm = p;
	h->comm_len = end - p;
	return 0;
}

/* The event name after the timestamp at P, and the payload. */
static int event_at(const char *p, struct pt_text_header *h)
{
	const char *q;

	while (*p == ' ' || *p == '\t')
		p++;
	/* perf may print the sample period before the event */
	q = p;
	while (pt_text_digit(*q))
		q++;
	if (q > p && (*q == ' ' || *q == '\t')) {
		while (*q == ' ' || *q == '\t')
			q++;
		p = q;
	}
	q = p;
	while (*q && !isspace((unsigned char)*q))
		q++;
	if (q - p < 2 || q[-1] != ':')
		return -1;
	h->event = p;
	h->event_len = q - 1 - p;
	h->perf = 0;
	if (h->event_len > 4 && !strncmp(p, "kvm:", 4)) {
		h->event += 4;
		h->event_len -= 4;
		h->perf = 1;
	}
	while (*q == ' ' || *q == '\t')
		q++;
	h->payload = q;

	return 0;
}

/* Parses S's header from the cpu column at BR ('['); 0 when it is one. */
static int header_at(const char *s, const char *br, struct pt_text_header *h)
{
	const char *p = br + 1, *q;
	uint64_t cpu = 0;
	int ndig = 0;

	while (pt_text_digit(*p) && ndig < 6)
		cpu = cpu * 10 + (*p++ - '0'), ndig++;
	if (!ndig || *p != ']')
		return -1;
	h->cpu = (int)cpu;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	h->flags_column = 0;
	if (timestamp(&p, &h->ts, &h->usec)) {
		/* a latency / flags column, "d..2." or "...." */
		q = p;
		while (*q && !isspace((unsigned char)*q))
			q++;
		if (q == p || q - p > 8)
			return -1;
		while (*q == ' ' || *q == '\t')
			q++;
		p = q;
		if (timestamp(&p, &h->ts, &h->usec))
			return -1;
		h->flags_column = 1;
	}
	if (event_at(p, h))
		return -1;

	return comm_tid(s, br, h);
}

/*
 * trace-cmd report -l: "comm-tid  1d..1.  ts: event:", the cpu and the
 * latency flags in one column, no brackets.
 */
static int header_latency(const char *s, struct pt_text_header *h)
{
	for (const char *p = s; *p; p++) {
		const char *col, *q = p, *e;
		uint64_t cpu = 0;

		if (!pt_text_digit(*p) || p == s || !isspace((unsigned char)p[-1]) ||
		    timestamp(&q, &h->ts, &h->usec))
			continue;
		/* the column before: cpu digits, then flags */
		e = p;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		col = e;
		while (col > s && !isspace((unsigned char)col[-1]))
			col--;
		if (col == e || !pt_text_digit(*col))
			continue;
		for (q = col; pt_text_digit(*q); q++)
			cpu = cpu * 10 + (*q - '0');
		if (q == e || cpu > 99999)
			continue;
		h->cpu = (int)cpu;
		h->flags_column = 1;
		q = p;
		timestamp(&q, &h->ts, &h->usec);
		if (event_at(q, h) || comm_tid(s, col, h) || h->perf)
			continue;
		return 0;
	}
	return -1;
}

/* The header of the record in S, trying each "[digits]" in turn. */
int pt_text_parse_header(const char *s, struct pt_text_header *h)
{
	for (const char *br = strchr(s, '['); br; br = strchr(br + 1, '['))
		if (!header_at(s, br, h))
			return 0;
	return header_latency(s, h);
}

const char *pt_text_cpu_column(const char *s)
{
	for (const char *br = strchr(s, '['); br; br = strchr(br + 1, '[')) {
		const char *p = br + 1;

		while (pt_text_digit(*p))
			p++;
		if (p > br + 1 && *p == ']')
			return br;
	}
	return NULL;
}

/* A line cut before the cpu column is taken as a continuation. */
int pt_text_starts_record(const char *s)
{
	for (const char *br = pt_text_cpu_column(s); br; br = pt_text_cpu_column(br + 1)) {
		const char *q = br;

		while (q > s && (q[-1] == ' ' || q[-1] == '\t'))
			q--;
		if (q > s && pt_text_digit(q[-1]))
			return 1;
	}
	return 0;
}
