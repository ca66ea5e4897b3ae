// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A recording's scratch directory: its state survives a save and an open
 * (the watchdog and --recover read what the recorder wrote), and the
 * half-written output a killed writer left is removed only while its name
 * still holds that very file.  Needs root (the registry is in /run).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../collector/capture.h"
#include "../../collector/scratch.h"

struct fixture {
	char dir[64];
	struct pt_scratch s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char output[128];
	struct pt_err err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/pttrace-scratch.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(output, sizeof(output), "%s/crash.dat", f->dir);
	if (pt_scratch_create(&f->s, NULL, output, 0, &err)) {
		fprintf(stderr, "# %s\n", err.msg);
		return -1;
	}
	f->s.cpus = 2;	/* a state file names at least one */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	pt_scratch_remove(&f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

/* a partial file at PATH, noted in the state as the writer notes it */
static void note_partial(struct pt_scratch *s, const char *path)
{
	FILE *fp = fopen(path, "w");
	struct stat st;

	assert_non_null(fp);
	fputs("half a trace.dat", fp);
	fclose(fp);
	assert_int_equal(stat(path, &st), 0);
	snprintf(s->partial, sizeof(s->partial), "%s", path);
	s->partial_dev = st.st_dev;
	s->partial_ino = st.st_ino;
	assert_int_equal(pt_scratch_save(s, NULL), 0);
}

static void test_state_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pt_scratch back;
	struct pt_err err;
	char path[128];

	f->s.cpus = 4;
	f->s.stream = 1;
	f->s.phase = PT_PHASE_WRITING;
	snprintf(f->s.instance, sizeof(f->s.instance), "pttrace-1-vm");
	snprintf(path, sizeof(path), "%s/crash.dat.tmp.AbC123", f->dir);
	note_partial(&f->s, path);
	assert_int_equal(pt_scratch_open(&back, f->s.dir, &err), 0);
	assert_int_equal(back.pid, getpid());
	assert_int_equal(back.cpus, 4);
	assert_int_equal(back.stream, 1);
	assert_int_equal(back.phase, PT_PHASE_WRITING);
	assert_string_equal(back.instance, "pttrace-1-vm");
	assert_string_equal(back.partial, path);
	assert_true(back.partial_ino == f->s.partial_ino && back.partial_dev == f->s.partial_dev);
	pt_scratch_close(&back);
}

static void test_partial_removed(void **state)
{
	struct fixture *f = *state;
	struct pt_scratch back;
	struct pt_err err;
	char path[128];

	snprintf(path, sizeof(path), "%s/crash.dat.tmp.XyZ789", f->dir);
	note_partial(&f->s, path);
	assert_int_equal(pt_scratch_open(&back, f->s.dir, &err), 0);
	pt_scratch_remove_partial(&back);
	assert_int_equal(access(path, F_OK), -1);
	assert_string_equal(back.partial, "");
	pt_scratch_close(&back);
}

/* the name was taken again since (a user's file, a later run's): left alone */
static void test_partial_replaced_kept(void **state)
{
	struct fixture *f = *state;
	char path[128], other[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/crash.dat.tmp.Q1", f->dir);
	snprintf(other, sizeof(other), "%s/other", f->dir);
	note_partial(&f->s, path);
	fp = fopen(other, "w");
	assert_non_null(fp);
	fputs("someone else's", fp);
	fclose(fp);
	assert_int_equal(rename(other, path), 0);
	pt_scratch_remove_partial(&f->s);
	assert_int_equal(access(path, F_OK), 0);
}

static void test_partial_symlink_kept(void **state)
{
	struct fixture *f = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/crash.dat.tmp.Q2", f->dir);
	note_partial(&f->s, path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	pt_scratch_remove_partial(&f->s);
	assert_int_equal(access("/etc/passwd", F_OK), 0);
	assert_int_equal(unlink(path), 0);	/* the symlink was not touched either */
}

static void test_remedy(void **state)
{
	struct pt_err e;

	(void)state;
	pt_err_errno(&e, ENOSPC, "cannot write 'x'");
	assert_string_equal(pt_capture_remedy(&e), "make room, then");
	pt_err_errno(&e, EDQUOT, "cannot write 'x'");
	assert_string_equal(pt_capture_remedy(&e), "make room, then");
	pt_err_errno(&e, EIO, "cannot write 'x'");
	assert_string_equal(pt_capture_remedy(&e), "once that is fixed,");
	pt_err_set(&e, "no errno");
	assert_int_equal(e.errnum, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_replaced_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_symlink_kept, setup, teardown),
		cmocka_unit_test(test_remedy),
	};

	if (geteuid()) {
		printf("1..1\nok 1 # SKIP needs root (the scratch registry is in /run)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
