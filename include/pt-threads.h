// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which VM and which vcpu a host thread is.  A host-wide recording (plain
 * `trace-cmd record -e kvm`, no -P) holds every VM on the host, and the
 * trace says only which thread each event ran on: QEMU's threads are
 * grouped into VMs by what the trace does say, strongest first:
 *   - vcpu numbers: a "CPU 3/KVM" thread name (QEMU's debug-threads, set by
 *     libvirt), or kvm_exit's vcpu_id; two threads with one vcpu number are
 *     two VMs;
 *   - "vhost-PID" names, which carry their QEMU's pid;
 *   - thread ids: one QEMU's threads are made together, so their ids are
 *     close; VMs grouped by this alone are said to be guessed.
 * Events raised outside any VM's threads (an interrupt handler's context)
 * belong to no VM.
 */
#ifndef PT_THREADS_H
#define PT_THREADS_H

#include <stdint.h>

#define PT_MAX_VMS 8
#define PT_VM_NONE 0xff		/* pt_event.vm of an event no VM's thread raised */

struct pt_vm_info {
	uint32_t pid;		/* its lowest thread id: QEMU's pid when its main thread was seen */
	uint32_t tid_max;
	char name[24];		/* a thread's command name, "" when the trace saved none */
	unsigned threads, vcpus;
	uint64_t events;	/* kvm events on its threads */
};

struct pt_threads;

/* COMM names a thread from the trace's saved command lines; NULL when none. */
struct pt_threads *pt_threads_new(const char *(*comm)(void *ctx, uint32_t tid), void *ctx);
void pt_threads_free(struct pt_threads *t);

/*
 * Places thread TID on its first events and says its VM and vcpu.
 * VCPU_ID is the event's own vcpu number, -1 when it has none; VCPU_CONTEXT
 * is 0 for events any thread may raise (MSIs, IRQ lines, APIC accepts).
 */
void pt_threads_place(struct pt_threads *t, uint32_t tid, int vcpu_id, int vcpu_context,
		      int16_t *vcpu, uint8_t *vm);
/* What pt_threads_place said of TID, without learning. */
void pt_threads_lookup(const struct pt_threads *t, uint32_t tid, int16_t *vcpu, uint8_t *vm);

unsigned pt_threads_nvms(const struct pt_threads *t);
const struct pt_vm_info *pt_threads_vm(const struct pt_threads *t, unsigned vm);
/* Whether some VMs were told apart by thread ids alone. */
int pt_threads_guessed(const struct pt_threads *t);
/* Distinct vcpu threads over all VMs. */
unsigned pt_threads_nvcpus(const struct pt_threads *t);

#endif
