// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The text trace reader: each layout, each event, mail wrapping and
 * quoting, damage, and the same events as the binary reader.
 *
 * With arguments it is the helper of tests/cli/text-traces.sh, printing
 * one line per event:
 *   test_text --bin FILE.dat [--usec]   the binary reader's events
 *   test_text --text FILE|-             the text reader's events
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "pt-reader.h"
#include "pt-text.h"

static void print_event(const struct pt_event *ev, int usec)
{
	printf("%llu %d %u %d %s %llx %llx %u %llx %x %x\n",
	       (unsigned long long)(usec ? (ev->ts + 500) / 1000 * 1000 : ev->ts), ev->cpu, ev->tid, ev->vcpu,
	       pt_event_kind_name(ev->kind), (unsigned long long)ev->addr,
	       (unsigned long long)ev->val, ev->len, (unsigned long long)ev->rip, ev->flags,
	       ev->extra);
}

static int dump_bin(const char *path, int usec)
{
	struct pt_err err;
	struct pt_reader *r = pt_reader_open(path, &err);
	struct pt_position pos;
	struct pt_event ev;
	int n;

	if (!r) {
		fprintf(stderr, "test_text: %s\n", err.msg);
		return 1;
	}
	while ((n = pt_reader_next(r, &ev, &pos)) == 1)
		print_event(&ev, usec);
	fprintf(stderr, "vcpus %u damaged %llu present %x\n", pt_reader_info(r)->vcpus,
		(unsigned long long)pt_reader_info(r)->damaged, pt_reader_info(r)->present);
	pt_reader_close(r);
	return n < 0;
}

static int dump_text(const char *path)
{
	struct pt_err err;
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct pt_text_reader *t;
	const struct pt_text_info *info;
	struct pt_event ev;
	int n;

	if (!f) {
		perror(path);
		return 1;
	}
	t = pt_text_open(f, &err);
	if (!t) {
		fprintf(stderr, "test_text: %s\n", err.msg);
		return 1;
	}
	while ((n = pt_text_next(t, &ev)) == 1)
		print_event(&ev, 0);
	if (n < 0)
		fprintf(stderr, "test_text: %s\n", pt_text_error(t));
	info = pt_text_info(t);
	fprintf(stderr, "vcpus %u damaged %llu present %x format %s cpus %u lines %llu records %llu\n",
		info->vcpus, (unsigned long long)info->damaged, info->present,
		pt_text_format_name(info->format), info->cpus, (unsigned long long)info->lines,
		(unsigned long long)info->records);
	pt_text_close(t);
	if (f != stdin)
		fclose(f);
	return n < 0;
}


/* Reads TEXT whole; the events into EVS (up to MAX), their count returned. */
static int read_text(const char *text, struct pt_event *evs, int max, struct pt_text_info *info)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct pt_text_reader *t;
	struct pt_err err;
	struct pt_event ev;
	int n = 0;

	assert_non_null(f);
	t = pt_text_open(f, &err);
	assert_non_null(t);
	while (pt_text_next(t, &ev) == 1)
		if (n < max)
			evs[n++] = ev;
	if (info)
		*info = *pt_text_info(t);
	pt_text_close(t);
	fclose(f);
	return n;
}

static void test_trace_cmd_events(void **state)
{
	static const char text[] =
		"cpus=2\n"
		"  CPU 0/KVM-12345 [001]  2704.800591: kvm_mmio:             mmio write len 4 gpa 0xfebf0008 val 0x1\n"
		"  CPU 0/KVM-12345 [001]  2704.800592: kvm_mmio:             mmio unsatisfied-read len 4 gpa 0xfebf0008 val 0x0\n"
		"  CPU 0/KVM-12345 [001]  2704.800593: kvm_mmio:             mmio read len 2 gpa 0xfebf0008 val 0xffff\n"
		"  CPU 0/KVM-12345 [001]  2704.800594: kvm_pio:              pio_write at 0xcf8 size 4 count 1 val 0x80001804 \n"
		"  CPU 0/KVM-12345 [001]  2704.800595: kvm_pio:              pio_read at 0x1f0 size 2 count 8 val 0x0 (...)\n"
		"  CPU 0/KVM-12345 [001]  2704.800596: kvm_msr:              msr_write 40000100 = 0x5 (#GP)\n"
		" qemu-system-x86-12300 [000]  2704.800597: kvm_msi_set_irq:      dst 1 vec 33 (Fixed|logical|level|rh)\n"
		" qemu-system-x86-12300 [000]  2704.800598: kvm_set_irq:          gsi 16 level -1 source 0\n"
		" qemu-system-x86-12300 [000]  2704.800599: kvm_apic_accept_irq:  apicid 0 vec 33 (Fixed|edge)\n"
		"  CPU 1/KVM-12346 [000]  2704.800600: kvm_eoi:              apicid 1 vector 33\n"
		"  CPU 1/KVM-12346 [000]  2704.800601: kvm_inj_virq:         IRQ 0x21\n"
		"  CPU 1/KVM-12346 [000]  2704.800602: kvm_inj_exception:    #PF (0x2)\n"
		"  CPU 1/KVM-12346 [000]  2704.800603: kvm_userspace_exit:   reason KVM_EXIT_SHUTDOWN (8)\n"
		"  CPU 1/KVM-12346 [000]  2704.800604: kvm_exit:             vcpu 1 reason EPT_VIOLATION rip 0xffffffff81234567 info1 0x0000000000000181 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000\n"
		"  CPU 1/KVM-12346 [000]  2704.800605: kvm_exit:             reason npf rip 0xfff0 info 0 0\n"
		"  CPU 1/KVM-12346 [000]  2704.800606: kvm_page_fault:       vcpu 1 rip 0x1000 address 0x00000000fee00000 error_code 0x181\n"
		"  CPU 1/KVM-12346 [000]  2704.800607: kvm_emulate_insn:     0:ffffffff8100abcd: 0f 0b\n"
		"  CPU 1/KVM-12346 [000]  2704.800608: kvm_mmio:             type=2 len=8 gpa=0xfebf0010 val=0x2\n"
		"  CPU 1/KVM-12346 [000]  2704.800609: kvm_inj_exception:    [FAILED TO PARSE] exception=13 has_error=1 error_code=0 reinjected=0\n"
		"  CPU 1/KVM-12346 [000]  2704.800610: kvm_exit:             reason EPT_MISCONFIG FAILED_VMENTRY rip 0x10 info 0 0\n"
		"  CPU 1/KVM-12346 [000]  2704.800611: sched_switch:         prev_comm=CPU 1/KVM\n";
	struct pt_event e[32];
	struct pt_text_info info;
	int n = read_text(text, e, 32, &info);

	(void)state;
	assert_int_equal(n, 19);
	assert_int_equal(e[0].kind, PT_EV_MMIO_WRITE);
	assert_int_equal(e[0].addr, 0xfebf0008);
	assert_int_equal(e[0].val, 1);
	assert_int_equal(e[0].len, 4);
	assert_int_equal(e[0].ts, 2704800591000ull);
	assert_int_equal(e[0].cpu, 1);
	assert_int_equal(e[0].tid, 12345);
	assert_int_equal(e[0].vcpu, 0);
	assert_int_equal(e[1].kind, PT_EV_MMIO_READ);	/* the unsatisfied read is dropped */
	assert_int_equal(e[1].val, 0xffff);
	assert_int_equal(e[2].kind, PT_EV_PIO_WRITE);
	assert_int_equal(e[2].addr, 0xcf8);
	assert_int_equal(e[2].val, 0x80001804);
	assert_int_equal(e[3].kind, PT_EV_PIO_READ);
	assert_int_equal(e[3].len, 2);
	assert_int_equal(e[4].kind, PT_EV_MSR_WRITE);
	assert_int_equal(e[4].addr, 0x40000100);
	assert_int_equal(e[4].val, 5);
	assert_true(e[4].flags & PT_EVF_REFUSED);	/* " (#GP)": KVM refused it */
	assert_int_equal(e[5].kind, PT_EV_MSI);
	assert_int_equal(e[5].addr, 0xfee0100c);
	assert_int_equal(e[5].val, 0x8021);
	assert_int_equal(e[5].vcpu, -1);
	assert_int_equal(e[6].kind, PT_EV_IRQ_LINE);
	assert_int_equal(e[6].addr, 16);
	assert_int_equal(e[6].val, 0xffffffff);
	assert_int_equal(e[7].kind, PT_EV_APIC_ACCEPT);
	assert_int_equal(e[7].val, 33);
	assert_int_equal(e[8].kind, PT_EV_EOI);
	assert_int_equal(e[8].vcpu, 1);		/* the second thread seen */
	assert_int_equal(e[9].kind, PT_EV_INJ_VIRQ);
	assert_int_equal(e[9].val, 0x21);
	assert_int_equal(e[10].kind, PT_EV_INJ_EXCEPTION);
	assert_int_equal(e[10].val, 14);
	assert_int_equal(e[10].flags, PT_EVF_ERROR_CODE);
	assert_int_equal(e[10].extra, 2);
	assert_int_equal(e[11].kind, PT_EV_USER_EXIT);
	assert_int_equal(e[11].val, 8);
	assert_int_equal(e[12].kind, PT_EV_EXIT);
	assert_int_equal(e[12].val, 48);
	assert_int_equal(e[12].rip, 0xffffffff81234567ull);
	assert_int_equal(e[13].val, 0x400);
	assert_int_equal(e[13].rip, 0xfff0);
	assert_int_equal(e[14].kind, PT_EV_PAGE_FAULT);
	assert_int_equal(e[14].addr, 0xfee00000);
	assert_int_equal(e[14].val, 0x181);
	assert_int_equal(e[14].rip, 0x1000);
	assert_int_equal(e[15].kind, PT_EV_EMULATE);
	assert_int_equal(e[15].rip, 0xffffffff8100abcdull);
	assert_int_equal(e[16].kind, PT_EV_MMIO_WRITE);	/* raw fields */
	assert_int_equal(e[16].len, 8);
	assert_int_equal(e[16].addr, 0xfebf0010);
	assert_int_equal(e[17].val, 13);
	assert_int_equal(e[17].flags, PT_EVF_ERROR_CODE);
	assert_int_equal(e[18].val, 0x80000031);
	assert_int_equal(info.format, PT_TEXT_TRACE_CMD);
	assert_int_equal(info.cpus, 2);
	assert_int_equal(info.damaged, 0);
	assert_int_equal(info.records, 21);
	assert_true(info.present & (1u << PT_EV_PAGE_FAULT));
}

static const char ftrace_text[] =
	"# tracer: nop\n"
	"#\n"
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n"
	"       CPU 0/KVM-4321    [000] d..2.  123.456789012: kvm_pio: pio_write at 0xcf8 size 4 count 1 val 0x80000000 \n";

static const char perf_text[] =
	"qemu-system-x86  4321 [000]   123.456789012:        kvm:kvm_pio: pio_write at 0xcf8 size 4 count 1 val 0x80000000 \n";

static const char report_text[] =
	"CPU 0/KVM-4321 [000]   123.456789012: kvm_pio:              pio_write at 0xcf8 size 4 count 1 val 0x80000000 \n";

/* One record in each layout: the same event. */
static void test_layouts(void **state)
{
	const char *texts[] = { ftrace_text, perf_text, report_text };
	enum pt_text_format formats[] = { PT_TEXT_FTRACE, PT_TEXT_PERF, PT_TEXT_TRACE_CMD };

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct pt_event e[2];
		struct pt_text_info info;

		assert_int_equal(read_text(texts[i], e, 2, &info), 1);
		assert_int_equal(e[0].ts, 123456789012ull);
		assert_int_equal(e[0].tid, 4321);
		assert_int_equal(e[0].cpu, 0);
		assert_int_equal(e[0].kind, PT_EV_PIO_WRITE);
		assert_int_equal(e[0].val, 0x80000000);
		assert_int_equal(info.format, formats[i]);
		assert_true(pt_text_probe(texts[i], strlen(texts[i])));
	}
}

/* Wrapped inside the header and inside a number, quoted, between prose. */
static void test_wrapped_quoted(void **state)
{
	static const char text[] =
		"On Monday, Alice wrote:\n"
		"> Here it is:\n"
		">\n"
		"> pttrace-record-5932-d3-access:  qemu-system-x86-5946  [001]   535.80\n"
		"> 1039: kvm_mmio:             mmio write len 4 gpa 0xfebf00\n"
		"> 08 val 0x1\n"
		">  qemu-system-x86-5946  [001]   535.801040: kvm_msr:\n"
		"> msr_read 10 = 0x5\n"
		">\n"
		"> Thanks\n";
	struct pt_event e[4];
	struct pt_text_info info;
	struct pt_text_reader *t;
	struct pt_err err;
	FILE *f;

	(void)state;
	assert_int_equal(read_text(text, e, 4, &info), 2);
	assert_int_equal(e[0].ts, 535801039000ull);
	assert_int_equal(e[0].addr, 0xfebf0008);
	assert_int_equal(e[0].val, 1);
	assert_int_equal(e[1].kind, PT_EV_MSR_READ);
	assert_int_equal(e[1].addr, 0x10);
	assert_false(e[1].flags & PT_EVF_REFUSED);
	assert_true(info.quoted);
	assert_true(info.joined);
	assert_int_equal(info.damaged, 0);

	f = fmemopen((void *)text, strlen(text), "r");
	t = pt_text_open(f, &err);
	while (pt_text_next(t, &e[0]) == 1)
		;
	assert_string_equal(pt_text_comm(t, 5946), "qemu-system-x86");
	assert_int_equal(pt_text_ncomms(t), 1);
	assert_null(pt_text_comm(t, 1));
	pt_text_close(t);
	fclose(f);
}

/* kvm_msr's exception: KVM refused the access with #GP, printed or raw. */
static void test_msr_refused(void **state)
{
	static const char text[] =
		"  CPU 0/KVM-1 [000]  1.000001: kvm_msr: msr_write 40000105 = 0x8000000000000000 (#GP)\n"
		"  CPU 0/KVM-1 [000]  1.000002: kvm_msr: msr_write 40000105 = 0x8000000000000000\n"
		"  CPU 0/KVM-1 [000]  1.000003: kvm_msr: [FAILED TO PARSE] write=1 ecx=1073742081 "
		"data=278 exception=1\n"
		"  CPU 0/KVM-1 [000]  1.000004: kvm_msr: [FAILED TO PARSE] write=0 ecx=16 data=5\n";
	struct pt_event e[4];

	(void)state;
	assert_int_equal(read_text(text, e, 4, NULL), 4);
	assert_int_equal(e[0].kind, PT_EV_MSR_WRITE);
	assert_int_equal(e[0].addr, 0x40000105);
	assert_int_equal(e[0].val, 1ull << 63);
	assert_true(e[0].flags & PT_EVF_REFUSED);
	assert_false(e[1].flags & PT_EVF_REFUSED);
	assert_int_equal(e[2].addr, 0x40000101);
	assert_int_equal(e[2].val, 0x116);
	assert_true(e[2].flags & PT_EVF_REFUSED);
	assert_int_equal(e[3].kind, PT_EV_MSR_READ);
	assert_false(e[3].flags & PT_EVF_REFUSED);
}

/* Garbage is skipped; kvm records that cannot be right are counted as damaged. */
static void test_garbage(void **state)
{
	static const char text[] =
		"random words [1] here\n"
		"\x7f\x01 more\n"
		"  CPU 0/KVM-1 [000]  1.000001: kvm_mmio: mmio write len 3 gpa 0x1 val 0x1\n"
		"  CPU 0/KVM-1 [000]  1.000002: kvm_mmio: mmio write len four gpa 0x1 val 0x1\n"
		"  CPU 0/KVM-1 [000]  1.000003: kvm_mmio: mmio write len 4 gpa 0x1 val 0x1\n";
	struct pt_event e[4];
	struct pt_text_info info;

	(void)state;
	assert_int_equal(read_text(text, e, 4, &info), 1);
	assert_int_equal(e[0].ts, 1000003000ull);
	assert_int_equal(info.damaged, 2);
	assert_int_equal(info.lines, 5);
}

static void test_probe(void **state)
{
	static const char dat[] = "\x17\x08\x44tracing7\0\0\0\0kvm_mmio: [000]";
	static const char prose[] = "this mentions kvm_mmio: but is no trace\n";

	(void)state;
	assert_false(pt_text_probe(dat, sizeof(dat) - 1));
	assert_false(pt_text_probe(prose, strlen(prose)));
	assert_false(pt_text_probe("", 0));
	assert_true(pt_text_probe(report_text, strlen(report_text)));
}

/* The sample trace printed by trace-cmd gives the binary reader's events. */
static void test_equivalence(void **state)
{
	const char *dat = "samples/traces/lost-msi.dat";
	struct pt_reader *r;
	struct pt_text_reader *t;
	struct pt_position pos;
	struct pt_event a, b;
	struct pt_err err;
	FILE *f;
	long n = 0;

	(void)state;
	if (access(dat, R_OK) || system("command -v trace-cmd > /dev/null")) {
		skip();
		return;
	}
	r = pt_reader_open(dat, &err);
	assert_non_null(r);
	f = popen("trace-cmd report -t -i samples/traces/lost-msi.dat 2> /dev/null", "r");
	assert_non_null(f);
	t = pt_text_open(f, &err);
	assert_non_null(t);
	while (pt_reader_next(r, &a, &pos) == 1) {
		assert_int_equal(pt_text_next(t, &b), 1);
		assert_memory_equal(&a, &b, sizeof(a));
		n++;
	}
	assert_int_equal(pt_text_next(t, &b), 0);
	assert_true(n > 1000);
	pt_text_close(t);
	pclose(f);
	pt_reader_close(r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_cmd_events),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_wrapped_quoted),
		cmocka_unit_test(test_msr_refused),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_equivalence),
	};

	if (argc >= 3 && !strcmp(argv[1], "--bin"))
		return dump_bin(argv[2], argc > 3 && !strcmp(argv[3], "--usec"));
	if (argc >= 3 && !strcmp(argv[1], "--text"))
		return dump_text(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
