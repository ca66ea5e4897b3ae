// SPDX-License-Identifier: GPL-2.0-or-later
/* Each detector on a constructed event stream: the misbehaviour, and the same driver done right. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "stream.h"

#define NIC	BDF(0, 4, 0)
#define NIC_BAR	0xfeb00000u
#define GPU	BDF(0, 5, 0)
#define GPU_BAR	0xfd000000u


static void test_access_in_d3(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 50; i++)
		mmio(&s, 0, NIC_BAR + 8, 0x80283);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	for (int i = 0; i < 20; i++)
		mmio(&s, 0, NIC_BAR + 8, 0x80283);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = find(s.a, "powered-down");
	assert_ptr_equal(f, &s.a->findings[0]);
	assert_int_equal(f->severity, PT_SEV_CRITICAL);
	assert_int_equal(f->bdf, NIC);
	assert_int_equal(f->bar, 0);
	assert_int_equal(f->off, 8);
	assert_int_equal(f->count, 20);
	assert_non_null(strstr(f->title, "D3hot"));
	assert_non_null(strstr(f->evidence[0].note, "PMCSR"));
	pt_analysis_free(s.a);
}

static void test_d3_done_right(void **state)
{
	struct stream s = stream_start();

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	mmio(&s, 0, NIC_BAR + 8, 0x80283);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	s.ts += 10000000;				/* the 10 ms D3hot->D0 recovery */
	for (int i = 0; i < 20; i++)
		mmio(&s, 0, NIC_BAR + 8, 0x80283);
	pt_analysis_finish(s.a);
	assert_null(find(s.a, "powered-down"));
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

static void test_decode_off(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	cfg_write(&s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MASTER);	/* memory decode off */
	for (int i = 0; i < 5; i++)
		mmio(&s, 1, NIC_BAR + 0xd0, 0x9d);
	pvpanic(&s);
	f = find(s.a, "powered-down");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "decode off"));
	assert_int_equal(f->count, 5);
	pt_analysis_free(s.a);
}

/* An ordinary Intel host: every access comes with kvm_exit and its guest rip. */
static void test_polling_with_kvm_exit(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	s.step = 50000;
	probe_device(&s, GPU, 0x1002, 0x5159, 0x030000, GPU_BAR, 0x10000);
	mmio(&s, 1, GPU_BAR + 0x714, 4);
	for (int i = 0; i < 3000; i++) {
		struct pt_event ev = { .ts = s.ts, .kind = PT_EV_EXIT, .val = 49 /* EPT_MISCONFIG */,
				       .rip = 0xffffffffc0401234ull, .tid = 100, .vcpu = 0 };

		pt_analysis_feed(s.a, &ev);
		s.ts += 1000;
		mmio(&s, 0, GPU_BAR + 0x710, 0);
	}
	pvpanic(&s);
	f = find(s.a, "polling");
	assert_non_null(f);
	assert_int_equal(f->bdf, GPU);
	assert_int_equal(f->bar, 0);
	assert_int_equal(f->off, 0x710);
	assert_int_equal(f->count, 3000);
	assert_int_equal(f->severity, PT_SEV_HIGH);
	/* the per-vcpu statistics keep the exit reasons */
	assert_int_equal(s.a->vcpu[0].nexit_reasons, 1);
	assert_int_equal(s.a->vcpu[0].exit_reasons[0], 49);
	assert_int_equal(s.a->vcpu[0].exit_counts[0], 3000);
	pt_analysis_free(s.a);
}

/* A status register read now and then is no poll. */
static void test_periodic_check_is_not_polling(void **state)
{
	struct stream s = stream_start();

	(void)state;
	s.step = 10000000;	/* 100 reads a second */
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 300; i++)
		mmio(&s, 0, NIC_BAR + 8, 0x80283);
	pvpanic(&s);
	assert_null(find(s.a, "polling"));
	pt_analysis_free(s.a);
}

static void test_flr_without_recovery(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, GPU, 0x1002, 0x5159, 0x030000, GPU_BAR, 0x10000);
	for (int i = 0; i < 200; i++)
		mmio(&s, 0, GPU_BAR + 0xe40, 0x80000000);	/* busy */
	cfg_write(&s, GPU, PCIE_CAP + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	s.ts += 100000000;					/* the 100 ms FLR wait */
	cfg_write(&s, GPU, PCI_BASE_ADDRESS_0, 4, GPU_BAR);	/* config restored */
	cfg_write(&s, GPU, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (int i = 0; i < 200; i++)
		mmio(&s, 0, GPU_BAR + 0xe40, 0x80000000);
	pvpanic(&s);
	f = &s.a->findings[0];
	assert_string_equal(f->detector, "reset");
	assert_int_equal(f->severity, PT_SEV_CRITICAL);
	assert_non_null(strstr(f->title, "function level reset"));
	assert_non_null(strstr(f->title, "BAR0+0x0e40 still reads 0x80000000"));
	pt_analysis_free(s.a);
}

static void test_flr_that_works(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, GPU, 0x1002, 0x5159, 0x030000, GPU_BAR, 0x10000);
	for (int i = 0; i < 200; i++)
		mmio(&s, 0, GPU_BAR + 0xe40, 0x80000000);
	cfg_write(&s, GPU, PCIE_CAP + PCI_EXP_DEVCTL, 2, PCI_EXP_DEVCTL_BCR_FLR);
	s.ts += 100000000;
	cfg_write(&s, GPU, PCI_BASE_ADDRESS_0, 4, GPU_BAR);
	cfg_write(&s, GPU, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	for (int i = 0; i < 200; i++)
		mmio(&s, 0, GPU_BAR + 0xe40, i < 10 ? 0x80000000 : 0);
	pt_analysis_finish(s.a);
	f = find(s.a, "reset");
	assert_non_null(f);
	assert_int_equal(f->severity, PT_SEV_INFO);	/* no crash: just a reset */
	pt_analysis_free(s.a);
}

static void test_all_ones(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	mmio(&s, 0, NIC_BAR + 8, 0x80283);
	mmio(&s, 0, NIC_BAR + 0xc0, 0);
	mmio(&s, 1, NIC_BAR + 4, 0xffffffff);
	mmio(&s, 0, NIC_BAR + 4, 0xffffffff);		/* a register written ~0: fine */
	mmio(&s, 0, NIC_BAR + 8, 0x80283);
	for (int i = 0; i < 4; i++) {
		mmio(&s, 0, NIC_BAR + 8, 0xffffffff);
		mmio(&s, 0, NIC_BAR + 0xc0, 0xffffffff);
	}
	cfg_read(&s, NIC, PCI_VENDOR_ID, 4, 0xffffffff);
	pvpanic(&s);
	f = find(s.a, "all-ones");
	assert_non_null(f);
	assert_int_equal(f->count, 9);
	assert_non_null(strstr(f->title, "gone from the bus"));
	pt_analysis_free(s.a);
}

static void test_msi_bad_address(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(&s, NIC, 0xfee00000, 0x21);
	emit(&s, PT_EV_MSI, 0xfee00000, 0x21, 0);
	emit(&s, PT_EV_APIC_ACCEPT, 0, 0x21, 0);
	assert_int_equal(pt_model_find(s.a->model, NIC)->msis, 1);
	msi_program(&s, NIC, 0x0000fee0, 0x21);
	mmio(&s, 1, NIC_BAR + 0xc8, 0x10);
	pvpanic(&s);
	f = &s.a->findings[0];
	assert_string_equal(f->detector, "lost-irq");
	assert_int_equal(f->severity, PT_SEV_CRITICAL);
	assert_non_null(strstr(f->title, "0x0000fee0"));
	pt_analysis_free(s.a);
}

static void test_msi_low_vector(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(&s, NIC, 0xfee00000, 0x03);
	pvpanic(&s);
	f = find(s.a, "lost-irq");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "vector 3 is below 16"));
	pt_analysis_free(s.a);
}

static void test_storm(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(&s, NIC, 0xfee00000, 0x21);
	s.step = 20000000;			/* 50 interrupts a second for 4 s */
	for (int i = 0; i < 200; i++) {
		emit(&s, PT_EV_MSI, 0xfee00000, 0x21, 0);
		emit(&s, PT_EV_APIC_ACCEPT, 0, 0x21, 0);
	}
	s.step = 50000;				/* then 10000 a second for 1.5 s */
	for (int i = 0; i < 15000; i++) {
		emit(&s, PT_EV_MSI, 0xfee00000, 0x21, 0);
		emit(&s, PT_EV_APIC_ACCEPT, 0, 0x21, 0);
	}
	pvpanic(&s);
	f = find(s.a, "irq-storm");
	assert_non_null(f);
	assert_int_equal(f->bdf, NIC);
	assert_non_null(strstr(f->title, "interrupt storm on vector 0x21"));
	pt_analysis_free(s.a);
}

static void test_stale_bar(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	mmio(&s, 0, NIC_BAR + 8, 0x80283);
	cfg_write(&s, NIC, PCI_BASE_ADDRESS_0, 4, 0xe0000000);
	mmio(&s, 0, NIC_BAR + 0x80, 0);
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 13, 0);
	emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_SHUTDOWN, 0);
	pt_analysis_finish(s.a);
	assert_int_equal(s.a->crash.kind, PT_CRASH_TRIPLE_FAULT);
	f = &s.a->findings[0];
	assert_string_equal(f->detector, "stray-mmio");
	assert_non_null(strstr(f->title, "stale BAR"));
	assert_int_equal(f->bdf, NIC);
	assert_int_equal(f->off, 0x80);
	f = find(s.a, "fault-after-access");
	assert_non_null(f);
	assert_non_null(strstr(f->title, "#GP"));
	pt_analysis_free(s.a);
}

/* --device keeps one device's findings; --window drops old ones. */
static void test_filters(void **state)
{
	struct pt_analysis_opts o = { .vcpu = -1, .have_device = 1, .device = GPU };
	struct stream s = { .ts = 1000000000ull, .step = 20000 };
	struct pt_err err;

	(void)state;
	s.a = pt_analysis_new(&o, &err);
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	mmio(&s, 0, NIC_BAR + 8, 0x80283);
	pvpanic(&s);
	assert_int_equal(s.a->nfindings, 0);
	pt_analysis_free(s.a);

	o.have_device = 0;
	o.window_ns = 1000000;	/* 1 ms */
	s = (struct stream){ .ts = 1000000000ull, .step = 20000 };
	s.a = pt_analysis_new(&o, &err);
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	mmio(&s, 0, NIC_BAR + 8, 0x80283);
	s.ts += 2000000000ull;	/* the access is 2 s before the crash */
	pvpanic(&s);
	assert_null(find(s.a, "powered-down"));
	pt_analysis_free(s.a);
}

static void test_device_hint(void **state)
{
	const char *hints[] = { "00:06.0:2=0xfc000000+0x4000" };
	struct pt_analysis_opts o = { .vcpu = -1, .hints = hints, .nhints = 1 };
	struct stream s = { .ts = 1000000000ull, .step = 20000 };
	const char *bad[] = { "00:06.0", "00:06.0:9=0x1", "zz:06.0:0=0x1", "00:06.0:0=0x1+" };
	struct pt_err err;
	struct pt_access acc;
	struct pt_event ev = { .kind = PT_EV_MMIO_READ, .addr = 0xfc000010, .len = 4 };

	(void)state;
	s.a = pt_analysis_new(&o, &err);
	assert_non_null(s.a);
	pt_model_event(s.a->model, &ev, &acc);
	assert_int_equal(acc.type, PT_ACC_BAR);
	assert_int_equal(acc.bar, 2);
	assert_int_equal(acc.off, 0x10);
	pt_analysis_free(s.a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.hints = &bad[i];
		assert_null(pt_analysis_new(&o, &err));
		assert_non_null(strstr(err.msg, "bad --device"));
	}
}

/*
 * A trace begun after boot: no config cycles, no BARs.  A write KVM
 * completed itself (no KVM_EXIT_MMIO follows on that thread: ioeventfd)
 * shows a device owns the address; nothing there is "MMIO to nothing".
 */
static void test_after_boot_ioeventfd(void **state)
{
	struct stream s = stream_start();
	const struct pt_unknown_region *r;
	unsigned n;

	(void)state;
	/* QEMU handles this one: the write goes to userspace */
	mmio(&s, 1, 0xfeb00010, 1);
	emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_MMIO, 0);
	/* a doorbell: KVM signals the eventfd and the vcpu runs on */
	for (int i = 0; i < 20; i++) {
		mmio(&s, 1, 0xfe000000 + 0x40, i);
		emit(&s, PT_EV_EXIT, 0, 48, 0);
	}
	pt_analysis_finish(s.a);
	r = pt_model_unknown_at(s.a->model, 0xfe000040);
	assert_non_null(r);
	assert_int_equal(r->kernel_writes, 20);
	assert_int_equal(r->writes, 20);
	assert_true(pt_unknown_answers(r));
	r = pt_model_unknown_at(s.a->model, 0xfeb00010);
	assert_non_null(r);
	assert_int_equal(r->kernel_writes, 0);
	assert_false(pt_unknown_answers(r));
	pt_model_unknown_regions(s.a->model, &n);
	assert_int_equal(n, 2);
	assert_false(any_above_info(s.a));
	for (unsigned i = 0; i < s.a->nfindings; i++) {
		assert_true(s.a->findings[i].unknown_bars);
		assert_null(strstr(s.a->findings[i].title, "no RAM"));
	}
	pt_analysis_free(s.a);
}

/* Without kvm_userspace_exit in the trace, no write proves anything. */
static void test_after_boot_no_user_exits(void **state)
{
	struct stream s = stream_start();
	const struct pt_unknown_region *r;

	(void)state;
	for (int i = 0; i < 5; i++)
		mmio(&s, 1, 0xfe000040, i);
	pt_analysis_finish(s.a);
	r = pt_model_unknown_at(s.a->model, 0xfe000040);
	assert_non_null(r);
	assert_int_equal(r->kernel_writes, 0);
	assert_false(pt_unknown_answers(r));
	pt_analysis_free(s.a);
}

/* Neighbouring pages that answer are one unknown region; a far one is another. */
static void test_after_boot_one_region(void **state)
{
	struct stream s = stream_start();
	const struct pt_unknown_region *r;
	unsigned n, answering = 0;

	(void)state;
	for (int i = 0; i < 30; i++) {
		for (uint32_t page = 0; page < 4; page++) {
			mmio(&s, 0, 0xfebf0000 + page * 0x1000 + 8, 0x80283);
			emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_MMIO, 0);
		}
		mmio(&s, 1, 0xfebf2000 + 0x10, i);
		emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_MMIO, 0);
	}
	mmio(&s, 0, 0xfd000000, 0x1234);
	emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_MMIO, 0);
	pt_analysis_finish(s.a);
	r = pt_model_unknown_regions(s.a->model, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 0xfd000000);
	assert_int_equal(r[1].start, 0xfebf0000);
	assert_int_equal(r[1].end, 0xfebf4000);
	assert_int_equal(r[1].reads, 120);
	assert_int_equal(r[1].writes, 30);
	assert_true(pt_unknown_answers(&r[1]));
	/* one finding per region, info, marked */
	for (unsigned i = 0; i < s.a->nfindings; i++) {
		const struct pt_finding *f = &s.a->findings[i];

		assert_int_equal(f->severity, PT_SEV_INFO);
		assert_true(f->unknown_bars);
		answering += !strncmp(f->title, "unknown region", 14);
	}
	assert_int_equal(answering, 2);
	pt_analysis_free(s.a);
}

/*
 * BARs unknown and nothing answered, right before a crash: a BAR may be
 * there all the same, so it is no "MMIO to nothing" and stray-mmio says no
 * more than info; the same with the BARs known (enumeration seen) is.
 */
static void test_unknown_bars_no_mmio_to_nothing(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	for (int i = 0; i < 5; i++) {
		mmio(&s, 0, 0xfea00080, 0);
		emit(&s, PT_EV_USER_EXIT, 0, PT_KVM_EXIT_MMIO, 0);
	}
	emit(&s, PT_EV_INJ_EXCEPTION, 0, 13, 0);
	pvpanic(&s);
	assert_int_equal(s.a->crash.kind, PT_CRASH_PVPANIC);
	f = find(s.a, "stray-mmio");
	assert_non_null(f);
	assert_int_equal(f->severity, PT_SEV_INFO);
	assert_true(f->unknown_bars);
	assert_null(strstr(f->title, "MMIO to nothing"));
	assert_null(strstr(f->title, "no RAM"));
	/* the fault right after the read still counts, one severity lower */
	f = find(s.a, "fault-after-access");
	assert_non_null(f);
	assert_true(f->unknown_bars);
	assert_int_equal(f->severity, PT_SEV_MEDIUM);
	assert_null(strstr(f->title, "MMIO to nothing"));
	pt_analysis_free(s.a);

	/* known BARs: the same accesses are MMIO to nothing */
	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 5; i++)
		mmio(&s, 0, 0xfea00080, 0);
	pvpanic(&s);
	f = find(s.a, "stray-mmio");
	assert_non_null(f);
	assert_false(f->unknown_bars);
	assert_true(f->severity > PT_SEV_INFO);
	assert_non_null(strstr(f->title, "no RAM"));
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_in_d3),
		cmocka_unit_test(test_d3_done_right),
		cmocka_unit_test(test_decode_off),
		cmocka_unit_test(test_polling_with_kvm_exit),
		cmocka_unit_test(test_periodic_check_is_not_polling),
		cmocka_unit_test(test_flr_without_recovery),
		cmocka_unit_test(test_flr_that_works),
		cmocka_unit_test(test_all_ones),
		cmocka_unit_test(test_msi_bad_address),
		cmocka_unit_test(test_msi_low_vector),
		cmocka_unit_test(test_storm),
		cmocka_unit_test(test_stale_bar),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_device_hint),
		cmocka_unit_test(test_after_boot_ioeventfd),
		cmocka_unit_test(test_after_boot_no_user_exits),
		cmocka_unit_test(test_after_boot_one_region),
		cmocka_unit_test(test_unknown_bars_no_mmio_to_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
