/*
 * A libvirt domain's live XML: libvirt keeps it in its runtime state
 * directory (/run/libvirt/qemu/NAME.xml, a <domstatus> wrapping the
 * <domain> as it runs, with the addresses libvirt gave every device).
 * Read with libxml2, the parser libvirt itself writes and reads the file
 * with: no network, no entity substitution, errors kept, not printed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "pt-advice.h"
#include "pt-json.h"
#include "pt-vm.h"

#define DOMAIN_XML_MAX (4u << 20)	/* bytes: libvirt's are tens of KB */

static int is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, (const xmlChar *)name);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* Attribute NAME of N into BUF ("" when absent); returns whether it was there. */
static int attr(const xmlNode *n, const char *name, char *buf, size_t size)
{
	xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;

	buf[0] = 0;
	if (!v)
		return 0;
	snprintf(buf, size, "%s", (const char *)v);
	xmlFree(v);
	pt_make_printable(buf);
	return 1;
}

static long attr_num(const xmlNode *n, const char *name, long dflt)
{
	char buf[32], *end;
	long v;

	if (!attr(n, name, buf, sizeof(buf)) || !buf[0])
		return dflt;
	v = strtol(buf, &end, 0);
	return *end ? dflt : v;
}

static int attr_yes(const xmlNode *n, const char *name)
{
	char buf[8];

	attr(n, name, buf, sizeof(buf));
	return !strcmp(buf, "yes") || !strcmp(buf, "on");
}

/* The text content of N into BUF. */
static void text(const xmlNode *n, char *buf, size_t size)
{
	xmlChar *v = n ? xmlNodeGetContent(n) : NULL;

	buf[0] = 0;
	if (!v)
		return;
	snprintf(buf, size, "%s", (const char *)v);
	xmlFree(v);
	buf[strcspn(buf, " \t\r\n")] = 0;
	pt_make_printable(buf);
}

/* A PCI <address domain= bus= slot= function=/> as "dddd:bb:ss.f"; -1 when incomplete. */
static int pci_address(const xmlNode *a, char *buf, size_t size, int *bus, int *slot, int *fn)
{
	long d = attr_num(a, "domain", 0), b = attr_num(a, "bus", -1);
	long s = attr_num(a, "slot", -1), f = attr_num(a, "function", 0);

	buf[0] = 0;
	if (b < 0 || b > 0xff || s < 0 || s > 0x1f || f < 0 || f > 7 || d < 0 || d > 0xffff)
		return -1;
	snprintf(buf, size, "%04lx:%02lx:%02lx.%lx", d, b, s, f);
	if (bus) {
		*bus = b;
		*slot = s;
		*fn = f;
	}
	return 0;
}

static void hostdev(struct pt_domain *dom, const xmlNode *n)
{
	struct pt_dom_hostdev *h;
	char mode[16], type[16];
	const xmlNode *guest;

	attr(n, "mode", mode, sizeof(mode));
	attr(n, "type", type, sizeof(type));
	if ((mode[0] && strcmp(mode, "subsystem")) || strcmp(type, "pci") ||
	    dom->nhostdev == PT_VM_MAX_HOSTDEVS)
		return;
	h = &dom->hostdev[dom->nhostdev++];
	memset(h, 0, sizeof(*h));
	h->guest_bus = h->guest_slot = h->guest_fn = -1;
	/* libvirt's default for a PCI hostdev is managed='no' */
	h->managed = attr_yes(n, "managed");
	pci_address(child(child(n, "source"), "address"), h->host, sizeof(h->host), NULL, NULL, NULL);
	attr(child(n, "alias"), "name", h->alias, sizeof(h->alias));
	guest = child(n, "address");
	if (guest && pci_address(guest, h->guest, sizeof(h->guest), &h->guest_bus, &h->guest_slot,
				 &h->guest_fn) == 0)
		h->multifunction = attr_yes(guest, "multifunction");
}

static void panic(struct pt_domain *dom, const xmlNode *n)
{
	unsigned i = dom->npanic;

	if (i == PT_VM_MAX_PANICS)
		return;
	/* without model= libvirt picks isa on x86 */
	if (!attr(n, "model", dom->panic[i], sizeof(dom->panic[i])) || !dom->panic[i][0])
		snprintf(dom->panic[i], sizeof(dom->panic[i]), "isa");
	dom->panic_iobase[i] = attr_num(child(n, "address"), "iobase", 0);
	dom->npanic++;
}

static int fill(struct pt_domain *dom, const xmlNode *root, struct pt_err *err)
{
	const xmlNode *d = is(root, "domstatus") ? child(root, "domain") : root;

	if (!is(d, "domain"))
		return pt_err_set(err, "no <domain> element in it");
	attr(d, "type", dom->type, sizeof(dom->type));
	dom->id = attr_num(d, "id", -1);
	text(child(d, "name"), dom->name, sizeof(dom->name));
	text(child(d, "uuid"), dom->uuid, sizeof(dom->uuid));
	text(child(d, "on_crash"), dom->on_crash, sizeof(dom->on_crash));
	if (!dom->on_crash[0])
		snprintf(dom->on_crash, sizeof(dom->on_crash), "destroy");
	for (const xmlNs *ns = d->nsDef; ns; ns = ns->next)
		dom->qemu_ns |= ns->href && !xmlStrcmp(ns->href, (const xmlChar *)PT_LIBVIRT_QEMU_NS);
	for (const xmlNode *c = child(d, "devices") ? child(d, "devices")->children : NULL; c;
	     c = c->next) {
		if (is(c, "hostdev"))
			hostdev(dom, c);
		else if (is(c, "panic"))
			panic(dom, c);
	}
	/* <features><hyperv><crash state='on'/> is the older spelling of <panic model='hyperv'/> */
	if (dom->npanic < PT_VM_MAX_PANICS) {
		char state[8];

		attr(child(child(child(d, "features"), "hyperv"), "crash"), "state", state,
		     sizeof(state));
		if (!strcmp(state, "on"))
			snprintf(dom->panic[dom->npanic++], sizeof(dom->panic[0]), "hyperv");
	}
	if (!dom->name[0])
		return pt_err_set(err, "the <domain> has no <name>");
	return 0;
}

int pt_domain_parse(const char *text_, size_t len, struct pt_domain *dom, struct pt_err *err)
{
	xmlDoc *doc;
	int rc;

	memset(dom, 0, sizeof(*dom));
	dom->id = -1;
	if (len > DOMAIN_XML_MAX || len > INT_MAX)
		return pt_err_set(err, "domain XML larger than %u bytes", DOMAIN_XML_MAX);
	doc = xmlReadMemory(text_, (int)len, "domain.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		char msg[200];

		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "not XML");
		msg[strcspn(msg, "\n")] = 0;
		pt_make_printable(msg);
		return pt_err_set(err, "not well-formed XML (line %d: %s)", e ? e->line : 0, msg);
	}
	rc = fill(dom, xmlDocGetRootElement(doc), err);
	xmlFreeDoc(doc);
	if (!rc)
		dom->have_xml = 1;
	return rc;
}

int pt_domain_read(const char *sysroot, const char *name, struct pt_domain *dom,
		   struct pt_err *err)
{
	char path[sizeof(dom->xml_path)], *buf = NULL;
	struct stat st;
	ssize_t n, total = 0;
	int fd, rc;

	memset(dom, 0, sizeof(*dom));
	dom->id = -1;
	if (snprintf(path, sizeof(path), "%s/run/libvirt/qemu/%s.xml", sysroot ? sysroot : "",
		     name) >= (int)sizeof(path))
		return pt_err_set(err, "domain XML path too long for '%s'", name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return pt_err_errno(err, errno, "cannot read '%s'", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > DOMAIN_XML_MAX ||
	    !(buf = malloc(st.st_size + 1))) {
		close(fd);
		return pt_err_set(err, "cannot read '%s': not a regular file of at most %u bytes",
				  path, DOMAIN_XML_MAX);
	}
	while (total < st.st_size && (n = read(fd, buf + total, st.st_size - total)) > 0)
		total += n;
	close(fd);
	rc = pt_domain_parse(buf, total, dom, err);
	free(buf);
	if (rc) {
		struct pt_err why = *err;

		return pt_err_set(err, "cannot read '%s': %s", path, why.msg);
	}
	snprintf(dom->xml_path, sizeof(dom->xml_path), "%s", path);
	return 0;
}

const struct pt_dom_hostdev *pt_domain_hostdev(const struct pt_domain *dom, const char *alias,
					       const char *host)
{
	char want[16];

	if (host && pt_host_bdf(host, want, sizeof(want)))
		host = NULL;
	for (unsigned i = 0; i < dom->nhostdev; i++) {
		const struct pt_dom_hostdev *h = &dom->hostdev[i];

		if ((alias && alias[0] && !strcmp(h->alias, alias)) || (host && !strcmp(h->host, want)))
			return &h[0];
	}
	return NULL;
}

void pt_domain_put_json(FILE *f, const struct pt_domain *dom)
{
	if (!dom->have_xml) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"name\": ");
	pt_json_put_str(f, dom->name);
	fprintf(f, ", \"uuid\": ");
	pt_json_put_str(f, dom->uuid);
	fprintf(f, ", \"id\": %d, \"type\": ", dom->id);
	pt_json_put_str(f, dom->type);
	fprintf(f, ", \"on_crash\": ");
	pt_json_put_str(f, dom->on_crash);
	fprintf(f, ", \"panic\": [");
	for (unsigned p = 0; p < dom->npanic; p++) {
		fprintf(f, "%s", p ? ", " : "");
		pt_json_put_str(f, dom->panic[p]);
	}
	fprintf(f, "], \"hostdevs\": [");
	for (unsigned h = 0; h < dom->nhostdev; h++) {
		const struct pt_dom_hostdev *hd = &dom->hostdev[h];

		fprintf(f, "%s{\"host\": ", h ? ", " : "");
		pt_json_put_str(f, hd->host);
		fprintf(f, ", \"guest\": ");
		pt_json_put_str(f, hd->guest);
		fprintf(f, ", \"alias\": ");
		pt_json_put_str(f, hd->alias);
		fprintf(f, ", \"managed\": %s, \"multifunction\": %s}", hd->managed ? "true" : "false",
			hd->multifunction ? "true" : "false");
	}
	fprintf(f, "]}");
}
