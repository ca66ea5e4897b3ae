// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A host trace recorded without kvm_mmio (trace-cmd record -e kvm_exit -e
 * kvm_page_fault ...): MMIO is seen through EPT exits and page faults,
 * counted and attributed to the device, with no values and no findings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"
#include "stream.h"

#define NIC	BDF(0, 4, 0)
#define NIC_BAR	0xfeb00000u


static void exit_ev(struct stream *s, uint64_t reason)
{
	struct pt_event ev = { .ts = s->ts, .kind = PT_EV_EXIT, .val = reason,
			       .rip = 0xffffffffc0401234ull, .tid = 100, .vcpu = 0 };

	pt_analysis_feed(s->a, &ev);
	s->ts += s->step;
}

static void fault(struct stream *s, uint64_t gpa, uint64_t error_code)
{
	struct pt_event ev = { .ts = s->ts, .kind = PT_EV_PAGE_FAULT, .addr = gpa,
			       .val = error_code, .rip = 0xffffffffc0401234ull, .tid = 100, .vcpu = 0 };

	pt_analysis_feed(s->a, &ev);
	s->ts += s->step;
}

/* The file had every event's format but kvm_mmio's. */
static void finish_without_kvm_mmio(struct stream *s)
{
	emit(s, PT_EV_PIO_WRITE, 0x505, 1, 1);	/* pvpanic */
	s->a->info.present = ~0u & ~(1u << PT_EV_MMIO_READ | 1u << PT_EV_MMIO_WRITE);
	pt_analysis_finish(s->a);
}

static char *text_report(struct pt_analysis *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	pt_report_text(f, a, "constructed", 0);
	fclose(f);
	return text;
}

static void test_vmx_ept_exits(void **state)
{
	struct stream s = stream_start();
	struct pt_device *d;
	char *text;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	exit_ev(&s, 1);				/* EXTERNAL_INTERRUPT */
	fault(&s, NIC_BAR + 0x10, 0);		/* after no EPT exit: a guest virtual address */
	exit_ev(&s, 48);			/* EPT_VIOLATION: the first touch */
	fault(&s, NIC_BAR + 0x8, 0x181);
	for (int i = 0; i < 500; i++)
		exit_ev(&s, 49);		/* EPT_MISCONFIG: no GPA in the trace */
	exit_ev(&s, 48);
	fault(&s, NIC_BAR + 0x8, 0x181);
	exit_ev(&s, 48);
	fault(&s, 0x7f000000, 0x181);		/* ordinary RAM */
	finish_without_kvm_mmio(&s);

	assert_int_equal(s.a->exit_isa, PT_ISA_VMX);
	assert_int_equal(s.a->vcpu[0].mmio_exits, 500);
	assert_int_equal(s.a->vcpu[0].bar_faults, 2);
	d = pt_model_find(s.a->model, NIC);
	assert_non_null(d);
	assert_int_equal(d->bar_faults, 2);
	assert_int_equal(d->nfault_addrs, 1);
	assert_int_equal(d->fault_addr[0].gpa, NIC_BAR + 0x8);
	assert_int_equal(d->fault_addr[0].bar, 0);
	assert_int_equal(d->fault_addr[0].count, 2);
	/* no values, so no registers and no MMIO counts: nothing for the detectors */
	assert_int_equal(d->mmio_reads + d->mmio_writes, 0);
	for (unsigned i = 0; i < s.a->nfindings; i++)
		assert_true(s.a->findings[i].severity == PT_SEV_INFO ||
			    !strcmp(s.a->findings[i].detector, "visibility"));

	text = text_report(s.a);
	assert_non_null(strstr(text, "MMIO values are missing, but the accesses are seen via EPT "
				     "exits: 500 MMIO exits, 2 faults on device BARs"));
	assert_non_null(strstr(text, "EPT/NPF faults on its BARs: 2"));
	assert_non_null(strstr(text, "gpa 0xfeb00008        2 faults"));
	assert_non_null(strstr(text, "mmio exits 500 (EPT_MISCONFIG), faults on device BARs 2"));
	free(text);
	pt_analysis_free(s.a);
}

static void test_svm_npf(void **state)
{
	struct stream s = stream_start();
	struct pt_device *d;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	exit_ev(&s, 0x60);			/* interrupt */
	for (int i = 0; i < 20; i++) {
		exit_ev(&s, 0x400);		/* npf on an MMIO SPTE: reserved bit */
		fault(&s, NIC_BAR + 0x100, 0x10000000dull);
	}
	exit_ev(&s, 0x400);			/* npf on RAM: no reserved bit */
	fault(&s, 0x7f000000, 0x100000004ull);
	finish_without_kvm_mmio(&s);

	assert_int_equal(s.a->exit_isa, PT_ISA_SVM);
	assert_int_equal(s.a->vcpu[0].mmio_exits, 20);
	assert_int_equal(s.a->vcpu[0].bar_faults, 20);
	d = pt_model_find(s.a->model, NIC);
	assert_int_equal(d->bar_faults, 20);
	assert_int_equal(d->fault_addr[0].gpa, NIC_BAR + 0x100);
	pt_analysis_free(s.a);
}

/* With kvm_mmio recorded, the note does not appear: the values are there. */
static void test_kvm_mmio_recorded(void **state)
{
	struct stream s = stream_start();
	uint64_t exits, faults;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	exit_ev(&s, 1);
	exit_ev(&s, 49);
	mmio(&s, 0, NIC_BAR + 0x8, 0x80083);
	emit(&s, PT_EV_PIO_WRITE, 0x505, 1, 1);
	s.a->info.present = ~0u;
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->vcpu[0].mmio_exits, 1);
	assert_false(pt_analysis_mmio_by_exits(s.a, &exits, &faults));
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_ept_exits),
		cmocka_unit_test(test_svm_npf),
		cmocka_unit_test(test_kvm_mmio_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
