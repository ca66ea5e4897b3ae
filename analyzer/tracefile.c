// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The structure of a trace.dat: header, event formats, command lines,
 * options and where each cpu's data is.  Everything the file says is a
 * claim to check: sizes are bounded by what is left of the file (so a
 * flipped byte cannot ask for gigabytes), strings by their buffer, loops
 * by what the format allows.  This file opens the file and checks its
 * head; tracefile-local.h lists the parts that read the rest.
 * Ring-buffer pages are in cpustream.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event-parse.h>

#include "pt-codec.h"
#include "tracefile-local.h"

#define MAX_BUFFERS 64

void pt_tf_damage(struct pt_tracefile *tf, const char *fmt, ...)
{
	va_list ap;

	if (tf->damage[0])
		return;
	va_start(ap, fmt);
	vsnprintf(tf->damage, sizeof(tf->damage), fmt, ap);
	va_end(ap);
}

struct pt_tf_buffer *pt_tf_add_buffer(struct pt_tracefile *tf, const char *name)
{
	struct pt_tf_buffer *b;

	if (tf->nbuffers == MAX_BUFFERS)
		return NULL;
	b = realloc(tf->buffers, (tf->nbuffers + 1) * sizeof(*b));
	if (!b)
		return NULL;
	tf->buffers = b;
	b = &tf->buffers[tf->nbuffers++];
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", name);
	pt_make_printable(b->name);
	b->page_size = tf->page_size;
	return b;
}

/* Compressed data starts with its chunk count, which the size the file gives leaves out. */
void pt_tf_place_cpu(struct pt_tracefile *tf, struct pt_tf_buffer *b, struct pt_tf_cpu *c)
{
	const char *where = b->name[0] ? b->name : "";
	uint64_t need = c->size + (c->size && tf->codec ? 4 : 0);

	c->avail = 0;
	if (!c->size)
		return;
	if (c->offset >= tf->size) {
		pt_tf_damage(tf, "the file is cut short: it ends at byte %llu, before cpu %d's "
			     "data%s%s (at byte %llu)", (unsigned long long)tf->size, c->cpu,
			     *where ? " of " : "", where, (unsigned long long)c->offset);
		return;
	}
	c->avail = need;
	if (need > tf->size - c->offset) {
		c->avail = tf->size - c->offset;
		pt_tf_damage(tf, "the file is cut short: it ends at byte %llu, %.0f%% into cpu %d's "
			     "data%s%s (%llu of %llu bytes): the events after that point are missing",
			     (unsigned long long)tf->size, 100.0 * c->avail / need, c->cpu,
			     *where ? " of " : "", where, (unsigned long long)c->avail,
			     (unsigned long long)need);
	}
}

/* What a file that is not a trace.dat is, from its first bytes; NULL if unknown. */
static const char *what_else(const uint8_t *b, size_t n)
{
	static const struct { const char *magic; size_t len; const char *what; } kinds[] = {
		{ "\x7f" "ELF", 4, "an ELF file" },
		{ "PERFILE2", 8, "a perf.data file (perf record): pttrace reads trace-cmd's trace.dat, "
				 "or the text of `perf script`" },
		{ "\x1f\x8b", 2, "a gzip file: gunzip it first" },
		{ "\x28\xb5\x2f\xfd", 4, "a zstd file: unzstd it first" },
		{ "\xfd" "7zXZ", 5, "an xz file: unxz it first" },
		{ "BZh", 3, "a bzip2 file: bunzip2 it first" },
		{ "PK\x03\x04", 4, "a zip file: unzip it first" },
		{ "\xd4\xc3\xb2\xa1", 4, "a pcap capture" },
		{ "\x0a\x0d\x0d\x0a", 4, "a pcapng capture" },
		{ "QFI\xfb", 4, "a qcow2 disk image" },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (n >= kinds[i].len && !memcmp(b, kinds[i].magic, kinds[i].len))
			return kinds[i].what;
	return NULL;
}

struct pt_tracefile *pt_tracefile_open(const char *path, struct pt_err *err)
{
	struct pt_tracefile *tf;
	struct stat st;
	uint8_t head[24];
	char version[8], codec_version[32];
	const char *stage = "header";
	ssize_t n;
	struct pt_tf_src s;
	int r;

	tf = calloc(1, sizeof(*tf));
	if (!tf) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	tf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (tf->fd < 0) {
		pt_err_errno(err, errno, "cannot open '%s'", path);
		free(tf);
		return NULL;
	}
	if (fstat(tf->fd, &st) || !S_ISREG(st.st_mode)) {
		pt_err_set(err, "cannot read '%s': %s", path,
			   S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
		goto fail;
	}
	tf->size = st.st_size;
	if (!tf->size) {
		pt_err_set(err, "cannot read '%s': the file is empty", path);
		goto fail;
	}
	posix_fadvise(tf->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	n = pread(tf->fd, head, sizeof(head), 0);
	if (n < 10 || memcmp(head, "\x17\x08\x44tracing", 10)) {
		const char *what = what_else(head, n > 0 ? n : 0);

		if (what)
			pt_err_set(err, "cannot read '%s': %s, not a trace.dat file", path, what);
		else
			pt_err_set(err, "cannot read '%s': not a trace.dat file, nor kvm events as text "
				   "(trace-cmd report, ftrace, perf script)", path);
		goto fail;
	}
	s = pt_tf_file_src(tf, 0, tf->size, 10);
	if (pt_tf_read_string(&s, version, sizeof(version)))
		goto cut;
	tf->version = atoi(version);
	if (tf->version != 6 && tf->version != 7) {
		pt_err_set(err, "cannot read '%s': trace.dat version '%.7s' (pttrace reads versions 6 "
			   "and 7)", path, version);
		goto fail;
	}
	tf->big_endian = pt_tf_read_num(&s, 1);
	tf->long_size = pt_tf_read_num(&s, 1);
	tf->page_size = pt_tf_read_num(&s, 4);
	if (s.bad)
		goto cut;
	if (tf->big_endian > 1 || (tf->long_size != 4 && tf->long_size != 8) ||
	    !pt_tf_page_size_ok(tf->page_size)) {
		pt_err_set(err, "cannot read '%s': its header is damaged (endianness %d, long size %d, "
			   "page size %u)", path, tf->big_endian, tf->long_size, tf->page_size);
		goto fail;
	}
	tf->page_header = tf->long_size == 4 ? 12 : 16;
	tf->tep = tep_alloc();
	tf->known_ids = calloc(PT_TF_MAX_IDS / 8, 1);
	if (!tf->tep || !tf->known_ids) {
		pt_err_set(err, "out of memory");
		goto fail;
	}
	tep_set_file_bigendian(tf->tep, tf->big_endian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tf->tep, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? TEP_BIG_ENDIAN
										: TEP_LITTLE_ENDIAN);
	tep_set_long_size(tf->tep, tf->long_size);
	tep_set_page_size(tf->tep, tf->page_size);
	strcpy(tf->codec_name, "none");
	if (tf->version >= 7) {
		if (pt_tf_read_string(&s, tf->codec_name, sizeof(tf->codec_name)) ||
		    pt_tf_read_string(&s, codec_version, sizeof(codec_version)))
			goto cut;
		if (strcmp(tf->codec_name, "none") && !(tf->codec = pt_codec_find(tf->codec_name))) {
			pt_make_printable(tf->codec_name);
			pt_make_printable(codec_version);
			pt_err_set(err, "cannot read '%s': it is compressed with '%s' %s, which pttrace "
				   "cannot decompress (it reads %s); convert it where it was made: "
				   "trace-cmd convert --compression none -i %s -o OUT.dat",
				   path, tf->codec_name, codec_version, pt_codec_names(), path);
			goto fail;
		}
		r = pt_tf_read_v7(tf, &s, &stage);
	} else {
		r = pt_tf_read_v6(tf, &s, &stage);
	}
	if (r) {
		if (s.cut)
			goto cut;
		pt_err_set(err, "cannot read '%s': %s", path,
			   tf->damage[0] ? tf->damage : "its header is damaged");
		if (!tf->damage[0])
			snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
				 " (%s)", stage);
		goto fail;
	}
	if (tf->latency && !tf->nbuffers) {
		pt_err_set(err, "cannot read '%s': it holds a latency tracer's text, not ring-buffer "
			   "events", path);
		goto fail;
	}
	return tf;
cut:
	pt_err_set(err, "cannot read '%s': the file is cut short inside its header (it ends at "
		   "byte %llu, in the %s): no events can be located", path,
		   (unsigned long long)tf->size, stage);
fail:
	pt_tracefile_close(tf);
	return NULL;
}

void pt_tracefile_close(struct pt_tracefile *tf)
{
	if (!tf)
		return;
	for (int i = 0; i < tf->nbuffers; i++)
		free(tf->buffers[i].cpus);
	free(tf->buffers);
	free(tf->comms);
	free(tf->meta);
	free(tf->known_ids);
	if (tf->tep)
		tep_free(tf->tep);
	if (tf->fd >= 0)
		close(tf->fd);
	free(tf);
}
