/*
 * libvirt's C API, loaded with dlopen (virt.h says why).  The events come
 * through libvirt's default event loop, run without waiting from the
 * recorder's own wait loop: a timer that fires on every iteration keeps
 * virEventRunDefaultImpl from blocking, so no thread is needed.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

#include "virt.h"

/* The functions pttrace calls, resolved from the two libraries. */
struct virt_api {
	void *lib, *qemu_lib;
	typeof(&virInitialize) Initialize;
	typeof(&virSetErrorFunc) SetErrorFunc;
	typeof(&virGetLastErrorMessage) GetLastErrorMessage;
	typeof(&virEventRegisterDefaultImpl) EventRegisterDefaultImpl;
	typeof(&virEventRunDefaultImpl) EventRunDefaultImpl;
	typeof(&virEventAddTimeout) EventAddTimeout;
	typeof(&virEventRemoveTimeout) EventRemoveTimeout;
	typeof(&virConnectOpen) ConnectOpen;
	typeof(&virConnectClose) ConnectClose;
	typeof(&virConnectIsAlive) ConnectIsAlive;
	typeof(&virDomainLookupByUUIDString) DomainLookupByUUIDString;
	typeof(&virDomainLookupByName) DomainLookupByName;
	typeof(&virDomainFree) DomainFree;
	typeof(&virConnectDomainEventRegisterAny) ConnectDomainEventRegisterAny;
	typeof(&virConnectDomainEventDeregisterAny) ConnectDomainEventDeregisterAny;
	typeof(&virDomainQemuMonitorCommand) DomainQemuMonitorCommand;
	typeof(&virConnectDomainQemuMonitorEventRegister) ConnectDomainQemuMonitorEventRegister;
	typeof(&virConnectDomainQemuMonitorEventDeregister) ConnectDomainQemuMonitorEventDeregister;
};

struct pt_virt {
	virConnectPtr conn;
	virDomainPtr dom;
	int lifecycle_cb, panic_cb, timer;
	struct pt_virt_events ev;	/* since the last poll */
};

static struct virt_api api;
static int api_state;		/* 0 not tried, 1 loaded, -1 failed (api_error says why) */
static char api_error[256];

/* libvirt prints its errors unless told not to: library code never prints */
static void silent(void *opaque, virErrorPtr error)
{
	(void)opaque;
	(void)error;
}

static void noop_timer(int timer, void *opaque)
{
	(void)timer;
	(void)opaque;
}

static int load(struct pt_err *err)
{
	if (api_state)
		return api_state > 0 ? 0 : pt_err_set(err, "%s", api_error);
	api_state = -1;
	api.lib = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
	api.qemu_lib = api.lib ? dlopen("libvirt-qemu.so.0", RTLD_NOW | RTLD_LOCAL) : NULL;
	if (!api.qemu_lib) {
		snprintf(api_error, sizeof(api_error), "cannot load libvirt's client library: %s "
			 "(apt-get install libvirt0)", dlerror());
		return pt_err_set(err, "%s", api_error);
	}
#define SYM(lib, name) \
	if (!(api.name = (typeof(api.name))dlsym(lib, "vir" #name))) { \
		snprintf(api_error, sizeof(api_error), "libvirt has no vir" #name ": too old"); \
		return pt_err_set(err, "%s", api_error); \
	}
	SYM(api.lib, Initialize)
	SYM(api.lib, SetErrorFunc)
	SYM(api.lib, GetLastErrorMessage)
	SYM(api.lib, EventRegisterDefaultImpl)
	SYM(api.lib, EventRunDefaultImpl)
	SYM(api.lib, EventAddTimeout)
	SYM(api.lib, EventRemoveTimeout)
	SYM(api.lib, ConnectOpen)
	SYM(api.lib, ConnectClose)
	SYM(api.lib, ConnectIsAlive)
	SYM(api.lib, DomainLookupByUUIDString)
	SYM(api.lib, DomainLookupByName)
	SYM(api.lib, DomainFree)
	SYM(api.lib, ConnectDomainEventRegisterAny)
	SYM(api.lib, ConnectDomainEventDeregisterAny)
	SYM(api.qemu_lib, DomainQemuMonitorCommand)
	SYM(api.qemu_lib, ConnectDomainQemuMonitorEventRegister)
	SYM(api.qemu_lib, ConnectDomainQemuMonitorEventDeregister)
#undef SYM
	if (api.Initialize() < 0) {
		snprintf(api_error, sizeof(api_error), "libvirt's client library did not initialize");
		return pt_err_set(err, "%s", api_error);
	}
	api.SetErrorFunc(NULL, silent);
	/* before any connection: the connections then deliver their events to it */
	if (api.EventRegisterDefaultImpl() < 0) {
		snprintf(api_error, sizeof(api_error), "cannot start libvirt's event loop: %s",
			 api.GetLastErrorMessage());
		return pt_err_set(err, "%s", api_error);
	}
	api_state = 1;
	return 0;
}

static void note(struct pt_virt *v, const char *fmt, const char *a, const char *b)
{
	if (!v->ev.what[0])
		snprintf(v->ev.what, sizeof(v->ev.what), fmt, a, b);
}

static void crashed(struct pt_virt *v, const char *event, const char *detail)
{
	v->ev.crashed = 1;
	note(v, "libvirt lifecycle event: %s (%s)", event, detail);
	if (!v->ev.lifecycle[0])
		snprintf(v->ev.lifecycle, sizeof(v->ev.lifecycle), "%s (%s)", event, detail);
}

static const char *lifecycle_name(int event)
{
	switch (event) {
	case VIR_DOMAIN_EVENT_CRASHED: return "crashed";
	case VIR_DOMAIN_EVENT_STOPPED: return "stopped";
	case VIR_DOMAIN_EVENT_SHUTDOWN: return "shutdown";
	}
	return NULL;
}

static int on_lifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct pt_virt *v = opaque;

	(void)conn;
	(void)dom;
	if (event == VIR_DOMAIN_EVENT_CRASHED) {
		crashed(v, "crashed", detail == VIR_DOMAIN_EVENT_CRASHED_PANICKED ? "guest panicked" :
			detail == VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED ? "crash kernel loaded" : "?");
	} else if (event == VIR_DOMAIN_EVENT_STOPPED && detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED) {
		crashed(v, "stopped", "crashed");
	} else if (event == VIR_DOMAIN_EVENT_STOPPED || event == VIR_DOMAIN_EVENT_SHUTDOWN) {
		v->ev.stopped = 1;
		note(v, "libvirt lifecycle event: %s%s", lifecycle_name(event), "");
	}
	return 0;
}

static void on_monitor_event(virConnectPtr conn, virDomainPtr dom, const char *event,
			     long long seconds, unsigned int micros, const char *details,
			     void *opaque)
{
	struct pt_virt *v = opaque;

	(void)conn;
	(void)dom;
	(void)seconds;
	(void)micros;
	if (!event || strcmp(event, "GUEST_PANICKED"))
		return;
	v->ev.panicked = 1;
	note(v, "QMP %s (through libvirt)%s", "GUEST_PANICKED", "");
	if (details && !v->ev.panic_details[0]) {
		snprintf(v->ev.panic_details, sizeof(v->ev.panic_details), "%s", details);
		pt_make_printable(v->ev.panic_details);
	}
}

static int virt_error(struct pt_err *err, const char *what)
{
	const char *msg = api.GetLastErrorMessage();

	return pt_err_set(err, "%s: %s", what, msg && *msg ? msg : "unknown libvirt error");
}

struct pt_virt *pt_virt_open(const char *uri, const char *uuid, const char *name,
			     struct pt_err *err)
{
	struct pt_virt *v;

	if (load(err))
		return NULL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	v->lifecycle_cb = v->panic_cb = v->timer = -1;
	uri = uri ? uri : "qemu:///system";
	v->conn = api.ConnectOpen(uri);
	if (!v->conn) {
		char what[128];

		snprintf(what, sizeof(what), "cannot connect to libvirt at '%s'", uri);
		virt_error(err, what);
		goto fail;
	}
	v->dom = uuid && *uuid ? api.DomainLookupByUUIDString(v->conn, uuid) : NULL;
	if (!v->dom && name)
		v->dom = api.DomainLookupByName(v->conn, name);
	if (!v->dom) {
		char what[200];

		snprintf(what, sizeof(what), "libvirt at '%s' has no domain '%s'", uri,
			 uuid && *uuid ? uuid : name ? name : "?");
		virt_error(err, what);
		goto fail;
	}
	v->lifecycle_cb = api.ConnectDomainEventRegisterAny(v->conn, v->dom,
							    VIR_DOMAIN_EVENT_ID_LIFECYCLE,
							    VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle),
							    v, NULL);
	v->panic_cb = api.ConnectDomainQemuMonitorEventRegister(v->conn, v->dom, "GUEST_PANICKED",
								on_monitor_event, v, NULL, 0);
	if (v->lifecycle_cb < 0 || v->panic_cb < 0) {
		virt_error(err, "cannot subscribe to the domain's events");
		goto fail;
	}
	/* fires on every iteration: virEventRunDefaultImpl never waits */
	v->timer = api.EventAddTimeout(0, noop_timer, NULL, NULL);
	if (v->timer < 0) {
		virt_error(err, "cannot add a timer to libvirt's event loop");
		goto fail;
	}
	return v;
fail:
	pt_virt_close(v);
	return NULL;
}

void pt_virt_close(struct pt_virt *v)
{
	if (!v)
		return;
	if (v->timer >= 0)
		api.EventRemoveTimeout(v->timer);
	if (v->lifecycle_cb >= 0)
		api.ConnectDomainEventDeregisterAny(v->conn, v->lifecycle_cb);
	if (v->panic_cb >= 0)
		api.ConnectDomainQemuMonitorEventDeregister(v->conn, v->panic_cb);
	if (v->dom)
		api.DomainFree(v->dom);
	if (v->conn)
		api.ConnectClose(v->conn);
	free(v);
}

int pt_virt_qmp(struct pt_virt *v, const char *command, struct pt_json **ret, struct pt_err *err)
{
	struct pt_json *reply, *r, **pp;
	struct pt_err perr;
	char *text = NULL;

	*ret = NULL;
	if (api.DomainQemuMonitorCommand(v->dom, command, &text, 0) < 0)
		return virt_error(err, "QMP through libvirt failed");
	reply = pt_json_parse(text, strlen(text), &perr);
	free(text);
	if (!reply)
		return pt_err_set(err, "QMP through libvirt: the reply is not JSON (%s)", perr.msg);
	r = (struct pt_json *)pt_json_get(reply, "return");
	if (!r) {
		const char *desc = pt_json_get_str(pt_json_get(reply, "error"), "desc");

		pt_err_set(err, "QMP through libvirt: %s", desc ? desc : "no \"return\" in the reply");
		pt_json_free(reply);
		return -1;
	}
	/* detach the reply's value from the message */
	for (pp = &reply->child; *pp != r; pp = &(*pp)->next)
		;
	*pp = r->next;
	r->next = NULL;
	pt_json_free(reply);
	*ret = r;
	return 0;
}

int pt_virt_poll(struct pt_virt *v, struct pt_virt_events *ev, struct pt_err *err)
{
	int rc = 0;

	if (api.EventRunDefaultImpl() < 0)
		rc = virt_error(err, "libvirt's event loop failed");
	else if (api.ConnectIsAlive(v->conn) != 1)
		rc = pt_err_set(err, "the connection to libvirt closed");
	*ev = v->ev;
	memset(&v->ev, 0, sizeof(v->ev));
	return rc;
}
