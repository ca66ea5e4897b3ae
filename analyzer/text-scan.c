// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The numbers and words of trace text.  Text pasted into a bug report
 * runs on into prose ("val 0x1Thanks"), so a number or a word counts only
 * when a space or a delimiter ends it.
 */
#include <ctype.h>
#include <string.h>

#include "text-local.h"

int pt_text_is_end(char c)
{
	return c == '\0' || isspace((unsigned char)c) || c == ')' || c == ',' || c == ':' ||
	       c == ']' || c == '|';
}

int pt_text_num(const char **p, int hex, uint64_t *out)
{
	const char *s = *p;
	int neg = 0, digits = 0;
	uint64_t v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		hex = 1;
		s += 2;
	}
	for (;; s++, digits++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (hex && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (hex && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		v = v * (hex ? 16 : 10) + d;
	}
	if (!digits || !pt_text_is_end(*s))
		return -1;
	*out = neg ? -v : v;
	*p = s;
	return 0;
}

int pt_text_word(const char **p, const char *w)
{
	const char *s = *p;
	size_t n = strlen(w);

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, w, n) || !pt_text_is_end(s[n]))
		return -1;
	*p = s + n;
	return 0;
}

int pt_text_key(const char **p, const char *w, int hex, uint64_t *out)
{
	const char *s = *p;

	if (pt_text_word(&s, w) || pt_text_num(&s, hex, out))
		return -1;
	*p = s;
	return 0;
}
