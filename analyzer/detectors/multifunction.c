/*
 * The functions of one host card (a GPU and its HDMI audio) passed through
 * into different guest slots, as pttrace record's metadata shows them:
 * drivers written for the card look for its other function in the same
 * slot.  The advice is in the VM's terms: -device addr= for QEMU's command
 * line, the guest <address/> of each <hostdev> for a libvirt domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../detector.h"

#define MAX_FNS 16

struct fn {
	char host[16];			/* "0000:01:00.0" */
	const char *id;			/* -device id, libvirt's alias */
	int bus, slot, func;		/* in the guest; slot -1 when not known */
};

/* A host BDF as the command line gave it, with its domain: "01:00.1" -> "0000:01:00.1". */
static int host_of(const char *h, char *out, size_t size)
{
	unsigned d = 0, b, s, f;
	int n = 0;

	if (!h || (sscanf(h, "%x:%x:%x.%x%n", &d, &b, &s, &f, &n) != 4 &&
		   (d = 0, sscanf(h, "%x:%x.%x%n", &b, &s, &f, &n) != 3)) || h[n])
		return -1;
	snprintf(out, size, "%04x:%02x:%02x.%x", d & 0xffff, b & 0xff, s & 0x1f, f & 7);
	return 0;
}

/* Where device D (a "devices" member) sits in the guest: query-pci's BDF by id, else addr=. */
static void guest_of(const struct pt_json *pci, const struct pt_json *d, struct fn *f)
{
	const char *addr = pt_json_get_str(d, "addr");
	unsigned slot, func;
	uint16_t bdf;

	f->slot = -1;
	for (const struct pt_json *p = pci && f->id ? pci->child : NULL; p; p = p->next) {
		const char *qid = pt_json_get_str(p, "qdev_id"), *b = pt_json_get_str(p, "bdf");

		if (qid && b && !strcmp(qid, f->id) && !pt_bdf_parse(b, &bdf, NULL)) {
			f->bus = bdf >> 8;
			f->slot = bdf >> 3 & 0x1f;
			f->func = bdf & 7;
			return;
		}
	}
	if (addr && !pt_devfn_parse(addr, &slot, &func)) {
		f->bus = 0;
		f->slot = slot;
		f->func = func;
	}
}

/* libvirt's guest address of host function HOST (bus index, slot), from the domain XML. */
static void libvirt_place(const struct pt_json *meta, const char *host, int *bus, int *slot)
{
	const struct pt_json *hds = pt_json_get(pt_json_get(pt_json_get(meta, "vm"), "domain"),
						"hostdevs");

	*bus = *slot = -1;
	for (const struct pt_json *h = hds ? hds->child : NULL; h; h = h->next) {
		const char *hh = pt_json_get_str(h, "host"), *g = pt_json_get_str(h, "guest");
		unsigned d, b, s, fn;

		if (hh && g && !strcmp(hh, host) && sscanf(g, "%x:%x:%x.%x", &d, &b, &s, &fn) == 4) {
			*bus = b;
			*slot = s;
		}
	}
}

static void report(struct pt_analysis *a, const struct fn *x, const struct fn *y)
{
	const struct pt_json *dom = pt_json_get(pt_json_get(a->meta, "vm"), "domain");
	enum pt_vm_terms terms = pt_analysis_terms(a);
	struct pt_finding f;
	int bus, slot;

	pt_finding_start(&f, PT_CLASS_CONTEXT, pt_model_find(a->model, (uint16_t)(x->bus << 8 |
				x->slot << 3 | x->func)), -1, 0);
	f.severity = PT_SEV_LOW;
	f.confidence = 60;
	snprintf(f.title, sizeof(f.title), "host %s and %s, functions of one card, sit in different "
		 "guest slots (%02x:%02x.%x and %02x:%02x.%x)", x->host, y->host, x->bus, x->slot,
		 x->func, y->bus, y->slot, y->func);
	snprintf(f.why, sizeof(f.why), "drivers of a multi-function card (a GPU and its HDMI audio) "
		 "expect its functions side by side in one slot, as on the host, where they also "
		 "reset together; split, the one driver does not find the other function");
	libvirt_place(a->meta, x->host, &bus, &slot);
	pt_advice_multifunction(terms, pt_json_get_str(dom, "name"), x->host, y->host, bus,
				terms == PT_TERMS_LIBVIRT ? slot : x->slot, f.advice, sizeof(f.advice));
	pt_finding_add(a, &f);
}

static void finish(void *p, struct pt_analysis *a)
{
	const struct pt_json *devs = pt_json_get(a->meta, "devices"), *pci = pt_json_get(a->meta, "pci");
	struct fn fns[MAX_FNS];
	unsigned n = 0;

	(void)p;
	for (const struct pt_json *d = devs ? devs->child : NULL; d && n < MAX_FNS; d = d->next) {
		const struct pt_json *assigned = pt_json_get(d, "assigned");

		if (!assigned || assigned->type != PT_JSON_TRUE ||
		    host_of(pt_json_get_str(d, "host"), fns[n].host, sizeof(fns[n].host)))
			continue;
		fns[n].id = pt_json_get_str(d, "id");
		guest_of(pci, d, &fns[n]);
		n++;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (!strncmp(fns[i].host, fns[j].host, 10) && fns[i].slot >= 0 && fns[j].slot >= 0 &&
			    (fns[i].bus != fns[j].bus || fns[i].slot != fns[j].slot))
				report(a, fns[i].host[11] <= fns[j].host[11] ? &fns[i] : &fns[j],
				       fns[i].host[11] <= fns[j].host[11] ? &fns[j] : &fns[i]);
}

const struct pt_detector pt_detector_multifunction = {
	.name = "multifunction",
	.summary = "functions of one host card passed through into different guest slots",
	.state_size = 0,
	.finish = finish,
};
