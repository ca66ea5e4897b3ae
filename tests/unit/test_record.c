// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The recorder's parts that need no VM and no tracefs: the event specs
 * (-e, "sys:event", the default set), the instance's name, the crash
 * triggers, the ring buffer's stats, the stop decision and the guest's
 * paging mode under a fake sysroot.
 */
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

#include "../../collector/record-int.h"

static size_t ndefaults(void)
{
	size_t n = 0;

	while (pt_record_default_events[n])
		n++;
	return n;
}

static void test_event_split(void **state)
{
	static const struct { const char *spec, *sys, *event; } cases[] = {
		{ "kvm:kvm_mmio", "kvm", "kvm_mmio" },
		{ "iommu:io_page_fault", "iommu", "io_page_fault" },
		{ "kvm_pio", "kvm", "kvm_pio" },	/* a bare name is a kvm event */
		/* a system longer than the buffer is cut, the event still found */
		{ "averyverylongsystem:x", "averyve", "x" },
		{ ":x", "", "x" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *event = NULL;
		char sys[8];

		pt_inst_event_split(cases[i].spec, sys, sizeof(sys), &event);
		assert_string_equal(sys, cases[i].sys);
		assert_string_equal(event, cases[i].event);
		/* a pointer into the spec, not a copy */
		assert_ptr_equal(event, strrchr(cases[i].spec, ':') ? strrchr(cases[i].spec, ':') + 1 :
				 cases[i].spec);
	}
}

static void test_events_wanted_default(void **state)
{
	const char *out[2 * PT_REC_MAX_EVENTS];
	size_t n = pt_inst_events_wanted(NULL, out, 2 * PT_REC_MAX_EVENTS);

	(void)state;
	assert_int_equal(n, ndefaults());
	assert_string_equal(out[0], "kvm:kvm_mmio");
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(out[i], pt_record_default_events[i]);
		/* it floods a host without VMX/SVM: only on request */
		assert_null(strstr(out[i], "kvm_emulate_insn"));
	}
}

static void test_events_wanted_replace(void **state)
{
	const char *given[] = { "kvm_mmio", "kvm:kvm_pio", NULL };
	const char *empty[] = { NULL };
	const char *out[2 * PT_REC_MAX_EVENTS];

	(void)state;
	assert_int_equal(pt_inst_events_wanted(given, out, 2 * PT_REC_MAX_EVENTS), 2);
	assert_ptr_equal(out[0], given[0]);
	assert_ptr_equal(out[1], given[1]);
	/* an empty -e list is no event at all, not the default set */
	assert_int_equal(pt_inst_events_wanted(empty, out, 2 * PT_REC_MAX_EVENTS), 0);
}

static void test_events_wanted_add(void **state)
{
	const char *given[] = { "kvm_exit", "+kvm_emulate_insn", NULL };
	const char *out[2 * PT_REC_MAX_EVENTS];
	size_t d = ndefaults();

	(void)state;
	/* one +EVENT keeps the defaults, and the plain ones are added too, in order */
	assert_int_equal(pt_inst_events_wanted(given, out, 2 * PT_REC_MAX_EVENTS), d + 2);
	assert_ptr_equal(out[0], pt_record_default_events[0]);
	assert_ptr_equal(out[d], given[0]);
	/* the '+' skipped, inside the caller's string: the metadata names it as given */
	assert_ptr_equal(out[d + 1], given[1] + 1);
	assert_string_equal(out[d + 1], "kvm_emulate_insn");
	/* never more than OUT holds */
	assert_int_equal(pt_inst_events_wanted(given, out, 3), 3);
	assert_ptr_equal(out[2], pt_record_default_events[2]);
}

static void test_events_have(void **state)
{
	const char *list[] = { "kvm:kvm_pio", "kvm_msr", "iommu:io_page_fault" };

	(void)state;
	assert_true(pt_inst_events_have(list, 3, "kvm_pio"));
	assert_true(pt_inst_events_have(list, 3, "kvm:kvm_pio"));
	assert_true(pt_inst_events_have(list, 3, "kvm_msr"));
	assert_true(pt_inst_events_have(list, 3, "io_page_fault"));
	assert_false(pt_inst_events_have(list, 3, "kvm_mmio"));
	assert_false(pt_inst_events_have(list, 3, "kvm"));
	assert_false(pt_inst_events_have(list, 1, "kvm_msr"));
	assert_false(pt_inst_events_have(list, 0, "kvm_pio"));
}

static void test_instance_name(void **state)
{
	char name[64], long_name[80];
	int pid = 0;

	(void)state;
	pt_inst_name(name, sizeof(name), 1234, "pt-a");
	assert_string_equal(name, "pttrace-1234-pt-a");
	pt_inst_name(name, sizeof(name), 1234, "");
	assert_string_equal(name, "pttrace-1234-vm");
	pt_inst_name(name, sizeof(name), 1234, NULL);
	assert_string_equal(name, "pttrace-1234-vm");
	/* a slash would be a path inside tracefs; spaces and dots are not kept either */
	pt_inst_name(name, sizeof(name), 7, "my vm/../win_10.x");
	assert_string_equal(name, "pttrace-7-my_vm____win_10_x");
	/* a long name is cut to 39 characters */
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	pt_inst_name(name, sizeof(name), 42, long_name);
	assert_int_equal(strlen(name), strlen("pttrace-42-") + 39);
	/* the cleanup of a later run reads the pid back from it */
	assert_int_equal(sscanf(name, PT_INST_PREFIX "%d-", &pid), 1);
	assert_int_equal(pid, 42);
}

static void test_triggers_default(void **state)
{
	struct pt_inst_trigger t[PT_REC_MAX_TRIGGERS];
	struct pt_vm vm = { 0 };
	unsigned n;

	(void)state;
	n = pt_inst_triggers(&vm, pt_record_default_events, ndefaults(), 0, t);
	assert_int_equal(n, 3);
	assert_string_equal(t[0].sys, "kvm");
	assert_string_equal(t[0].event, "kvm_pio");
	/* the ISA pvpanic's default port */
	assert_string_equal(t[0].text, "traceoff if rw == 1 && port == 0x505");
	assert_string_equal(t[1].event, "kvm_userspace_exit");
	assert_string_equal(t[1].text, "traceoff if reason == 8 || reason == 17");
	assert_string_equal(t[2].event, "kvm_msr");
	assert_string_equal(t[2].text, "traceoff if write == 1 && ecx == 0x40000105");
}

static void test_triggers_pvpanic(void **state)
{
	struct pt_inst_trigger t[PT_REC_MAX_TRIGGERS];
	struct pt_vm vm = { 0 };
	unsigned n;

	(void)state;
	snprintf(vm.dev[0].driver, sizeof(vm.dev[0].driver), "e1000e");
	vm.dev[0].ioport = 0x700;
	snprintf(vm.dev[1].driver, sizeof(vm.dev[1].driver), "pvpanic");
	vm.dev[1].ioport = 0x600;
	vm.ndev = 2;
	n = pt_inst_triggers(&vm, pt_record_default_events, ndefaults(), 0xfe000000ULL, t);
	assert_int_equal(n, 4);
	assert_string_equal(t[0].text, "traceoff if rw == 1 && port == 0x600");
	assert_string_equal(t[3].event, "kvm_mmio");
	assert_string_equal(t[3].text, "traceoff if type == 2 && gpa == 0xfe000000");
}

static void test_triggers_only_enabled(void **state)
{
	const char *mmio[] = { "kvm:kvm_mmio" }, *other[] = { "kvm_exit", "kvm_entry" };
	struct pt_inst_trigger t[PT_REC_MAX_TRIGGERS];
	struct pt_vm vm = { 0 };

	(void)state;
	assert_int_equal(pt_inst_triggers(&vm, mmio, 1, 0x800000000ULL, t), 1);
	assert_string_equal(t[0].text, "traceoff if type == 2 && gpa == 0x800000000");
	/* no pvpanic-pci BAR: nothing to trigger kvm_mmio on */
	assert_int_equal(pt_inst_triggers(&vm, mmio, 1, 0, t), 0);
	assert_int_equal(pt_inst_triggers(&vm, other, 2, 0xfe000000ULL, t), 0);
	assert_int_equal(pt_inst_triggers(&vm, NULL, 0, 0, t), 0);
}

static struct pt_json *json(const char *text)
{
	struct pt_err err;
	struct pt_json *j = pt_json_parse(text, strlen(text), &err);

	assert_non_null(j);
	return j;
}

static void test_pvpanic_bar(void **state)
{
	/* pvpanic-pci is 1b36:0011 (6966:17), behind a bridge's bus too */
	struct pt_json *with = json(
		"[{\"bus\": 0, \"devices\": ["
		"  {\"bus\": 0, \"slot\": 3, \"id\": {\"vendor\": 4660, \"device\": 4584},"
		"   \"regions\": [{\"bar\": 0, \"type\": \"memory\", \"address\": 4271898624}]}]},"
		" {\"bus\": 1, \"devices\": ["
		"  {\"bus\": 1, \"slot\": 0, \"id\": {\"vendor\": 6966, \"device\": 17},"
		"   \"regions\": [{\"bar\": 0, \"type\": \"memory\", \"address\": 4273246208}]}]}]");
	/* one the guest has not programmed has no region yet */
	struct pt_json *unprogrammed = json(
		"[{\"bus\": 0, \"devices\": ["
		"  {\"bus\": 0, \"slot\": 3, \"id\": {\"vendor\": 6966, \"device\": 17}, \"regions\": []}]}]");

	(void)state;
	assert_int_equal(pt_mon_pvpanic_bar(with), 4273246208ULL);
	assert_int_equal(pt_mon_pvpanic_bar(unprogrammed), 0);
	assert_int_equal(pt_mon_pvpanic_bar(NULL), 0);
	pt_json_free(with);
	pt_json_free(unprogrammed);
}

/* per_cpu/cpuN/stats as Linux 6.x writes it */
static const char stats0[] =
	"entries: 1200\n"
	"overrun: 300\n"
	"commit overrun: 7\n"
	"bytes: 524288\n"
	"oldest event ts:  1117.500001\n"
	"now ts:  1118.275069\n"
	"dropped events: 0\n"
	"read events: 0\n";
static const char stats1[] =
	"entries: 800\n"
	"overrun: 0\n"
	"commit overrun: 0\n"
	"bytes: 262144\n"
	"oldest event ts:     0.000000\n"
	"now ts:  1118.275070\n"
	"dropped events: 5\n"
	"read events: 0\n";

static void test_stats(void **state)
{
	struct pt_inst_stats sum = { 0 };
	struct pt_record_status st = { .seconds = 9 };

	(void)state;
	pt_inst_stats_add(&sum, stats0);
	/* "overrun: " is the line of its own, not the one in "commit overrun: " */
	assert_int_equal(sum.overrun, 300);
	pt_inst_stats_add(&sum, stats1);
	assert_int_equal(sum.entries, 2000);
	assert_int_equal(sum.bytes, 786432);
	assert_int_equal(sum.dropped, 5);
	/* two cpus of 1024 KB: 768 KB used */
	pt_inst_stats_status(&sum, 1024, 2, &st);
	assert_int_equal(st.events, 2300);
	assert_int_equal(st.overrun, 300);
	assert_int_equal(st.dropped, 5);
	assert_true(st.fill > 0.374 && st.fill < 0.376);
	assert_true(st.seconds == 9);	/* left to the caller */
	/* bytes past the nominal size (page headers) is full, not more */
	pt_inst_stats_status(&sum, 256, 2, &st);
	assert_true(st.fill == 1);
	pt_inst_stats_status(&sum, 0, 2, &st);
	assert_true(st.fill == 0);
	/* a stats file with nothing known adds nothing */
	pt_inst_stats_add(&sum, "");
	assert_int_equal(sum.entries, 2000);
}

static void test_stats_now(void **state)
{
	(void)state;
	assert_true(pt_inst_stats_now(stats0) > 1118.275068 && pt_inst_stats_now(stats0) < 1118.275070);
	assert_true(pt_inst_stats_now("entries: 0\n") == -1);
	assert_true(pt_inst_stats_now(NULL) == -1);
}

/* The stop P decides on, or -1 to go on (with *STOP untouched). */
static int decide(const struct pt_rec_probe *p)
{
	enum pt_record_stop stop = PT_STOP_VM_EXIT;

	if (!pt_rec_stop_decide(p, &stop)) {
		assert_int_equal(stop, PT_STOP_VM_EXIT);
		return -1;
	}
	return stop;
}

/* QMP's GUEST_PANICKED goes into the metadata as QEMU sent it, 64-bit values exact. */
static void test_meta_guest_panicked(void **state)
{
	static const char event[] = "{\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": "
		"\"pause\", \"info\": {\"type\": \"hyper-v\", \"arg1\": 278, \"arg2\": 1127504, "
		"\"arg3\": 1053040, \"arg4\": 18446744072635809946, \"arg5\": 17179869184}}}";
	struct pt_vm vm = { .pid = 42, .hv_crash = 1 };
	struct pt_meta_recording rec = { .buffer_kb = 1024 };
	struct pt_err err;
	struct pt_json *msg = pt_json_parse(event, strlen(event), &err), *meta;
	char *text;
	uint64_t v;

	(void)state;
	assert_non_null(msg);
	snprintf(vm.name, sizeof(vm.name), "win10");
	text = pt_meta_build(&vm, NULL, &rec);
	assert_non_null(text);
	assert_null(strstr(text, "guest_panicked"));
	free(text);

	rec.guest_panicked = pt_json_get(msg, "data");
	text = pt_meta_build(&vm, NULL, &rec);
	assert_non_null(text);
	meta = pt_json_parse(text, strlen(text), &err);
	assert_non_null(meta);
	assert_string_equal(pt_json_get_str(pt_json_get(meta, "guest_panicked"), "action"), "pause");
	assert_int_equal(pt_json_get_u64(pt_json_get(pt_json_get(meta, "guest_panicked"), "info"),
					 "arg4", &v), 0);
	assert_int_equal(v, 0xffffffffc000009aull);
	assert_int_equal(pt_json_get(pt_json_get(meta, "vm"), "hv_crash")->type, PT_JSON_TRUE);
	pt_json_free(meta);
	free(text);
	pt_json_free(msg);
}

static void test_stop_decide(void **state)
{
	struct pt_rec_probe p = { .tracing = 1, .armed_for = 5, .duration = 0 };

	(void)state;
	assert_int_equal(decide(&p), -1);
	p.panicked = 1;
	assert_int_equal(decide(&p), PT_STOP_QMP_PANIC);
	/* the VM's exit is said before a panic QMP also reported */
	p.vm_gone = 1;
	assert_int_equal(decide(&p), PT_STOP_VM_EXIT);
	/* but libvirt's crash event says why it exited (on_crash=destroy) */
	p.libvirt_crashed = 1;
	assert_int_equal(decide(&p), PT_STOP_LIBVIRT_CRASH);
	p.duration = 5;
	assert_int_equal(decide(&p), PT_STOP_DURATION);
	p.signalled = 1;
	assert_int_equal(decide(&p), PT_STOP_SIGNAL);
	/* the trigger froze the buffer on the crash: that is what stopped it, whatever came after */
	p.tracing = 0;
	assert_int_equal(decide(&p), PT_STOP_TRIGGER);
}

static void test_stop_duration(void **state)
{
	struct pt_rec_probe p = { .tracing = 1, .duration = 2 };

	(void)state;
	p.armed_for = 1.99;
	assert_int_equal(decide(&p), -1);
	p.armed_for = 2;
	assert_int_equal(decide(&p), PT_STOP_DURATION);
	/* no --duration: armed for as long as it takes */
	p.duration = 0;
	p.armed_for = 1e6;
	assert_int_equal(decide(&p), -1);
}

/* SYSROOT/FILE with TEXT, the directories made on the way */
static void put(const char *sysroot, const char *file, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", sysroot, file);
	for (slash = strchr(path + strlen(sysroot) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_paging(void **state)
{
	char root[] = "/tmp/pttrace-sysroot.XXXXXX", cmd[64];

	(void)state;
	assert_non_null(mkdtemp(root));
	/* neither kvm_intel nor kvm_amd: another KVM */
	assert_string_equal(pt_pf_paging(root), "unknown");
	put(root, "/sys/module/kvm_amd/parameters/npt", "1\n");
	assert_string_equal(pt_pf_paging(root), "npt");
	put(root, "/sys/module/kvm_amd/parameters/npt", "0\n");
	assert_string_equal(pt_pf_paging(root), "shadow");
	/* kvm_intel is asked first */
	put(root, "/sys/module/kvm_intel/parameters/ept", "Y\n");
	assert_string_equal(pt_pf_paging(root), "ept");
	put(root, "/sys/module/kvm_intel/parameters/ept", "N\n");
	assert_string_equal(pt_pf_paging(root), "shadow");
	put(root, "/sys/module/kvm_intel/parameters/ept", "");
	assert_string_equal(pt_pf_paging(root), "shadow");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_split),
		cmocka_unit_test(test_events_wanted_default),
		cmocka_unit_test(test_events_wanted_replace),
		cmocka_unit_test(test_events_wanted_add),
		cmocka_unit_test(test_events_have),
		cmocka_unit_test(test_instance_name),
		cmocka_unit_test(test_triggers_default),
		cmocka_unit_test(test_triggers_pvpanic),
		cmocka_unit_test(test_triggers_only_enabled),
		cmocka_unit_test(test_pvpanic_bar),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_now),
		cmocka_unit_test(test_meta_guest_panicked),
		cmocka_unit_test(test_stop_decide),
		cmocka_unit_test(test_stop_duration),
		cmocka_unit_test(test_paging),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
