/*
 * libvirt, for a VM libvirt runs: libvirt holds the VM's only QMP monitor,
 * so query-pci goes through libvirt's QEMU monitor pass-through
 * (virDomainQemuMonitorCommand), and the crash comes as libvirt's
 * lifecycle event (crashed) and as QEMU's own GUEST_PANICKED event that
 * libvirt forwards.  libvirt.so.0 and libvirt-qemu.so.0 are loaded with
 * dlopen on first use: pttrace needs them only where libvirt runs VMs,
 * which is where they are installed.
 */
#ifndef PT_VIRT_H
#define PT_VIRT_H

#include "pt-json.h"

struct pt_virt;

/* What the domain's events said since the last pt_virt_poll. */
struct pt_virt_events {
	int crashed;		/* lifecycle "crashed" (guest panicked, or crashed) */
	int panicked;		/* QEMU's GUEST_PANICKED, forwarded by libvirt */
	int stopped;		/* lifecycle "stopped" or "shutdown": the VM is ending */
	char what[160];		/* the first of them, as libvirt says it */
	char lifecycle[96];	/* the crashed lifecycle event, as libvirt says it */
	char panic_details[512];	/* GUEST_PANICKED's "data" as JSON text, "" if none */
};

/*
 * Connects to URI ("qemu:///system" when NULL) and finds the domain by
 * UUID, else by NAME; subscribes to its lifecycle and GUEST_PANICKED
 * events.  Returns the handle, or NULL with ERR.
 */
struct pt_virt *pt_virt_open(const char *uri, const char *uuid, const char *name,
			     struct pt_err *err);
void pt_virt_close(struct pt_virt *v);

/*
 * Runs the QMP command COMMAND (its JSON text, {"execute": ...}) through
 * libvirt; 0 with *RET the reply's "return" tree (pt_json_free), or -1.
 */
int pt_virt_qmp(struct pt_virt *v, const char *command, struct pt_json **ret,
		struct pt_err *err);

/*
 * Dispatches the events libvirt has sent, without waiting; *EV says what
 * happened since the last call.  -1 with ERR when the connection is gone.
 */
int pt_virt_poll(struct pt_virt *v, struct pt_virt_events *ev, struct pt_err *err);

#endif
