// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The visibility detector: a device the guest evidently uses (it
 * interrupts, or pttrace's metadata says it is passed through) whose BARs
 * show no access at all has them mapped into the guest, out of tracing's
 * sight; a device whose accesses are seen, or one recorded with
 * x-no-mmap=on, is not reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "stream.h"

#define NIC BDF(0, 3, 0)
#define NIC_BAR 0xfebc0000u

/* A NIC set up for MSI that interrupts five times; with ACCESSES, its driver reads BAR0 too. */
static struct stream interrupting_nic(int accesses)
{
	struct stream s = stream_start();

	probe_device(&s, NIC, 0x8086, 0x10d3, 0x020000, NIC_BAR, 0x20000);
	msi_program(&s, NIC, 0xfee00000, 0x41);
	for (int i = 0; i < 5; i++) {
		deliver(&s, 0xfee00000, 0x41, 0);
		if (accesses)
			mmio(&s, 0, NIC_BAR + 0xc0, 0x1);	/* the ISR reads its cause */
	}
	pvpanic(&s);
	return s;
}

static void test_used_but_unseen(void **state)
{
	struct stream s = interrupting_nic(0);
	const struct pt_finding *f = find(s.a, "visibility");

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->severity, PT_SEV_LOW);
	assert_int_equal(f->cls, PT_CLASS_CONTEXT);
	assert_non_null(strstr(f->title, "00:03.0"));
	assert_non_null(strstr(f->title, "is in use (5 interrupts) but none of its BAR accesses"));
	assert_non_null(strstr(f->advice, "x-no-mmap=on"));
	pt_analysis_free(s.a);
}

static void test_used_and_seen(void **state)
{
	struct stream s = interrupting_nic(1);

	(void)state;
	assert_null(find(s.a, "visibility"));
	pt_analysis_free(s.a);
}

/*
 * A passed-through device with BAR0 at GPA 0xfe000000, as pttrace record's
 * metadata has it; VM is the metadata's "vm" member ("" for none).
 */
static struct stream assigned_nic_in(const char *x_no_mmap, const char *vm)
{
	struct stream s = stream_start();
	char meta[768];

	snprintf(meta, sizeof(meta), "{%s\"pci\": [{\"bdf\": \"00:03.0\", \"vendor\": 32902, "
		 "\"device\": 4307, \"class\": 512, \"bars\": [{\"bar\": 0, \"address\": 4261412864, "
		 "\"size\": 131072, \"type\": \"memory\"}]}], \"devices\": [{\"driver\": "
		 "\"vfio-pci\", \"id\": \"hostdev2\", \"addr\": \"03.0\", \"assigned\": true, "
		 "\"host\": \"0000:03:00.0\"%s%s}]}", vm,
		 x_no_mmap ? ", \"x_no_mmap\": " : "", x_no_mmap ? x_no_mmap : "");
	assert_int_equal(pt_analysis_set_meta(s.a, meta), 0);
	pvpanic(&s);
	return s;
}

static struct stream assigned_nic(const char *x_no_mmap)
{
	return assigned_nic_in(x_no_mmap, "");
}

static void test_assigned_mmapped(void **state)
{
	struct stream s = assigned_nic("false");
	const struct pt_finding *f = find(s.a, "visibility");

	(void)state;
	assert_non_null(f);
	assert_int_equal(f->severity, PT_SEV_MEDIUM);
	assert_non_null(strstr(f->title, "passed through from host 0000:03:00.0 (x-no-mmap=off)"));
	/* a VM started by hand: its command line */
	assert_non_null(strstr(f->advice, "(-device vfio-pci,host=...,x-no-mmap=on)"));
	pt_analysis_free(s.a);
}

/* A libvirt domain's recording: the advice is domain XML, for that hostdev's alias. */
static void test_assigned_libvirt(void **state)
{
	struct stream s = assigned_nic_in("false", "\"vm\": {\"name\": \"win10\", \"libvirt\": true}, ");
	const struct pt_finding *f = find(s.a, "visibility");

	(void)state;
	assert_non_null(f);
	assert_non_null(strstr(f->advice, "<qemu:override><qemu:device alias='hostdev2'><qemu:frontend>"
			       "<qemu:property name='x-no-mmap' type='bool' value='true'/>"));
	assert_null(strstr(f->advice, "-device vfio-pci"));
	pt_analysis_free(s.a);
}

static void test_assigned_unknown_mmap(void **state)
{
	struct stream s = assigned_nic(NULL);
	const struct pt_finding *f = find(s.a, "visibility");

	(void)state;
	assert_non_null(f);
	assert_non_null(strstr(f->title, "passed through from host 0000:03:00.0, shows no BAR"));
	pt_analysis_free(s.a);
}

/* x-no-mmap=on: every access would have trapped; none means the driver left it alone */
static void test_assigned_no_mmap(void **state)
{
	struct stream s = assigned_nic("true");

	(void)state;
	assert_null(find(s.a, "visibility"));
	pt_analysis_free(s.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_used_but_unseen),
		cmocka_unit_test(test_used_and_seen),
		cmocka_unit_test(test_assigned_mmapped),
		cmocka_unit_test(test_assigned_libvirt),
		cmocka_unit_test(test_assigned_unknown_mmap),
		cmocka_unit_test(test_assigned_no_mmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
