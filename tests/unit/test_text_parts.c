// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parts of the text trace reader on their own (analyzer/text-local.h):
 * numbers and words, a record's header in each layout, each event's
 * fields (printed and raw), the kernel's names read back, and wrapped
 * lines joined again.  The whole reader is tested by test_text.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../analyzer/text-local.h"

static void test_scan(void **state)
{
	const char *p;
	uint64_t v;

	(void)state;
	p = "  0x1f, rest";
	assert_int_equal(pt_text_num(&p, 0, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_string_equal(p, ", rest");
	p = "ff)";
	assert_int_equal(pt_text_num(&p, 1, &v), 0);	/* hex without 0x */
	assert_int_equal(v, 0xff);
	p = "ff)";
	assert_int_equal(pt_text_num(&p, 0, &v), -1);
	p = "-1 ";
	assert_int_equal(pt_text_num(&p, 0, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	/* prose run on into a number is not a number, and *P stays */
	p = "0x1Thanks";
	assert_int_equal(pt_text_num(&p, 0, &v), -1);
	assert_string_equal(p, "0x1Thanks");
	p = "";
	assert_int_equal(pt_text_num(&p, 0, &v), -1);

	p = " read len 4";
	assert_int_equal(pt_text_word(&p, "read"), 0);
	assert_string_equal(p, " len 4");
	p = "readonly";
	assert_int_equal(pt_text_word(&p, "read"), -1);
	p = " len 4 gpa 0x10";
	assert_int_equal(pt_text_key(&p, "len", 0, &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(pt_text_key(&p, "len", 0, &v), -1);
	assert_string_equal(p, " gpa 0x10");
}

static void test_header_layouts(void **state)
{
	static const struct {
		const char *line, *comm, *event, *payload;
		uint32_t tid;
		int cpu, flags_column, perf, usec;
		uint64_t ts;
	} cases[] = {
		{ "  CPU 0/KVM-12345 [001]  2704.800591: kvm_mmio:   mmio write",
		  "CPU 0/KVM", "kvm_mmio", "mmio write", 12345, 1, 0, 0, 1, 2704800591000ull },
		{ "inst: qemu-4321 (4300) [002] 1.000000001: kvm_pio: pio_read",
		  "qemu", "kvm_pio", "pio_read", 4321, 2, 0, 0, 0, 1000000001ull },
		{ "       CPU 0/KVM-4321    [000] d..2.  123.456789012: kvm_pio: x",
		  "CPU 0/KVM", "kvm_pio", "x", 4321, 0, 1, 0, 0, 123456789012ull },
		{ "qemu-system-x86  4321 [000]   123.456789012:        kvm:kvm_pio: x",
		  "qemu-system-x86", "kvm_pio", "x", 4321, 0, 0, 1, 0, 123456789012ull },
		{ "qemu 4300/4321 [003] 12.5: 7 kvm:kvm_msr: msr_read 10 = 0x5",
		  "qemu", "kvm_msr", "msr_read 10 = 0x5", 4321, 3, 0, 1, 0, 12500000000ull },
		/* trace-cmd report -l: the cpu and the latency flags in one column */
		{ "CPU 0/KVM-4321  1d..1.  123.456789012: kvm_eoi: apicid 0 vector 33",
		  "CPU 0/KVM", "kvm_eoi", "apicid 0 vector 33", 4321, 1, 1, 0, 0, 123456789012ull },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_text_header h;

		assert_int_equal(pt_text_parse_header(cases[i].line, &h), 0);
		assert_int_equal(h.comm_len, strlen(cases[i].comm));
		assert_memory_equal(h.comm, cases[i].comm, h.comm_len);
		assert_int_equal(h.event_len, strlen(cases[i].event));
		assert_memory_equal(h.event, cases[i].event, h.event_len);
		assert_string_equal(h.payload, cases[i].payload);
		assert_int_equal(h.tid, cases[i].tid);
		assert_int_equal(h.cpu, cases[i].cpu);
		assert_int_equal(h.flags_column, cases[i].flags_column);
		assert_int_equal(h.perf, cases[i].perf);
		assert_int_equal(h.usec, cases[i].usec);
		assert_int_equal(h.ts, cases[i].ts);
	}
}

static void test_header_not(void **state)
{
	struct pt_text_header h;

	(void)state;
	assert_int_equal(pt_text_parse_header("random words [1] here", &h), -1);
	assert_int_equal(pt_text_parse_header("# tracer: nop", &h), -1);
	assert_int_equal(pt_text_parse_header("CPU:2 [123 EVENTS DROPPED]", &h), -1);
	/* cut after the cpu column by a mail client: a start, not yet a header */
	assert_int_equal(pt_text_parse_header("  qemu-system-x86-5946  [001]   535.80", &h), -1);
	assert_true(pt_text_starts_record("  qemu-system-x86-5946  [001]   535.80"));
	assert_false(pt_text_starts_record("08 val 0xa [1]"));	/* no tid before */
	assert_null(pt_text_cpu_column("a [b] [12x] c"));
	assert_string_equal(pt_text_cpu_column("a [b] [12] c"), "[12] c");
}

/* EV of the record in LINE, and what pt_text_decode says of it. */
static enum pt_text_result decode(const char *line, struct pt_event *ev, int *vcpu)
{
	struct pt_text_header h;

	assert_int_equal(pt_text_parse_header(line, &h), 0);
	return pt_text_decode(&h, ev, vcpu);
}

#define REC(payload) "CPU 0/KVM-7 [000] 1.000000001: " payload

static void test_fields(void **state)
{
	struct pt_event ev;
	int vcpu;

	(void)state;
	assert_int_equal(decode(REC("kvm_mmio: mmio read len 2 gpa 0xfebf0008 val 0xffff"),
				&ev, &vcpu), R_EVENT);
	assert_int_equal(ev.kind, PT_EV_MMIO_READ);
	assert_int_equal(ev.len, 2);
	assert_int_equal(ev.addr, 0xfebf0008);
	assert_int_equal(ev.val, 0xffff);
	assert_int_equal(vcpu, -1);
	/* the same record as raw fields */
	assert_int_equal(decode(REC("kvm_mmio: type=1 len=2 gpa=0xfebf0008 val=0xffff"),
				&ev, &vcpu), R_EVENT);
	assert_int_equal(ev.kind, PT_EV_MMIO_READ);
	assert_int_equal(ev.val, 0xffff);
	assert_int_equal(decode(REC("kvm_mmio: mmio unsatisfied-read len 4 gpa 0x1 val 0x0"),
				&ev, &vcpu), R_SKIP);
	assert_int_equal(decode(REC("kvm_mmio: mmio write len 3 gpa 0x1 val 0x1"), &ev, &vcpu),
			 R_DAMAGED);
	assert_int_equal(decode(REC("kvm_pio: pio_write at 0xcf8 size 4 count 1"), &ev, &vcpu),
			 R_EVENT);
	assert_int_equal(ev.kind, PT_EV_PIO_WRITE);
	assert_int_equal(ev.val, 0);	/* older kernels print no val */
	assert_int_equal(decode(REC("kvm_pio: pio_poke at 0xcf8 size 4 count 1"), &ev, &vcpu),
			 R_BAD);
	assert_int_equal(decode(REC("kvm_msi_set_irq: dst 1 vec 33 (Fixed|logical|level|rh)"),
				&ev, &vcpu), R_EVENT);
	assert_int_equal(ev.addr, 0xfee0100c);
	assert_int_equal(ev.val, 0x8021);
	assert_int_equal(decode(REC("kvm_exit: vcpu 3 reason EPT_VIOLATION rip 0x10 info 0 0"),
				&ev, &vcpu), R_EVENT);
	assert_int_equal(ev.val, 48);
	assert_int_equal(ev.rip, 0x10);
	assert_int_equal(vcpu, 3);
	assert_int_equal(decode(REC("kvm_page_fault: vcpu_id=2 fault_address=0x1000 "
				    "error_code=0x181"), &ev, &vcpu), R_EVENT);
	assert_int_equal(ev.addr, 0x1000);
	assert_int_equal(vcpu, 2);
	assert_int_equal(decode(REC("kvm_eoi: apicid 1 vector 33"), &ev, &vcpu), R_EVENT);
	assert_int_equal(vcpu, 1);
	assert_int_equal(decode(REC("kvm_userspace_exit: reason restart (4)"), &ev, &vcpu),
			 R_EVENT);
	assert_int_equal(ev.val, 10);	/* -EINTR: KVM_EXIT_INTR */
	assert_int_equal(decode(REC("kvm_inj_exception: #GP (0x0)"), &ev, &vcpu), R_EVENT);
	assert_int_equal(ev.val, 13);
	assert_int_equal(ev.flags, PT_EVF_ERROR_CODE);
	assert_int_equal(decode(REC("sched_switch: prev_comm=x"), &ev, &vcpu), R_OTHER);
}

/* Raw fields are read by the names in kvm-events.c's table, as a trace.dat's are. */
static void test_raw_fields(void **state)
{
	struct pt_event ev;
	int vcpu;

	(void)state;
	assert_int_equal(decode(REC("kvm_pio: rw=1 port=0xcf8 size=4 count=1 val=0x80001804"),
				&ev, &vcpu), R_EVENT);
	assert_int_equal(ev.kind, PT_EV_PIO_WRITE);
	assert_int_equal(ev.addr, 0xcf8);
	assert_int_equal(ev.val, 0x80001804);
	assert_int_equal(ev.len, 4);
	assert_int_equal(decode(REC("kvm_mmio: type=0 len=4 gpa=0x1 val=0x0"), &ev, &vcpu), R_SKIP);
	assert_int_equal(decode(REC("kvm_mmio: type=1 len=3 gpa=0x1 val=0x0"), &ev, &vcpu),
			 R_DAMAGED);
	/* a field the event's row needs is missing: no event */
	assert_int_equal(decode(REC("kvm_mmio: type=1 len=4 val=0x0"), &ev, &vcpu), R_BAD);
	/* optional ones may be: no apicid, no vcpu */
	assert_int_equal(decode(REC("kvm_eoi: vector=33"), &ev, &vcpu), R_EVENT);
	assert_int_equal(ev.val, 33);
	assert_int_equal(vcpu, -1);
	assert_int_equal(decode(REC("kvm_eoi: apicid=2 vector=33"), &ev, &vcpu), R_EVENT);
	assert_int_equal(ev.addr, 2);
	assert_int_equal(vcpu, 2);
	assert_int_equal(decode(REC("kvm_set_irq: gsi=16 level=-1 irq_source_id=0"), &ev, &vcpu),
			 R_EVENT);
	assert_int_equal(ev.val, 0xffffffff);	/* an int, as a trace.dat's 4 bytes read */
	assert_int_equal(decode(REC("kvm_inj_virq: irq=33"), &ev, &vcpu), R_EVENT);
	assert_int_equal(ev.val, 33);
	assert_int_equal(decode(REC("kvm_inj_virq: vector=34 soft=0 reinjected=0"), &ev, &vcpu),
			 R_EVENT);
	assert_int_equal(ev.val, 34);
	assert_int_equal(decode(REC("kvm_exit: exit_reason=48 guest_rip=0x10 isa=1 vcpu_id=3"),
				&ev, &vcpu), R_EVENT);
	assert_int_equal(ev.val, 48);
	assert_int_equal(ev.rip, 0x10);
	assert_int_equal(vcpu, 3);
	assert_int_equal(decode(REC("kvm_inj_exception: exception=14 has_error=0 error_code=2"),
				&ev, &vcpu), R_EVENT);
	assert_int_equal(ev.flags, 0);
}

static void test_kinds(void **state)
{
	struct pt_text_header h;

	(void)state;
	assert_int_equal(pt_text_parse_header(REC("kvm_pio: x"), &h), 0);
	assert_int_equal(pt_kvm_event_kinds(pt_text_event(&h)),
			 1u << PT_EV_PIO_READ | 1u << PT_EV_PIO_WRITE);
	assert_int_equal(pt_text_parse_header(REC("kvm_eoi: x"), &h), 0);
	assert_int_equal(pt_kvm_event_kinds(pt_text_event(&h)), 1u << PT_EV_EOI);
	assert_int_equal(pt_text_parse_header(REC("kvm_entry: x"), &h), 0);
	assert_null(pt_text_event(&h));
	assert_true(pt_text_names_event("a kvm_msr: b"));
	assert_false(pt_text_names_event("a kvm_msr b"));
}

static void test_names(void **state)
{
	static const char flags[] = "EPT_MISCONFIG FAILED_VMENTRY";
	struct pt_event ev;
	uint64_t v;
	int vcpu;

	(void)state;
	assert_int_equal(pt_text_exit_reason("npf", 3, &v), 0);
	assert_int_equal(v, 0x400);
	assert_int_equal(pt_text_exit_reason(flags, strlen(flags), &v), 0);
	assert_int_equal(v, 0x80000031);
	assert_int_equal(pt_text_exit_reason("0x1234", 6, &v), 0);
	assert_int_equal(v, 0x1234);
	assert_int_equal(pt_text_exit_reason("NEW_REASON", 10, &v), 0);
	assert_int_equal(v, PT_TEXT_EXIT_UNNAMED);
	assert_int_equal(pt_text_exit_reason("HLT CPUID", 9, &v), -1);	/* not a flag */
	assert_int_equal(pt_text_exit_reason("a b", 3, &v), -1);
	/* the names reports print (pt-exit-reasons.h) read back, and the aliases */
	assert_int_equal(pt_text_exit_reason("IO_SMI", 6, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(pt_text_exit_reason("rdpru", 5, &v), 0);
	assert_int_equal(v, 0x8e);
	assert_int_equal(pt_text_exit_reason("PENDING_INTERRUPT", 17, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(pt_text_exit_reason("vmmcall", 7, &v), 0);
	assert_int_equal(v, 0x81);
	assert_int_equal(pt_text_exit_reason("DE excp", 7, &v), 0);	/* an SVM name with a space */
	assert_int_equal(v, 0x40);
	/* a flag alone is no reason */
	assert_int_equal(pt_text_exit_reason("FAILED_VMENTRY", 14, &v), 0);
	assert_int_equal(v, PT_TEXT_EXIT_UNNAMED);
	assert_int_equal(decode(REC("kvm_inj_exception: #PF (0x2)"), &ev, &vcpu), R_EVENT);
	assert_int_equal(ev.val, 14);
	assert_int_equal(decode(REC("kvm_inj_exception: #ZZ"), &ev, &vcpu), R_BAD);
	assert_int_equal(decode(REC("kvm_inj_exception: 0x2"), &ev, &vcpu), R_EVENT);
	assert_int_equal(ev.val, 2);
}

static struct pt_text_pieces pieces;

static void put(const char *s)
{
	snprintf(pieces.piece[pieces.n++], sizeof(pieces.piece[0]), "%s", s);
}

static void test_unwrap(void **state)
{
	struct pt_text_record rec;

	(void)state;
	/* wrapped inside a number, then at a space the mail client dropped */
	pieces.n = 0;
	put("Here it is:");
	put("qemu-5946  [001]   535.80");
	put("1039: kvm_mmio: mmio write len 4 gpa 0xfebf00");
	put("08 val 0x1");
	assert_int_equal(pt_text_unwrap(&pieces, &rec), 1);
	assert_int_equal(rec.res, R_EVENT);
	assert_true(rec.joined);
	assert_int_equal(rec.h.ts, 535801039000ull);	/* the event's is set by the reader */
	assert_int_equal(rec.ev.addr, 0xfebf0008);
	assert_int_equal(pt_text_unwrap(&pieces, &rec), 0);
	assert_int_equal(pieces.n, 0);

	pieces.n = 0;
	put("qemu-5946 [001] 535.801040: kvm_msr:");
	put("msr_read 10 = 0x5");
	assert_int_equal(pt_text_unwrap(&pieces, &rec), 1);
	assert_int_equal(rec.res, R_EVENT);
	assert_int_equal(rec.ev.kind, PT_EV_MSR_READ);
	assert_int_equal(rec.ev.addr, 0x10);

	/* one piece, whole: not joined; a kvm record nothing fixes is counted once */
	pieces.n = 0;
	put("qemu-5946 [001] 535.801040: kvm_msr: msr_read 10 = 0x5");
	assert_int_equal(pt_text_unwrap(&pieces, &rec), 1);
	assert_false(rec.joined);
	pieces.n = 0;
	put("qemu-5946 [001] 535.801040: kvm_msr: msr_peek");
	put("Thanks");
	assert_int_equal(pt_text_unwrap(&pieces, &rec), 1);
	assert_int_equal(rec.res, R_BAD);
	assert_int_equal(rec.h.tid, 5946);
	assert_int_equal(pt_text_unwrap(&pieces, &rec), 0);

	/* prose alone: nothing */
	pieces.n = 0;
	put("Thanks,");
	put("Bob");
	assert_int_equal(pt_text_unwrap(&pieces, &rec), 0);
	assert_int_equal(pieces.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_header_layouts),
		cmocka_unit_test(test_header_not),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_raw_fields),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_unwrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
