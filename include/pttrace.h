// SPDX-License-Identifier: GPL-2.0-or-later
/* Things every part of pttrace shares: the version and error reporting. */
#ifndef PTTRACE_H
#define PTTRACE_H

#include <stddef.h>
#include <stdint.h>

#ifndef PT_VERSION
#define PT_VERSION "0.1.0"
/*
 * Replaces control characters and bytes that are not UTF-8 in STR with
 * '?', for strings read from a file that are shown to a person.
 */
void pt_make_printable(char *str);
/* Length of the valid UTF-8 sequence at S (1-4), 0 when there is none. */
size_t pt_utf8_len(const unsigned char *s);

#endif

#define PT_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * Library functions never print: they return -1 and leave a one-line,
 * lowercase message here ("cannot open 'crash.dat': No such file or
 * directory") for the caller to show.
 */
struct pt_err {
	char msg[512];
	int errnum;	/* the errno behind it (pt_err_errno), else 0 */
};

int pt_err_set(struct pt_err *err, const char *fmt, ...) PT_PRINTF(2, 3);
/* Like pt_err_set, with ": strerror(errnum)" appended. */
int pt_err_errno(struct pt_err *err, int errnum, const char *fmt, ...) PT_PRINTF(3, 4);

/*
 * Replaces control characters and bytes that are not UTF-8 in STR with
 * '?', for strings read from a file that are shown to a person.
 */
void pt_make_printable(char *str);
/* Length of the valid UTF-8 sequence at S (1-4), 0 when there is none. */
size_t pt_utf8_len(const unsigned char *s);


/*
 * REL, a path relative to the directory of the running binary, made
 * absolute in BUF (PATH_MAX bytes): where pttrace finds what it ships
 * ("build/plugins", "../lib/pttrace/plugins").  BUF, or NULL when REL is
 * not there or not readable.
 */
char *pt_exe_relative(const char *rel, char *buf);

/*
 * A time given on the command line (report's --from and --to): with a sign,
 * a unit (s, ms, us, ns) or 0, relative to the crash ("-2s", "+150ms",
 * "0": *RELATIVE set, *NS may be negative); a bare positive number is the
 * trace clock in seconds, as trace-cmd report shows it ("1234.567890").
 * 0, or -1 when S is not such a time.
 */
int pt_parse_time_arg(const char *s, int64_t *ns, int *relative);

#endif
