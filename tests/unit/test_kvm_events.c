// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of kvm events pttrace reads (analyzer/kvm-events.h): each
 * tracepoint once, each kind from one of them, and the decode both
 * readers share; and its row outside kvm, pttrace record's kprobes on the
 * host's resets, kept beside the events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pt-hostreset.h"
#include "pt-reader.h"
#include "../../analyzer/kvm-events.h"

static void test_each_tracepoint_once(void **state)
{
	(void)state;
	assert_true(pt_kvm_nevents >= 13);
	for (size_t i = 0; i < pt_kvm_nevents; i++) {
		const struct pt_kvm_event *e = &pt_kvm_events[i];

		assert_non_null(e->name);
		if (e->system)
			continue;	/* found by match, not by its name */
		assert_ptr_equal(pt_kvm_event_named(e->name, strlen(e->name)), e);
		for (size_t j = i + 1; j < pt_kvm_nevents; j++)
			assert_string_not_equal(pt_kvm_events[j].name, e->name);
	}
	assert_null(pt_kvm_event_named("kvm_entry", 9));
	assert_null(pt_kvm_event_named("kvm_mmio", 7));	/* a prefix is not the name */
}

static void test_each_kind_from_one_event(void **state)
{
	unsigned seen = 0;

	(void)state;
	for (size_t i = 0; i < pt_kvm_nevents; i++) {
		unsigned kinds = pt_kvm_event_kinds(&pt_kvm_events[i]);

		assert_int_equal(seen & kinds, 0);
		seen |= kinds;
	}
	assert_int_equal(seen, (1u << PT_EV_KINDS) - 1);
	for (unsigned k = 0; k < PT_EV_KINDS; k++) {
		const struct pt_kvm_event *e = pt_kvm_event_of(k);

		assert_non_null(e);
		assert_true(pt_kvm_event_kinds(e) & 1u << k);
		assert_string_equal(pt_event_kind_source(k), e->name);
		assert_ptr_equal(pt_reader_missing_consequence(k), e->missing);
	}
	assert_null(pt_kvm_event_of(PT_EV_KINDS));
	assert_string_equal(pt_event_kind_source(PT_EV_MMIO_WRITE), "kvm_mmio");
}

static void test_rows_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < pt_kvm_nevents; i++) {
		const struct pt_kvm_event *e = &pt_kvm_events[i];

		/* a kvm event decodes in both readers; another is matched and kept aside */
		assert_true(!e->system == !e->keep && !e->system == !e->match);
		assert_non_null(e->decode);
		if (!e->system)
			assert_non_null(e->parse_text);
		assert_non_null(e->fields[0]);
		for (int j = 0; j < PT_KVM_FIELDS && e->fields[j]; j++)
			for (int l = j + 1; l < PT_KVM_FIELDS && e->fields[l]; l++)
				assert_string_not_equal(e->fields[j], e->fields[l]);
	}
	/* the device side raises these, not the vcpu's thread */
	assert_true(pt_kvm_event_of(PT_EV_MSI)->any_thread);
	assert_true(pt_kvm_event_of(PT_EV_IRQ_LINE)->any_thread);
	assert_true(pt_kvm_event_of(PT_EV_APIC_ACCEPT)->any_thread);
	assert_false(pt_kvm_event_of(PT_EV_EOI)->any_thread);
	assert_false(pt_kvm_event_of(PT_EV_MMIO_READ)->any_thread);
}

/* E's decode of the field values V (all of E's fields there, HAS clears some). */
static enum pt_kvm_decoded dec(const char *event, const uint64_t *v, unsigned has,
			       struct pt_event *ev, struct pt_kvm_record *rec)
{
	const struct pt_kvm_event *e = pt_kvm_event_named(event, strlen(event));

	assert_non_null(e);
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->v, v, sizeof(rec->v));
	rec->has = has;
	memset(ev, 0, sizeof(*ev));
	return pt_kvm_decode(e, rec, ev);
}

static void test_decode(void **state)
{
	struct pt_kvm_record rec;
	struct pt_event ev;

	(void)state;
	assert_int_equal(dec("kvm_mmio", (uint64_t[PT_KVM_FIELDS]){ 2, 4, 0xfebf0000, 1 }, 0xf,
			     &ev, &rec), PT_KVM_EVENT);
	assert_int_equal(ev.kind, PT_EV_MMIO_WRITE);
	assert_int_equal(ev.len, 4);
	assert_int_equal(ev.addr, 0xfebf0000);
	assert_int_equal(rec.vcpu, -1);
	assert_int_equal(dec("kvm_mmio", (uint64_t[PT_KVM_FIELDS]){ 0, 4, 0, 0 }, 0xf, &ev, &rec),
			 PT_KVM_SKIP);
	/* 1, 2, 4 or 8 bytes, all 32 bits of the field: 0x104 is no 4 */
	assert_int_equal(dec("kvm_mmio", (uint64_t[PT_KVM_FIELDS]){ 1, 0x104, 0, 0 }, 0xf,
			     &ev, &rec), PT_KVM_DAMAGED);
	assert_int_equal(dec("kvm_pio", (uint64_t[PT_KVM_FIELDS]){ 0, 0x1f0, 3, 0 }, 0xf,
			     &ev, &rec), PT_KVM_DAMAGED);
	/* QEMU's devices leave only the offset in the APIC window */
	assert_int_equal(dec("kvm_msi_set_irq", (uint64_t[PT_KVM_FIELDS]){ 0x1000, 0x4021 }, 3,
			     &ev, &rec), PT_KVM_EVENT);
	assert_int_equal(ev.addr, 0xfee01000);
	/* kvm_exit: the vcpu and the ISA when the kernel records them */
	assert_int_equal(dec("kvm_exit", (uint64_t[PT_KVM_FIELDS]){ 0x400, 0xfff0, 0x8003, 2 }, 0xf,
			     &ev, &rec), PT_KVM_EVENT);
	assert_int_equal(ev.val, 0x400);
	assert_int_equal(rec.vcpu, 3);
	assert_int_equal(rec.isa, 2);
	assert_int_equal(dec("kvm_exit", (uint64_t[PT_KVM_FIELDS]){ 48, 0x10 }, 3, &ev, &rec),
			 PT_KVM_EVENT);
	assert_int_equal(rec.vcpu, -1);
	assert_int_equal(rec.isa, 0);
	/* an error code only when has_error says so */
	assert_int_equal(dec("kvm_inj_exception", (uint64_t[PT_KVM_FIELDS]){ 13, 1, 0x18 }, 7,
			     &ev, &rec), PT_KVM_EVENT);
	assert_int_equal(ev.flags, PT_EVF_ERROR_CODE);
	assert_int_equal(ev.extra, 0x18);
	assert_int_equal(dec("kvm_inj_exception", (uint64_t[PT_KVM_FIELDS]){ 13, 0, 0x18 }, 7,
			     &ev, &rec), PT_KVM_EVENT);
	assert_int_equal(ev.flags, 0);
	/* the reader's flags stay: decode ors its own in */
	memset(&ev, 0, sizeof(ev));
	ev.flags = PT_EVF_LOST_BEFORE;
	rec.v[1] = 1;
	assert_int_equal(pt_kvm_decode(pt_kvm_event_of(PT_EV_INJ_EXCEPTION), &rec, &ev),
			 PT_KVM_EVENT);
	assert_int_equal(ev.flags, PT_EVF_LOST_BEFORE | PT_EVF_ERROR_CODE);
	assert_int_equal(dec("kvm_inj_virq", (uint64_t[PT_KVM_FIELDS]){ 0, 33 }, 2, &ev, &rec),
			 PT_KVM_EVENT);
	assert_int_equal(ev.val, 33);	/* "irq" of older kernels */
}

/*
 * A record of pttrace record's reset probe on FUNCTION (DEV: "dev", NULL
 * when the probe has none; PROBE: "probe") by thread 42 at TS, as the reader
 * hands it over: decoded, then kept in INFO.
 */
static void host_reset_record(const struct pt_kvm_event *e, const char *function, const char *dev,
			      int probe, uint64_t ts, struct pt_reader_info *info)
{
	struct pt_kvm_record rec;
	struct pt_event ev;

	memset(&rec, 0, sizeof(rec));
	memset(&ev, 0, sizeof(ev));
	rec.sub = pt_hr_find(function);
	rec.has = (dev ? 1 : 0) | 2;
	rec.v[1] = probe;
	if (dev) {
		snprintf(rec.str, sizeof(rec.str), "%s", dev);
		rec.v[0] = strlen(rec.str);
	}
	ev.ts = ts;
	ev.tid = 42;
	if (pt_kvm_decode(e, &rec, &ev) == PT_KVM_SKIP) {
		assert_true(probe);
		return;
	}
	assert_false(probe);
	e->keep(&ev, info);
}

/* pttrace record's kprobes: found by name whatever the recorder's pid, never as kvm events */
static void test_host_reset_row(void **state)
{
	const struct pt_kvm_event *e;
	struct pt_reader_info *info = calloc(1, sizeof(*info));
	int sub;

	(void)state;
	e = pt_kvm_event_find("kprobes", "pttrace_1234_pcie_flr", &sub);
	assert_non_null(e);
	assert_non_null(e->keep);
	assert_int_equal(sub, pt_hr_find("pcie_flr"));
	assert_int_equal(pt_kvm_event_kinds(e), 0);
	assert_ptr_equal(pt_kvm_event_find("kprobes", "pttrace_7___pci_reset_function_locked", &sub), e);
	assert_int_equal(sub, pt_hr_find("__pci_reset_function_locked"));
	/* someone else's probe, a function pttrace does not probe, no pid, another system */
	assert_null(pt_kvm_event_find("kprobes", "myprobe", &sub));
	assert_null(pt_kvm_event_find("kprobes", "pttrace_1234_do_sys_open", &sub));
	assert_null(pt_kvm_event_find("kprobes", "pttrace_pcie_flr", &sub));
	assert_null(pt_kvm_event_find("kprobes", "pttrace_0_pcie_flr", &sub));
	assert_null(pt_kvm_event_find("kprobes", "pttrace_-3_pcie_flr", &sub));
	assert_null(pt_kvm_event_find("kvm", "pttrace_1234_pcie_flr", &sub));
	assert_null(pt_kvm_event_find("uprobes", "pttrace_1234_pcie_flr", &sub));
	assert_ptr_equal(pt_kvm_event_find("kvm", "kvm_mmio", &sub), pt_kvm_event_of(PT_EV_MMIO_READ));
	assert_null(pt_kvm_event_named("pttrace_1234_pcie_flr", 21));

	/* decoded (in the jobs' threads too), then kept in the info, with the device when named */
	host_reset_record(e, "pcie_flr", "0000:01:00.0", 0, 5000, info);
	assert_int_equal(info->nhost_resets, 1);
	assert_int_equal(info->host_resets[0].ts, 5000);
	assert_int_equal(info->host_resets[0].tid, 42);
	assert_string_equal(info->host_resets[0].dev, "0000:01:00.0");
	assert_string_equal(pt_hr_funcs[info->host_resets[0].fn].symbol, "pcie_flr");
	host_reset_record(e, "pci_bridge_secondary_bus_reset", "10ab:ff:1f.7", 0, 5500, info);
	assert_string_equal(info->host_resets[1].dev, "10ab:ff:1f.7");
	/* a "probe" call asks only whether the method would work: no reset */
	host_reset_record(e, "pci_pm_reset", "0000:01:00.0", 1, 6000, info);
	assert_int_equal(info->nhost_resets, 2);
	/* without the name (the kernel refused BTF's field access), or not a PCI name: "" */
	host_reset_record(e, "pci_pm_reset", NULL, 0, 7000, info);
	assert_int_equal(info->nhost_resets, 3);
	assert_string_equal(info->host_resets[2].dev, "");
	host_reset_record(e, "pcie_flr", "0000:01:00.0-and-a-lot-more", 0, 8000, info);
	host_reset_record(e, "pcie_flr", "0000:01:20.0", 0, 8000, info);
	assert_string_equal(info->host_resets[3].dev, "");
	assert_string_equal(info->host_resets[4].dev, "");
	while (info->nhost_resets < PT_MAX_HOST_RESETS)
		host_reset_record(e, "pcie_flr", "0000:01:00.0", 0, 9000, info);
	host_reset_record(e, "pcie_flr", "0000:01:00.0", 0, 9000, info);
	assert_int_equal(info->nhost_resets, PT_MAX_HOST_RESETS);
	assert_int_equal(info->host_resets_dropped, 1);
	free(info);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_tracepoint_once),
		cmocka_unit_test(test_each_kind_from_one_event),
		cmocka_unit_test(test_rows_complete),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_host_reset_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
