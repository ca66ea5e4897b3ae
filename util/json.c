// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-json.h"
#include "pttrace.h"

/* Nesting deeper than this is refused rather than risking the stack. */
#define JSON_MAX_DEPTH 64

struct parser {
	const char *start, *p, *end;
	struct pt_err *err;
	int depth;
};

static int fail(struct parser *ps, const char *what)
{
	return pt_err_set(ps->err, "invalid JSON at byte %ld: %s",
			  (long)(ps->p - ps->start), what);
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* Parses a string literal at ps->p into a new NUL-terminated buffer. */
static char *parse_string(struct parser *ps)
{
	const char *s = ++ps->p;
	char *out, *o;

	/* the decoded text is never longer than the literal */
	while (ps->p < ps->end && *ps->p != '"')
		ps->p += (*ps->p == '\\' && ps->p + 1 < ps->end) ? 2 : 1;
	if (ps->p >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	out = o = malloc(ps->p - s + 1);
	if (!out) {
		fail(ps, "out of memory");
		return NULL;
	}
	while (s < ps->p) {
		unsigned cp, lo;

		if ((unsigned char)*s < 0x20)
			goto bad;
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (ps->p - s < 4 || hex4(s, &cp))
				goto bad;
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && ps->p - s >= 6 &&
			    s[0] == '\\' && s[1] == 'u' && !hex4(s + 2, &lo) &&
			    lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			}
			o += put_utf8(o, cp);
			break;
		default:
			goto bad;
		}
	}
	*o = 0;
	ps->p++;
	return out;
bad:
	free(out);
	fail(ps, "bad string");
	return NULL;
}

static struct pt_json *parse_value(struct parser *ps);

static struct pt_json *node(struct parser *ps, enum pt_json_type type)
{
	struct pt_json *j = calloc(1, sizeof(*j));

	if (!j)
		fail(ps, "out of memory");
	else
		j->type = type;
	return j;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return 0;
	ps->p += n;
	return 1;
}

static struct pt_json *parse_number(struct parser *ps)
{
	char buf[64];
	const char *s = ps->p;
	struct pt_json *j;
	char *endp;
	size_t n;

	while (ps->p < ps->end && strchr("+-0123456789.eE", *ps->p))
		ps->p++;
	n = ps->p - s;
	if (!n || n >= sizeof(buf)) {
		fail(ps, "bad number");
		return NULL;
	}
	memcpy(buf, s, n);
	buf[n] = 0;
	j = node(ps, PT_JSON_NUMBER);
	if (!j)
		return NULL;
	j->num = strtod(buf, &endp);
	if (*endp) {
		free(j);
		fail(ps, "bad number");
		return NULL;
	}
	if (strspn(buf, "0123456789") == n) {
		errno = 0;
		j->u64 = strtoull(buf, &endp, 10);
		j->is_u64 = !errno;
	}
	return j;
}

/* Parses the elements of an array or the members of an object. */
static struct pt_json *parse_container(struct parser *ps, int object)
{
	struct pt_json *j = node(ps, object ? PT_JSON_OBJECT : PT_JSON_ARRAY);
	struct pt_json **tail;
	char close = object ? '}' : ']';

	if (!j)
		return NULL;
	if (++ps->depth > JSON_MAX_DEPTH) {
		fail(ps, "nested too deeply");
		goto err;
	}
	tail = &j->child;
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return j;
	}
	for (;;) {
		char *key = NULL;
		struct pt_json *v;

		skip_space(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a member name");
				goto err;
			}
			key = parse_string(ps);
			if (!key)
				goto err;
			skip_space(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				goto err;
			}
			ps->p++;
		}
		v = parse_value(ps);
		if (!v) {
			free(key);
			goto err;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return j;
		}
		fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto err;
	}
err:
	pt_json_free(j);
	return NULL;
}

static struct pt_json *parse_value(struct parser *ps)
{
	struct pt_json *j;

	skip_space(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		return parse_container(ps, 1);
	case '[':
		return parse_container(ps, 0);
	case '"': {
		char *s = parse_string(ps);

		if (!s)
			return NULL;
		j = node(ps, PT_JSON_STRING);
		if (!j) {
			free(s);
			return NULL;
		}
		j->str = s;
		return j;
	}
	default:
		if (literal(ps, "null"))
			return node(ps, PT_JSON_NULL);
		if (literal(ps, "true"))
			return node(ps, PT_JSON_TRUE);
		if (literal(ps, "false"))
			return node(ps, PT_JSON_FALSE);
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps);
		fail(ps, "unexpected character");
		return NULL;
	}
}

struct pt_json *pt_json_parse(const char *text, size_t len, struct pt_err *err)
{
	struct parser ps = { text, text, text + len, err, 0 };
	struct pt_json *j = parse_value(&ps);

	if (!j)
		return NULL;
	skip_space(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "trailing characters");
		pt_json_free(j);
		return NULL;
	}
	return j;
}

void pt_json_free(struct pt_json *json)
{
	while (json) {
		struct pt_json *next = json->next;

		pt_json_free(json->child);
		free(json->key);
		free(json->str);
		free(json);
		json = next;
	}
}

const struct pt_json *pt_json_get(const struct pt_json *obj, const char *key)
{
	if (!obj || obj->type != PT_JSON_OBJECT)
		return NULL;
	for (const struct pt_json *m = obj->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}

const char *pt_json_get_str(const struct pt_json *obj, const char *key)
{
	const struct pt_json *m = pt_json_get(obj, key);

	return m && m->type == PT_JSON_STRING ? m->str : NULL;
}

int pt_json_get_u64(const struct pt_json *obj, const char *key, uint64_t *out)
{
	const struct pt_json *m = pt_json_get(obj, key);

	if (!m || m->type != PT_JSON_NUMBER || !m->is_u64)
		return -1;
	*out = m->u64;
	return 0;
}

void pt_json_put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else if (c < 0x80)
			fputc(c, f);
		else {
			size_t n = pt_utf8_len((const unsigned char *)s);

			/* a byte that is not UTF-8 is shown as the Latin-1 character it would be */
			if (!n) {
				fprintf(f, "\\u%04x", c);
				continue;
			}
			fwrite(s, 1, n, f);
			s += n - 1;
		}
	}
	fputc('"', f);
}

void pt_json_put(FILE *f, const struct pt_json *j)
{
	static const char *const words[] = { "null", "false", "true" };

	if (!j) {
		fputs("null", f);
		return;
	}
	switch (j->type) {
	case PT_JSON_NULL:
	case PT_JSON_FALSE:
	case PT_JSON_TRUE:
		fputs(words[j->type], f);
		break;
	case PT_JSON_NUMBER:
		/* the range first: casting a larger double is undefined */
		if (j->is_u64)
			fprintf(f, "%llu", (unsigned long long)j->u64);
		else if (j->num > -9e15 && j->num < 9e15 && j->num == (double)(long long)j->num)
			fprintf(f, "%lld", (long long)j->num);
		else if (j->num == j->num && j->num - j->num == 0)
			fprintf(f, "%.17g", j->num);
		else
			fputs("null", f);	/* JSON has no infinity or NaN */
		break;
	case PT_JSON_STRING:
		pt_json_put_str(f, j->str);
		break;
	case PT_JSON_ARRAY:
	case PT_JSON_OBJECT:
		fputc(j->type == PT_JSON_ARRAY ? '[' : '{', f);
		for (const struct pt_json *c = j->child; c; c = c->next) {
			if (c != j->child)
				fputs(", ", f);
			if (j->type == PT_JSON_OBJECT) {
				pt_json_put_str(f, c->key ? c->key : "");
				fputs(": ", f);
			}
			pt_json_put(f, c);
		}
		fputc(j->type == PT_JSON_ARRAY ? ']' : '}', f);
		break;
	}
}
