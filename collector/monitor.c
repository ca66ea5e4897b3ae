// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VM's QMP monitor while recording: query-pci for the BARs (the
 * metadata, kvm_page_fault's filter, the pvpanic-pci trigger) and
 * GUEST_PANICKED as a stop.  A libvirt VM's monitor is libvirt's: both go
 * through libvirt (virt.c), with libvirt's lifecycle events as a stop too.
 * A recording never depends on it: without QMP, or when the peer
 * misbehaves, it goes on without.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "record-int.h"

/* The peer broke the protocol or a bound: the recording goes on without it. */
static void drop_qmp(struct rec *r, const struct pt_err *why)
{
	pt_rec_note(r, "%s; recording goes on without QMP (no GUEST_PANICKED stop, BARs as last seen)",
		    why->msg);
	pt_qmp_close(&r->qmp);
	r->qmp_up = 0;
}

/* libvirt went away (libvirtd restarted, the domain ended): on without it */
static void drop_virt(struct rec *r, const struct pt_err *why)
{
	pt_rec_note(r, "%s; recording goes on without libvirt (no crash event from it, BARs as "
		    "last seen)", why->msg);
	pt_virt_close(r->virt);
	r->virt = NULL;
}

void pt_mon_refresh_pci(struct rec *r, int timeout_ms)
{
	struct pt_json *pci = NULL;
	struct pt_err qerr;

	if (r->virt) {
		/* libvirt bounds the call itself (its monitor timeout); QEMU answers in ms */
		if (!pt_virt_qmp(r->virt, "{\"execute\": \"query-pci\"}", &pci, &qerr)) {
			pt_json_free(r->query_pci);
			r->query_pci = pci;
		}
		return;
	}
	if (!r->qmp_up)
		return;
	if (!pt_qmp_execute(&r->qmp, "query-pci", NULL, &pci, timeout_ms, &qerr)) {
		pt_json_free(r->query_pci);
		r->query_pci = pci;
	} else if (r->qmp.broken) {
		drop_qmp(r, &qerr);
	}
}

void pt_mon_refresh_pci_at_stop(struct rec *r, int crashed)
{
	const struct pt_domain *dom = &r->vm.dom;

	/*
	 * libvirt tears a crashed domain down (on_crash destroy, restart):
	 * query-pci would wait seconds for that, to fail; the BARs of the
	 * last second's query stay.
	 */
	if (r->virt && crashed && dom->have_xml && strcmp(dom->on_crash, "preserve"))
		return;
	pt_mon_refresh_pci(r, 1000);
}

unsigned long long pt_mon_pvpanic_bar(const struct pt_json *buses)
{
	for (const struct pt_json *bus = buses ? buses->child : NULL; bus; bus = bus->next) {
		const struct pt_json *devs = pt_json_get(bus, "devices");

		for (const struct pt_json *d = devs ? devs->child : NULL; d; d = d->next) {
			const struct pt_json *id = pt_json_get(d, "id");
			const struct pt_json *v = pt_json_get(id, "vendor"), *dv = pt_json_get(id, "device");
			const struct pt_json *regions = pt_json_get(d, "regions");

			if (v && dv && v->num == 0x1b36 && dv->num == 0x11 && regions && regions->child &&
			    pt_json_get(regions->child, "address"))
				return pt_json_get(regions->child, "address")->num;
		}
	}
	return 0;
}

/*
 * A libvirt VM without --qmp: query-pci and the crash events through
 * libvirt.  1 when connected, 0 when not (with a note).
 */
static int connect_libvirt(struct rec *r)
{
	const struct pt_domain *dom = &r->vm.dom;
	struct pt_err err;

	r->virt = pt_virt_open(NULL, dom->have_xml ? dom->uuid : NULL,
			       dom->have_xml ? dom->name : r->vm.name, &err);
	if (!r->virt) {
		pt_rec_note(r, "%s: no guest BARs in the metadata, no crash event from libvirt "
			    "(give --qmp for a second monitor)", err.msg);
		return 0;
	}
	snprintf(r->qmp_via, sizeof(r->qmp_via), "libvirt");
	if (pt_virt_qmp(r->virt, "{\"execute\": \"query-pci\"}", &r->query_pci, &err))
		pt_rec_note(r, "query-pci through libvirt failed: %s", err.msg);
	else
		pt_rec_note(r, "libvirt domain '%s' (id %d): query-pci and its crash events through "
			    "libvirt", dom->have_xml ? dom->name : r->vm.name, dom->have_xml ? dom->id : -1);
	return 1;
}

int pt_mon_libvirt_crashed(struct rec *r, int wait_ms)
{
	struct pt_virt_events ev;
	struct pt_err err;

	for (int waited = 0; r->virt; waited += 20) {
		if (pt_virt_poll(r->virt, &ev, &err)) {
			drop_virt(r, &err);
			return 0;
		}
		if (ev.crashed || ev.panicked) {
			snprintf(r->virt_event, sizeof(r->virt_event), "%s", ev.what);
			return 1;
		}
		if (ev.stopped || waited >= wait_ms)
			return 0;
		usleep(20000);
	}
	return 0;
}

/* query-pci once connected: the BARs before the first refresh. */
static void first_query(struct rec *r)
{
	struct pt_err qerr;

	r->qmp_up = 1;
	snprintf(r->qmp_via, sizeof(r->qmp_via), "socket");
	if (pt_qmp_execute(&r->qmp, "query-pci", NULL, &r->query_pci, 3000, &qerr))
		pt_rec_note(r, "QMP query-pci failed: %s", qerr.msg);
}

int pt_mon_connect_given(struct rec *r, struct pt_err *err)
{
	const char *path = r->opts->qmp;
	char why[PATH_MAX + 128];
	struct stat st;

	if (!path)
		return 0;
	if (stat(path, &st))
		return pt_err_errno(err, errno, "cannot connect to QMP socket '%s'", path);
	if (!S_ISSOCK(st.st_mode))
		return pt_err_set(err, "cannot connect to QMP socket '%s': not a socket", path);
	/* root connects only to the VM's own monitor, also when the user names it */
	if (!pt_vm_owns_socket(r->opts->sysroot, &r->vm, path, why, sizeof(why)))
		return pt_err_set(err, "will not use QMP socket '%s': %s", path, why);
	if (pt_qmp_connect(&r->qmp, path, 1000, err))
		return -1;
	first_query(r);
	return 0;
}

void pt_mon_connect(struct rec *r)
{
	const char *paths[PT_VM_MAX_QMP];
	char failed[PT_VM_MAX_QMP][sizeof(((struct pt_err *)0)->msg)];
	unsigned n = 0;

	/* the socket given with --qmp was connected before arming, or refused */
	if (r->qmp_up || r->opts->qmp)
		return;
	/* libvirt holds the VM's monitor: ask libvirt */
	if (r->vm.libvirt && connect_libvirt(r))
		return;
	for (unsigned i = 0; i < r->vm.nqmp; i++)
		paths[n++] = r->vm.qmp[i];
	for (unsigned i = 0; i < n; i++) {
		char why[PATH_MAX + 128];
		struct pt_err qerr;

		/*
		 * Root connects only to the VM's own monitor: a socket planted
		 * where the command line points would feed it BARs and stops.
		 */
		failed[i][0] = 0;
		if (!pt_vm_owns_socket(r->opts->sysroot, &r->vm, paths[i], why, sizeof(why))) {
			pt_rec_note(r, "QMP socket '%s' not used: %s", paths[i], why);
			continue;
		}
		/* a socket another client holds answers no greeting: try the next */
		if (pt_qmp_connect(&r->qmp, paths[i], 1000, &qerr)) {
			snprintf(failed[i], sizeof(failed[i]), "%s", qerr.msg);
			continue;
		}
		first_query(r);
		return;
	}
	/* why each one failed matters only when none answered (the lab holds one of two) */
	for (unsigned i = 0; i < n; i++)
		if (failed[i][0])
			pt_rec_note(r, "QMP socket '%s' not used: %s", paths[i], failed[i]);
	if (n)
		pt_rec_note(r, "no QMP socket answered: no guest BARs in the metadata, no GUEST_PANICKED");
}

int pt_mon_panicked(struct rec *r)
{
	struct pt_json *msg;
	struct pt_err qerr;
	int panicked = 0, rc;

	while (r->qmp_up && (rc = pt_qmp_read(&r->qmp, &msg, 0, &qerr)) != 0) {
		if (rc < 0) {
			/* QEMU exiting closes it: the VM-exit stop says that one */
			if (kill(r->vm.pid, 0) == 0) {
				drop_qmp(r, &qerr);
			} else {
				pt_qmp_close(&r->qmp);
				r->qmp_up = 0;
			}
			break;
		}
		if (pt_json_get_str(msg, "event") &&
		    !strcmp(pt_json_get_str(msg, "event"), "GUEST_PANICKED")) {
			panicked = 1;
			if (!r->panic_msg) {
				r->panic_msg = msg;
				continue;
			}
		}
		pt_json_free(msg);
	}
	return panicked;
}

void pt_mon_await_panic(struct rec *r, int timeout_ms)
{
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (r->qmp_up && !r->panic_msg) {
		struct pt_json *msg;
		struct pt_err qerr;
		const char *event;
		int left, rc, stop;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms - (int)((now.tv_sec - start.tv_sec) * 1000 +
					  (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0)
			return;
		rc = pt_qmp_read(&r->qmp, &msg, left, &qerr);
		if (rc <= 0)
			return;
		event = pt_json_get_str(msg, "event");
		if (event && !strcmp(event, "GUEST_PANICKED")) {
			r->panic_msg = msg;
			return;
		}
		/* a triple fault's reset: no panic follows */
		stop = event && !strcmp(event, "SHUTDOWN");
		pt_json_free(msg);
		if (stop)
			return;
	}
}
