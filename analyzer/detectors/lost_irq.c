/*
 * Lost and misrouted interrupts: MSI programmed with an address outside
 * 0xFEExxxxx (the write goes to memory, no CPU sees it), a vector below 16
 * (illegal on x86), a masked MSI; and a device whose interrupts stop while
 * its driver keeps working it until the crash (waiting for one).
 */
#include <stdio.h>

#include "../detector.h"

#define MIN_EARLIER_IRQS 5

struct dev_state {
	uint16_t bdf;
	uint64_t irqs;
	struct pt_event last_irq;
	uint64_t accesses_since_irq;
	struct pt_event last_access;
	struct pt_access last_access_acc;
	/* the last bad programming, if any */
	int bad;
	unsigned bad_reg;	/* the config offset of the wrong field */
	char bad_what[96];
	struct pt_event bad_ev;
	struct pt_access bad_acc;
	uint64_t irqs_after_bad;
};

struct state {
	struct dev_state dev[PT_MAX_DEVICES];
	unsigned ndev;
};

static int msi_address_ok(uint64_t addr)
{
	return (addr & 0xfff00000ull) == 0xfee00000ull;
}

/* After the model applied a write: is the message now one no CPU receives? */
static int check_message(struct dev_state *ds, uint64_t addr, uint32_t data, const char *what,
			 unsigned addr_reg, unsigned data_reg, const struct pt_event *ev,
			 const struct pt_access *acc)
{
	if (!msi_address_ok(addr)) {
		snprintf(ds->bad_what, sizeof(ds->bad_what), "%s address 0x%08llx is not in the "
			 "0xFEExxxxx interrupt range", what, (unsigned long long)addr);
		ds->bad_reg = addr_reg;
	} else if ((data & 0xff) < 16) {
		snprintf(ds->bad_what, sizeof(ds->bad_what), "%s vector %u is below 16, illegal on x86",
			 what, data & 0xff);
		ds->bad_reg = data_reg;
	} else {
		return 0;
	}
	ds->bad = 1;
	ds->bad_ev = *ev;
	ds->bad_acc = *acc;
	ds->irqs_after_bad = 0;
	return 1;
}

static void event(void *p, struct pt_analysis *a, const struct pt_event *ev,
		  const struct pt_access *acc)
{
	struct state *s = p;
	struct pt_device *d = acc->dev;
	struct dev_state *ds;
	int write = ev->kind == PT_EV_MMIO_WRITE || ev->kind == PT_EV_PIO_WRITE;

	if (ev->kind == PT_EV_APIC_ACCEPT) {
		int gsi;

		/* a level line re-fires without new line events: count deliveries */
		d = pt_model_vector_device(a->model, ev->val & 0xff, &gsi);
		if (d && gsi >= 0 && (ds = PT_DEV_SLOT(s->dev, &s->ndev, d->bdf))) {
			ds->irqs++;
			ds->irqs_after_bad++;
			ds->last_irq = *ev;
			ds->accesses_since_irq = 0;
		}
		return;
	}
	if (!d || !(ds = PT_DEV_SLOT(s->dev, &s->ndev, d->bdf)))
		return;
	if (acc->type == PT_ACC_INTERRUPT) {
		if (ev->kind == PT_EV_IRQ_LINE && !ev->val)
			return;
		ds->irqs++;
		ds->irqs_after_bad++;
		ds->last_irq = *ev;
		ds->accesses_since_irq = 0;
		return;
	}
	if (acc->type != PT_ACC_BAR && acc->type != PT_ACC_CONFIG)
		return;
	ds->accesses_since_irq++;
	ds->last_access = *ev;
	ds->last_access_acc = *acc;
	if (!write)
		return;
	if (acc->type == PT_ACC_CONFIG && d->msi_cap && acc->off >= d->msi_cap &&
	    acc->off < d->msi_cap + 0x18u && d->msi_enabled) {
		uint32_t ctrl = 0;
		unsigned data_reg;

		pt_cfg_read(d, d->msi_cap + 2, 2, &ctrl);
		data_reg = d->msi_cap + (ctrl & 0x80 ? 12 : 8);
		if (check_message(ds, d->msi_address, d->msi_data, "MSI", d->msi_cap + 4, data_reg,
				  ev, acc))
			return;
		ds->bad = d->msi_masked;	/* a good message clears an earlier bad one */
		if (ds->bad) {
			ds->bad_reg = d->msi_cap + (ctrl & 0x80 ? 0x10 : 0x0c);
			snprintf(ds->bad_what, sizeof(ds->bad_what), "MSI enabled but masked");
			ds->bad_ev = *ev;
			ds->bad_acc = *acc;
			ds->irqs_after_bad = 0;
		}
	} else if (acc->type == PT_ACC_BAR && d->msix_cap && acc->bar == d->msix_bar &&
		   acc->off >= d->msix_table && acc->off < d->msix_table + 16ull * d->msix_size &&
		   (acc->off - d->msix_table) % 16 == 8) {
		unsigned e = (acc->off - d->msix_table) / 16;

		if (e < PT_MSIX_VECTORS)
			check_message(ds, d->msix_address[e], d->msix_data[e], "MSI-X entry",
				      acc->off - 8, acc->off, ev, acc);
	}
}

static void finish(void *p, struct pt_analysis *a)
{
	struct state *s = p;

	for (unsigned i = 0; i < s->ndev; i++) {
		struct dev_state *ds = &s->dev[i];
		struct pt_device *d = pt_model_find(a->model, ds->bdf);
		struct pt_finding f;
		char dev[48];
		int silent;

		if (!d)
			continue;
		pt_dev_str(d, dev, sizeof(dev));
		silent = ds->accesses_since_irq >= 3 && pt_near_crash(a, ds->last_access.ts, 2);
		if (ds->bad) {
			pt_finding_init(&f, "lost-irq", d, ds->bad_acc.type == PT_ACC_BAR ?
					ds->bad_acc.bar : PT_REG_CONFIG, ds->bad_reg);
			f.count = 1;
			snprintf(f.title, sizeof(f.title), "%s misrouted interrupt: %s%s", dev,
				 ds->bad_what, ds->irqs_after_bad ? "" : "; no interrupt from it since");
			f.severity = !ds->irqs_after_bad && a->crash.kind != PT_CRASH_END_OF_TRACE
				     ? PT_SEV_CRITICAL : PT_SEV_HIGH;
			f.confidence = 90;
			snprintf(f.why, sizeof(f.why), "an MSI is a memory write: with an address outside "
				 "0xFEExxxxx it lands in RAM or nowhere and no CPU is interrupted, and "
				 "vectors 0-15 are exceptions, not interrupts; a driver waiting for the "
				 "interrupt times out");
			snprintf(f.advice, sizeof(f.advice), "check how the driver builds the MSI address "
				 "and data (the destination APIC id shift, the vector); inside the guest "
				 "compare with /proc/interrupts and lspci -vv (MSI: Address/Data)");
			pt_finding_evidence(&f, &ds->bad_ev, &ds->bad_acc, "%s", ds->bad_what);
			if (ds->irqs)
				pt_finding_evidence(&f, &ds->last_irq, NULL, "last interrupt from the device");
			if (ds->accesses_since_irq)
				pt_finding_evidence(&f, &ds->last_access, &ds->last_access_acc,
						    "the driver still works the device: %llu accesses "
						    "since its last interrupt",
						    (unsigned long long)ds->accesses_since_irq);
			pt_finding_add(a, &f);
		} else if (ds->irqs >= MIN_EARLIER_IRQS && silent &&
			   a->crash.kind != PT_CRASH_END_OF_TRACE &&
			   (a->crash.ts - ds->last_irq.ts) > 500000000ull) {
			pt_finding_init(&f, "lost-irq", d, -1, 0);
			f.count = ds->accesses_since_irq;
			snprintf(f.title, sizeof(f.title), "%s interrupts stopped %.2f s before the crash "
				 "while the driver kept accessing it (%llu accesses)", dev,
				 -pt_rel(a, ds->last_irq.ts), (unsigned long long)ds->accesses_since_irq);
			f.severity = PT_SEV_MEDIUM;
			f.confidence = 55;
			snprintf(f.why, sizeof(f.why), "a driver that waits for an interrupt that never "
				 "comes times out and resets the device or gives up");
			snprintf(f.advice, sizeof(f.advice), "check whether the device was told to "
				 "interrupt (its interrupt mask), whether MSI stayed enabled, and for INTx "
				 "whether the line is shared or masked");
			pt_finding_evidence(&f, &ds->last_irq, NULL, "last interrupt from the device");
			pt_finding_evidence(&f, &ds->last_access, &ds->last_access_acc,
					    "last access before %s", pt_crash_point(a));
			pt_finding_add(a, &f);
		}
	}
}

const struct pt_detector pt_detector_lost_irq = {
	.name = "lost-irq",
	.summary = "MSI to a wrong address or vector, masked MSI, interrupts that stop",
	.kinds = PT_KINDS_DEVICE_ACCESS | PT_KIND(MSI) | PT_KIND(IRQ_LINE) | PT_KIND(APIC_ACCEPT),
	.state_size = sizeof(struct state),
	.event = event,
	.finish = finish,
};
