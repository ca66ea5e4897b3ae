// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jsoncheck: says whether pttrace's output is what a reader of it can take.
 *
 *   jsoncheck FILE         FILE is one JSON document (pt_json_parse), valid
 *                          UTF-8 with no raw control character
 *   jsoncheck --text FILE  FILE is valid UTF-8 text with no control character
 *                          but newline and tab (no raw escape 0x1b)
 *
 * Exit 0 when it is, 1 with the reason on stdout when it is not, 2 on error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-json.h"

/* Offset of the first byte that is not valid UTF-8 or is a control character
 * not in ALLOWED, or -1. */
static long bad_byte(const unsigned char *s, size_t n, const char *allowed, const char **why)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		unsigned long cp;

		if (c < 0x80) {
			if ((c < 0x20 || c == 0x7f) && !(c && strchr(allowed, c))) {
				*why = c == 0x1b ? "raw escape (0x1b)" : "raw control character";
				return (long)i;
			}
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			goto bad;
		if (i + len > n)
			goto bad;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			goto bad;
		if (cp >= 0x80 && cp <= 0x9f) {	/* C1 controls, e.g. CSI */
			*why = "C1 control character";
			return (long)i;
		}
		i += len;
		continue;
bad:
		*why = "not UTF-8";
		return (long)i;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int text = argc == 3 && !strcmp(argv[1], "--text");
	const char *path = argv[argc - 1], *why = NULL;
	struct pt_json *json;
	struct pt_err err;
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	long at;
	FILE *f;

	if (argc != 2 + text) {
		fprintf(stderr, "usage: jsoncheck [--text] FILE\n");
		return 2;
	}
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 2;
	}
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				return 2;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[n] = 0;

	at = bad_byte((unsigned char *)buf, n, text ? "\n\t" : "\n\t\r ", &why);
	if (at >= 0) {
		printf("%s at byte %ld\n", why, at);
		return 1;
	}
	if (text)
		return 0;
	json = pt_json_parse(buf, n, &err);
	if (!json) {
		printf("invalid JSON: %s\n", err.msg);
		return 1;
	}
	if (json->type != PT_JSON_OBJECT) {
		printf("JSON is not an object\n");
		pt_json_free(json);
		return 1;
	}
	pt_json_free(json);
	free(buf);
	return 0;
}
