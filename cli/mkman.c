// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes pttrace's man pages from its command table: pttrace.1, and
 * pttrace-NAME.1 for each command, from the usage texts that --help and
 * `pttrace help NAME` print (usage.h says their shape), so that the two
 * cannot differ.  A build tool, not part of pttrace:
 *
 *     build/tools/mkman OUTDIR VERSION [DATE]
 *
 * Each page has NAME, SYNOPSIS, DESCRIPTION, (for pttrace.1) COMMANDS,
 * OPTIONS, EXIT STATUS and SEE ALSO.  A command whose text says nothing of
 * its exit status has pttrace's (help's text); every command takes -h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "usage.h"

#define MAX_LINES 128
#define WHAT_PTTRACE_IS "find out what a passed-through PCI device did before a KVM guest crashed"

/* A usage text cut in paragraphs (the synopsis is the first). */
struct para {
	struct pt_usage_line lines[MAX_LINES];
	unsigned n;
};

struct text {
	struct para paras[32];
	unsigned n;
};

static int split(const char *usage, struct text *t)
{
	struct pt_usage_iter it;
	struct pt_usage_line l;

	memset(t, 0, sizeof(*t));
	pt_usage_iter_init(&it, usage);
	while (pt_usage_next(&it, &l)) {
		struct para *p;

		if (l.kind == PT_USAGE_BLANK) {
			if (t->n < 32 && t->paras[t->n].n)
				t->n++;
			continue;
		}
		if (t->n == 32)
			return -1;
		p = &t->paras[t->n];
		if (p->n == MAX_LINES)
			return -1;
		p->lines[p->n++] = l;
	}
	if (t->n < 32 && t->paras[t->n].n)
		t->n++;
	return 0;
}

/* Text for roff: \ and - escaped, and . or ' not first on the line. */
static void put_roff(FILE *f, const char *s, size_t n, int line_start)
{
	for (size_t i = 0; i < n; i++) {
		if (line_start && i == 0 && (s[0] == '.' || s[0] == '\''))
			fputs("\\&", f);
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-')
			fputs("\\-", f);
		else
			fputc(s[i], f);
	}
}

static int literal_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * A synopsis line or a term as man pages show them: what is typed as it
 * is in bold, <placeholders> in italics, brackets and bars plain.
 */
static void put_styled(FILE *f, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		if (s[i] == '<') {
			while (j < n && s[j] != '>')
				j++;
			j += j < n;
			fputs("\\fI", f);
			put_roff(f, s + i, j - i, 0);
			fputs("\\fR", f);
		} else if (literal_char(s[i]) && (i == 0 || !literal_char(s[i - 1]))) {
			while (j < n && literal_char(s[j]))
				j++;
			fputs("\\fB", f);
			put_roff(f, s + i, j - i, 0);
			fputs("\\fR", f);
		} else {
			j++;
			put_roff(f, s + i, 1, 0);
		}
		i = j;
	}
}

static const char *find_in(const char *s, size_t n, const char *what)
{
	size_t w = strlen(what);

	for (size_t i = 0; i + w <= n; i++)
		if (!memcmp(s + i, what, w))
			return s + i;
	return NULL;
}

/* The lines of P joined by spaces; the caller frees it. */
static char *joined(const struct para *p)
{
	size_t size = 1, n = 0;
	char *s;

	for (unsigned i = 0; i < p->n; i++)
		size += p->lines[i].len + 1;
	s = malloc(size);
	if (!s)
		return NULL;
	for (unsigned i = 0; i < p->n; i++) {
		if (i)
			s[n++] = ' ';
		memcpy(s + n, p->lines[i].text, p->lines[i].len);
		n += p->lines[i].len;
	}
	s[n] = 0;
	return s;
}

/* Whether P says the exit status: its text has "Exit status". */
static int is_exit_status(const struct para *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (find_in(p->lines[i].text, p->lines[i].len, "Exit status"))
			return 1;
	return 0;
}

/* Whether P lists options: its first term is one, under at most a heading. */
static int is_options(const struct para *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct pt_usage_line *l = &p->lines[i];

		if (l->kind == PT_USAGE_TERM)
			return l->text[0] == '-';
		if (l->kind == PT_USAGE_TEXT && (i > 0 || l->text[l->len - 1] != ':'))
			return 0;
	}
	return 0;
}

/* A paragraph of text and terms; a heading "Options:" is the section's title. */
static void put_para(FILE *f, const struct para *p)
{
	if (p->lines[0].kind != PT_USAGE_TERM)
		fputs(".PP\n", f);
	for (unsigned i = 0; i < p->n; i++) {
		const struct pt_usage_line *l = &p->lines[i];

		switch (l->kind) {
		case PT_USAGE_TERM:
			fputs(".TP\n", f);
			put_styled(f, l->text, l->term_len);
			fputc('\n', f);
			if (l->body) {
				put_roff(f, l->body, l->body_len, 1);
				fputc('\n', f);
			}
			break;
		case PT_USAGE_TEXT:
			if (!i && l->len == 8 && !memcmp(l->text, "Options:", 8) && is_options(p))
				break;
			/* fall through */
		default:
			put_roff(f, l->text, l->len, 1);
			fputc('\n', f);
			break;
		}
	}
}

static void put_synopsis(FILE *f, const struct para *p)
{
	fputs(".SH SYNOPSIS\n.nf\n", f);
	for (unsigned i = 0; i < p->n; i++) {
		fprintf(f, "%*s", (int)p->lines[i].indent, "");
		put_styled(f, p->lines[i].text, p->lines[i].len);
		fputc('\n', f);
	}
	fputs(".fi\n", f);
}

/* One status of an exit status list, "2 error (bad usage)", as a term. */
static void put_status(FILE *f, const char *item, size_t n)
{
	const char *sp = memchr(item, ' ', n);

	if (!sp)
		return;
	fputs(".TP\n.B ", f);
	put_roff(f, item, (size_t)(sp - item), 0);
	fputc('\n', f);
	put_roff(f, sp + 1, n - (size_t)(sp + 1 - item), 1);
	fputc('\n', f);
}

/*
 * "Exit status[ of WHAT]: 0 this, 1 that (a, b), 2 error." from S as a
 * list, one status a term; S as it is when it is not that.
 */
static void put_exit_status(FILE *f, const char *s)
{
	const char *p = strstr(s, "Exit status") + strlen("Exit status");
	const char *colon = strchr(p, ':'), *item;
	int depth = 0;

	if (!colon || colon[1] != ' ' || colon[2] < '0' || colon[2] > '9') {
		fputs(".PP\n", f);
		put_roff(f, s, strlen(s), 1);
		fputc('\n', f);
		return;
	}
	if (!strncmp(p, " of ", 4)) {
		fputs(".PP\nThe exit status of ", f);
		put_roff(f, p + 4, (size_t)(colon - p - 4), 0);
		fputs(":\n", f);
	}
	/* the statuses are split at ", N " outside parentheses */
	for (item = p = colon + 2; *p; p++) {
		depth += (*p == '(') - (*p == ')');
		if (depth == 0 && p[0] == ',' && p[1] == ' ' && p[2] >= '0' && p[2] <= '9') {
			put_status(f, item, (size_t)(p - item));
			item = p + 2;
		}
	}
	put_status(f, item, (size_t)(p - item) - (p > item && p[-1] == '.'));
}

/* The page's name in roff: pttrace\-analyze. */
static void put_page_name(FILE *f, const char *cmd)
{
	fputs("pttrace", f);
	if (cmd)
		fprintf(f, "\\-%s", cmd);
}

static void put_see_also(FILE *f, const struct pt_cmd *cmd, const char *usage)
{
	const struct pt_cmd *const *cmds;
	const char *sep = "";
	int all = !cmd || cmd == &pt_cmd_help;	/* help's page is about them all */
	size_t n;

	fputs(".SH SEE ALSO\n", f);
	if (cmd) {
		fputs(".BR pttrace (1)", f);
		sep = ",\n";
	}
	cmds = pt_cmds(&n);
	for (size_t i = 0; i < n; i++) {
		char mention[64];
		const char *m;
		size_t len;

		if (cmd == cmds[i] || cmds[i] == &pt_cmd_help)
			continue;
		len = (size_t)snprintf(mention, sizeof(mention), "pttrace %s", cmds[i]->name);
		m = strstr(usage, mention);
		if (!all && (!m || literal_char(m[len])))
			continue;	/* a command's page names those its text names */
		fputs(sep, f);
		fputs(".BR ", f);
		put_page_name(f, cmds[i]->name);
		fputs(" (1)", f);
		sep = ",\n";
	}
	if (strstr(usage, "trace-cmd"))
		fprintf(f, "%s.BR trace\\-cmd (1)", sep);
	fputc('\n', f);
}

/* CMD's page, or pttrace's own (CMD NULL: help's text and the commands). */
static int write_page(FILE *f, const struct pt_cmd *cmd, const char *version, const char *date)
{
	const char *usage = cmd ? cmd->usage : pt_cmd_help.usage;
	struct text *t = malloc(sizeof(*t)), *general = malloc(sizeof(*general));
	const struct para *exit_para = NULL;
	const struct pt_cmd *const *cmds;
	int has_help = 0, rc = -1;
	size_t ncmds;
	char *s = NULL;

	if (!t || !general || split(usage, t) || !t->n || split(pt_cmd_help.usage, general))
		goto out;
	fputs(".\\\" Made by cli/mkman.c from pttrace's usage texts: edit those, not this.\n", f);
	fputs(".TH \"PTTRACE", f);
	if (cmd) {	/* the title in upper case: PTTRACE\-ANALYZE */
		fputs("\\-", f);
		for (const char *c = cmd->name; *c; c++)
			fputc(toupper((unsigned char)*c), f);
	}
	fprintf(f, "\" 1 \"%s\" \"pttrace %s\" \"pttrace Manual\"\n", date, version);
	fputs(".nh\n.ad l\n", f);	/* no hyphens in names and options, ragged right */

	fputs(".SH NAME\n", f);
	put_page_name(f, cmd ? cmd->name : NULL);
	fputs(" \\- ", f);
	put_roff(f, cmd ? cmd->summary : WHAT_PTTRACE_IS, strlen(cmd ? cmd->summary : WHAT_PTTRACE_IS), 0);
	fputc('\n', f);

	put_synopsis(f, &t->paras[0]);

	fputs(".SH DESCRIPTION\n", f);
	for (unsigned i = 1; i < t->n; i++) {
		const struct para *p = &t->paras[i];

		if (is_options(p))
			continue;
		if (!is_exit_status(p)) {
			put_para(f, p);
			continue;
		}
		exit_para = p;
		s = joined(p);
		if (!s)
			goto out;
		if (strstr(s, "Exit status") != s) {	/* "Needs root. Exit status: ..." */
			fputs(".PP\n", f);
			put_roff(f, s, (size_t)(strstr(s, "Exit status") - s), 1);
			fputc('\n', f);
		}
		free(s);
		s = NULL;
	}

	cmds = pt_cmds(&ncmds);
	if (!cmd) {
		fputs(".SH COMMANDS\n", f);
		for (size_t i = 0; i < ncmds; i++) {
			fputs(".TP\n.BR ", f);
			put_page_name(f, cmds[i]->name);
			fputs(" (1)\n", f);
			put_roff(f, cmds[i]->summary, strlen(cmds[i]->summary), 1);
			fputc('\n', f);
		}
	}

	fputs(".SH OPTIONS\n", f);
	for (unsigned i = 1; i < t->n; i++) {
		const struct para *p = &t->paras[i];

		if (!is_options(p))
			continue;
		put_para(f, p);
		for (unsigned j = 0; j < p->n; j++)
			if (p->lines[j].kind == PT_USAGE_TERM &&
			    find_in(p->lines[j].text, p->lines[j].term_len, "--help"))
				has_help = 1;
	}
	if (!has_help)	/* main() takes it after every command */
		fprintf(f, ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\n"
			"print the text of this page (pttrace help %s prints it too)\n", cmd->name);

	fputs(".SH EXIT STATUS\n", f);
	for (unsigned i = 1; !exit_para && i < general->n; i++)
		if (is_exit_status(&general->paras[i]))
			exit_para = &general->paras[i];
	if (exit_para) {
		s = joined(exit_para);
		if (!s)
			goto out;
		put_exit_status(f, s);
	}

	put_see_also(f, cmd, usage);
	rc = ferror(f) ? -1 : 0;
out:
	free(s);
	free(t);
	free(general);
	return rc;
}

/* Writes DIR/NAME.1 whole or not at all. */
static int write_file(const char *dir, const struct pt_cmd *cmd, const char *version,
		      const char *date)
{
	char path[4096], tmp[4200];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/pttrace%s%s.1", dir, cmd ? "-" : "", cmd ? cmd->name : "");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "mkman: cannot write '%s': %s\n", tmp, strerror(errno));
		return -1;
	}
	rc = write_page(f, cmd, version, date);
	if (fclose(f) || rc || rename(tmp, path)) {
		fprintf(stderr, "mkman: cannot write '%s'\n", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct pt_cmd *const *cmds;
	size_t n;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: mkman OUTDIR VERSION [DATE]\n");
		return 2;
	}
	if (write_file(argv[1], NULL, argv[2], argc > 3 ? argv[3] : ""))
		return 1;
	cmds = pt_cmds(&n);
	for (size_t i = 0; i < n; i++)
		if (write_file(argv[1], cmds[i], argv[2], argc > 3 ? argv[3] : ""))
			return 1;
	return 0;
}
