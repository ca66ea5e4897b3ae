// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What pttrace ships (plugins, the lab guest) is found from where the
 * running binary is: build/... next to it in a source tree, ../lib/...
 * or ../share/... from bin/ once installed, under whatever PREFIX and
 * DESTDIR make install was given (the binary is not rebuilt for them).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pttrace.h"

char *pt_exe_relative(const char *rel, char *buf)
{
	char exe[PATH_MAX], path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	if (snprintf(path, sizeof(path), "%s/%s", exe, rel) >= (int)sizeof(path) ||
	    !realpath(path, buf) || access(buf, R_OK))
		return NULL;
	return buf;
}
