/*
 * The analyzer's reasoning on constructed streams, each case with its
 * healthy twin: what the device's answers tell: the value that killed the
 * guest, a device gone from the bus, a powered-down device seen only
 * through faults on its mmapped BAR; and an assigned device known from
 * pttrace's metadata.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <linux/pci_regs.h>

#include "stream.h"
#include "reasoning.h"

/* an audio controller's position register: steady values, then one far out, then the crash */
static void position_reads(struct stream *s, uint32_t last, int fault)
{
	probe_device(s, NIC, 0x8086, 0x293e, 0x040300, NIC_BAR, 0x4000);
	for (int i = 0; i < 200; i++)
		mmio(s, 0, NIC_BAR + 0x84, (i * 64) % 4096);
	mmio(s, 0, NIC_BAR + 0x84, last);
	if (fault)
		emit(s, PT_EV_INJ_EXCEPTION, 0, 14, 0);
}

static void test_value_that_killed(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	position_reads(&s, 0x7fff0000, 1);
	pvpanic(&s);
	f = first_of_class(s.a, PT_CLASS_BAD_VALUE);
	assert_non_null(f);
	assert_ptr_equal(f, &s.a->findings[0]);
	assert_int_equal(f->off, 0x84);
	assert_non_null(strstr(f->title, "0x7fff0000, far outside"));
	assert_non_null(strstr(f->title, "faulted using it"));
	pt_analysis_free(s.a);

	/* twin: the same reads, an in-range last value, a clean end */
	s = stream_start();
	position_reads(&s, 0x0c40, 0);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);

	/* a crash after in-range values names no value */
	s = stream_start();
	position_reads(&s, 0x0c40, 0);
	pvpanic(&s);
	assert_null(first_of_class(s.a, PT_CLASS_BAD_VALUE));
	pt_analysis_free(s.a);
}

/* gone from the bus: every register all-ones, the vendor id too; twin: a mask register reads ~0 */
static void test_device_gone(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	nic_work(&s, 30, 0, 0);
	for (int i = 0; i < 10; i++) {
		mmio(&s, 0, NIC_BAR + 0x00c0, 0xffffffff);
		mmio(&s, 0, NIC_BAR + 0x0008, 0xffffffff);
		cfg_read(&s, NIC, PCI_VENDOR_ID, 2, 0xffff);
	}
	pvpanic(&s);
	f = first_of_class(s.a, PT_CLASS_DEVICE_GONE);
	assert_non_null(f);
	assert_ptr_equal(f, &s.a->findings[0]);
	assert_non_null(strstr(f->title, "gone from the bus"));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 100; i++) {
		mmio(&s, 0, NIC_BAR + 0x00d0, 0xffffffff);	/* IMS: every cause enabled */
		mmio(&s, 0, NIC_BAR + 0x0008, 0x80283);
	}
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/*
 * A BAR mapped into the guest (vfio's mmap, no x-no-mmap): D3hot tears the
 * mapping down, so the driver's next touch is an EPT violation and a
 * kvm_page_fault at the BAR, with no value.  Twin: faults in D0 only.
 */
static void mmapped_touch(struct stream *s)
{
	emit(s, PT_EV_EXIT, 0, 48, 0);			/* EPT_VIOLATION */
	emit(s, PT_EV_PAGE_FAULT, NIC_BAR + 0x1000, 0x181, 0);
}

static void test_d3_seen_through_faults(void **state)
{
	struct stream s = stream_start();
	const struct pt_finding *f;

	(void)state;
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	mmapped_touch(&s);
	cfg_write(&s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D3HOT);
	for (int i = 0; i < 3; i++)
		mmapped_touch(&s);
	pvpanic(&s);
	assert_true(s.a->nfindings > 0);
	f = &s.a->findings[0];
	assert_int_equal(f->cls, PT_CLASS_POWERED_DOWN);
	assert_int_equal(f->count, 3);
	assert_non_null(strstr(f->title, "seen as EPT/NPF faults on its mmapped BAR"));
	pt_analysis_free(s.a);

	s = stream_start();
	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	for (int i = 0; i < 4; i++)
		mmapped_touch(&s);
	end_of_trace(&s);
	assert_false(any_above_info(s.a));
	pt_analysis_free(s.a);
}

/* pttrace's metadata: a vfio-pci device behind a root port, known by its id */
static void test_assigned_behind_root_port(void **state)
{
	struct stream s = stream_start();
	const struct pt_device *d;

	(void)state;
	assert_int_equal(pt_analysis_set_meta(s.a, "{\"pci\": [{\"bdf\": \"01:00.0\", "
		"\"vendor\": 4318, \"device\": 7040, \"class\": 768, \"qdev_id\": \"hostdev0\", "
		"\"bars\": []}], \"devices\": [{\"driver\": \"vfio-pci\", \"id\": \"hostdev0\", "
		"\"addr\": \"0.0\", \"assigned\": true, \"host\": \"0000:03:00.0\"}]}"), 0);
	d = pt_model_find(s.a->model, BDF(1, 0, 0));
	assert_non_null(d);
	assert_true(d->assigned);
	assert_string_equal(d->host, "0000:03:00.0");
	assert_null(pt_model_find(s.a->model, BDF(0, 0, 0)));
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_that_killed),
		cmocka_unit_test(test_device_gone),
		cmocka_unit_test(test_d3_seen_through_faults),
		cmocka_unit_test(test_assigned_behind_root_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
