// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An LD_PRELOAD for the fault tests: every write to a file whose path
 * contains $PTTRACE_TEST_EIO fails with EIO, as on a disk that has gone bad
 * (ENOSPC, the other failure, comes from a real full tmpfs).  Only the
 * write calls the recorder and libtracecmd use are covered.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int fails(int fd)
{
	const char *want = getenv("PTTRACE_TEST_EIO");
	char link[64], path[4096];
	ssize_t n;

	if (!want || !*want || fd < 3)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = 0;
	if (!strstr(path, want))
		return 0;
	errno = EIO;
	return 1;
}

#define NEXT(name) static __typeof__(name) *next; if (!next) next = dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
	NEXT(write);
	return fails(fd) ? -1 : next(fd, buf, n);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t at)
{
	NEXT(pwrite64);
	return fails(fd) ? -1 : next(fd, buf, n, at);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t at)
{
	NEXT(pwrite);
	return fails(fd) ? -1 : next(fd, buf, n, at);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	NEXT(writev);
	return fails(fd) ? -1 : next(fd, iov, cnt);
}
