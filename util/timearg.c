// SPDX-License-Identifier: GPL-2.0-or-later
/* Times on the command line: relative to the crash, or the trace's clock. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pttrace.h"

int pt_parse_time_arg(const char *s, int64_t *ns, int *relative)
{
	static const struct { const char *name; double scale; } units[] = {
		{ "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 },
	};
	double v, scale = 1e9;
	int sign = *s == '-' || *s == '+', unit = 0;
	char *end;

	/* digits and a point only: strtod would take "inf", "0x10", " 1" too */
	if (!s[sign] || !strchr("0123456789.", s[sign]))
		return -1;
	const char *num_end = s + sign;

	for (; *num_end && strchr("0123456789.", *num_end); num_end++)
		if (*num_end == '.' && strchr(num_end + 1, '.'))
			return -1;
	v = strtod(s, &end);
	if (end != num_end || end == s + sign)	/* "0x10", "1e3", "." */
		return -1;
	if (*end) {
		for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].name)) {
				scale = units[i].scale;
				unit = 1;
			}
		if (!unit)
			return -1;
	}
	v *= scale;
	/* a trace clock in ns fits 64 bits; relative times as far as a trace goes */
	if (!(v > -9.2e18 && v < 9.2e18))	/* NaN too */
		return -1;
	*relative = sign || unit || v == 0;
	*ns = (int64_t)(v < 0 ? v - 0.5 : v + 0.5);
	return 0;
}
