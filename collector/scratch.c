// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "scratch.h"

#define SCRATCH_PREFIX ".pttrace-record."

static const char *const phase_names[] = { "armed", "writing", "kept" };

/*
 * Root reads paths from the registry and removes what they name, so it is
 * used only when nobody else could have written it.
 */
static int registry_fd(int create, struct pt_err *err)
{
	struct stat st;
	int fd;

	if (create && mkdir(PT_SCRATCH_REGISTRY, 0700) && errno != EEXIST)
		return pt_err_errno(err, errno, "cannot create '%s'", PT_SCRATCH_REGISTRY);
	fd = open(PT_SCRATCH_REGISTRY, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && !create ? -2 :
		       pt_err_errno(err, errno, "cannot open '%s'", PT_SCRATCH_REGISTRY);
	if (fstat(fd, &st) || st.st_uid != 0 || (st.st_mode & 077)) {
		close(fd);
		return pt_err_set(err, "'%s' is not a directory only root can write (mode 0700, "
				  "owner root): not used", PT_SCRATCH_REGISTRY);
	}
	return fd;
}

static void entry_name(pid_t pid, char *buf, size_t size)
{
	snprintf(buf, size, "record.%d", (int)pid);
}

static int directory_of(const char *output, char *dir, size_t size)
{
	const char *slash = strrchr(output, '/');

	if (!slash)
		return snprintf(dir, size, ".") < 0;
	if (slash == output)
		return snprintf(dir, size, "/") < 0;
	return snprintf(dir, size, "%.*s", (int)(slash - output), output) < 0;
}

int pt_scratch_create(struct pt_scratch *s, const char *tmpdir, const char *output,
		      unsigned long long need, struct pt_err *err)
{
	char parent[PATH_MAX], real[PATH_MAX], path[PATH_MAX], entry[32];
	struct statvfs vfs;
	int reg, fd;

	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	if (!tmpdir || !*tmpdir)
		tmpdir = getenv("TMPDIR");
	if (tmpdir && *tmpdir)
		snprintf(parent, sizeof(parent), "%s", tmpdir);
	else
		directory_of(output, parent, sizeof(parent));
	if (!realpath(parent, real))
		return pt_err_errno(err, errno, "cannot use '%s' for scratch files", parent);
	if (statvfs(real, &vfs))
		return pt_err_errno(err, errno, "cannot use '%s' for scratch files", real);
	if ((unsigned long long)vfs.f_bavail * vfs.f_frsize < need)
		return pt_err_set(err, "not enough space in '%s' for the capture: %.1f MB free, the "
				  "ring buffers need %.1f MB (--tmpdir elsewhere, or a smaller -b)", real,
				  (double)vfs.f_bavail * vfs.f_frsize / 1e6, need / 1e6);
	if (snprintf(s->dir, sizeof(s->dir), "%s/" SCRATCH_PREFIX "%d.XXXXXX",
		     strcmp(real, "/") ? real : "", (int)getpid()) >= (int)sizeof(s->dir)) {
		s->dir[0] = 0;
		return pt_err_set(err, "cannot use '%s' for scratch files: the path is too long", real);
	}
	if (!mkdtemp(s->dir)) {
		int e = errno;

		snprintf(path, sizeof(path), "%s", s->dir);
		s->dir[0] = 0;
		return pt_err_errno(err, e, "cannot create '%s'", path);
	}
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dirfd < 0) {
		pt_err_errno(err, errno, "cannot open '%s'", s->dir);
		rmdir(s->dir);
		s->dir[0] = 0;
		return -1;
	}
	s->pid = getpid();
	/* absolute: --recover and the watchdog may run in another directory */
	if (output[0] == '/' || !getcwd(path, sizeof(path)))
		path[0] = 0;
	if (snprintf(s->output, sizeof(s->output), "%s%s%s", path, path[0] ? "/" : "", output) >=
	    (int)sizeof(s->output)) {
		pt_err_set(err, "cannot write '%s': the path is too long", output);
		goto fail;
	}
	if (pt_scratch_save(s, err))
		goto fail;
	reg = registry_fd(1, err);
	if (reg < 0)
		goto fail;
	entry_name(s->pid, entry, sizeof(entry));
	fd = openat(reg, entry, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || dprintf(fd, "%s\n", s->dir) < 0 || close(fd)) {
		pt_err_errno(err, errno, "cannot write '%s/%s'", PT_SCRATCH_REGISTRY, entry);
		close(reg);
		goto fail;
	}
	close(reg);
	return 0;
fail:
	pt_scratch_remove(s);
	return -1;
}

/*
 * On a full disk the new file cannot be made: the state is then written
 * over the old one in place (a few hundred bytes, within the block it has),
 * since "kept" must be said most of all when the disk is full.
 */
static int overwrite(const struct pt_scratch *s, const char *name, const char *text)
{
	size_t len = strlen(text);
	int fd = openat(s->dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = pwrite(fd, text, len, 0) == (ssize_t)len && !ftruncate(fd, len) && !fsync(fd) ? 0 : -1;
	close(fd);
	return rc;
}

int pt_scratch_save(const struct pt_scratch *s, struct pt_err *err)
{
	char text[3 * PATH_MAX + 512];

	snprintf(text, sizeof(text),
		 "pttrace-record 1\npid %d\nwatchdog %d\nphase %s\ncpus %d\nstream %d\n"
		 "instance %s\nhost %s\noutput %s\npartial %llu %llu %s\n", (int)s->pid,
		 (int)s->watchdog, phase_names[s->phase], s->cpus, s->stream, s->instance, s->host,
		 s->output, (unsigned long long)s->partial_dev, (unsigned long long)s->partial_ino,
		 s->partial);
	if (pt_scratch_put(s, "state", text) &&
	    ((errno != ENOSPC && errno != EDQUOT) || overwrite(s, "state", text)))
		return pt_err_errno(err, errno, "cannot write '%s/state'", s->dir);
	return 0;
}

static int parse_state(struct pt_scratch *s, char *text)
{
	int version = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *sp = strchr(line, ' ');
		const char *v = sp ? sp + 1 : "";

		if (sp)
			*sp = 0;
		if (!strcmp(line, "pttrace-record"))
			version = atoi(v);
		else if (!strcmp(line, "pid"))
			s->pid = atoi(v);
		else if (!strcmp(line, "watchdog"))
			s->watchdog = atoi(v);
		else if (!strcmp(line, "cpus"))
			s->cpus = atoi(v);
		else if (!strcmp(line, "stream"))
			s->stream = atoi(v);
		else if (!strcmp(line, "instance"))
			snprintf(s->instance, sizeof(s->instance), "%s", v);
		else if (!strcmp(line, "host"))
			snprintf(s->host, sizeof(s->host), "%s", v);
		else if (!strcmp(line, "output"))
			snprintf(s->output, sizeof(s->output), "%s", v);
		else if (!strcmp(line, "partial")) {
			unsigned long long dev, ino;
			int n = 0;

			if (sscanf(v, "%llu %llu %n", &dev, &ino, &n) == 2 && n && v[n] == '/') {
				s->partial_dev = dev;
				s->partial_ino = ino;
				snprintf(s->partial, sizeof(s->partial), "%s", v + n);
			}
		}
		else if (!strcmp(line, "phase"))
			for (size_t i = 0; i < sizeof(phase_names) / sizeof(phase_names[0]); i++)
				if (!strcmp(v, phase_names[i]))
					s->phase = i;
	}
	return version == 1 && s->pid > 0 && s->cpus > 0 && s->cpus <= PT_SCRATCH_CPUS &&
	       s->output[0] ? 0 : -1;
}

int pt_scratch_open(struct pt_scratch *s, const char *dir, struct pt_err *err)
{
	struct stat st;
	char *text;

	memset(s, 0, sizeof(*s));
	s->dirfd = -1;
	if (!realpath(dir, s->dir))
		return pt_err_errno(err, errno, "cannot open '%s'", dir);
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dirfd < 0)
		return pt_err_errno(err, errno, "cannot open '%s'", dir);
	/* only what a root recorder made: its files are read, its instances removed */
	if (fstat(s->dirfd, &st) || st.st_uid != 0 || (st.st_mode & 077) ||
	    !(text = pt_scratch_get(s, "state"))) {
		pt_scratch_close(s);
		return pt_err_set(err, "'%s' is not a pttrace record scratch directory (no state "
				  "file in a root-owned directory of mode 0700)", dir);
	}
	if (parse_state(s, text)) {
		free(text);
		pt_scratch_close(s);
		return pt_err_set(err, "'%s/state' is not a state file this pttrace reads", dir);
	}
	free(text);
	return 0;
}

int pt_scratch_reload(struct pt_scratch *s)
{
	char *text = pt_scratch_get(s, "state");
	int rc = text ? parse_state(s, text) : -1;

	free(text);
	return rc;
}

void pt_scratch_close(struct pt_scratch *s)
{
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
}

/* The files a recorder puts in its scratch: nothing else is removed. */
static int ours(const char *name)
{
	static const char *const fixed[] = { "state", "meta.json", "kallsyms", NULL };
	int n = 0;

	for (const char *const *f = fixed; *f; f++)
		if (!strcmp(name, *f))
			return 1;
	if (!strncmp(name, ".new.", 5))
		return 1;
	return (sscanf(name, "vm.cpu%*u%n", &n) == 0 && n && !name[n]) ||
	       (sscanf(name, "host.cpu%*u%n", &n) == 0 && n && !name[n]);
}

void pt_scratch_remove(struct pt_scratch *s)
{
	char entry[32];
	int reg;

	if (s->dirfd >= 0) {
		int fd = dup(s->dirfd);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (ours(de->d_name))
				unlinkat(s->dirfd, de->d_name, 0);
		if (d)
			closedir(d);
		else if (fd >= 0)
			close(fd);
	}
	/* by name: a symlink planted in its place is not a directory, and stays */
	if (s->dir[0])
		rmdir(s->dir);
	reg = s->pid > 0 ? registry_fd(0, NULL) : -1;
	if (reg >= 0) {
		entry_name(s->pid, entry, sizeof(entry));
		unlinkat(reg, entry, 0);
		close(reg);
	}
	pt_scratch_close(s);
	s->dir[0] = 0;
}

void pt_scratch_remove_partial(struct pt_scratch *s)
{
	struct stat st;

	if (s->partial[0] && !lstat(s->partial, &st) && S_ISREG(st.st_mode) &&
	    st.st_dev == s->partial_dev && st.st_ino == s->partial_ino)
		unlink(s->partial);
	s->partial[0] = 0;
}

void pt_scratch_path(const struct pt_scratch *s, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d/%s", s->dirfd, name);
}

int pt_scratch_put(const struct pt_scratch *s, const char *name, const char *text)
{
	char tmp[64];
	size_t len = strlen(text);
	int fd, e;

	snprintf(tmp, sizeof(tmp), ".new.%s", name);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len || fsync(fd)) {
		e = errno ? errno : ENOSPC;
		close(fd);
		unlinkat(s->dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	close(fd);
	if (renameat(s->dirfd, tmp, s->dirfd, name)) {
		e = errno;
		unlinkat(s->dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	return 0;
}

char *pt_scratch_get(const struct pt_scratch *s, const char *name)
{
	int fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *text = NULL;

	if (fd < 0)
		return NULL;
	/* a state or metadata file is a few KB; refuse what is not one */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size < (1 << 24) &&
	    (text = malloc(st.st_size + 1))) {
		ssize_t n = read(fd, text, st.st_size);

		if (n < 0)
			n = 0;
		text[n] = 0;
	}
	close(fd);
	return text;
}

int pt_scratch_pttrace_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = 0;
	fclose(f);
	return !strncmp(comm, "pttrace", 7);
}

int pt_scratch_each(void (*fn)(struct pt_scratch *s, void *ctx), void *ctx)
{
	int reg = registry_fd(0, NULL), n = 0;
	DIR *d;
	struct dirent *de;

	if (reg < 0)
		return 0;
	d = fdopendir(reg);
	if (!d) {
		close(reg);
		return 0;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX] = "";
		struct pt_scratch s = { .dirfd = -1 };
		int pid, fd;
		ssize_t len;

		if (sscanf(de->d_name, "record.%d", &pid) != 1)
			continue;
		fd = openat(reg, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		len = fd >= 0 ? read(fd, path, sizeof(path) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (len > 0 && path[len - 1] == '\n')
			path[len - 1] = 0;
		if (len <= 0 || pt_scratch_open(&s, path, NULL) || s.pid != pid) {
			/* its directory is gone (or is not its own any more): the entry is stale */
			pt_scratch_close(&s);
			if (!pt_scratch_pttrace_alive(pid))
				unlinkat(reg, de->d_name, 0);
			continue;
		}
		fn(&s, ctx);
		pt_scratch_close(&s);
		n++;
	}
	closedir(d);
	return n;
}
