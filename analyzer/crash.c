// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "crash.h"

#define PVPANIC_PORT		0x505
#define PVPANIC_PANICKED	0x1
#define PVPANIC_CRASH_LOADED	0x2
#define HV_CRASH_P0		0x40000100
#define HV_CRASH_P4		0x40000104
#define HV_CRASH_CTL		0x40000105
#define HV_CRASH_CTL_NOTIFY	(1ull << 63)

static const struct {
	uint64_t code;
	const char *name;
} bugchecks[] = {
	{ 0x0a, "IRQL_NOT_LESS_OR_EQUAL" },
	{ 0x1e, "KMODE_EXCEPTION_NOT_HANDLED" },
	{ 0x3b, "SYSTEM_SERVICE_EXCEPTION" },
	{ 0x50, "PAGE_FAULT_IN_NONPAGED_AREA" },
	{ 0x7e, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" },
	{ 0x7f, "UNEXPECTED_KERNEL_MODE_TRAP" },
	{ 0x9f, "DRIVER_POWER_STATE_FAILURE" },
	{ 0xa0, "INTERNAL_POWER_ERROR" },
	{ 0xd1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL" },
	{ 0xef, "CRITICAL_PROCESS_DIED" },
	{ 0x101, "CLOCK_WATCHDOG_TIMEOUT" },
	{ 0x116, "VIDEO_TDR_FAILURE" },
	{ 0x117, "VIDEO_TDR_TIMEOUT_DETECTED" },
	{ 0x119, "VIDEO_SCHEDULER_INTERNAL_ERROR" },
	{ 0x124, "WHEA_UNCORRECTABLE_ERROR" },
	{ 0x133, "DPC_WATCHDOG_VIOLATION" },
	{ 0x13a, "KERNEL_MODE_HEAP_CORRUPTION" },
	{ 0x139, "KERNEL_SECURITY_CHECK_FAILURE" },
	{ 0x1000007e, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M" },
	{ 0x1000008e, "KERNEL_MODE_EXCEPTION_NOT_HANDLED_M" },
};

const char *pt_bugcheck_name(uint64_t code)
{
	for (size_t i = 0; i < sizeof(bugchecks) / sizeof(bugchecks[0]); i++)
		if (bugchecks[i].code == code)
			return bugchecks[i].name;
	return NULL;
}

const char *pt_crash_kind_name(enum pt_crash_kind kind)
{
	switch (kind) {
	case PT_CRASH_END_OF_TRACE: return "no crash signal (end of trace)";
	case PT_CRASH_PVPANIC: return "guest panic (pvpanic)";
	case PT_CRASH_TRIPLE_FAULT: return "triple fault (KVM_EXIT_SHUTDOWN)";
	case PT_CRASH_HYPERV: return "Windows bugcheck (Hyper-V crash MSRs)";
	case PT_CRASH_DOUBLE_FAULT: return "double fault injected";
	case PT_CRASH_MACHINE_CHECK: return "machine check injected";
	case PT_CRASH_RESET: return "guest reset";
	case PT_CRASH_INTERNAL_ERROR: return "KVM internal error (KVM_EXIT_INTERNAL_ERROR)";
	case PT_CRASH_GIVEN: return "given with --at";
	}
	return "?";
}

static int found(struct pt_crash_tracker *t, enum pt_crash_kind kind, const struct pt_event *ev)
{
	t->crash.kind = kind;
	t->crash.ts = ev->ts;
	t->crash.vcpu = ev->vcpu;
	t->crash.event = *ev;
	t->done = 1;
	return 1;
}

int pt_crash_event(struct pt_crash_tracker *t, const struct pt_event *ev, const struct pt_access *acc)
{
	if (t->done)
		return 0;
	switch (ev->kind) {
	case PT_EV_PIO_WRITE:
		if (ev->addr == PVPANIC_PORT && (ev->val & (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)))
			return found(t, PT_CRASH_PVPANIC, ev);
		if ((ev->addr == 0xcf9 && (ev->val & 0x04)) || (ev->addr == 0x64 && ev->val == 0xfe))
			return found(t, PT_CRASH_RESET, ev);
		break;
	case PT_EV_MMIO_WRITE:
		/* pvpanic-pci, 1b36:0011: the same bits in BAR0 */
		if (acc && acc->type == PT_ACC_BAR && acc->dev && acc->dev->vendor == 0x1b36 &&
		    acc->dev->device == 0x0011 && acc->off == 0 &&
		    (ev->val & (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)))
			return found(t, PT_CRASH_PVPANIC, ev);
		break;
	case PT_EV_MSR_WRITE:
		/*
		 * A write KVM refused (#GP) still says what the guest meant: a
		 * Windows-like guest whose host lacks the MSRs goes on to its
		 * next crash path, and this write is where it crashed.
		 */
		if (ev->addr >= HV_CRASH_P0 && ev->addr <= HV_CRASH_P4) {
			unsigned bit = 1u << (ev->addr - HV_CRASH_P0);

			t->hv[ev->addr - HV_CRASH_P0] = ev->val;
			t->hv_seen |= bit;
			t->hv_refused = (t->hv_refused & ~bit) | (ev->flags & PT_EVF_REFUSED ? bit : 0);
		} else if (ev->addr == HV_CRASH_CTL && (ev->val & HV_CRASH_CTL_NOTIFY)) {
			found(t, PT_CRASH_HYPERV, ev);
			t->crash.has_bugcheck = t->hv_seen & 1;
			t->crash.bugcheck = t->hv[0];
			memcpy(t->crash.params, t->hv + 1, sizeof(t->crash.params));
			t->crash.hv_written = t->hv_seen | 1u << 5;
			t->crash.hv_refused = t->hv_refused | (ev->flags & PT_EVF_REFUSED ? 1u << 5 : 0);
			return 1;
		}
		break;
	case PT_EV_USER_EXIT:
		if (ev->val == PT_KVM_EXIT_SHUTDOWN)
			return found(t, PT_CRASH_TRIPLE_FAULT, ev);
		if (ev->val == PT_KVM_EXIT_INTERNAL_ERROR)
			return found(t, PT_CRASH_INTERNAL_ERROR, ev);
		if (ev->val == PT_KVM_EXIT_SYSTEM_EVENT)
			return found(t, PT_CRASH_RESET, ev);
		break;
	case PT_EV_INJ_EXCEPTION:
		/* a double fault or machine check is the crash unless a clearer signal follows */
		if ((ev->val == 8 || ev->val == 18) && !t->candidate) {
			t->candidate = 1;
			t->candidate_event = *ev;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * QEMU's GUEST_PANICKED with hv-crash carries what the guest wrote to the
 * crash MSRs: {"type": "hyper-v", "arg1": code, "arg2".."arg5": P1-P4}.
 */
void pt_crash_apply_meta(struct pt_crash *c, const struct pt_json *meta)
{
	const struct pt_json *info = pt_json_get(pt_json_get(meta, "guest_panicked"), "info");
	const char *type = pt_json_get_str(info, "type");
	uint64_t v[5];

	if (c->has_bugcheck || !type || strcmp(type, "hyper-v"))
		return;
	for (int i = 0; i < 5; i++) {
		char key[8];

		snprintf(key, sizeof(key), "arg%d", i + 1);
		if (pt_json_get_u64(info, key, &v[i]))
			return;
	}
	c->has_bugcheck = 1;
	c->bugcheck_from_qmp = 1;
	c->bugcheck = v[0];
	memcpy(c->params, v + 1, sizeof(c->params));
}

void pt_crash_finish(struct pt_crash_tracker *t, uint64_t last_ts, struct pt_crash *out)
{
	if (!t->done) {
		memset(&t->crash, 0, sizeof(t->crash));
		if (t->candidate) {
			t->crash.kind = t->candidate_event.val == 8 ? PT_CRASH_DOUBLE_FAULT
								   : PT_CRASH_MACHINE_CHECK;
			t->crash.ts = t->candidate_event.ts;
			t->crash.vcpu = t->candidate_event.vcpu;
			t->crash.event = t->candidate_event;
		} else {
			t->crash.kind = PT_CRASH_END_OF_TRACE;
			t->crash.ts = last_ts;
			t->crash.vcpu = -1;
		}
	}
	*out = t->crash;
}
