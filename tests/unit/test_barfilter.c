// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm_page_fault restricted to device BARs: the BARs taken from query-pci,
 * the filter text built from them, and the address field found in the
 * event's format as old and new kernels write it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-barfilter.h"

static struct pt_bar_range range(uint64_t start, uint64_t end)
{
	struct pt_bar_range r = { .bar = 0, .start = start, .end = end };

	snprintf(r.bdf, sizeof(r.bdf), "00:03.0");
	return r;
}

static void test_filter_text(void **state)
{
	struct pt_bar_range r[3] = {
		range(0xfe000000, 0xfe100000),
		/* a 64-bit BAR above 4 GiB */
		range(0x800000000ULL, 0x810000000ULL),
		range(0xfeb00000, 0xfeb20000),
	};
	char buf[PT_BAR_FILTER_MAX];
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_bar_filter("fault_address", 8, r, 1, buf, sizeof(buf), &err), 1);
	assert_string_equal(buf, "(fault_address >= 0xfe000000 && fault_address < 0xfe100000)");
	/* sorted by address, the one above 4 GiB kept */
	assert_int_equal(pt_bar_filter("fault_address", 8, r, 3, buf, sizeof(buf), &err), 3);
	assert_string_equal(buf, "(fault_address >= 0xfe000000 && fault_address < 0xfe100000) || "
			    "(fault_address >= 0xfeb00000 && fault_address < 0xfeb20000) || "
			    "(fault_address >= 0x800000000 && fault_address < 0x810000000)");
}

static void test_filter_joins_touching_ranges(void **state)
{
	/* e1000e's BAR0, BAR1 and BAR3 as SeaBIOS packs them, one inside another's */
	struct pt_bar_range r[4] = {
		range(0xfeb20000, 0xfeb40000), range(0xfeb00000, 0xfeb20000),
		range(0xfeb40000, 0xfeb44000), range(0xfeb01000, 0xfeb02000),
	};
	char buf[PT_BAR_FILTER_MAX];
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_bar_filter("fault_address", 8, r, 4, buf, sizeof(buf), &err), 1);
	assert_string_equal(buf, "(fault_address >= 0xfeb00000 && fault_address < 0xfeb44000)");
}

static void test_filter_fits_a_page(void **state)
{
	struct pt_bar_range r[PT_BAR_RANGES_MAX];
	char buf[PT_BAR_FILTER_MAX];
	struct pt_err err;
	int n;

	(void)state;
	/* 200 BARs of 4 KiB with 4 KiB holes below 4 GiB, 40 above: too many terms for a page */
	for (int i = 0; i < 200; i++)
		r[i] = range(0xe0000000ULL + i * 0x2000ULL, 0xe0000000ULL + i * 0x2000ULL + 0x1000);
	for (int i = 0; i < 40; i++)
		r[200 + i] = range(0x4000000000ULL + i * 0x200000ULL,
				   0x4000000000ULL + i * 0x200000ULL + 0x100000);
	n = pt_bar_filter("fault_address", 8, r, 240, buf, sizeof(buf), &err);
	assert_true(n > 1 && n < 240);
	assert_true(strlen(buf) < PT_BAR_FILTER_MAX);
	/* every BAR still inside a term, and nothing between 4 GiB and the high BARs */
	assert_non_null(strstr(buf, "fault_address >= 0xe0000000 "));
	assert_non_null(strstr(buf, "fault_address < 0x4004f00000)"));
	assert_null(strstr(buf, "fault_address < 0x100000000"));
	for (char *p = buf; (p = strstr(p, ">= 0x")); p++) {
		unsigned long long start = strtoull(p + 3, NULL, 16);
		char *lt = strstr(p, "< 0x");
		unsigned long long end = strtoull(lt + 2, NULL, 16);

		/* no term spans 4 GiB: the RAM above it stays out */
		assert_true(end <= 0x100000000ULL || start >= 0x100000000ULL);
	}
	/* a buffer too small for even one term */
	assert_int_equal(pt_bar_filter("fault_address", 8, r, 1, buf, 20, &err), -1);
	assert_non_null(strstr(err.msg, "do not fit"));
}

static void test_filter_narrow_field(void **state)
{
	struct pt_bar_range r[3] = {
		range(0xfe000000, 0xfe100000), range(0x800000000ULL, 0x810000000ULL),
		range(0xfff00000, 0x100000000ULL),
	};
	char buf[PT_BAR_FILTER_MAX];
	struct pt_err err;

	(void)state;
	/* an unsigned long on a 32-bit host: what is above 4 GiB cannot be matched */
	assert_int_equal(pt_bar_filter("fault_address", 4, r, 3, buf, sizeof(buf), &err), 2);
	assert_string_equal(buf, "(fault_address >= 0xfe000000 && fault_address < 0xfe100000) || "
			    "(fault_address >= 0xfff00000)");
	assert_int_equal(pt_bar_filter("fault_address", 4, r + 1, 1, buf, sizeof(buf), &err), -1);
	assert_non_null(strstr(err.msg, "above 4 GiB"));
}

static void test_filter_errors(void **state)
{
	struct pt_bar_range r[2] = { range(0xfe000000, 0xfe100000), range(0xfe100000, 0xfe100000) };
	char buf[PT_BAR_FILTER_MAX];
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_bar_filter("fault_address", 8, r, 0, buf, sizeof(buf), &err), -1);
	assert_string_equal(err.msg, "no BAR range to filter on");
	assert_int_equal(pt_bar_filter("fault_address", 8, r, 2, buf, sizeof(buf), &err), -1);
	assert_non_null(strstr(err.msg, "empty or inverted"));
	assert_int_equal(pt_bar_filter("x) || (1", 8, r, 1, buf, sizeof(buf), &err), -1);
	assert_non_null(strstr(err.msg, "not a field name"));
	assert_int_equal(pt_bar_filter("fault_address", 2, r, 1, buf, sizeof(buf), &err), -1);
	assert_string_equal(buf, "");
}

/* query-pci as QEMU 7.2 answers it for a q35 VM, shortened */
static const char query_pci[] =
	"[{\"bus\": 0, \"devices\": ["
	"{\"bus\": 0, \"slot\": 0, \"function\": 0, \"qdev_id\": \"\", \"regions\": []},"
	"{\"bus\": 0, \"slot\": 3, \"function\": 0, \"qdev_id\": \"\", \"regions\": ["
	"  {\"bar\": 0, \"type\": \"memory\", \"address\": 4271898624, \"size\": 1048576}]},"
	"{\"bus\": 0, \"slot\": 4, \"function\": 0, \"qdev_id\": \"hostdev0\", \"regions\": ["
	"  {\"bar\": 0, \"type\": \"memory\", \"address\": 4273995776, \"size\": 131072},"
	"  {\"bar\": 2, \"type\": \"io\", \"address\": 49472, \"size\": 32},"
	"  {\"bar\": 3, \"type\": \"memory\", \"address\": -1, \"size\": 16384}]},"
	"{\"bus\": 0, \"slot\": 6, \"function\": 0, \"qdev_id\": \"rp1\", \"regions\": [],"
	" \"pci_bridge\": {\"bus\": {\"number\": 0, \"secondary\": 1}, \"devices\": ["
	"  {\"bus\": 1, \"slot\": 0, \"function\": 0, \"qdev_id\": \"hostdev1\", \"regions\": ["
	"    {\"bar\": 0, \"type\": \"memory\", \"address\": 4269801472, \"size\": 256},"
	"    {\"bar\": 2, \"type\": \"memory\", \"address\": 34359738368, \"size\": 268435456,"
	"     \"mem_type_64\": true}]}]}}"
	"]}]";

static void test_ranges_of_assigned_devices(void **state)
{
	struct pt_json *pci;
	struct pt_vm vm = { .ndev = 3 };
	struct pt_bar_range r[8];
	enum pt_bar_scope scope;
	struct pt_err err;

	(void)state;
	pci = pt_json_parse(query_pci, sizeof(query_pci) - 1, &err);
	assert_non_null(pci);
	snprintf(vm.dev[0].driver, sizeof(vm.dev[0].driver), "edu");
	snprintf(vm.dev[1].driver, sizeof(vm.dev[1].driver), "vfio-pci");
	snprintf(vm.dev[1].id, sizeof(vm.dev[1].id), "hostdev0");
	vm.dev[1].assigned = 1;
	snprintf(vm.dev[2].driver, sizeof(vm.dev[2].driver), "vfio-pci");
	snprintf(vm.dev[2].id, sizeof(vm.dev[2].id), "hostdev1");
	snprintf(vm.dev[2].bus, sizeof(vm.dev[2].bus), "rp1");
	vm.dev[2].assigned = 1;
	/* the two vfio-pci devices, the one behind the root port too; no I/O BAR, no -1 */
	assert_int_equal(pt_bar_ranges(pci, &vm, r, 8, &scope), 3);
	assert_int_equal(scope, PT_BARS_ASSIGNED);
	assert_string_equal(r[0].bdf, "01:00.0");
	assert_string_equal(r[0].qdev_id, "hostdev1");
	assert_true(r[0].start == 0xfe800000 && r[0].end == 0xfe800100);
	assert_string_equal(r[1].bdf, "00:04.0");
	assert_true(r[1].start == 0xfec00000 && r[1].end == 0xfec20000 && r[1].bar == 0);
	assert_int_equal(r[2].bar, 2);
	assert_true(r[2].start == 0x800000000ULL && r[2].end == 0x810000000ULL);
	/* matched by addr= when there is no id= */
	vm.dev[1].id[0] = 0;
	snprintf(vm.dev[1].addr, sizeof(vm.dev[1].addr), "04.0");
	vm.dev[2].assigned = 0;
	assert_int_equal(pt_bar_ranges(pci, &vm, r, 8, &scope), 1);
	assert_string_equal(r[0].bdf, "00:04.0");
	/* OUT too small: the count says so */
	vm.dev[2].assigned = 1;
	assert_int_equal(pt_bar_ranges(pci, &vm, r, 2, &scope), 3);
	pt_json_free(pci);
}

static void test_ranges_without_assigned_devices(void **state)
{
	static const char unprogrammed[] =
		"[{\"bus\": 0, \"devices\": [{\"bus\": 0, \"slot\": 3, \"function\": 0, \"regions\": "
		"[{\"bar\": 0, \"type\": \"memory\", \"address\": -1, \"size\": 1048576}]}]}]";
	struct pt_json *pci;
	struct pt_vm vm = { .ndev = 1 };
	struct pt_bar_range r[8];
	enum pt_bar_scope scope;
	struct pt_err err;

	(void)state;
	pci = pt_json_parse(query_pci, sizeof(query_pci) - 1, &err);
	assert_non_null(pci);
	/* emulated devices only: every device's memory BARs */
	snprintf(vm.dev[0].driver, sizeof(vm.dev[0].driver), "edu");
	assert_int_equal(pt_bar_ranges(pci, &vm, r, 8, &scope), 4);
	assert_int_equal(scope, PT_BARS_ALL);
	assert_true(r[0].start == 0xfe800000 && r[1].start == 0xfea00000 &&
		    r[2].start == 0xfec00000 && r[3].start == 0x800000000ULL);
	/* a vfio-pci device the command line names but query-pci does not show */
	snprintf(vm.dev[0].driver, sizeof(vm.dev[0].driver), "vfio-pci");
	snprintf(vm.dev[0].id, sizeof(vm.dev[0].id), "gpu");
	vm.dev[0].assigned = 1;
	assert_int_equal(pt_bar_ranges(pci, &vm, r, 8, &scope), 4);
	assert_int_equal(scope, PT_BARS_UNMATCHED);
	assert_string_equal(pt_bar_scope_name(scope), "all-unmatched");
	/* no answer from QMP, or a guest that has not programmed its BARs */
	assert_int_equal(pt_bar_ranges(NULL, &vm, r, 8, &scope), 0);
	pt_json_free(pci);
	pci = pt_json_parse(unprogrammed, strlen(unprogrammed), &err);
	assert_non_null(pci);
	vm.ndev = 0;
	assert_int_equal(pt_bar_ranges(pci, &vm, r, 8, &scope), 0);
	pt_json_free(pci);
}

/* the event's format on this project's 6.18 kernel */
static const char format_u64[] =
	"name: kvm_page_fault\nID: 100\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
	"\tfield:unsigned int vcpu_id;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned long guest_rip;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 fault_address;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:u64 error_code;\toffset:32;\tsize:8;\tsigned:0;\n\n"
	"print fmt: \"vcpu %u rip 0x%lx address 0x%016llx error_code 0x%llx\", REC->vcpu_id, "
	"REC->guest_rip, REC->fault_address, REC->error_code\n";

/* before the u64 change: unsigned long, 4 bytes on a 32-bit host */
static const char format_ulong32[] =
	"name: kvm_page_fault\nID: 812\nformat:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned long fault_address;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned int error_code;\toffset:12;\tsize:4;\tsigned:0;\n\n"
	"print fmt: \"address %lx error_code %x\", REC->fault_address, REC->error_code\n";

static void test_fault_field(void **state)
{
	char name[32];
	unsigned size = 0;
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_fault_field(format_u64, name, sizeof(name), &size, &err), 0);
	assert_string_equal(name, "fault_address");
	assert_int_equal(size, 8);
	assert_int_equal(pt_fault_field(format_ulong32, name, sizeof(name), &size, &err), 0);
	assert_string_equal(name, "fault_address");
	assert_int_equal(size, 4);
	/* "address" in the print format is not a field; error_code is not an address */
	assert_int_equal(pt_fault_field("format:\n\tfield:u64 error_code;\toffset:8;\tsize:8;\n"
					"print fmt: \"address %lx\"\n", name, sizeof(name), &size, &err), -1);
	assert_non_null(strstr(err.msg, "no fault_address field"));
	assert_int_equal(pt_fault_field("\tfield:u64 gpa;\toffset:8;\tsize:8;\tsigned:0;", name,
					sizeof(name), &size, &err), 0);
	assert_string_equal(name, "gpa");
	assert_int_equal(pt_fault_field(NULL, name, sizeof(name), &size, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_text),
		cmocka_unit_test(test_filter_joins_touching_ranges),
		cmocka_unit_test(test_filter_fits_a_page),
		cmocka_unit_test(test_filter_narrow_field),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_ranges_of_assigned_devices),
		cmocka_unit_test(test_ranges_without_assigned_devices),
		cmocka_unit_test(test_fault_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
