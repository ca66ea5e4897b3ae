// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Describing what the analysis saw in words: one evidence line, shared by
 * the text report, the JSON report and the TUI, so that an event reads the
 * same wherever it is shown.
 */
#include <stdio.h>
#include <string.h>

#include "pt-describe.h"
#include "pt-exit-reasons.h"
#include "pt-plugins.h"

void pt_evidence_str(const struct pt_analysis *a, const struct pt_evidence *e, char *buf, size_t size)
{
	const struct pt_event *ev = &e->ev;
	char where[80] = "", bdf[16], reg[64], fields[160] = "", by[140] = "";
	const struct pt_device *d = e->has_target ? pt_model_find(a->model, e->bdf) : NULL;

	if (e->has_target) {
		pt_bdf_str(e->bdf, bdf, sizeof(bdf));
		pt_reg_label(d, e->bar, e->off, reg, sizeof(reg));
		snprintf(where, sizeof(where), "%s %s", bdf, reg);
		if (ev->kind <= PT_EV_PIO_WRITE &&
		    !pt_reg_value_str(d, e->bar, e->off, ev->val, fields + 1, sizeof(fields) - 1))
			fields[0] = ' ';
	}
	if (ev->rip) {
		memcpy(by, " by ", 4);
		pt_symbols_str(a->opts.symbols, ev->rip, by + 4, sizeof(by) - 4);
	}
	switch (ev->kind) {
	case PT_EV_MMIO_READ:
	case PT_EV_MMIO_WRITE:
	case PT_EV_PIO_READ:
	case PT_EV_PIO_WRITE:
		snprintf(buf, size, "%-11s %-24s %s 0x%llx len %u val 0x%llx%s%s",
			 pt_event_kind_name(ev->kind), where,
			 ev->kind <= PT_EV_MMIO_WRITE ? "gpa" : "port",
			 (unsigned long long)ev->addr, ev->len, (unsigned long long)ev->val, fields, by);
		break;
	case PT_EV_MSR_READ:
	case PT_EV_MSR_WRITE:
		snprintf(buf, size, "%-11s msr 0x%llx val 0x%llx%s", pt_event_kind_name(ev->kind),
			 (unsigned long long)ev->addr, (unsigned long long)ev->val,
			 ev->flags & PT_EVF_REFUSED ? " refused (#GP)" : "");
		break;
	case PT_EV_MSI:
		snprintf(buf, size, "%-11s address 0x%llx data 0x%llx (vector 0x%02llx)",
			 "msi", (unsigned long long)ev->addr, (unsigned long long)ev->val,
			 (unsigned long long)(ev->val & 0xff));
		break;
	case PT_EV_IRQ_LINE:
		snprintf(buf, size, "%-11s gsi %llu level %llu", "irq line",
			 (unsigned long long)ev->addr, (unsigned long long)ev->val);
		break;
	case PT_EV_USER_EXIT: {
		const char *n = pt_kvm_exit_name(ev->val);

		snprintf(buf, size, "%-11s %s", "exit", n ? n : "unknown reason");
		break;
	}
	case PT_EV_INJ_EXCEPTION:
		snprintf(buf, size, "%-11s vector %llu%s", "exception", (unsigned long long)ev->val,
			 ev->flags & PT_EVF_ERROR_CODE ? " with error code" : "");
		break;
	case PT_EV_EXIT: {
		char reason[64];

		snprintf(buf, size, "%-11s reason %s%s", pt_event_kind_name(ev->kind),
			 pt_exit_reason_str(a->exit_isa, ev->val, reason, sizeof(reason)), by);
		break;
	}
	case PT_EV_PAGE_FAULT:
	case PT_EV_EMULATE:
		snprintf(buf, size, "%-11s val 0x%llx%s", pt_event_kind_name(ev->kind),
			 (unsigned long long)ev->val, by);
		break;
	default:
		snprintf(buf, size, "%-11s val 0x%llx", pt_event_kind_name(ev->kind),
			 (unsigned long long)ev->val);
	}
}
