// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a command's usage text (struct pt_cmd's usage, what --help
 * prints) for what is made from it: the man pages (cli/mkman.c, at build
 * time) and the options bash completion offers (pttrace --list-opts).
 * The text stays the one source; this is the shape every cmd-*.c keeps:
 *
 *   usage: pttrace CMD <file> [--opt]      the synopsis, up to the first
 *                          [--more <n>]    blank line: each form starts
 *          pttrace CMD --other             with "pttrace", continuations
 *                                          are indented further
 *   Paragraphs of text, unindented.
 *
 *   Options:                               a heading, optional
 *       -o, --out <file>  what it does,    a term: indented, up to two
 *                         continued        spaces; its body after them and
 *       --long-one <x>                     on the lines indented further
 *                         its body
 *   word                                   a term too: an unindented line
 *       what the word does                 alone, its body indented
 *
 *   Exit status: 0 this, 1 that, 2 error.
 */
#ifndef PT_USAGE_H
#define PT_USAGE_H

#include <stddef.h>
#include <stdio.h>

enum pt_usage_kind {
	PT_USAGE_SYNOPSIS,	/* a line of the synopsis ("usage: " left out) */
	PT_USAGE_BLANK,		/* ends a paragraph */
	PT_USAGE_TEXT,		/* a line of a paragraph */
	PT_USAGE_TERM,		/* a term's first line */
	PT_USAGE_BODY,		/* a following line of a term's body */
};

struct pt_usage_line {
	enum pt_usage_kind kind;
	const char *text;	/* after the indentation; not NUL-terminated */
	size_t len;		/* of TEXT, without the newline */
	size_t indent;		/* the spaces before TEXT */
	size_t term_len;	/* TERM: the term's length in TEXT */
	const char *body;	/* TERM: its body on this line, NULL when it starts below */
	size_t body_len;
};

/* Walks a usage text line by line; no allocation. */
struct pt_usage_iter {
	const char *pos;
	int in_synopsis;
	int para_lines;		/* lines of the paragraph so far */
	int in_term;
	size_t term_indent, body_col;
};

void pt_usage_iter_init(struct pt_usage_iter *it, const char *usage);
/* The next line into *LINE; 0 at the end of the text. */
int pt_usage_next(struct pt_usage_iter *it, struct pt_usage_line *line);

/*
 * Prints what bash completion offers after `pttrace NAME` (NAME NULL:
 * pttrace's own options, before the command), read from USAGE: one a line,
 * in the order the text has them,
 *   "--opt" or "--opt <placeholder>"    each option of NAME's synopsis forms
 *                                       and each term that is an option
 *   "<placeholder>"                     a positional argument
 *   "word" or "word <placeholder>"      a subcommand, and its argument
 * and "--help", which main() takes after every command.
 */
void pt_usage_list_opts(FILE *f, const char *usage, const char *name);

#endif
