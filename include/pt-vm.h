// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running VMs as /proc and /sys show them: QEMU processes (started by hand,
 * by a script or by libvirt), their -name, threads, QMP sockets and PCI
 * devices, and for passed-through devices what the host says about them.
 * Every path is taken under SYSROOT ("" or NULL for the real /), so tests
 * can hand in fake /proc and /sys trees.
 */
#ifndef PT_VM_H
#define PT_VM_H

#include <stdio.h>
#include <sys/types.h>
#include "pttrace.h"

#define PT_VM_MAX_DEVICES	32
#define PT_VM_MAX_THREADS	512
#define PT_VM_MAX_QMP		4
#define PT_VM_MAX_HOSTDEVS	16
#define PT_VM_MAX_PANICS	4

struct pt_vm_device {
	char driver[32];	/* vfio-pci, pci-assign, edu, e1000e, ... */
	char host[32];		/* host BDF, "0000:01:00.0", of an assigned device */
	char addr[16];		/* guest slot[.fn] as given with addr=, "" if not */
	char id[48];
	char bus[32];
	int x_no_mmap;		/* -1 not given */
	int multifunction;	/* multifunction=on */
	unsigned ioport;	/* pvpanic's ioport, 0 when default */
	int assigned;		/* passed through: vfio-pci, pci-assign */
};

/* A <hostdev> of a libvirt domain's live XML (PCI, mode='subsystem'). */
struct pt_dom_hostdev {
	char host[16];		/* <source><address/>: "0000:03:00.0" */
	char guest[16];		/* <address type='pci'/>: "0000:04:00.0", libvirt's bus index */
	int guest_bus, guest_slot, guest_fn;	/* -1 when the XML gives no guest address */
	char alias[48];		/* <alias name=/>: the -device id, "hostdev0" */
	int managed;		/* managed='yes': libvirt binds it to vfio-pci at start */
	int multifunction;	/* multifunction='on' on its guest address */
};

/* What a libvirt domain's live XML (/run/libvirt/qemu/NAME.xml) says. */
struct pt_domain {
	int have_xml;		/* the XML was read */
	char xml_error[256];	/* why not, for a libvirt VM whose XML could not be read */
	char xml_path[160];
	char name[128];
	char uuid[40];
	int id;			/* the domain id, -1 when not running */
	char type[16];		/* kvm, qemu */
	char on_crash[24];	/* destroy (libvirt's default), preserve, restart, coredump-* */
	char panic[PT_VM_MAX_PANICS][16];	/* <panic model=/>: isa, hyperv, pvpanic, ... */
	unsigned panic_iobase[PT_VM_MAX_PANICS];	/* isa's iobase, 0 when default */
	unsigned npanic;
	struct pt_dom_hostdev hostdev[PT_VM_MAX_HOSTDEVS];
	unsigned nhostdev;
	int qemu_ns;		/* xmlns:qemu is declared (qemu:commandline, qemu:override) */
};

struct pt_vm {
	pid_t pid;
	char name[128];
	char exe[256];
	int libvirt;		/* a pid file of libvirt's names it */
	struct pt_domain dom;	/* its live XML, when libvirt runs it */
	int kvm_fd;		/* holds /dev/kvm or a kvm-vm descriptor: 1, 0, -1 unknown */
	int smp;
	int hv_crash;		/* -cpu ...,hv-crash */
	int pvpanic;		/* a pvpanic device (ISA or PCI) */
	char qmp[PT_VM_MAX_QMP][108];	/* unix socket paths a QMP monitor listens on */
	unsigned nqmp;
	struct pt_vm_device dev[PT_VM_MAX_DEVICES];
	unsigned ndev;
	pid_t threads[PT_VM_MAX_THREADS];
	unsigned nthreads;
	pid_t vcpu_tids[64];	/* from thread names "CPU n/KVM" (debug-threads=on) */
	unsigned nvcpus;
};

/* Fills VM from a QEMU command line; 0, or -1 when it is not QEMU's. */
int pt_vm_parse_cmdline(int argc, char *const *argv, struct pt_vm *vm);

/* All running QEMU processes; *VMS is freed by the caller. */
int pt_vm_scan(const char *sysroot, struct pt_vm **vms, unsigned *n, struct pt_err *err);

/*
 * The VM called NAME (-name NAME or guest=NAME; for a libvirt domain also
 * its UUID or domain id), or with PID when NAME is NULL.  Errors say which
 * names exist, or which pids share the name.
 */
int pt_vm_find(const char *sysroot, const char *name, pid_t pid, struct pt_vm *vm,
	       struct pt_err *err);

/*
 * Is VM really a QEMU/KVM process, not only a command line that looks like
 * one: it holds /dev/kvm or a kvm-vm descriptor, or has a "CPU n/KVM"
 * thread; one that names libvirt's monitor must be in libvirt's pid files.
 * 1, or 0 with WHY.
 */
int pt_vm_is_kvm(const struct pt_vm *vm, char *why, size_t size);

/*
 * Does the QMP socket at PATH belong to VM: the file is owned by the VM's
 * user and a socket bound to that path is open in its process.  1, or 0
 * with WHY.
 */
int pt_vm_owns_socket(const char *sysroot, const struct pt_vm *vm, const char *path,
		      char *why, size_t size);

/*
 * Parses the text of libvirt's live domain XML (<domstatus> wrapping
 * <domain>, or a bare <domain>) into DOM; 0, or -1 with ERR.
 */
int pt_domain_parse(const char *text, size_t len, struct pt_domain *dom, struct pt_err *err);

/* Reads SYSROOT/run/libvirt/qemu/NAME.xml into DOM; 0, or -1 with ERR. */
int pt_domain_read(const char *sysroot, const char *name, struct pt_domain *dom,
		   struct pt_err *err);

/* DOM as a JSON object (null when its XML was not read), to F. */
void pt_domain_put_json(FILE *f, const struct pt_domain *dom);

/* The hostdev of DOM with alias ALIAS or host BDF HOST (either may be NULL), or NULL. */
const struct pt_dom_hostdev *pt_domain_hostdev(const struct pt_domain *dom, const char *alias,
					       const char *host);

/* Re-reads the thread ids under /proc/PID/task; -1 when the process is gone. */
int pt_vm_threads(const char *sysroot, struct pt_vm *vm);

/* A host PCI function as sysfs shows it. */
struct pt_hostdev {
	char bdf[16];
	unsigned vendor, device, class_code;
	char driver[32];	/* "" when no driver is bound */
	int iommu_group;	/* -1 when there is no IOMMU group */
	char group[16][16];	/* the members of its IOMMU group, itself included */
	unsigned ngroup;
	int present;
};

/* Normalizes "01:00.0" to "0000:01:00.0"; -1 on a bad BDF. */
int pt_host_bdf(const char *in, char *out, size_t size);
int pt_hostdev_read(const char *sysroot, const char *bdf, struct pt_hostdev *dev);

#endif
