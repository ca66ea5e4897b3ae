// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kvm events pttrace reads (kvm-events.h): the table at the end, and
 * one decode per event before it, from the record's fields as
 * arch/x86/kvm/trace.h and virt/kvm/ name them.
 */
#include <stdio.h>
#include <string.h>

#include "kvm-events.h"
#include "pt-hostreset.h"
#include "pt-reader.h"
#include "text-local.h"

#define HAS(rec, j) ((rec)->has & (1u << (j)))

/* An access's length: 1, 2, 4 or 8 bytes; anything else is a damaged record. */
static enum pt_kvm_decoded access_len(struct pt_event *ev, uint64_t len)
{
	uint32_t n = (uint32_t)len;

	if (n != 1 && n != 2 && n != 4 && n != 8)
		return PT_KVM_DAMAGED;
	ev->len = (uint8_t)n;
	return PT_KVM_EVENT;
}

/*
 * The casts below are those of the kernel's field types: a trace.dat's
 * fields are read at their size, but raw text fields print an int's -1
 * as -1, which reads as 64 bits of ones.
 */

static enum pt_kvm_decoded mmio(struct pt_kvm_record *rec, struct pt_event *ev)
{
	uint32_t type = (uint32_t)rec->v[0];

	/* 0 is KVM_TRACE_MMIO_READ_UNSATISFIED: the completed read follows */
	if (type == 0)
		return PT_KVM_SKIP;
	ev->kind = type == 1 ? PT_EV_MMIO_READ : PT_EV_MMIO_WRITE;
	ev->addr = rec->v[2];
	ev->val = rec->v[3];
	return access_len(ev, rec->v[1]);
}

static enum pt_kvm_decoded pio(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = (uint32_t)rec->v[0] ? PT_EV_PIO_WRITE : PT_EV_PIO_READ;
	ev->addr = (uint32_t)rec->v[1];
	ev->val = (uint32_t)rec->v[3];
	return access_len(ev, rec->v[2]);
}

static enum pt_kvm_decoded msr(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = (uint32_t)rec->v[0] ? PT_EV_MSR_WRITE : PT_EV_MSR_READ;
	ev->addr = (uint32_t)rec->v[1];
	ev->val = rec->v[2];
	/* KVM refused the access with #GP (a host without the MSR: no Hyper-V crash MSRs) */
	if (rec->v[3])
		ev->flags |= PT_EVF_REFUSED;
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded msi(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_MSI;
	ev->addr = rec->v[0];
	/*
	 * QEMU's emulated devices deliver MSIs through its APIC window,
	 * and KVM then records only the offset inside 0xFEExxxxx.
	 */
	if (ev->addr < 0x100000)
		ev->addr |= 0xfee00000;
	ev->val = rec->v[1];
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded set_irq(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_IRQ_LINE;
	ev->addr = (uint32_t)rec->v[0];
	ev->val = (uint32_t)rec->v[1];		/* an int: -1 is 0xffffffff */
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded apic_accept(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_APIC_ACCEPT;
	ev->val = (uint8_t)rec->v[0];
	ev->addr = rec->v[1];
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded eoi(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_EOI;
	ev->val = (uint32_t)rec->v[0];
	ev->addr = rec->v[1];
	/* the guest's EOI runs on its vcpu's thread; KVM prints that vcpu's id */
	if (HAS(rec, 1))
		rec->vcpu = (int)(rec->v[1] & 0x7fff);
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded inj_virq(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_INJ_VIRQ;
	/* "vector" in newer kernels, "irq" in older ones */
	ev->val = (uint32_t)(HAS(rec, 0) ? rec->v[0] : rec->v[1]);
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded inj_exception(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_INJ_EXCEPTION;
	ev->val = (uint8_t)rec->v[0];
	if ((uint8_t)rec->v[1]) {
		ev->flags |= PT_EVF_ERROR_CODE;
		ev->extra = (uint32_t)rec->v[2];
	}
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded user_exit(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_USER_EXIT;
	ev->val = (uint32_t)rec->v[0];
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded vm_exit(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_EXIT;
	ev->val = (uint32_t)rec->v[0];
	ev->rip = rec->v[1];
	if (HAS(rec, 2))
		rec->vcpu = (int)(rec->v[2] & 0x7fff);
	/* which table the reason is a number in: the kernel says, 1 VMX, 2 SVM */
	rec->isa = (int)rec->v[3];
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded page_fault(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_PAGE_FAULT;
	ev->addr = rec->v[0];
	ev->val = rec->v[1];
	ev->rip = rec->v[2];
	if (HAS(rec, 3))
		rec->vcpu = (int)(rec->v[3] & 0x7fff);
	return PT_KVM_EVENT;
}

static enum pt_kvm_decoded emulate(struct pt_kvm_record *rec, struct pt_event *ev)
{
	ev->kind = PT_EV_EMULATE;
	ev->rip = rec->v[0];
	return PT_KVM_EVENT;
}

/* pttrace record's kprobe NAME (pt-hostreset.h): its function's index in pt_hr_funcs, or -1. */
static int host_reset_match(const char *name)
{
	const char *function;

	return pt_hr_probe_pid(name, &function) > 0 ? pt_hr_find(function) : -1;
}

#define NO_DEVICE UINT64_MAX

/*
 * Fields: the device's name ("dev", when the kernel's BTF gave it: the
 * kernel's "0000:01:00.0") and "probe".  Into EV: val the function's index
 * in pt_hr_funcs, addr the device as domain << 16 | bus << 8 | devfn, or
 * NO_DEVICE.
 */
static enum pt_kvm_decoded host_reset(struct pt_kvm_record *rec, struct pt_event *ev)
{
	unsigned dom, bus, dev, fn;
	int end = 0;

	if (HAS(rec, 1) && rec->v[1])
		return PT_KVM_SKIP;	/* "probe": only asked whether the method would work */
	ev->kind = PT_EV_KINDS;		/* none: it never reaches the stream */
	ev->val = (uint64_t)rec->sub;
	ev->addr = NO_DEVICE;
	if (HAS(rec, 0) && sscanf(rec->str, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &end) == 4 &&
	    !rec->str[end] && dev < 32 && fn < 8)
		ev->addr = (uint64_t)dom << 16 | bus << 8 | dev << 3 | fn;
	return PT_KVM_ASIDE;
}

static void host_reset_keep(const struct pt_event *ev, struct pt_reader_info *info)
{
	struct pt_host_reset *hr;

	if (info->nhost_resets == PT_MAX_HOST_RESETS) {
		info->host_resets_dropped++;
		return;
	}
	hr = &info->host_resets[info->nhost_resets++];
	memset(hr, 0, sizeof(*hr));
	hr->ts = ev->ts;
	hr->fn = (uint16_t)ev->val;
	hr->tid = ev->tid;
	if (ev->addr != NO_DEVICE)
		snprintf(hr->dev, sizeof(hr->dev), "%04x:%02x:%02x.%x", (unsigned)(ev->addr >> 16) & 0xffff,
			 (unsigned)(ev->addr >> 8) & 0xff, (unsigned)(ev->addr >> 3) & 0x1f,
			 (unsigned)ev->addr & 7);
}

const struct pt_kvm_event pt_kvm_events[] = {
	{ .name = "kvm_mmio", .kind = PT_EV_MMIO_READ, .pair = 1,
	  .fields = { "type", "len", "gpa", "val" }, .decode = mmio, .parse_text = pt_text_mmio,
	  .missing = "no MMIO: BAR accesses, ECAM config cycles and stray MMIO are invisible" },
	{ .name = "kvm_pio", .kind = PT_EV_PIO_READ, .pair = 1,
	  .fields = { "rw", "port", "size", "val" }, .decode = pio, .parse_text = pt_text_pio,
	  .missing = "no port I/O: 0xCF8/0xCFC config cycles and pvpanic writes are invisible" },
	{ .name = "kvm_msr", .kind = PT_EV_MSR_READ, .pair = 1,
	  .fields = { "write", "ecx", "data", "?exception" }, .decode = msr,
	  .parse_text = pt_text_msr,
	  .missing = "no MSRs: Hyper-V crash MSRs (the Windows bugcheck code) are invisible" },
	{ .name = "kvm_msi_set_irq", .kind = PT_EV_MSI, .any_thread = 1,
	  .fields = { "address", "data" }, .decode = msi, .parse_text = pt_text_msi,
	  .missing = "no MSIs: device interrupts by message are invisible" },
	{ .name = "kvm_set_irq", .kind = PT_EV_IRQ_LINE, .any_thread = 1,
	  .fields = { "gsi", "level" }, .decode = set_irq, .parse_text = pt_text_set_irq,
	  .missing = "no IRQ lines: INTx interrupts are invisible" },
	{ .name = "kvm_apic_accept_irq", .kind = PT_EV_APIC_ACCEPT, .any_thread = 1,
	  .fields = { "vec", "?apicid" }, .decode = apic_accept, .parse_text = pt_text_apic_accept,
	  .missing = "no APIC accepts: interrupt delivery to the vcpus is invisible" },
	{ .name = "kvm_eoi", .kind = PT_EV_EOI,
	  .fields = { "vector", "?apicid" }, .decode = eoi, .parse_text = pt_text_eoi,
	  .missing = "no EOIs: whether the guest acknowledged an interrupt is unknown" },
	{ .name = "kvm_inj_virq", .kind = PT_EV_INJ_VIRQ,
	  .fields = { "?vector", "?irq" }, .decode = inj_virq, .parse_text = pt_text_inj_virq },
	{ .name = "kvm_inj_exception", .kind = PT_EV_INJ_EXCEPTION,
	  .fields = { "exception", "?has_error", "?error_code" },
	  .decode = inj_exception, .parse_text = pt_text_inj_exception,
	  .missing = "no exception injections: faults after device accesses are invisible" },
	{ .name = "kvm_userspace_exit", .kind = PT_EV_USER_EXIT,
	  .fields = { "reason" }, .decode = user_exit, .parse_text = pt_text_user_exit,
	  .missing = "no userspace exits: a triple fault (KVM_EXIT_SHUTDOWN) cannot be found" },
	{ .name = "kvm_exit", .kind = PT_EV_EXIT,
	  .fields = { "exit_reason", "guest_rip", "?vcpu_id", "?isa" },
	  .decode = vm_exit, .parse_text = pt_text_exit,
	  .missing = "no kvm_exit: no exit reasons and no guest rip per exit (normal on hosts "
		     "without VMX/SVM)" },
	{ .name = "kvm_page_fault", .kind = PT_EV_PAGE_FAULT,
	  .fields = { "fault_address", "error_code", "?guest_rip", "?vcpu_id" },
	  .decode = page_fault, .parse_text = pt_text_page_fault },
	{ .name = "kvm_emulate_insn", .kind = PT_EV_EMULATE,
	  .fields = { "rip" }, .decode = emulate, .parse_text = pt_text_emulate },
	/* the host's resets of the assigned devices (pt-hostreset.h), by pttrace record's kprobes */
	{ .name = PT_HR_PROBE_PREFIX "<pid>_<function>", .system = "kprobes", .match = host_reset_match,
	  .fields = { "?dev", "?probe" }, .decode = host_reset, .keep = host_reset_keep },
};

const size_t pt_kvm_nevents = sizeof(pt_kvm_events) / sizeof(pt_kvm_events[0]);

const struct pt_kvm_event *pt_kvm_event_named(const char *name, size_t len)
{
	for (size_t i = 0; i < pt_kvm_nevents; i++)
		if (!pt_kvm_events[i].system && strlen(pt_kvm_events[i].name) == len &&
		    !memcmp(pt_kvm_events[i].name, name, len))
			return &pt_kvm_events[i];
	return NULL;
}

const struct pt_kvm_event *pt_kvm_event_find(const char *system, const char *name, int *sub)
{
	*sub = 0;
	if (!system || !name)
		return NULL;
	if (!strcmp(system, "kvm"))
		return pt_kvm_event_named(name, strlen(name));
	for (size_t i = 0; i < pt_kvm_nevents; i++) {
		const struct pt_kvm_event *e = &pt_kvm_events[i];

		if (e->system && !strcmp(e->system, system) && (*sub = e->match(name)) >= 0)
			return e;
	}
	*sub = 0;
	return NULL;
}

unsigned pt_kvm_event_kinds(const struct pt_kvm_event *e)
{
	if (e->keep)
		return 0;
	return 1u << e->kind | (e->pair ? 1u << (e->kind + 1) : 0);
}

const struct pt_kvm_event *pt_kvm_event_of(enum pt_event_kind kind)
{
	for (size_t i = 0; i < pt_kvm_nevents; i++)
		if ((unsigned)kind < PT_EV_KINDS && pt_kvm_event_kinds(&pt_kvm_events[i]) & 1u << kind)
			return &pt_kvm_events[i];
	return NULL;
}
