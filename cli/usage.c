// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the commands' usage texts: see usage.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "usage.h"

#define SYNOPSIS_COLUMN 7	/* strlen("usage: "): the synopsis is aligned after it */

static size_t line_len(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

static size_t spaces(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == ' ')
		i++;
	return i;
}

/* Where the two spaces that end a term start in S, LEN when there are none. */
static size_t term_end(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == ' ' && s[i + 1] == ' ')
			return i;
	return len;
}

void pt_usage_iter_init(struct pt_usage_iter *it, const char *usage)
{
	memset(it, 0, sizeof(*it));
	it->pos = usage;
	it->in_synopsis = 1;
}

/*
 * Whether the line at S, unindented and first of its paragraph, is a term
 * whose body is below it ("list" over "    Shows the scenarios"), not a
 * heading over a list ("Options:" over "    --json   the report").
 */
static int heads_a_body(const char *next)
{
	size_t len = line_len(next), ind = spaces(next, len);

	return ind > 0 && ind < len && next[ind] != '-' &&
	       term_end(next + ind, len - ind) == len - ind;
}

int pt_usage_next(struct pt_usage_iter *it, struct pt_usage_line *l)
{
	const char *s = it->pos;
	size_t len, ind, end;

	if (!s || !*s)
		return 0;
	len = line_len(s);
	it->pos = s + len + (s[len] == '\n');
	memset(l, 0, sizeof(*l));
	if (it->in_synopsis && len) {
		/* aligned after "usage: ": drop those columns from every line */
		size_t cut = spaces(s, len) >= SYNOPSIS_COLUMN ? SYNOPSIS_COLUMN : 0;

		if (!strncmp(s, "usage: ", SYNOPSIS_COLUMN))
			cut = SYNOPSIS_COLUMN;
		s += cut;
		len -= cut;
	}
	ind = spaces(s, len);
	l->indent = ind;
	l->text = s + ind;
	l->len = len - ind;
	if (!l->len) {
		l->kind = PT_USAGE_BLANK;
		it->in_synopsis = it->para_lines = it->in_term = 0;
		return 1;
	}
	if (it->in_synopsis) {
		l->kind = PT_USAGE_SYNOPSIS;
		return 1;
	}
	it->para_lines++;
	if (it->in_term && (it->body_col ? ind >= it->body_col : ind > it->term_indent + 2)) {
		l->kind = PT_USAGE_BODY;
		return 1;
	}
	it->in_term = 0;
	if (!ind && !(it->para_lines == 1 && heads_a_body(it->pos))) {
		l->kind = PT_USAGE_TEXT;
		return 1;
	}
	l->kind = PT_USAGE_TERM;
	end = term_end(l->text, l->len);
	l->term_len = end;
	it->in_term = 1;
	it->term_indent = ind;
	it->body_col = 0;
	if (end < l->len) {
		size_t b = end + spaces(l->text + end, l->len - end);

		l->body = l->text + b;
		l->body_len = l->len - b;
		it->body_col = ind + b;
	}
	return 1;
}

/* What --list-opts has printed, so that each option comes once. */
struct seen {
	FILE *f;
	char keys[128][48];
	unsigned n;
};

/* Prints "WORD", "WORD <PH>" or "<PH>" once; an option is keyed by its name alone. */
static void put(struct seen *o, const char *word, size_t wlen, const char *ph, size_t plen,
		int option)
{
	char item[48];
	int n;

	if (wlen && plen)
		n = snprintf(item, sizeof(item), "%.*s <%.*s>", (int)wlen, word, (int)plen, ph);
	else if (wlen)
		n = snprintf(item, sizeof(item), "%.*s", (int)wlen, word);
	else
		n = snprintf(item, sizeof(item), "<%.*s>", (int)plen, ph);
	if (n <= 0 || n >= (int)sizeof(item))
		return;
	if (option)
		item[wlen] = 0;		/* the key */
	for (unsigned i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], item))
			return;
	if (o->n < sizeof(o->keys) / sizeof(o->keys[0]))
		strcpy(o->keys[o->n++], item);
	if (option && plen)
		item[wlen] = ' ';
	fprintf(o->f, "%s\n", item);
}

static int is_option(const char *s, size_t n)
{
	return n >= 2 && s[0] == '-' &&
	       (isalpha((unsigned char)s[1]) || (n >= 3 && s[1] == '-' && isalpha((unsigned char)s[2])));
}

/* The length of the option name or word at S: letters, digits, - and _. */
static size_t word_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
		i++;
	return i;
}

/* The first <placeholder> in S, without its brackets; 0 when there is none. */
static int placeholder(const char *s, size_t n, const char **ph, size_t *plen)
{
	const char *lt = memchr(s, '<', n), *gt;

	if (!lt)
		return 0;
	gt = memchr(lt, '>', n - (size_t)(lt - s));
	if (!gt)
		return 0;
	*ph = lt + 1;
	*plen = (size_t)(gt - lt - 1);
	return 1;
}

/* One synopsis form being read: an option waiting for its argument, a subcommand for its. */
struct form {
	int on, first;
	const char *opt, *sub;
	size_t optlen, sublen;
};

static void form_flush(struct seen *o, struct form *fm)
{
	if (fm->opt)
		put(o, fm->opt, fm->optlen, NULL, 0, 1);
	if (fm->sub)
		put(o, fm->sub, fm->sublen, NULL, 0, 0);
	fm->opt = fm->sub = NULL;
}

static void form_token(struct seen *o, struct form *fm, const char *s, size_t n)
{
	const char *ph;
	size_t plen;

	while (n && (*s == '[' || *s == '(')) {
		s++;
		n--;
	}
	if (is_option(s, n)) {
		form_flush(o, fm);
		fm->opt = s;
		fm->optlen = word_len(s, n);
	} else if (n && *s == '<' && placeholder(s, n, &ph, &plen)) {
		if (fm->opt)
			put(o, fm->opt, fm->optlen, ph, plen, 1);
		else if (fm->sub)
			put(o, fm->sub, fm->sublen, ph, plen, 0);
		else
			put(o, NULL, 0, ph, plen, 0);
		fm->opt = fm->sub = NULL;
	} else if (fm->first && n && isalpha((unsigned char)*s)) {
		fm->sub = s;
		fm->sublen = word_len(s, n);
	} else {
		form_flush(o, fm);	/* "|" and the like end an option's arguments */
	}
	fm->first = 0;
}

/* Calls form_token on each space-separated token of S. */
static void form_tokens(struct seen *o, struct form *fm, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start;

		while (i < n && s[i] == ' ')
			i++;
		start = i;
		while (i < n && s[i] != ' ')
			i++;
		if (i > start)
			form_token(o, fm, s + start, i - start);
	}
}

/* A synopsis line: a form "pttrace WORD ..." starts, or the current one goes on. */
static void synopsis_line(struct seen *o, struct form *fm, const struct pt_usage_line *l,
			  const char *name)
{
	const char *s = l->text, *w;
	size_t n = l->len, wlen;

	if (n < 7 || strncmp(s, "pttrace", 7) || (n > 7 && s[7] != ' ')) {
		if (fm->on)
			form_tokens(o, fm, s, n);
		return;
	}
	form_flush(o, fm);
	w = s + 7 + spaces(s + 7, n - 7);
	n -= (size_t)(w - s);
	wlen = 0;
	while (wlen < n && w[wlen] != ' ')
		wlen++;
	if (name)	/* "pttrace NAME ...": its arguments follow NAME */
		fm->on = wlen == strlen(name) && !strncmp(w, name, wlen);
	else		/* pttrace's own: "pttrace [--opt] ... <command>" */
		fm->on = wlen && strchr("[-<", *w);
	fm->first = 1;
	if (!fm->on)
		return;
	if (name) {
		w += wlen;
		n -= wlen;
	}
	form_tokens(o, fm, w, n);
}

/* An option's term: "-n, --name <vm>" gives -n <vm> and --name <vm>. */
static void option_term(struct seen *o, const char *s, size_t n)
{
	const char *ph = NULL;
	size_t plen = 0, i = 0;

	placeholder(s, n, &ph, &plen);
	while (i < n) {
		size_t len;

		while (i < n && (s[i] == ' ' || s[i] == ','))
			i++;
		len = is_option(s + i, n - i) ? word_len(s + i, n - i) : 0;
		if (len)
			put(o, s + i, len, ph, plen, 1);
		while (i < n && s[i] != ' ')
			i++;
	}
}

void pt_usage_list_opts(FILE *f, const char *usage, const char *name)
{
	struct seen o;
	struct form fm = { 0 };
	struct pt_usage_iter it;
	struct pt_usage_line l;

	memset(&o, 0, sizeof(o));
	o.f = f;
	pt_usage_iter_init(&it, usage);
	while (pt_usage_next(&it, &l)) {
		if (l.kind == PT_USAGE_SYNOPSIS) {
			synopsis_line(&o, &fm, &l, name);
			continue;
		}
		form_flush(&o, &fm);
		fm.on = 0;
		if (l.kind == PT_USAGE_TERM && is_option(l.text, l.term_len))
			option_term(&o, l.text, l.term_len);
	}
	form_flush(&o, &fm);
	put(&o, "--help", 6, NULL, 0, 1);
}
