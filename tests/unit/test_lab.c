// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-lab.h"

static int has_pair(char **argv, const char *opt, const char *val)
{
	for (char **a = argv; a[0] && a[1]; a++)
		if (!strcmp(a[0], opt) && !strcmp(a[1], val))
			return 1;
	return 0;
}

static void test_scenarios(void **state)
{
	static const char *required[] = {
		"d3-access", "hang-reset", "irq-storm", "lost-msi", "stray-mmio", "busmaster-off",
		"intx-disabled", "healthy", "bugcheck",
	};
	size_t n;
	const struct pt_lab_scenario *s = pt_lab_scenarios(&n);

	(void)state;
	assert_int_equal(n, 10);
	assert_true(pt_lab_find("mmio-loop")->benchmark);
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		assert_non_null(pt_lab_find(required[i]));
	assert_null(pt_lab_find("nope"));
	assert_int_equal(pt_lab_find("stray-mmio")->expect, PT_LAB_TRIPLE_FAULT);
	assert_int_equal(pt_lab_find("healthy")->expect, PT_LAB_NO_CRASH);
	/* the bugcheck's MSR writes are refused where KVM lacks them: pvpanic ends it */
	assert_int_equal(pt_lab_find("bugcheck")->expect, PT_LAB_PANIC);
	assert_true(pt_lab_find("bugcheck")->hv_crash);
	assert_false(pt_lab_find("hang-reset")->hv_crash);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(s[i].qemu_devices[0]);
		if (s[i].expect == PT_LAB_PANIC)
			assert_string_equal(pt_lab_crash_name(s[i].expect), "guest panic (pvpanic)");
	}
}

/* The command line is the one users type, so the recorder finds the VM by -name. */
static void test_argv(void **state)
{
	struct pt_lab_opts opts = { .name = "win7", .qemu = "/usr/bin/qemu-system-x86_64",
				    .guest = "/g.elf" };
	struct pt_err err;
	char **argv = pt_lab_argv(pt_lab_find("irq-storm"), &opts, "/run/q.sock", &err);

	(void)state;
	assert_non_null(argv);
	assert_string_equal(argv[0], "/usr/bin/qemu-system-x86_64");
	assert_true(has_pair(argv, "-name", "win7"));
	assert_true(has_pair(argv, "-machine", "q35"));
	assert_true(has_pair(argv, "-device", "pvpanic"));
	assert_true(has_pair(argv, "-device", "edu,addr=03.0"));
	assert_true(has_pair(argv, "-qmp", "unix:/run/q.sock,server=on,wait=off"));
	assert_true(has_pair(argv, "-kernel", "/g.elf"));
	assert_true(has_pair(argv, "-append", "scenario=irq-storm"));
	for (char **a = argv; *a; a++) {
		assert_string_not_equal(*a, "-S");
		if (!strcmp(*a, "-enable-kvm"))
			goto found;
	}
	fail_msg("no -enable-kvm");
found:
	pt_lab_argv_free(argv);

	opts.paused = 1;
	argv = pt_lab_argv(pt_lab_find("healthy"), &opts, NULL, &err);
	assert_non_null(argv);
	for (char **a = argv; *a; a++)
		assert_string_not_equal(*a, "-qmp");
	assert_true(has_pair(argv, "-device", "ati-vga,model=rv100,addr=05.0,romfile="));
	{
		int paused = 0;

		for (char **a = argv; *a; a++)
			paused |= !strcmp(*a, "-S");
		assert_true(paused);
	}
	pt_lab_argv_free(argv);
}

static int has_opt(char **argv, const char *opt)
{
	for (char **a = argv; *a; a++)
		if (!strcmp(*a, opt))
			return 1;
	return 0;
}

/* hv-crash goes to the scenario that asks for it, where KVM has it (or when forced). */
static void test_argv_hv_crash(void **state)
{
	struct pt_lab_opts opts = { .guest = "/g.elf", .hv_crash = PT_LAB_HV_ON };
	struct pt_err err;
	char **argv = pt_lab_argv(pt_lab_find("bugcheck"), &opts, NULL, &err);
	char why[160];
	int probed;

	(void)state;
	assert_non_null(argv);
	assert_true(has_pair(argv, "-cpu", "qemu64,hv-crash"));
	assert_true(has_pair(argv, "-device", "ati-vga,model=rv100,addr=05.0,romfile="));
	assert_true(has_pair(argv, "-append", "scenario=bugcheck"));
	pt_lab_argv_free(argv);

	argv = pt_lab_argv(pt_lab_find("hang-reset"), &opts, NULL, &err);
	assert_false(has_opt(argv, "-cpu"));
	pt_lab_argv_free(argv);

	opts.hv_crash = PT_LAB_HV_OFF;
	argv = pt_lab_argv(pt_lab_find("bugcheck"), &opts, NULL, &err);
	assert_false(has_opt(argv, "-cpu"));
	pt_lab_argv_free(argv);

	/* the probe decides by default, and says why not */
	why[0] = 0;
	probed = pt_lab_hv_crash_probe(why, sizeof(why));
	assert_true(probed || why[0]);
	opts.hv_crash = PT_LAB_HV_PROBE;
	argv = pt_lab_argv(pt_lab_find("bugcheck"), &opts, NULL, &err);
	assert_int_equal(has_opt(argv, "-cpu"), probed);
	pt_lab_argv_free(argv);
}

static void test_missing_guest(void **state)
{
	struct pt_lab_opts opts = { .guest = "/nonexistent/guest.elf" };
	struct pt_lab_result result;
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_lab_run(pt_lab_find("healthy"), &opts, &result, &err), -1);
	assert_string_equal(err.msg, "cannot read the lab guest '/nonexistent/guest.elf': "
			    "No such file or directory");
}

static void test_missing_qemu(void **state)
{
	struct pt_lab_opts opts = { .guest = "/dev/null", .qemu = "/nonexistent/qemu" };
	struct pt_lab_result result;
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_lab_run(pt_lab_find("healthy"), &opts, &result, &err), -1);
	assert_string_equal(err.msg, "cannot run '/nonexistent/qemu': No such file or directory "
			    "(install qemu-system-x86)");
}

/* QEMU that refuses to start: its last stderr line is the error. */
static void test_qemu_fails(void **state)
{
	struct pt_lab_opts opts = { .guest = "/dev/null", .qemu = "/bin/false" };
	struct pt_lab_result result;
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_lab_run(pt_lab_find("healthy"), &opts, &result, &err), -1);
	assert_non_null(strstr(err.msg, "QEMU exited before the VM started"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_argv_hv_crash),
		cmocka_unit_test(test_missing_guest),
		cmocka_unit_test(test_missing_qemu),
		cmocka_unit_test(test_qemu_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
