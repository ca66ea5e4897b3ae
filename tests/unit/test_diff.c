// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttrace diff on constructed pairs: each rule on a baseline and a crash
 * that differ in what the rule looks for, and its twin, the same pair
 * without that difference, which must not report it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stream.h"
#include "pt-diff.h"

#define NIC	BDF(0, 4, 0)
#define NIC_BAR	0xfeb00000u
#define GPU	BDF(0, 5, 0)
#define GPU_BAR	0xfd000000u
#define MSI_ADDR 0xfee00000u

struct run {
	struct stream s;
	struct pt_diff_trace *t;
};

static struct run run_start(void)
{
	struct pt_analysis_opts o = { .vcpu = -1 };
	struct run r = { .s = { .ts = 1000000000ull, .step = 20000 } };
	struct pt_err err;

	r.t = pt_diff_trace_new(&err);
	assert_non_null(r.t);
	pt_diff_trace_attach(r.t, &o);
	r.s.a = pt_analysis_new(&o, &err);
	assert_non_null(r.s.a);
	return r;
}

/* A NIC probed with BAR0 at BAR, MSI to vector 0x21 at ADDR, some register traffic. */
static void nic(struct run *r, uint32_t bar, uint32_t addr)
{
	probe_device(&r->s, NIC, 0x8086, 0x10d3, 0x020000, bar, 0x20000);
	msi_program(&r->s, NIC, addr, 0x21);
	for (int i = 0; i < 20; i++) {
		mmio(&r->s, 1, bar + 0xd0, 0x1);
		mmio(&r->s, 0, bar + 8, 0x80283);
		deliver(&r->s, addr, 0x21, 0);
	}
}

static struct pt_diff *finish(struct run *b, struct run *c)
{
	struct pt_err err;
	struct pt_diff *d;

	pvpanic(&b->s);
	pvpanic(&c->s);
	d = pt_diff_compare(b->t, b->s.a, c->t, c->s.a, &err);
	assert_non_null(d);
	pt_analysis_free(b->s.a);
	pt_analysis_free(c->s.a);
	pt_diff_trace_free(b->t);
	pt_diff_trace_free(c->t);
	return d;
}

static __attribute__((noinline)) const struct pt_diff_item *find_kind(const struct pt_diff *d, enum pt_diff_kind k)
{
	for (unsigned i = 0; i < d->nitems; i++)
		if (d->items[i].kind == k)
			return &d->items[i];
	return NULL;
}

static int any_high(const struct pt_diff *d)
{
	for (unsigned i = 0; i < d->nitems; i++)
		if (d->items[i].score >= 80) {
			fprintf(stderr, "high: %s: %s\n", d->items[i].what, d->items[i].title);
			return 1;
		}
	return 0;
}

/* The baseline and the crash, each made by RUN with its own argument. */
typedef void run_fn(struct run *r, uint64_t arg);

static struct pt_diff *pair(run_fn *fn, uint64_t base_arg, uint64_t crash_arg)
{
	struct run b = run_start(), c = run_start();

	fn(&b, base_arg);
	fn(&c, crash_arg);
	return finish(&b, &c);
}

/* The twin: both runs made alike with ARG; no difference of KIND. */
static void twin(run_fn *fn, uint64_t arg, enum pt_diff_kind kind)
{
	struct pt_diff *d = pair(fn, arg, arg);

	assert_true(d->comparable);
	assert_null(find_kind(d, kind));
	assert_false(any_high(d));
	pt_diff_free(d);
}

static void nic_at(struct run *r, uint64_t bar)
{
	nic(r, (uint32_t)bar, MSI_ADDR);
}

static void test_same_run_no_difference(void **state)
{
	struct pt_diff *d = pair(nic_at, NIC_BAR, NIC_BAR);

	(void)state;
	assert_true(d->comparable);
	assert_int_equal(d->common_devices, 1);
	assert_int_equal(d->nitems, 0);
	pt_diff_free(d);
}

/* BARs placed elsewhere: the same registers, no difference */
static void test_bar_elsewhere_matches(void **state)
{
	struct pt_diff *d = pair(nic_at, NIC_BAR, NIC_BAR + 0x100000);

	(void)state;
	assert_true(d->comparable);
	assert_null(find_kind(d, PT_DIFF_REGISTER_ONLY));
	assert_null(find_kind(d, PT_DIFF_STRAY));
	assert_false(any_high(d));
	pt_diff_free(d);
}

static void d3_run(struct run *r, uint64_t d3)
{
	nic(r, NIC_BAR, MSI_ADDR);
	cfg_write(&r->s, NIC, PM_CAP + PCI_PM_CTRL, 2, d3 ? PT_D3HOT : PT_D0);
	for (int i = 0; i < 10; i++)
		mmio(&r->s, 0, NIC_BAR + 8, 0x80283);
}

static void test_d3(void **state)
{
	struct pt_diff *d = pair(d3_run, 0, 1);

	(void)state;
	assert_true(d->nitems > 0);
	assert_int_equal(d->items[0].kind, PT_DIFF_POWER);
	assert_int_equal(d->items[0].bdf, NIC);
	assert_true(d->items[0].score >= 80);
	assert_int_equal(d->items[0].side[1].count, 10);
	assert_true(d->items[0].side[1].has_event);
	assert_false(d->items[0].side[0].count);
	/* the state it ends in, with the PMCSR write that left it there in each run */
	assert_int_equal(d->items[1].kind, PT_DIFF_POWER);
	assert_string_equal(d->items[1].side[1].values, "D3hot");
	assert_string_equal(d->items[1].side[0].values, "D0");
	assert_true(d->items[1].side[1].last);
	assert_int_equal(d->items[1].side[1].ev.val, PT_D3HOT);
	assert_int_equal(d->items[1].side[0].ev.val, PT_D0);
	assert_int_equal(d->items[1].off, PM_CAP + PCI_PM_CTRL);
	pt_diff_free(d);
	twin(d3_run, 0, PT_DIFF_POWER);
}

static void msi_run(struct run *r, uint64_t addr)
{
	nic(r, NIC_BAR, (uint32_t)addr);
}

static void test_msi_address(void **state)
{
	struct pt_diff *d = pair(msi_run, MSI_ADDR, 0xfee0);

	(void)state;
	assert_true(d->nitems > 0);
	assert_int_equal(d->items[0].kind, PT_DIFF_MSI);
	assert_true(d->items[0].score >= 80);
	pt_diff_free(d);
	twin(msi_run, MSI_ADDR, PT_DIFF_MSI);
}

static void command_run(struct run *r, uint64_t cmd)
{
	nic(r, NIC_BAR, MSI_ADDR);
	cfg_write(&r->s, NIC, PCI_COMMAND, 2, (uint32_t)cmd);
}

static void test_bus_master_off(void **state)
{
	struct pt_diff *d = pair(command_run, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
				 PCI_COMMAND_MEMORY);

	(void)state;
	assert_true(d->nitems > 0);
	assert_int_equal(d->items[0].kind, PT_DIFF_COMMAND);
	pt_diff_free(d);
	twin(command_run, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, PT_DIFF_COMMAND);
}

static void storm_run(struct run *r, uint64_t n)
{
	nic(r, NIC_BAR, MSI_ADDR);
	for (uint64_t i = 0; i < n; i++)
		deliver(&r->s, MSI_ADDR, 0x21, 0);
	/* both runs as long */
	r->s.ts += (3000 - n) * 3 * r->s.step;
	mmio(&r->s, 0, NIC_BAR + 8, 0x80283);
}

static void test_vector_rate(void **state)
{
	struct pt_diff *d = pair(storm_run, 10, 3000);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_VECTOR_RATE);

	(void)state;
	assert_non_null(it);
	assert_ptr_equal(it, &d->items[0]);
	assert_int_equal(it->vector, 0x21);
	assert_true(it->side[1].rate > 10 * it->side[0].rate);
	pt_diff_free(d);
	twin(storm_run, 3000, PT_DIFF_VECTOR_RATE);
}

static void poll_run(struct run *r, uint64_t reset)
{
	nic(r, NIC_BAR, MSI_ADDR);
	if (reset)
		mmio(&r->s, 1, NIC_BAR + 0, 0x04000000);	/* CTRL.RST */
	for (int i = 0; i < 200; i++)
		mmio(&r->s, 0, NIC_BAR + 0x10, 0);
}

static void test_register_only(void **state)
{
	struct pt_diff *d = pair(poll_run, 0, 1);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_REGISTER_ONLY);

	(void)state;
	assert_non_null(it);
	assert_int_equal(it->bar, 0);
	assert_int_equal(it->off, 0);
	assert_int_equal(it->side[1].writes, 1);
	assert_false(it->side[0].seen);
	pt_diff_free(d);
	twin(poll_run, 1, PT_DIFF_REGISTER_ONLY);
}

static void stray_run(struct run *r, uint64_t stray)
{
	nic(r, NIC_BAR, MSI_ADDR);
	mmio(&r->s, 0, stray ? 0xfe000080u : NIC_BAR + 8, 0);
}

static void test_stray(void **state)
{
	struct pt_diff *d = pair(stray_run, 0, 1);

	(void)state;
	assert_non_null(find_kind(d, PT_DIFF_STRAY));
	assert_int_equal(d->items[0].kind, PT_DIFF_STRAY);
	pt_diff_free(d);
	twin(stray_run, 1, PT_DIFF_STRAY);
}

static void aspm_run(struct run *r, uint64_t lnkctl)
{
	nic(r, NIC_BAR, MSI_ADDR);
	cfg_write(&r->s, NIC, PCIE_CAP + PCI_EXP_LNKCTL, 2, (uint32_t)lnkctl);
}

static void test_aspm(void **state)
{
	struct pt_diff *d = pair(aspm_run, 0, PCI_EXP_LNKCTL_ASPM_L0S | PCI_EXP_LNKCTL_ASPM_L1);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_ASPM);

	(void)state;
	/* first the state the link ends in, with the write that left it so in each run */
	assert_non_null(it);
	assert_ptr_equal(it, &d->items[0]);
	assert_true(it->score >= 80);
	assert_int_equal(it->bar, PT_REG_CONFIG);
	assert_int_equal(it->off, PCIE_CAP + PCI_EXP_LNKCTL);
	assert_string_equal(it->title, "ASPM at the end: L0s and L1 in the crash, off in the baseline");
	assert_string_equal(it->side[1].values, "ASPM L0s and L1 (LNKCTL 0x0003)");
	assert_string_equal(it->side[0].values, "ASPM off (LNKCTL 0x0000)");
	assert_true(it->side[1].last && it->side[0].last);
	assert_int_equal(it->side[1].ev.val, 3);
	assert_int_equal(it->side[0].ev.val, 0);
	/* then the register written with values only in the crash */
	it = &d->items[1];
	assert_int_equal(it->kind, PT_DIFF_ASPM);
	assert_int_equal(it->off, PCIE_CAP + PCI_EXP_LNKCTL);
	assert_string_equal(it->side[1].values, "0x3");
	assert_string_equal(it->side[0].values, "0x0");
	pt_diff_free(d);
	twin(aspm_run, PCI_EXP_LNKCTL_ASPM_L1, PT_DIFF_ASPM);
}

/* Both runs wrote L1 once; only the crash turned it off again: a difference, not a suspect */
static void aspm_twice_run(struct run *r, uint64_t off_again)
{
	aspm_run(r, PCI_EXP_LNKCTL_ASPM_L1);
	if (off_again)
		cfg_write(&r->s, NIC, PCIE_CAP + PCI_EXP_LNKCTL, 2, 0);
}

static void test_aspm_final_only(void **state)
{
	struct pt_diff *d = pair(aspm_twice_run, 0, 1);
	const struct pt_diff_item *it = NULL;

	(void)state;
	for (unsigned i = 0; i < d->nitems; i++)
		if (d->items[i].kind == PT_DIFF_ASPM && strstr(d->items[i].title, "at the end"))
			it = &d->items[i];
	assert_non_null(it);
	assert_string_equal(it->title, "ASPM at the end: off in the crash, L1 in the baseline");
	assert_true(it->score < 80);
	assert_int_equal(it->side[1].ev.val, 0);
	assert_int_equal(it->side[0].ev.val, PCI_EXP_LNKCTL_ASPM_L1);
	pt_diff_free(d);
}

/* The command register ends with INTx disabled in the crash only: said, below decode */
static void test_command_final_other_bits(void **state)
{
	struct pt_diff *d = pair(command_run, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
				 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	const struct pt_diff_item *it = NULL;

	(void)state;
	for (unsigned i = 0; i < d->nitems; i++)
		if (d->items[i].kind == PT_DIFF_COMMAND && strstr(d->items[i].title, "at the end"))
			it = &d->items[i];
	assert_non_null(it);
	assert_string_equal(it->title, "command at the end: 0x0406 in the crash, 0x0006 in the "
			    "baseline");
	assert_true(it->score >= 50 && it->score < 80);
	assert_true(it->side[1].last);
	assert_int_equal(it->side[1].ev.val, 0x406);
	pt_diff_free(d);
}

#define MSIX_CAP	0x90u
#define MSIX_TABLE	0x2000u		/* in BAR0 */

/*
 * A NIC with MSI-X (table in BAR0), entry 0 programmed with DATA and, when
 * ENTRY1, entry 1 too; then some work.
 */
static void msix_nic(struct run *r, uint64_t data, int entry1)
{
	struct stream *s = &r->s;

	cfg_read(s, NIC, PCI_VENDOR_ID, 4, 0x10d38086);
	cfg_read(s, NIC, PCI_CLASS_REVISION, 4, 0x020000 << 8);
	cfg_read(s, NIC, PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL);
	cfg_read(s, NIC, PCI_BASE_ADDRESS_0, 4, 0);
	cfg_write(s, NIC, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	cfg_read(s, NIC, PCI_BASE_ADDRESS_0, 4, ~(0x20000u - 1));
	cfg_write(s, NIC, PCI_BASE_ADDRESS_0, 4, NIC_BAR);
	cfg_read(s, NIC, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_read(s, NIC, PCI_CAPABILITY_LIST, 1, PM_CAP);
	cfg_read(s, NIC, PM_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_PM);
	cfg_read(s, NIC, PM_CAP + PCI_CAP_LIST_NEXT, 1, MSIX_CAP);
	cfg_read(s, NIC, MSIX_CAP + PCI_CAP_LIST_ID, 1, PCI_CAP_ID_MSIX);
	cfg_read(s, NIC, MSIX_CAP + PCI_CAP_LIST_NEXT, 1, 0);
	cfg_read(s, NIC, PM_CAP + PCI_PM_CTRL, 2, PT_D0);
	cfg_read(s, NIC, MSIX_CAP + PCI_MSIX_TABLE, 4, MSIX_TABLE | 0);
	cfg_write(s, NIC, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	cfg_write(s, NIC, MSIX_CAP + PCI_MSIX_FLAGS, 2,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL | 3);
	for (unsigned e = 0; e < (entry1 ? 2u : 1u); e++) {
		uint64_t entry = NIC_BAR + MSIX_TABLE + 16 * e;

		mmio(s, 1, entry + PCI_MSIX_ENTRY_LOWER_ADDR, MSI_ADDR);
		mmio(s, 1, entry + PCI_MSIX_ENTRY_UPPER_ADDR, 0);
		mmio(s, 1, entry + PCI_MSIX_ENTRY_DATA, data + e);
		mmio(s, 1, entry + PCI_MSIX_ENTRY_VECTOR_CTRL, 0);
	}
	cfg_write(s, NIC, MSIX_CAP + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | 3);
	for (int i = 0; i < 20; i++) {
		mmio(s, 1, NIC_BAR + 0xd0, 0x1);
		mmio(s, 0, NIC_BAR + 8, 0x80283);
		deliver(s, MSI_ADDR, (unsigned)data, 0);
	}
}

static void msix_data_run(struct run *r, uint64_t data)
{
	msix_nic(r, data, 0);
}

static void msix_entry1_run(struct run *r, uint64_t entry1)
{
	msix_nic(r, 0x41, (int)entry1);
}

/* An MSI-X table entry's message data differs: the vector the device's interrupts go to */
static void test_msix_table_data(void **state)
{
	struct pt_diff *d = pair(msix_data_run, 0x41, 0x42);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_MSI);

	(void)state;
	assert_true(d->comparable);
	assert_non_null(it);
	assert_true(it->score >= 80);
	assert_int_equal(it->bar, 0);
	assert_int_equal(it->off, MSIX_TABLE + PCI_MSIX_ENTRY_DATA);
	assert_non_null(strstr(it->what, "00:04.0 [8086:10d3]"));
	assert_string_equal(it->title, "written with values only in the crash");
	assert_string_equal(it->side[0].values, "0x41");
	assert_string_equal(it->side[1].values, "0x42");
	/* the crash's evidence is its write of the new data */
	assert_true(it->side[1].has_event);
	assert_int_equal(it->side[1].ev.kind, PT_EV_MMIO_WRITE);
	assert_int_equal(it->side[1].ev.addr, NIC_BAR + MSIX_TABLE + PCI_MSIX_ENTRY_DATA);
	assert_int_equal(it->side[1].ev.val, 0x42);
	pt_diff_free(d);
	twin(msix_data_run, 0x42, PT_DIFF_MSI);
}

/* An MSI-X table entry written in the crash only */
static void test_msix_table_one_run(void **state)
{
	struct pt_diff *d = pair(msix_entry1_run, 0, 1);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_MSI);

	(void)state;
	assert_non_null(it);
	assert_true(it->score >= 80);
	assert_int_equal(it->bar, 0);
	assert_true(it->off >= MSIX_TABLE + 16 && it->off < MSIX_TABLE + 32);
	assert_non_null(strstr(it->title, "written only in the crash"));
	assert_false(it->side[0].seen);
	assert_true(it->side[1].writes >= 1);
	pt_diff_free(d);
	/* the same table in both: no MSI difference, nothing high */
	twin(msix_entry1_run, 1, PT_DIFF_MSI);
}

static const struct pt_diff_item *find_detector(const struct pt_diff *d, const char *name)
{
	for (unsigned i = 0; i < d->nitems; i++)
		if (d->items[i].kind == PT_DIFF_FINDING && !strcmp(d->items[i].detector, name))
			return &d->items[i];
	return NULL;
}

/* A detector that fires in the crash only ranks high; one that fires in both is said so, low */
static void test_findings(void **state)
{
	struct pt_diff *d = pair(d3_run, 0, 1);
	const struct pt_diff_item *it = find_detector(d, "powered-down");

	(void)state;
	assert_non_null(it);
	assert_true(it->score >= 80);
	assert_int_equal(it->bdf, NIC);
	assert_non_null(strstr(it->title, "(only in the crash)"));
	assert_int_equal(strncmp(it->what, "00:04.0 [8086:10d3] powered-down", 32), 0);
	/* the device is said in WHAT, not again in the title */
	assert_null(strstr(it->title, "00:04.0"));
	assert_false(it->side[0].seen);
	assert_true(it->side[1].seen && it->side[1].has_event);
	assert_non_null(strstr(it->side[1].values, "confidence"));
	pt_diff_free(d);

	d = pair(d3_run, 1, 1);
	it = find_detector(d, "powered-down");
	assert_non_null(it);
	assert_true(it->score < 50);
	assert_non_null(strstr(it->title, "(also in baseline)"));
	assert_true(it->side[0].seen && it->side[1].seen);
	assert_false(any_high(d));
	pt_diff_free(d);

	/* the other way round: gone in the crash, listed low, the baseline's side */
	d = pair(d3_run, 1, 0);
	it = find_detector(d, "powered-down");
	assert_non_null(it);
	assert_true(it->score < 20);
	assert_non_null(strstr(it->title, "(only in the baseline)"));
	assert_true(it->side[0].seen && it->side[0].has_event);
	assert_false(it->side[1].seen);
	pt_diff_free(d);
}

static void move_run(struct run *r, uint64_t to)
{
	nic(r, NIC_BAR, MSI_ADDR);
	cfg_write(&r->s, NIC, PCI_BASE_ADDRESS_0, 4, (uint32_t)to);
	mmio(&r->s, 0, to + 8, 0x80283);
}

static void test_bar_moved(void **state)
{
	struct pt_diff *d = pair(move_run, NIC_BAR, 0xe0000000u);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_CONFIG);

	(void)state;
	assert_non_null(it);
	assert_non_null(strstr(it->title, "BAR0 moved from 0xfeb00000 to 0xe0000000"));
	assert_true(it->score >= 80);
	pt_diff_free(d);
	/* both runs moved it, each to the same place: no difference */
	twin(move_run, 0xe0000000u, PT_DIFF_CONFIG);
}

static void values_run(struct run *r, uint64_t v)
{
	nic(r, NIC_BAR, MSI_ADDR);
	mmio(&r->s, 1, NIC_BAR + 0x100, 0x1);
	mmio(&r->s, 1, NIC_BAR + 0x100, v);
}

static void test_register_values(void **state)
{
	struct pt_diff *d = pair(values_run, 0x1, 0x8000);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_REGISTER_VALUES);

	(void)state;
	assert_non_null(it);
	assert_int_equal(it->off, 0x100);
	assert_string_equal(it->side[0].values, "0x1");
	assert_string_equal(it->side[1].values, "0x1, 0x8000");
	assert_int_equal(it->score, 50);
	pt_diff_free(d);
	twin(values_run, 0x8000, PT_DIFF_REGISTER_VALUES);
}

/* N reads of a register, and both runs as long whatever N */
static void rate_run(struct run *r, uint64_t n)
{
	nic(r, NIC_BAR, MSI_ADDR);
	for (uint64_t i = 0; i < n; i++)
		mmio(&r->s, 0, NIC_BAR + 0x18, 0);
	r->s.ts += (1000 - n) * r->s.step;
	mmio(&r->s, 0, NIC_BAR + 8, 0x80283);
}

static void test_register_and_device_rate(void **state)
{
	struct pt_diff *d = pair(rate_run, 10, 1000);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_REGISTER_RATE);

	(void)state;
	assert_non_null(it);
	assert_int_equal(it->off, 0x18);
	assert_int_equal(it->side[0].count, 10);
	assert_int_equal(it->side[1].count, 1000);
	it = find_kind(d, PT_DIFF_DEVICE_RATE);
	assert_non_null(it);
	assert_int_equal(it->bdf, NIC);
	assert_false(any_high(d));
	pt_diff_free(d);
	twin(rate_run, 1000, PT_DIFF_REGISTER_RATE);
	twin(rate_run, 1000, PT_DIFF_DEVICE_RATE);
}

/* Ten interrupts, each accepted DELAY ns after it was raised */
static void latency_run(struct run *r, uint64_t delay)
{
	nic(r, NIC_BAR, MSI_ADDR);
	for (int i = 0; i < 10; i++) {
		emit(&r->s, PT_EV_MSI, MSI_ADDR, 0x21, 0);
		r->s.ts += delay;
		emit(&r->s, PT_EV_APIC_ACCEPT, 0, 0x21, 0);
		emit(&r->s, PT_EV_EOI, 0, 0x21, 0);
		r->s.ts += 1000000 - delay;
	}
}

static void test_vector_latency(void **state)
{
	struct pt_diff *d = pair(latency_run, 1000, 500000);
	const struct pt_diff_item *it = find_kind(d, PT_DIFF_VECTOR_LATENCY);

	(void)state;
	assert_non_null(it);
	assert_int_equal(it->vector, 0x21);
	assert_int_equal(strncmp(it->side[1].values, "latency mean", 12), 0);
	pt_diff_free(d);
	twin(latency_run, 500000, PT_DIFF_VECTOR_LATENCY);
}

/* A host-wide trace: one analysis per VM, and the diff keeps each its own. */
static void test_one_trace_two_vms(void **state)
{
	struct pt_analysis_opts o = { .vcpu = -1 };
	struct run b = run_start(), c = run_start(), other = { .s = { .ts = 1000000000ull, .step = 20000 } };
	struct pt_err err;
	struct pt_diff *d;

	(void)state;
	pt_diff_trace_attach(c.t, &o);
	other.s.a = pt_analysis_new(&o, &err);
	assert_non_null(other.s.a);
	/* the other VM's events come first and touch registers the crashed one does not */
	poll_run(&other, 1);
	nic(&b, NIC_BAR, MSI_ADDR);
	nic(&c, NIC_BAR, MSI_ADDR);
	pvpanic(&other.s);
	d = finish(&b, &c);
	assert_true(d->comparable);
	assert_int_equal(d->nitems, 0);
	pt_diff_free(d);
	pt_analysis_free(other.s.a);
}

/* Traces of other devices are said to differ, not compared */
static void test_other_devices(void **state)
{
	struct run b = run_start(), c = run_start();
	struct pt_diff *d;

	(void)state;
	nic(&b, NIC_BAR, MSI_ADDR);
	probe_device(&c.s, GPU, 0x1002, 0x5159, 0x030000, GPU_BAR, 0x1000000);
	for (int i = 0; i < 10; i++)
		mmio(&c.s, 0, GPU_BAR + 0x710, 0);
	d = finish(&b, &c);
	assert_false(d->comparable);
	assert_non_null(strstr(d->reason, "share no device"));
	for (unsigned i = 0; i < d->nitems; i++)
		assert_int_equal(d->items[i].kind, PT_DIFF_DEVICES);
	assert_int_equal(d->nitems, 2);
	pt_diff_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_run_no_difference),
		cmocka_unit_test(test_bar_elsewhere_matches),
		cmocka_unit_test(test_d3),
		cmocka_unit_test(test_msi_address),
		cmocka_unit_test(test_bus_master_off),
		cmocka_unit_test(test_vector_rate),
		cmocka_unit_test(test_register_only),
		cmocka_unit_test(test_stray),
		cmocka_unit_test(test_aspm),
		cmocka_unit_test(test_aspm_final_only),
		cmocka_unit_test(test_command_final_other_bits),
		cmocka_unit_test(test_msix_table_data),
		cmocka_unit_test(test_msix_table_one_run),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_bar_moved),
		cmocka_unit_test(test_register_values),
		cmocka_unit_test(test_register_and_device_rate),
		cmocka_unit_test(test_vector_latency),
		cmocka_unit_test(test_one_trace_two_vms),
		cmocka_unit_test(test_other_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
