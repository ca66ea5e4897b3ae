/*
 * The structure of a trace.dat: header, event formats, command lines,
 * options and where each cpu's data is.  Everything the file says is a
 * claim to check: sizes are bounded by what is left of the file (so a
 * flipped byte cannot ask for gigabytes), strings by their buffer, loops
 * by what the format allows.  Ring-buffer pages are in cpustream.c.
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
#include "pt-meta.h"
#include "pt-tracefile.h"

#define MAX_SECTION (256u << 20)	/* a decompressed header section */
#define MAX_CHAIN 64			/* options sections in a chain; more is a loop */
#define MAX_IDS 65536			/* common_type is 16 bits */
#define MAX_CPUS 4096
#define MAX_BUFFERS 64

enum {
	OPT_DONE = 0, OPT_DATE = 1, OPT_BUFFER = 3, OPT_OFFSET = 7, OPT_TIME_SHIFT = 12,
	OPT_TSC2NSEC = 14, OPT_HEADER_INFO = 16, OPT_FTRACE_EVENTS = 17, OPT_EVENT_FORMATS = 18,
	OPT_KALLSYMS = 19, OPT_PRINTK = 20, OPT_CMDLINES = 21, OPT_BUFFER_TEXT = 22,
};

/*
 * A bounded reader over either a piece of memory (a v7 section) or the
 * file itself from BASE (v6's sequential header).  Reading past LEN fails
 * and leaves BAD set; callers check once at the end of a step.
 */
struct src {
	struct pt_tracefile *tf;
	const uint8_t *mem;
	uint64_t base, len, pos;
	int bad;
	int cut;	/* a read went past the end of the file */
};

static struct src mem_src(struct pt_tracefile *tf, const uint8_t *mem, uint64_t len)
{
	return (struct src){ .tf = tf, .mem = mem, .len = len };
}

/* The file from BASE on, LEN bytes, read from POS. */
static struct src file_src(struct pt_tracefile *tf, uint64_t base, uint64_t len, uint64_t pos)
{
	return (struct src){ .tf = tf, .base = base, .len = len, .pos = pos };
}

static int src_read(struct src *s, void *buf, uint64_t n)
{
	if (s->bad || n > s->len - s->pos) {
		s->bad = 1;
		s->cut |= !s->mem;
		return -1;
	}
	if (s->mem)
		memcpy(buf, s->mem + s->pos, n);
	else if (pread(s->tf->fd, buf, n, s->base + s->pos) != (ssize_t)n) {
		s->bad = 1;
		return -1;
	}
	s->pos += n;
	return 0;
}

static uint64_t src_num(struct src *s, int n)
{
	uint8_t b[8];

	if (src_read(s, b, n))
		return 0;
	return pt_tf_num(s->tf, b, n);
}

/* A NUL-terminated string of at most SIZE - 1 bytes; longer ones are damage. */
static int src_string(struct src *s, char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		if (src_read(s, &buf[i], 1))
			return -1;
		if (!buf[i])
			return 0;
	}
	s->bad = 1;
	buf[size - 1] = 0;
	return -1;
}

/* N bytes, NUL-terminated, in memory the caller frees; N is bounded by what is left. */
static char *src_blob(struct src *s, uint64_t n)
{
	char *buf;

	if (s->bad || n > s->len - s->pos) {
		s->bad = 1;
		s->cut |= !s->mem;
		return NULL;
	}
	buf = malloc(n + 1);
	if (!buf || src_read(s, buf, n)) {
		free(buf);
		s->bad = 1;
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static void src_skip(struct src *s, uint64_t n)
{
	if (n > s->len - s->pos) {
		s->bad = 1;
		s->cut |= !s->mem;
	} else
		s->pos += n;
}

static void damage(struct pt_tracefile *tf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Keeps the first thing found wrong: later ones are usually its consequences. */
static void damage(struct pt_tracefile *tf, const char *fmt, ...)
{
	va_list ap;

	if (tf->damage[0])
		return;
	va_start(ap, fmt);
	vsnprintf(tf->damage, sizeof(tf->damage), fmt, ap);
	va_end(ap);
}

/* "ID: 42" of an event format; -1 when it has none. */
static long format_id(const char *text)
{
	const char *p = strstr(text, "\nID: ");
	char *end;
	long id;

	if (!p && !strncmp(text, "ID: ", 4))
		p = text - 1;
	if (!p)
		return -1;
	id = strtol(p + 5, &end, 10);
	return end == p + 5 || id < 0 || id >= MAX_IDS ? -1 : id;
}

#define MAX_FORMAT_FIELDS 64

/* A field's declaration, "unsigned long long gpa" or "__data_loc char[] name". */
static int plain_decl(const char *d, size_t n)
{
	if (!n || n > 120)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(d[i] == '_' || d[i] == ' ' || d[i] == '*' || d[i] == '[' || d[i] == ']' ||
		      (d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z') ||
		      (d[i] >= '0' && d[i] <= '9')))
			return 0;
	return 1;
}

/*
 * libtraceevent's format parser trusts its text: a damaged format can
 * crash it.  pttrace reads fields, never the print format, so a kvm
 * format is rewritten from what it must be (name, id, field lines with
 * plain declarations and small numbers) before the parser sees it; a
 * format that is not that is left out, its event unknown.
 */
static char *canonical_format(const char *text, long id)
{
	char name[64], *out, *p;
	const char *line;
	int fields = 0, blank = 0;
	size_t cap = 256 + MAX_FORMAT_FIELDS * 200;

	if (sscanf(text, "name: %63[A-Za-z0-9_]", name) != 1 || !(out = malloc(cap)))
		return NULL;
	p = out + snprintf(out, cap, "name: %s\nID: %ld\nformat:\n", name, id);
	line = strstr(text, "\nformat:\n");
	if (!line)
		goto bad;
	for (line += 9; *line && strncmp(line, "print fmt:", 10); ) {
		const char *f, *semi;
		unsigned off, size;
		int sign = 0, n;

		if (*line == '\n') {		/* the blank lines after the common fields and the rest */
			if (blank++ > 1 || !fields)
				goto bad;
			if (blank == 1)
				*p++ = '\n';
			line++;
			continue;
		}
		f = strstr(line, "field:");
		if (!f || f - line > 4 || fields == MAX_FORMAT_FIELDS)
			goto bad;
		f += 6;
		semi = strchr(f, ';');
		if (!semi || !plain_decl(f, semi - f))
			goto bad;
		if (sscanf(semi, ";\toffset:%u;\tsize:%u;%n", &off, &size, &n) != 2 ||
		    off > 65535 || size > 65535)
			goto bad;
		sscanf(semi + n, "\tsigned:%d;", &sign);
		p += sprintf(p, "\tfield:%.*s;\toffset:%u;\tsize:%u;\tsigned:%d;\n",
			     (int)(semi - f), f, off, size, sign != 0);
		fields++;
		line = strchr(semi, '\n');
		if (!line)
			goto bad;
		line++;
	}
	if (!fields)
		goto bad;
	strcpy(p, "\nprint fmt: \"\"\n");
	return out;
bad:
	free(out);
	return NULL;
}

static void add_format(struct pt_tracefile *tf, const char *system, char *text, uint64_t size)
{
	long id = format_id(text);

	(void)size;
	if (id < 0)
		return;
	tf->known_ids[id / 8] |= 1u << (id % 8);
	if ((unsigned)id > tf->max_known_id)
		tf->max_known_id = id;
	/* only kvm's formats are parsed: the rest are counted as known ids */
	if (!strcmp(system, "kvm")) {
		char *safe = canonical_format(text, id);

		if (safe) {
			tep_parse_event(tf->tep, safe, strlen(safe), system);
			free(safe);
		}
	}
}

/* count(4) x [size(8) text]: the ftrace formats, or one system's */
static int read_formats(struct pt_tracefile *tf, struct src *s, const char *system)
{
	uint64_t n = src_num(s, 4);

	/* each format takes at least its 8-byte size */
	if (s->bad || n > (s->len - s->pos) / 8)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t size = src_num(s, 8);
		char *text = src_blob(s, size);

		if (!text)
			return -1;
		add_format(tf, system, text, size);
		free(text);
	}
	return 0;
}

static int read_systems(struct pt_tracefile *tf, struct src *s)
{
	uint64_t n = src_num(s, 4);

	if (s->bad || n > (s->len - s->pos) / 5)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		char system[128];

		if (src_string(s, system, sizeof(system)) || read_formats(tf, s, system))
			return -1;
	}
	return 0;
}

/* The page header's layout: where the records start and how wide commit is. */
static int read_header_info(struct pt_tracefile *tf, struct src *s)
{
	char magic[13];
	uint64_t size;
	char *text;
	const char *data;

	if (src_read(s, magic, 12) || memcmp(magic, "header_page", 12))
		return -1;
	size = src_num(s, 8);
	text = src_blob(s, size);
	if (!text)
		return -1;
	/* "field: char data;\toffset:16;": records start there */
	data = strstr(text, "data;");
	if (data && (data = strstr(data, "offset:"))) {
		long off = strtol(data + 7, NULL, 10);

		if (off == 12 || off == 16)
			tf->page_header = off;
	}
	free(text);
	if (src_read(s, magic, 13) || memcmp(magic, "header_event", 13))
		return -1;
	src_skip(s, src_num(s, 8));
	return s->bad ? -1 : 0;
}

static int read_cmdlines(struct pt_tracefile *tf, struct src *s)
{
	uint64_t size = src_num(s, 8);
	char *text = src_blob(s, size), *line, *save = NULL;
	unsigned cap = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *end;
		unsigned long pid = strtoul(line, &end, 10);

		if (end == line || *end != ' ' || pid > UINT32_MAX)
			continue;
		if (tf->ncomms == cap) {
			struct pt_tf_comm *c = realloc(tf->comms, (cap = cap ? 2 * cap : 64) * sizeof(*c));

			if (!c)
				break;
			tf->comms = c;
		}
		tf->comms[tf->ncomms].pid = pid;
		snprintf(tf->comms[tf->ncomms].comm, sizeof(tf->comms[0].comm), "%s", end + 1);
		pt_make_printable(tf->comms[tf->ncomms].comm);
		tf->ncomms++;
	}
	free(text);
	return 0;
}

const char *pt_tracefile_comm(const struct pt_tracefile *tf, uint32_t pid)
{
	for (unsigned i = 0; i < tf->ncomms; i++)
		if (tf->comms[i].pid == pid)
			return tf->comms[i].comm;
	return NULL;
}

static struct pt_tf_buffer *add_buffer(struct pt_tracefile *tf, const char *name)
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

/*
 * Checks a cpu's data against the file; data past the end is cut, and
 * said so.  Compressed data starts with its chunk count, which the size
 * the file gives leaves out.
 */
static void place_cpu(struct pt_tracefile *tf, struct pt_tf_buffer *b, struct pt_tf_cpu *c)
{
	const char *where = b->name[0] ? b->name : "";
	uint64_t need = c->size + (c->size && tf->codec ? 4 : 0);

	c->avail = 0;
	if (!c->size)
		return;
	if (c->offset >= tf->size) {
		damage(tf, "the file is cut short: it ends at byte %llu, before cpu %d's data%s%s "
		       "(at byte %llu)", (unsigned long long)tf->size, c->cpu, *where ? " of " : "",
		       where, (unsigned long long)c->offset);
		return;
	}
	c->avail = need;
	if (need > tf->size - c->offset) {
		c->avail = tf->size - c->offset;
		damage(tf, "the file is cut short: it ends at byte %llu, %.0f%% into cpu %d's data%s%s "
		       "(%llu of %llu bytes): the events after that point are missing",
		       (unsigned long long)tf->size, 100.0 * c->avail / need, c->cpu,
		       *where ? " of " : "", where, (unsigned long long)c->avail,
		       (unsigned long long)need);
	}
}

/* v6: "flyrecord\0" then offset(8) size(8) per cpu; options may come first. */
static int read_v6_cpu_table(struct pt_tracefile *tf, struct src *s, int buffer, int ncpus,
			     int top);

/* An instance's options are read for its clock only: its BUFFER options would loop. */
static int read_v6_options(struct pt_tracefile *tf, struct src *s, int ncpus, int top)
{
	for (int n = 0; n < 4096; n++) {
		unsigned id = src_num(s, 2);
		uint64_t size, start;

		if (s->bad)
			return -1;
		if (id == OPT_DONE)
			return 0;
		size = src_num(s, 4);
		start = s->pos;
		if (s->bad || size > s->len - s->pos)
			return -1;
		if (id == OPT_BUFFER && size > 8 && top) {
			struct src sub = *s;
			uint64_t off = src_num(&sub, 8);
			char name[64];
			struct pt_tf_buffer *b;

			if (!src_string(&sub, name, sizeof(name)) && sub.pos <= start + size &&
			    (b = add_buffer(tf, name))) {
				struct src at = file_src(tf, 0, tf->size, off);

				if (off >= tf->size ||
				    read_v6_cpu_table(tf, &at, b - tf->buffers, ncpus, 0))
					damage(tf, "buffer '%s' cannot be read: its cpu table is damaged "
					       "or beyond the end of the file", name);
			}
		} else if (id == OPT_DATE || id == OPT_OFFSET) {
			char *text = src_blob(s, size);

			if (text) {
				long long v = strtoll(text, NULL, 0);

				tf->ts_offset += id == OPT_DATE ? v * 1000 : v;
				free(text);
			}
		} else if (id == OPT_TSC2NSEC && size >= 16) {
			tf->tsc_mult = src_num(s, 4);
			tf->tsc_shift = src_num(s, 4);
		} else if (id == OPT_TIME_SHIFT) {
			tf->guest_side = 1;
		}
		s->bad = 0;
		s->pos = start + size;
	}
	return -1;
}

/* BUFFER (an index in tf->buffers: options may add buffers and move them) */
static int read_v6_cpu_table(struct pt_tracefile *tf, struct src *s, int buffer, int ncpus,
			     int top)
{
	struct pt_tf_buffer *b;
	char kind[10];

	if (src_read(s, kind, 10))
		return -1;
	if (!memcmp(kind, "options  ", 10)) {
		if (read_v6_options(tf, s, ncpus, top) || src_read(s, kind, 10))
			return -1;
	}
	b = &tf->buffers[buffer];
	if (!memcmp(kind, "latency  ", 10)) {
		tf->latency = top;
		return top ? 0 : -1;
	}
	if (memcmp(kind, "flyrecord", 10))
		return -1;
	b->cpus = calloc(ncpus ? ncpus : 1, sizeof(*b->cpus));
	if (!b->cpus)
		return -1;
	for (int c = 0; c < ncpus; c++) {
		b->cpus[c].cpu = c;
		b->cpus[c].offset = src_num(s, 8);
		b->cpus[c].size = src_num(s, 8);
		if (s->bad)
			return -1;
		b->ncpus++;
		place_cpu(tf, b, &b->cpus[c]);
	}
	return 0;
}

static int read_v6(struct pt_tracefile *tf, struct src *s, const char **stage)
{
	uint64_t ncpus;

	*stage = "page header format";
	if (read_header_info(tf, s))
		return -1;
	*stage = "ftrace event formats";
	if (read_formats(tf, s, "ftrace"))
		return -1;
	*stage = "event formats";
	if (read_systems(tf, s))
		return -1;
	*stage = "kernel symbols";
	src_skip(s, src_num(s, 4));
	if (s->bad)
		return -1;
	*stage = "printk formats";
	src_skip(s, src_num(s, 4));
	if (s->bad)
		return -1;
	*stage = "saved command lines";
	if (read_cmdlines(tf, s))
		return -1;
	*stage = "cpu count";
	ncpus = src_num(s, 4);
	if (s->bad || ncpus > MAX_CPUS)
		return -1;
	*stage = "options and cpu table";
	/* the top buffer comes first, whatever order the options list instances in */
	if (!add_buffer(tf, ""))
		return -1;
	return read_v6_cpu_table(tf, s, 0, ncpus, 1);
}

/*
 * A v7 section at OFF, whose header must say ID: its content, decompressed
 * when it is compressed, in memory the caller frees.
 */
static uint8_t *read_section(struct pt_tracefile *tf, uint64_t off, unsigned id, uint64_t *len,
			     unsigned *flags_out)
{
	struct src s = file_src(tf, off, tf->size - (off < tf->size ? off : tf->size), 0);
	unsigned sid, flags;
	uint64_t size;
	uint8_t *out;

	sid = src_num(&s, 2);
	flags = src_num(&s, 2);
	src_num(&s, 4);
	size = src_num(&s, 8);
	if (s.bad || sid != id || size > s.len - s.pos)
		return NULL;
	if (flags_out)
		*flags_out = flags;
	if (!(flags & 1)) {
		*len = size;
		return (uint8_t *)src_blob(&s, size);
	} else {
		uint64_t zsize = src_num(&s, 4), usize = src_num(&s, 4);
		char *z;
		long n;

		if (!tf->codec || s.bad || zsize > size || usize > MAX_SECTION)
			return NULL;
		if (!(z = src_blob(&s, zsize)))
			return NULL;
		out = malloc(usize + 1);
		n = out ? pt_codec_decompress(tf->codec, z, zsize, out, usize) : -1;
		free(z);
		if (n != (long)usize) {
			free(out);
			return NULL;
		}
		out[usize] = 0;
		*len = usize;
		return out;
	}
}

/* offset(8) name clock page_size(4) cpus(4) x [cpu(4) offset(8) size(8)] */
static void read_v7_buffer(struct pt_tracefile *tf, struct src *s)
{
	char name[64], clock[64];
	uint64_t ncpus;
	struct pt_tf_buffer *b;

	src_num(s, 8);
	if (src_string(s, name, sizeof(name)) || src_string(s, clock, sizeof(clock)))
		goto bad;
	if (!(b = add_buffer(tf, name)))
		return;
	b->page_size = src_num(s, 4);
	ncpus = src_num(s, 4);
	if (s->bad || ncpus > MAX_CPUS || ncpus > (s->len - s->pos) / 20)
		goto bad;
	if (b->page_size < 64 || b->page_size > (1u << 20) || (b->page_size & (b->page_size - 1)))
		goto bad;
	b->cpus = calloc(ncpus ? ncpus : 1, sizeof(*b->cpus));
	if (!b->cpus)
		goto bad;
	for (uint64_t i = 0; i < ncpus; i++) {
		struct pt_tf_cpu *c = &b->cpus[b->ncpus];

		c->cpu = src_num(s, 4);
		c->offset = src_num(s, 8);
		c->size = src_num(s, 8);
		if (s->bad || c->cpu < 0 || c->cpu >= MAX_CPUS)
			goto bad;
		b->ncpus++;
		place_cpu(tf, b, c);
	}
	return;
bad:
	damage(tf, "a buffer's description (option BUFFER%s%s) is damaged: its data is skipped",
	       name[0] ? " of " : "", name[0] ? name : "");
}

struct v7_sections {
	uint64_t off[OPT_BUFFER_TEXT + 1];
};

static void read_v7_options(struct pt_tracefile *tf, const uint8_t *mem, uint64_t len,
			    struct v7_sections *sec, uint64_t *next)
{
	struct src s = mem_src(tf, mem, len);

	*next = 0;
	while (!s.bad && s.pos < len) {
		unsigned id = src_num(&s, 2);
		uint64_t size = src_num(&s, 4), start = s.pos;

		if (s.bad || size > len - s.pos) {
			damage(tf, "an options section is damaged: option %u claims %llu bytes", id,
			       (unsigned long long)size);
			return;
		}
		if (id == OPT_DONE) {
			*next = size >= 8 ? src_num(&s, 8) : 0;
			return;
		}
		if (id == OPT_BUFFER) {
			struct src sub = mem_src(tf, mem + start, size);

			read_v7_buffer(tf, &sub);
		} else if (id >= OPT_HEADER_INFO && id <= OPT_CMDLINES && size >= 8) {
			sec->off[id] = src_num(&s, 8);
		} else if (id == OPT_BUFFER_TEXT) {
			tf->latency = 1;
		} else if (id == OPT_DATE || id == OPT_OFFSET) {
			char *text = src_blob(&s, size);

			if (text) {
				long long v = strtoll(text, NULL, 0);

				tf->ts_offset += id == OPT_DATE ? v * 1000 : v;
				free(text);
			}
		} else if (id == OPT_TSC2NSEC && size >= 16) {
			tf->tsc_mult = src_num(&s, 4);
			tf->tsc_shift = src_num(&s, 4);
		} else if (id == OPT_TIME_SHIFT) {
			tf->guest_side = 1;
		} else if (id == PT_OPTION_METADATA && !tf->meta) {
			tf->meta = src_blob(&s, size);
		}
		s.bad = 0;
		s.pos = start + size;
	}
	damage(tf, "an options section has no end: the options after it are lost");
}

static int has_data(const struct pt_tracefile *tf)
{
	for (int i = 0; i < tf->nbuffers; i++)
		for (int c = 0; c < tf->buffers[i].ncpus; c++)
			if (tf->buffers[i].cpus[c].size)
				return 1;
	return 0;
}

static uint64_t page_up(const struct pt_tracefile *tf, uint64_t off)
{
	return (off + tf->page_size - 1) & ~(uint64_t)(tf->page_size - 1);
}

static struct pt_tf_cpu *add_cpu(struct pt_tf_buffer *b, uint64_t offset, uint64_t size)
{
	struct pt_tf_cpu *c = realloc(b->cpus, (b->ncpus + 1) * sizeof(*c));

	if (!c)
		return NULL;
	b->cpus = c;
	c = &b->cpus[b->ncpus];
	c->cpu = b->ncpus++;
	c->offset = offset;
	c->size = size;
	c->avail = 0;
	return c;
}

/*
 * The cpus of compressed data from START: each is a chunk count and its
 * chunks, the next one page-aligned after it.  The last may be cut short.
 */
static void scan_compressed(struct pt_tracefile *tf, struct pt_tf_buffer *b, uint64_t start,
			    uint64_t end)
{
	while (start + 4 <= end && b->ncpus < MAX_CPUS) {
		struct src s = file_src(tf, 0, end, start);
		uint64_t count = src_num(&s, 4), size = 0;
		struct pt_tf_cpu *c;

		if (s.bad || !count || count > (end - start) / 8 + 1)
			break;
		for (uint64_t i = 0; i < count; i++) {
			uint64_t zsize = src_num(&s, 4);

			src_num(&s, 4);
			if (s.bad)
				break;
			s.pos += zsize;
			size = s.pos - start - 4;
			if (s.pos > end)
				break;
		}
		c = add_cpu(b, start, s.bad ? end - start - 4 : size);
		if (!c)
			return;
		place_cpu(tf, b, c);
		if (s.bad || s.pos >= end)
			break;
		start = page_up(tf, s.pos);
	}
}

/* Uncompressed pages from START: a page older than the one before starts the next cpu. */
static void scan_pages(struct pt_tracefile *tf, struct pt_tf_buffer *b, uint64_t start, uint64_t end)
{
	uint64_t from = start, prev = 0;

	for (uint64_t off = start; off + tf->page_size <= end; off += tf->page_size) {
		uint8_t h[8];
		uint64_t ts;

		if (pread(tf->fd, h, 8, off) != 8)
			break;
		ts = pt_tf_num(tf, h, 8);
		if (off > from && ts < prev && b->ncpus < MAX_CPUS) {
			struct pt_tf_cpu *c = add_cpu(b, from, off - from);

			if (c)
				place_cpu(tf, b, c);
			from = off;
		}
		prev = ts;
	}
	if (end - from >= tf->page_size) {
		struct pt_tf_cpu *c = add_cpu(b, from, (end - from) / tf->page_size * tf->page_size);

		if (c)
			place_cpu(tf, b, c);
	}
}

/*
 * A v7 file cut short loses its last options section, where trace-cmd
 * writes where each cpu's data is.  The sections are in a row after the
 * last options section read: the data is found by walking them, and each
 * cpu's part by the data's own structure.
 */
static void recover_v7_data(struct pt_tracefile *tf, uint64_t at)
{
	char saved[sizeof(tf->damage)];

	snprintf(saved, sizeof(saved), "%s", tf->damage);
	for (int n = 0; n < MAX_CHAIN && at + 16 <= tf->size; n++) {
		struct src s = file_src(tf, at, tf->size - at, 0);
		unsigned id = src_num(&s, 2), flags = src_num(&s, 2);
		uint64_t size;

		src_num(&s, 4);
		size = src_num(&s, 8);
		if (s.bad || id > 64 || flags > 1)
			return;
		if (id == OPT_BUFFER) {
			uint64_t start = page_up(tf, at + 16);
			uint64_t end = at + 16 + size < tf->size && at + 16 + size > at ? at + 16 + size
											 : tf->size;
			struct pt_tf_buffer *b = add_buffer(tf, "recovered");

			if (!b || start >= end)
				return;
			if (tf->codec)
				scan_compressed(tf, b, start, end);
			else
				scan_pages(tf, b, start, end);
			tf->damage[0] = 0;
			damage(tf, "%s; %d cpus' data found by walking the file (their cpu numbers and "
			       "buffer name are lost)", saved, b->ncpus);
			return;
		}
		if (size > tf->size - at - 16)
			return;
		at += 16 + size;
	}
}

static int read_v7(struct pt_tracefile *tf, struct src *s, const char **stage)
{
	struct v7_sections sec = { { 0 } };
	uint64_t next = src_num(s, 8);
	uint8_t *mem;

	uint64_t len, last = 0;


	*stage = "options";
	if (s->bad)
		return -1;
	for (int n = 0; next && n < MAX_CHAIN; n++) {
		uint64_t at = next;

		if (!(mem = read_section(tf, at, OPT_DONE, &len, NULL))) {
			if (at >= tf->size)
				damage(tf, "the file is cut short: it ends at byte %llu, before its options "
				       "section at byte %llu", (unsigned long long)tf->size,
				       (unsigned long long)at);
			else
				damage(tf, "the options section at byte %llu is damaged",
				       (unsigned long long)at);
			break;
		}
		read_v7_options(tf, mem, len, &sec, &next);
		free(mem);
		last = at;
	}
	if (next && last && !has_data(tf))
		recover_v7_data(tf, last);
	*stage = "page header format";
	mem = read_section(tf, sec.off[OPT_HEADER_INFO], OPT_HEADER_INFO, &len, NULL);
	if (!mem)
		return -1;
	{
		struct src m = mem_src(tf, mem, len);
		int r = read_header_info(tf, &m);

		free(mem);
		if (r)
			return -1;
	}
	*stage = "event formats";
	mem = read_section(tf, sec.off[OPT_EVENT_FORMATS], OPT_EVENT_FORMATS, &len, NULL);
	if (mem) {
		struct src m = mem_src(tf, mem, len);

		if (read_systems(tf, &m))
			damage(tf, "the event formats are damaged: some events cannot be decoded");
		free(mem);
	} else {
		return -1;
	}
	mem = read_section(tf, sec.off[OPT_FTRACE_EVENTS], OPT_FTRACE_EVENTS, &len, NULL);
	if (mem) {
		struct src m = mem_src(tf, mem, len);

		read_formats(tf, &m, "ftrace");
		free(mem);
	}
	mem = read_section(tf, sec.off[OPT_CMDLINES], OPT_CMDLINES, &len, NULL);
	if (mem) {
		struct src m = mem_src(tf, mem, len);

		read_cmdlines(tf, &m);
		free(mem);
	}
	*stage = "buffer index";
	if (!tf->nbuffers && !tf->latency) {
		if (!tf->damage[0])
			damage(tf, "the file has no index of its trace data (no BUFFER option)");
		return -1;
	}
	return 0;
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
	struct src s;
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
	s = file_src(tf, 0, tf->size, 10);
	if (src_string(&s, version, sizeof(version)))
		goto cut;
	tf->version = atoi(version);
	if (tf->version != 6 && tf->version != 7) {
		pt_err_set(err, "cannot read '%s': trace.dat version '%.7s' (pttrace reads versions 6 "
			   "and 7)", path, version);
		goto fail;
	}
	tf->big_endian = src_num(&s, 1);
	tf->long_size = src_num(&s, 1);
	tf->page_size = src_num(&s, 4);
	if (s.bad)
		goto cut;
	if (tf->big_endian > 1 || (tf->long_size != 4 && tf->long_size != 8) ||
	    tf->page_size < 64 || tf->page_size > (1u << 20) || (tf->page_size & (tf->page_size - 1))) {
		pt_err_set(err, "cannot read '%s': its header is damaged (endianness %d, long size %d, "
			   "page size %u)", path, tf->big_endian, tf->long_size, tf->page_size);
		goto fail;
	}
	tf->page_header = tf->long_size == 4 ? 12 : 16;
	tf->tep = tep_alloc();
	tf->known_ids = calloc(MAX_IDS / 8, 1);
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
		if (src_string(&s, tf->codec_name, sizeof(tf->codec_name)) ||
		    src_string(&s, codec_version, sizeof(codec_version)))
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
		r = read_v7(tf, &s, &stage);
	} else {
		r = read_v6(tf, &s, &stage);
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
