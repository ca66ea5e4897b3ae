// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What both versions of trace.dat hold alike, v6 in a row and v7 in
 * sections: the page header's layout, the event formats, the saved
 * command lines, and the options on time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "pt-hostreset.h"
#include "tracefile-local.h"

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
	return end == p + 5 || id < 0 || id >= PT_TF_MAX_IDS ? -1 : id;
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
char *pt_tf_canonical_format(const char *text, long id)
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

static void add_format(struct pt_tracefile *tf, const char *system, const char *text)
{
	long id = format_id(text);

	if (id < 0)
		return;
	tf->known_ids[id / 8] |= 1u << (id % 8);
	if ((unsigned)id > tf->max_known_id)
		tf->max_known_id = id;
	/*
	 * Only kvm's formats are parsed, and pttrace record's kprobes on the
	 * host's PCI resets (pt-hostreset.h): the rest are counted as known ids.
	 */
	if (!strcmp(system, "kvm") ||
	    (!strcmp(system, "kprobes") && !strncmp(text, "name: " PT_HR_PROBE_PREFIX, strlen("name: " PT_HR_PROBE_PREFIX)))) {
		char *safe = pt_tf_canonical_format(text, id);

		if (safe) {
			tep_parse_event(tf->tep, safe, strlen(safe), system);
			free(safe);
		}
	}
}

int pt_tf_read_formats(struct pt_tracefile *tf, struct pt_tf_src *s, const char *system)
{
	uint64_t n = pt_tf_read_num(s, 4);

	/* each format takes at least its 8-byte size */
	if (s->bad || n > (s->len - s->pos) / 8)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t size = pt_tf_read_num(s, 8);
		char *text = pt_tf_read_blob(s, size);

		if (!text)
			return -1;
		add_format(tf, system, text);
		free(text);
	}
	return 0;
}

int pt_tf_read_systems(struct pt_tracefile *tf, struct pt_tf_src *s)
{
	uint64_t n = pt_tf_read_num(s, 4);

	if (s->bad || n > (s->len - s->pos) / 5)
		return -1;
	for (uint64_t i = 0; i < n; i++) {
		char system[128];

		if (pt_tf_read_string(s, system, sizeof(system)) || pt_tf_read_formats(tf, s, system))
			return -1;
	}
	return 0;
}

/* The page header's layout: where the records start and how wide commit is. */
int pt_tf_read_header_info(struct pt_tracefile *tf, struct pt_tf_src *s)
{
	char magic[13];
	uint64_t size;
	char *text;
	const char *data;

	if (pt_tf_read(s, magic, 12) || memcmp(magic, "header_page", 12))
		return -1;
	size = pt_tf_read_num(s, 8);
	text = pt_tf_read_blob(s, size);
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
	if (pt_tf_read(s, magic, 13) || memcmp(magic, "header_event", 13))
		return -1;
	pt_tf_skip(s, pt_tf_read_num(s, 8));
	return s->bad ? -1 : 0;
}

int pt_tf_read_cmdlines(struct pt_tracefile *tf, struct pt_tf_src *s)
{
	uint64_t size = pt_tf_read_num(s, 8);
	char *text = pt_tf_read_blob(s, size), *line, *save = NULL;
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

int pt_tf_time_option(struct pt_tracefile *tf, struct pt_tf_src *s, unsigned id,
		      uint64_t size)
{
	if (id == OPT_DATE || id == OPT_OFFSET) {
		char *text = pt_tf_read_blob(s, size);

		if (text) {
			long long v = strtoll(text, NULL, 0);

			tf->ts_offset += id == OPT_DATE ? v * 1000 : v;
			free(text);
		}
	} else if (id == OPT_TSC2NSEC && size >= 16) {
		tf->tsc_mult = pt_tf_read_num(s, 4);
		tf->tsc_shift = pt_tf_read_num(s, 4);
	} else if (id == OPT_TIME_SHIFT) {
		tf->guest_side = 1;
	} else {
		return 0;
	}
	return 1;
}
