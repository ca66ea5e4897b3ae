// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finishing a capture: the instances' pages into the scratch files, the
 * files into the trace.dat, and when that cannot be written, a second place
 * or the scratch kept for --recover.  The recorder at its stop, its
 * watchdog after it was killed and `record --recover` all end here.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tracefs.h>

#include "capture.h"
#include "pt-hostreset.h"
#include "pt-record.h"
#include "record-int.h"
#include "writer.h"


int pt_capture_drain(const struct pt_scratch *s, struct tracefs_instance *inst, const char *tag,
		     int final, struct pt_err *err)
{
	char *page = NULL;
	int rc = 0;

	for (int cpu = 0; cpu < s->cpus && !rc; cpu++) {
		struct tracefs_cpu *tcpu = tracefs_cpu_open(inst, cpu, true);
		char name[32];
		struct stat st;
		int fd, n, size;

		if (!tcpu)
			continue;	/* an offline cpu */
		snprintf(name, sizeof(name), "%s.cpu%d", tag, cpu);
		size = tracefs_cpu_read_size(tcpu);
		fd = openat(s->dirfd, name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || size <= 0 || fstat(fd, &st) || !(page = page ? page : malloc(size))) {
			rc = pt_err_errno(err, errno ? errno : ENOMEM, "cannot write '%s/%s'", s->dir, name);
			goto next;
		}
		/* whole pages only: a writer killed in the middle of one left a part */
		if (st.st_size % size && ftruncate(fd, st.st_size - st.st_size % size)) {
			rc = pt_err_errno(err, errno, "cannot write '%s/%s'", s->dir, name);
			goto next;
		}
		while ((n = final ? tracefs_cpu_flush(tcpu, page) : tracefs_cpu_read(tcpu, page, true)) > 0) {
			off_t at = lseek(fd, 0, SEEK_END);
			ssize_t w = write(fd, page, n);

			if (w != n) {
				int e = w < 0 ? errno : ENOSPC;

				/*
				 * The page is lost (the ring gave it up); the file keeps
				 * whole pages, so what came before it stays readable.
				 */
				if (at >= 0 && ftruncate(fd, at))
					e = errno;
				rc = pt_err_errno(err, e, "cannot write '%s/%s'", s->dir, name);
				break;
			}
		}
next:
		if (fd >= 0)
			close(fd);
		tracefs_cpu_close(tcpu);
	}
	free(page);
	return rc;
}

/* Who finishes after a kill during the write removes the half-written file (by its inode). */
static void note_partial(struct pt_scratch *s, int fd, const char *tmp)
{
	char cwd[PATH_MAX];
	struct stat st;

	if (fstat(fd, &st))
		return;
	if (tmp[0] == '/')
		cwd[0] = 0;
	else if (!getcwd(cwd, sizeof(cwd)))
		return;
	if ((size_t)snprintf(s->partial, sizeof(s->partial), "%s%s%s", cwd, cwd[0] ? "/" : "", tmp) >=
	    sizeof(s->partial)) {
		s->partial[0] = 0;
		return;
	}
	s->partial_dev = st.st_dev;
	s->partial_ino = st.st_ino;
	pt_scratch_save(s, NULL);
}

/* The trace.dat at PATH, whole or not at all (see pt_record's notes on files made as root). */
static int write_at(struct pt_scratch *s, const char *meta, const char *path,
		    struct pt_err *err)
{
	char tmp[PATH_MAX], kallsyms[PATH_MAX], probes[64];
	char *files[2][PT_SCRATCH_CPUS] = { { 0 } };
	struct pt_write_buffer bufs[2] = {
		{ NULL, s->cpus, files[0] }, { "host", s->cpus, files[1] },
	};
	int fd = -1, rc = -1, kfd;
	mode_t mask;

	for (int b = 0; b < 2; b++)
		for (int cpu = 0; cpu < s->cpus; cpu++) {
			char name[32];

			snprintf(name, sizeof(name), "%s.cpu%d", b ? "host" : "vm", cpu);
			files[b][cpu] = malloc(PATH_MAX);
			if (!files[b][cpu]) {
				pt_err_set(err, "out of memory");
				goto out;
			}
			pt_scratch_path(s, name, files[b][cpu], PATH_MAX);
		}
	/* host kernel symbols mean nothing to a guest crash: an empty file, in the scratch */
	kfd = openat(s->dirfd, "kallsyms", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (kfd < 0) {
		pt_err_errno(err, errno, "cannot create '%s/kallsyms'", s->dir);
		goto out;
	}
	close(kfd);
	pt_scratch_path(s, "kallsyms", kallsyms, sizeof(kallsyms));
	/*
	 * Root writes into a directory a user may share: the temporary file
	 * is created with O_EXCL (mkstemp) and used only by its descriptor,
	 * never opened or chmod'ed by name again, so nothing planted between
	 * the steps is followed; the rename is the one step by name, and atomic.
	 */
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		tmp[0] = 0;
		pt_err_errno(err, errno, "cannot write '%s'", path);
		goto out;
	}
	note_partial(s, fd, tmp);
	/* the recorder's reset kprobes (kprobes.c), still defined while their file is written */
	snprintf(probes, sizeof(probes), "kprobes:" PT_HR_PROBE_PREFIX "%d_*", (int)s->pid);
	if (pt_write_tracedat(fd, path, kallsyms, bufs, s->host[0] ? 2 : 1, meta, probes, 1, err))
		goto out;
	/* mkstemp made it 0600: give it the mode a new file gets */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || fsync(fd)) {
		pt_err_errno(err, errno, "cannot write '%s'", path);
		goto out;
	}
	if (rename(tmp, path)) {
		pt_err_errno(err, errno, "cannot rename '%s' to '%s'", tmp, path);
		goto out;
	}
	tmp[0] = 0;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	for (int b = 0; b < 2; b++)
		for (int cpu = 0; cpu < s->cpus; cpu++)
			free(files[b][cpu]);
	return rc;
}

static int dir_of(const char *path, struct stat *st)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return stat(dir, st);
}

static int out_of_space(int errnum)
{
	return errnum == ENOSPC || errnum == EDQUOT;
}

const char *pt_capture_remedy(const struct pt_err *why)
{
	return out_of_space(why->errnum) ? "make room, then" : "once that is fixed,";
}

/*
 * The second places, in order: the scratch's own directory (--tmpdir),
 * $TMPDIR, /var/tmp, /tmp; each once, and after a full disk only on
 * another file system than the one that was full (after another error,
 * say EIO or EACCES, any other directory may do).
 */
static int write_elsewhere(struct pt_scratch *s, const char *meta, const char *output,
			   const struct pt_err *first, char *written, size_t wsize)
{
	char parent[PATH_MAX];
	const char *base = strrchr(output, '/') ? strrchr(output, '/') + 1 : output;
	const char *places[4];
	struct stat tried[5];
	int ntried = 0, n = 0, by_fs = out_of_space(first->errnum);

	snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(s->dir, '/') - s->dir), s->dir);
	places[n++] = parent[0] ? parent : "/";
	if (getenv("TMPDIR") && getenv("TMPDIR")[0] == '/')
		places[n++] = getenv("TMPDIR");
	places[n++] = "/var/tmp";
	places[n++] = "/tmp";
	if (!dir_of(output, &tried[0]))
		ntried = 1;
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		int seen = 0;

		if (stat(places[i], &st) || !S_ISDIR(st.st_mode))
			continue;
		for (int t = 0; t < ntried; t++)
			seen |= tried[t].st_dev == st.st_dev && (by_fs || tried[t].st_ino == st.st_ino);
		if (seen)
			continue;
		tried[ntried++] = st;
		snprintf(path, sizeof(path), "%s/pttrace-%d-%s", strcmp(places[i], "/") ? places[i] : "",
			 (int)s->pid, base);
		if (!write_at(s, meta, path, NULL)) {
			snprintf(written, wsize, "%s", path);
			return 0;
		}
	}
	return -1;
}

int pt_capture_write(struct pt_scratch *s, const char *meta, const char *output, char *written,
		     size_t wsize, struct pt_err *err)
{
	struct pt_err first;

	s->phase = PT_PHASE_WRITING;
	pt_scratch_save(s, NULL);
	if (!write_at(s, meta, output, &first)) {
		snprintf(written, wsize, "%s", output);
		pt_scratch_remove(s);
		return 0;
	}
	if (!write_elsewhere(s, meta, output, &first, written, wsize)) {
		pt_scratch_remove(s);
		*err = first;
		return 1;
	}
	s->phase = PT_PHASE_KEPT;
	pt_scratch_save(s, NULL);
	pt_err_set(err, "%s, nor anywhere else; the capture is kept in '%s': %s pttrace record "
		   "--recover %s", first.msg, s->dir, pt_capture_remedy(&first), s->dir);
	err->errnum = first.errnum;
	return -1;
}

static int drain_instance(struct pt_scratch *s, const char *name, const char *tag,
			  struct pt_err *err)
{
	struct tracefs_instance *inst;
	int rc;

	if (!name[0] || !tracefs_instance_exists(name))
		return 0;
	inst = tracefs_instance_alloc(NULL, name);
	if (!inst)
		return pt_err_errno(err, errno, "cannot open tracefs instance '%s'", name);
	tracefs_trace_off(inst);
	rc = pt_capture_drain(s, inst, tag, 1, err);
	if (!rc)
		tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
	return rc;
}

int pt_capture_takeover(struct pt_scratch *s, const char *output, char *written, size_t wsize,
			struct pt_err *err)
{
	char *meta;
	int rc;

	struct pt_err derr;

	pt_scratch_remove_partial(s);
	if (drain_instance(s, s->instance, "vm", &derr) || drain_instance(s, s->host, "host", &derr)) {
		s->phase = PT_PHASE_KEPT;
		pt_scratch_save(s, NULL);
		return pt_err_set(err, "%s; the capture is kept in '%s' and tracefs instance '%s': "
				  "%s pttrace record --recover %s", derr.msg, s->dir, s->instance,
				  pt_capture_remedy(&derr), s->dir);
	}
	meta = pt_scratch_get(s, "meta.json");
	rc = pt_capture_write(s, meta, output && *output ? output : s->output, written, wsize, err);
	free(meta);
	/* written (its formats are in the file), or the instances are gone: the probes go too */
	if (rc >= 0)
		pt_kp_remove_pid(tracefs_tracing_dir(), s->pid);
	return rc;
}

int pt_record_recover(const char *dir, const char *output, char *written, size_t wsize,
		      struct pt_err *err)
{
	struct pt_scratch s;
	int rc;

	if (pt_scratch_open(&s, dir, err))
		return -1;
	if (pt_scratch_pttrace_alive(s.pid) || pt_scratch_pttrace_alive(s.watchdog)) {
		pt_scratch_close(&s);
		return pt_err_set(err, "'%s' belongs to a pttrace that still runs (pid %d): it "
				  "finishes the file itself", dir, (int)(pt_scratch_pttrace_alive(s.pid) ?
									s.pid : s.watchdog));
	}
	rc = pt_capture_takeover(&s, output, written, wsize, err);
	pt_scratch_close(&s);
	return rc;
}

struct cleanup {
	int all, removed;
	char keep[16][80];		/* instances a live watchdog or a kept capture still needs */
	unsigned nkeep;
	pid_t keep_pid[16];		/* their recorders: their kprobes stay too */
	unsigned nkeep_pid;
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};

static void say(struct cleanup *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct cleanup *c, const char *fmt, ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;

	if (!c->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->note(c->ctx, msg);
}

static int remove_instance(const char *name)
{
	struct tracefs_instance *inst;
	int rc;

	if (!name[0] || !tracefs_instance_exists(name))
		return 0;
	inst = tracefs_instance_alloc(NULL, name);
	if (!inst)
		return 0;
	tracefs_trace_off(inst);
	rc = !tracefs_instance_destroy(inst);
	tracefs_instance_free(inst);
	return rc;
}

static void cleanup_scratch(struct pt_scratch *s, void *ctx)
{
	struct cleanup *c = ctx;
	char dir[PATH_MAX];

	int alive = pt_scratch_pttrace_alive(s->pid) || pt_scratch_pttrace_alive(s->watchdog);

	if (alive || (s->phase == PT_PHASE_KEPT && !c->all)) {
		if (!alive)
			say(c, "a capture that could not be written is kept in '%s' (pttrace pid %d): "
			    "pttrace record --recover %s; pttrace record --cleanup removes it", s->dir,
			    (int)s->pid, s->dir);
		for (int i = 0; i < 2 && c->nkeep < 16; i++)
			snprintf(c->keep[c->nkeep++], sizeof(c->keep[0]), "%s", i ? s->host : s->instance);
		if (c->nkeep_pid < 16)
			c->keep_pid[c->nkeep_pid++] = s->pid;
		return;
	}
	if (remove_instance(s->instance))
		say(c, "removed tracefs instance '%s' left by a pttrace that was killed (pid %d)",
		    s->instance, (int)s->pid);
	if (remove_instance(s->host))
		say(c, "removed tracefs instance '%s' left by a pttrace that was killed (pid %d)",
		    s->host, (int)s->pid);
	snprintf(dir, sizeof(dir), "%s", s->dir);
	pt_scratch_remove_partial(s);
	pt_scratch_remove(s);
	say(c, "removed scratch directory '%s' left by a pttrace that was killed (pid %d)", dir,
	    (int)s->pid);
	c->removed++;
}

/* A kprobe of recorder PID: dropped unless it still runs or its capture is kept. */
static int dead_probe(pid_t pid, void *ctx)
{
	struct cleanup *c = ctx;

	for (unsigned i = 0; i < c->nkeep_pid; i++)
		if (c->keep_pid[i] == pid)
			return 0;
	return !pt_scratch_pttrace_alive(pid);
}

static void probe_removed(void *ctx, const char *event)
{
	struct cleanup *c = ctx;

	c->removed++;
	say(c, "removed kprobe event '%s' left by a pttrace that was killed", event);
}

int pt_record_cleanup(int all, void (*note)(void *ctx, const char *msg), void *ctx)
{
	struct cleanup c = { .all = all, .note = note, .ctx = ctx };
	char **names;

	pt_scratch_each(cleanup_scratch, &c);
	/* instances whose recorder died before it listed them (or whose list is gone) */
	names = tracefs_instances(NULL);
	for (char **n = names; n && *n; n++) {
		int pid, kept = 0;

		if (sscanf(*n, PT_INST_PREFIX "%d-", &pid) != 1 || pid <= 0 ||
		    pt_scratch_pttrace_alive(pid))
			continue;
		for (unsigned k = 0; k < c.nkeep; k++)
			kept |= !strcmp(c.keep[k], *n);
		if (kept || !remove_instance(*n))
			continue;
		c.removed++;
		say(&c, "removed tracefs instance '%s' left by a pttrace that was killed (pid %d)", *n, pid);
	}
	tracefs_list_free(names);
	/* kprobe_events is global: after the instances that enabled them are gone */
	if (tracefs_tracing_dir())
		pt_kp_remove(tracefs_tracing_dir(), dead_probe, &c, probe_removed);
	return c.removed;
}
