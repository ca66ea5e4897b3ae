// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names that come from a trace file (buffer names, command lines, the
 * metadata's strings) are whatever bytes the file holds: a damaged or
 * hostile file must not put terminal escapes on the user's screen or
 * invalid UTF-8 in the JSON report.
 */
#include <stddef.h>

#include "pttrace.h"

/* Length of the valid UTF-8 sequence at S, 0 when there is none. */
size_t pt_utf8_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong forms and surrogates are not characters */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

void pt_make_printable(char *str)
{
	unsigned char *s = (unsigned char *)str;

	while (*s) {
		size_t n = pt_utf8_len(s);

		if (!n || (n == 1 && (*s < 0x20 || *s == 0x7f))) {
			*s++ = '?';
			continue;
		}
		s += n;
	}
}
