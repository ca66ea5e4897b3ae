/*
 * Finding pttrace's option in a trace.dat v7: the public libtracecmd API
 * has no way to read an option it does not know, so the options sections
 * are walked here, as trace-cmd.dat.v7(5) lays them out.  Options
 * sections are never compressed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pt-meta.h"

#define MAX_SECTIONS 64		/* a chain longer than this is a loop */
#define MAX_OPTION (1u << 24)

struct file {
	int fd;
	int big_endian;
	uint64_t size;
};

static int read_at(struct file *f, uint64_t off, void *buf, size_t n)
{
	ssize_t r;

	if (off > f->size || n > f->size - off)
		return -1;
	r = pread(f->fd, buf, n, off);
	return r == (ssize_t)n ? 0 : -1;
}

static uint64_t num(const struct file *f, const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[f->big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

/* Skips a NUL-terminated string at *OFF; -1 when there is none within 64 bytes. */
static int skip_string(struct file *f, uint64_t *off)
{
	char buf[64];
	size_t n = f->size - *off < sizeof(buf) ? f->size - *off : sizeof(buf);
	char *nul;

	if (!n || read_at(f, *off, buf, n))
		return -1;
	nul = memchr(buf, 0, n);
	if (!nul)
		return -1;
	*off += nul - buf + 1;
	return 0;
}

static int find_option(struct file *f, uint64_t options, char **text)
{
	for (int sections = 0; options && sections < MAX_SECTIONS; sections++) {
		unsigned char hdr[16];
		uint64_t off = options, end;

		/* section header: id 2, flags 2, string id 4, size 8 */
		if (read_at(f, off, hdr, sizeof(hdr)) || num(f, hdr, 2) != 0)
			return -1;
		end = off + 16 + num(f, hdr + 8, 8);
		off += 16;
		options = 0;
		while (off + 6 <= end) {
			unsigned char opt[6];
			unsigned id;
			uint64_t size;

			if (read_at(f, off, opt, sizeof(opt)))
				return -1;
			id = num(f, opt, 2);
			size = num(f, opt + 2, 4);
			off += 6;
			if (size > end - off || size > MAX_OPTION)
				return -1;
			if (id == 0) {		/* DONE: the next options section */
				unsigned char next[8];

				if (size != 8 || read_at(f, off, next, 8))
					return -1;
				options = num(f, next, 8);
				break;
			}
			if (id == PT_OPTION_METADATA) {
				*text = malloc(size + 1);
				if (!*text)
					return -1;
				if (read_at(f, off, *text, size)) {
					free(*text);
					*text = NULL;
					return -1;
				}
				(*text)[size] = 0;
				return 1;
			}
			off += size;
		}
	}
	return 0;
}

int pt_meta_read(const char *path, char **text, struct pt_err *err)
{
	static const unsigned char magic[10] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };
	unsigned char head[16], off8[8];
	struct file f;
	uint64_t off = 10;
	int rc;

	*text = NULL;
	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0)
		return pt_err_errno(err, errno, "cannot open '%s'", path);
	f.size = lseek(f.fd, 0, SEEK_END);
	f.big_endian = 0;
	rc = 0;
	/* magic, "7\0", endianness, long size, page size */
	if (read_at(&f, 0, head, 16) || memcmp(head, magic, 10) || head[10] != '7' || head[11])
		goto out;
	f.big_endian = head[12];
	off = 18;
	/* the compression algorithm's name and version */
	if (skip_string(&f, &off) || skip_string(&f, &off) || read_at(&f, off, off8, 8)) {
		rc = pt_err_set(err, "cannot read '%s': its header is damaged", path);
		goto out;
	}
	rc = find_option(&f, num(&f, off8, 8), text);
	if (rc < 0)
		pt_err_set(err, "cannot read '%s': its options are damaged", path);
out:
	close(f.fd);
	return rc;
}
