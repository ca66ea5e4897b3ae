// SPDX-License-Identifier: GPL-2.0-or-later
/* The command table of the pttrace binary. */
#ifndef PT_CLI_H
#define PT_CLI_H

#include <stdint.h>
#include <stdio.h>

/*
 * Everything about one subcommand, exported by its own cmd-NAME.c.
 * USAGE is the man-page-style text that `pttrace help NAME` and
 * `pttrace NAME --help` print; USAGE_MORE, when set, prints more of it
 * from a table that the command runs on too (tui's keys).
 */
struct pt_cmd {
	const char *name;
	const char *summary;
	const char *usage;
	void (*usage_more)(FILE *f);
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
	int uses_plugins;	/* loads them: names, decoders, detectors (help, record do not) */
};

/* Exit statuses shared by the commands. */
enum {
	PT_EXIT_OK = 0,
	PT_EXIT_FAILURE = 1,	/* it ran; the result is not the good one */
	PT_EXIT_ERROR = 2,	/* it could not run: bad usage, missing file, ... */
};

extern const struct pt_cmd pt_cmd_analyze, pt_cmd_check, pt_cmd_diff, pt_cmd_help, pt_cmd_lab,
	pt_cmd_plugins, pt_cmd_record, pt_cmd_report, pt_cmd_tui, pt_cmd_version, pt_cmd_vms;

const struct pt_cmd *const *pt_cmds(size_t *count);

/*
 * Finds NAME in TABLE by exact name or unique prefix.  Returns NULL and
 * sets *AMBIGUOUS when more than one command starts with NAME.
 */
const struct pt_cmd *pt_cmd_find(const struct pt_cmd *const *table, size_t n,
				 const char *name, int *ambiguous);
/* pt_cmd_find on pttrace's own table. */
const struct pt_cmd *pt_cmd_lookup(const char *name, int *ambiguous);
/* "pttrace: ambiguous command: re, could be: record, report" */
void pt_cmd_print_ambiguous(FILE *f, const struct pt_cmd *const *table, size_t n,
			    const char *name);

void pt_cmd_print_usage(const struct pt_cmd *cmd, FILE *f);
/* "pttrace CMD: <message>" (FMT NULL: none, getopt said it) and the --help hint on stderr; returns PT_EXIT_ERROR. */
int pt_die_usage(const struct pt_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct pt_symbols;
struct pt_analysis_opts;
/*
 * --guest-elf FILE[@BIAS]: adds FILE's symbols to *SYMBOLS (made on first
 * use); a stripped file is a note on stderr.  PT_EXIT_OK, or
 * PT_EXIT_ERROR after saying why.
 */
int pt_cli_guest_elf(struct pt_symbols **symbols, const char *spec);

/*
 * The analysis options analyze and tui share, by getopt's letter C:
 * w --window, d --device (a BDF, or a BAR hint into OPTS->hints, room for
 * 16), c --vcpu, a --at, e --ecam; any other letter is getopt's error.
 * PT_EXIT_OK, or PT_EXIT_ERROR after the usage message (CMD's).
 */
int pt_cli_analysis_opt(const struct pt_cmd *cmd, int c, const char *arg,
			struct pt_analysis_opts *opts);
#define PT_CLI_ANALYSIS_LONGOPTS \
	{ "window", required_argument, NULL, 'w' }, \
	{ "device", required_argument, NULL, 'd' }, \
	{ "vcpu", required_argument, NULL, 'c' }, \
	{ "at", required_argument, NULL, 'a' }, \
	{ "ecam", required_argument, NULL, 'e' }, \
	{ "jobs", required_argument, NULL, 'J' }

struct pt_analysis;
/*
 * A --vcpu (VCPU >= 0) or --device (HAVE_DEVICE) that A's trace does not
 * have: a note on stderr listing the vcpus or devices it does have.
 */
void pt_cli_note_filters(const struct pt_analysis *a, int vcpu, int have_device, uint16_t device);
/* A --guest-elf that names none of A's guest rips: a warning on stderr (the TUI shows it on screen). */
void pt_cli_note_rips(const struct pt_analysis *a);

/* Browses PATH's analysis with OPTS (pttrace tui), on a terminal; an exit status. */
int pt_cli_tui(const char *path, const struct pt_analysis_opts *opts);

#endif
