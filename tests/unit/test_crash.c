// SPDX-License-Identifier: GPL-2.0-or-later
/* The crash locator on constructed event streams. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stream.h"

static struct stream start(void)
{
	struct pt_analysis_opts o = { .vcpu = -1 };
	struct stream s = { .ts = 1000000000ull, .step = 1000 };
	struct pt_err err;

	s.a = pt_analysis_new(&o, &err);
	assert_non_null(s.a);
	return s;
}

static void test_pvpanic(void **state)
{
	struct stream s = start();

	(void)state;
	emit(&s, PT_EV_PIO_WRITE, 0x3f8, 'x', 1);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_IO, 0);	/* after the crash */
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_PVPANIC);
	assert_int_equal(s.a->crash.ts, 1000001000ull);
	assert_int_equal(s.a->after_crash, 1);
	pt_analysis_free(s.a);
}

static void test_triple_fault_after_double_fault(void **state)
{
	struct stream s = start();

	(void)state;
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 13, 0);
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 8, 0);
	emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_SHUTDOWN, 0);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_TRIPLE_FAULT);
	assert_int_equal(s.a->crash.ts, 1000002000ull);
	pt_analysis_free(s.a);
}

static void test_double_fault_alone(void **state)
{
	struct stream s = start();

	(void)state;
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 8, 0);
	emit(&s, PT_EV_MMIO_READ, 0xfee00030, 0x14, 4);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_DOUBLE_FAULT);
	assert_int_equal(s.a->crash.ts, 1000000000ull);
	pt_analysis_free(s.a);
}

static void test_resets_and_end(void **state)
{
	struct stream s = start();

	(void)state;
	emit(&s, PT_EV_PIO_WRITE, 0xcf9, 0x02, 1);	/* SYS_RST alone does nothing */
	emit(&s, PT_EV_PIO_WRITE, 0xcf9, 0x06, 1);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_RESET);
	pt_analysis_free(s.a);

	s = start();
	emit(&s, PT_EV_PIO_WRITE, 0x64, 0xfe, 1);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_RESET);
	pt_analysis_free(s.a);

	s = start();
	emit(&s, PT_EV_PIO_WRITE, 0x505, 0, 1);	/* pvpanic with no bit set */
	emit(&s, PT_EV_MMIO_READ, 0xfee00030, 0x14, 4);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_END_OF_TRACE);
	assert_int_equal(s.a->crash.ts, 1000001000ull);
	pt_analysis_free(s.a);
}

static void test_at_overrides(void **state)
{
	struct pt_analysis_opts o = { .vcpu = -1, .have_at = 1, .at_ts = 1000001500ull };
	struct stream s = { .ts = 1000000000ull, .step = 1000 };
	struct pt_err err;

	(void)state;
	s.a = pt_analysis_new(&o, &err);
	for (int i = 0; i < 4; i++)
		emit(&s, PT_EV_MMIO_READ, 0xfee00030, 0x14, 4);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_GIVEN);
	assert_int_equal(s.a->crash.ts, 1000001500ull);
	assert_int_equal(s.a->after_crash, 3);
	pt_analysis_free(s.a);
}

static void hyperv_crash(struct stream *s, uint64_t code)
{
	emit(s, PT_EV_MSR_WRITE, 0x40000100, code, 0);
	emit(s, PT_EV_MSR_WRITE, 0x40000101, 0x11, 0);
	emit(s, PT_EV_MSR_WRITE, 0x40000102, 0x22, 0);
	emit(s, PT_EV_MSR_WRITE, 0x40000103, 0x33, 0);
	emit(s, PT_EV_MSR_WRITE, 0x40000104, 0xffffc00012345678ull, 0);
	emit(s, PT_EV_MSR_WRITE, 0x40000105, 1ull << 63, 0);
}

/* A Windows guest's bugcheck, as the Hyper-V crash MSRs carry it. */
static void test_hyperv_bugchecks(void **state)
{
	static const struct { uint64_t code; const char *name; } known[] = {
		{ 0x116, "VIDEO_TDR_FAILURE" }, { 0x117, "VIDEO_TDR_TIMEOUT_DETECTED" },
		{ 0x9f, "DRIVER_POWER_STATE_FAILURE" }, { 0xd1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL" },
		{ 0x124, "WHEA_UNCORRECTABLE_ERROR" }, { 0x101, "CLOCK_WATCHDOG_TIMEOUT" },
		{ 0x0a, "IRQL_NOT_LESS_OR_EQUAL" }, { 0x7e, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" },
		{ 0x1e, "KMODE_EXCEPTION_NOT_HANDLED" }, { 0x50, "PAGE_FAULT_IN_NONPAGED_AREA" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		struct stream s = start();

		hyperv_crash(&s, known[i].code);
		pt_analysis_finish(s.a);
		assert_int_equal(s.a->crash.kind, PT_CRASH_HYPERV);
		assert_true(s.a->crash.has_bugcheck);
		assert_int_equal(s.a->crash.bugcheck, known[i].code);
		assert_string_equal(pt_bugcheck_name(s.a->crash.bugcheck), known[i].name);
		assert_int_equal(s.a->crash.params[0], 0x11);
		assert_int_equal(s.a->crash.params[3], 0xffffc00012345678ull);
		pt_analysis_free(s.a);
	}
	assert_null(pt_bugcheck_name(0xdeadbeef));
}

/* The parameters alone, without the crash-control write, are no crash. */
static void test_hyperv_needs_notify(void **state)
{
	struct stream s = start();

	(void)state;
	emit(&s, PT_EV_MSR_WRITE, 0x40000100, 0x116, 0);
	emit(&s, PT_EV_MSR_WRITE, 0x40000105, 0, 0);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_END_OF_TRACE);
	pt_analysis_free(s.a);
}

static void emit_refused(struct stream *s, uint64_t msr, uint64_t val)
{
	emit_flags(s, PT_EV_MSR_WRITE, msr, val, 0, PT_EVF_REFUSED);
}

/*
 * A host whose KVM has no Hyper-V crash MSRs refuses every write with #GP;
 * the guest that catches it goes on to pvpanic.  The crash is the
 * crash-control write all the same, and the report knows they were refused.
 */
static void test_hyperv_refused(void **state)
{
	struct stream s = start();

	(void)state;
	emit_refused(&s, 0x40000100, 0x116);
	emit_refused(&s, 0x40000101, 0x113450);
	emit_refused(&s, 0x40000102, 0x101170);
	emit_refused(&s, 0x40000103, 0xffffffffc000009aull);
	emit_refused(&s, 0x40000104, 0x400000000ull);
	emit_refused(&s, 0x40000105, 1ull << 63);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_HYPERV);
	assert_int_equal(s.a->crash.ts, 1000005000ull);
	assert_true(s.a->crash.has_bugcheck);
	assert_false(s.a->crash.bugcheck_from_qmp);
	assert_int_equal(s.a->crash.bugcheck, 0x116);
	assert_int_equal(s.a->crash.params[2], 0xffffffffc000009aull);
	assert_int_equal(s.a->crash.hv_written, 0x3f);
	assert_int_equal(s.a->crash.hv_refused, 0x3f);
	assert_true(s.a->crash.event.flags & PT_EVF_REFUSED);
	assert_int_equal(s.a->after_crash, 1);	/* the pvpanic fallback */
	pt_analysis_free(s.a);

	/* accepted writes: nothing refused */
	s = start();
	hyperv_crash(&s, 0x116);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.hv_written, 0x3f);
	assert_int_equal(s.a->crash.hv_refused, 0);
	pt_analysis_free(s.a);

	/* only the control write, refused: the code is not known */
	s = start();
	emit_refused(&s, 0x40000105, 1ull << 63);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_HYPERV);
	assert_false(s.a->crash.has_bugcheck);
	assert_int_equal(s.a->crash.hv_written, 0x20);
	assert_int_equal(s.a->crash.hv_refused, 0x20);
	pt_analysis_free(s.a);
}

#define QMP_HYPERV_PANIC "{\"guest_panicked\": {\"action\": \"pause\", \"info\": {" \
	"\"type\": \"hyper-v\", \"arg1\": 278, \"arg2\": 1127504, \"arg3\": 1053040, " \
	"\"arg4\": 18446744072635809946, \"arg5\": 17179869184}}}"

/* QMP's GUEST_PANICKED (hv-crash) in the metadata gives the bugcheck the trace lacks. */
static void test_hyperv_from_qmp(void **state)
{
	struct stream s = start();

	(void)state;
	assert_int_equal(pt_analysis_set_meta(s.a, QMP_HYPERV_PANIC), 0);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_PVPANIC);
	assert_true(s.a->crash.has_bugcheck);
	assert_true(s.a->crash.bugcheck_from_qmp);
	assert_int_equal(s.a->crash.bugcheck, 0x116);
	assert_int_equal(s.a->crash.params[0], 0x113450);
	assert_int_equal(s.a->crash.params[2], 0xffffffffc000009aull);	/* exact, not a double */
	assert_int_equal(s.a->crash.params[3], 0x400000000ull);
	pt_analysis_free(s.a);

	/* the trace's own MSR writes win */
	s = start();
	assert_int_equal(pt_analysis_set_meta(s.a, QMP_HYPERV_PANIC), 0);
	hyperv_crash(&s, 0x9f);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.bugcheck, 0x9f);
	assert_false(s.a->crash.bugcheck_from_qmp);
	pt_analysis_free(s.a);

	/* a pvpanic's GUEST_PANICKED has no info: nothing to take */
	s = start();
	assert_int_equal(pt_analysis_set_meta(s.a, "{\"guest_panicked\": {\"action\": \"pause\"}}"), 0);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	pt_analysis_finish(s.a);
	assert_false(s.a->crash.has_bugcheck);
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pvpanic),
		cmocka_unit_test(test_triple_fault_after_double_fault),
		cmocka_unit_test(test_double_fault_alone),
		cmocka_unit_test(test_resets_and_end),
		cmocka_unit_test(test_at_overrides),
		cmocka_unit_test(test_hyperv_bugchecks),
		cmocka_unit_test(test_hyperv_needs_notify),
		cmocka_unit_test(test_hyperv_refused),
		cmocka_unit_test(test_hyperv_from_qmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
