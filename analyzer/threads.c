// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt-threads.h"

#define SLOTS 4096		/* threads that raise kvm events: QEMUs' and irq contexts */
#define NEAR 32		/* thread ids this close to a VM's may be its threads */
#define MAX_VCPU_BITS 256

struct thread {
	uint32_t tid;		/* 0: free slot */
	uint8_t vm;
	int16_t vcpu;
};

struct vm {
	struct pt_vm_info pub;
	uint8_t taken[MAX_VCPU_BITS / 8];
	int by_number;		/* some vcpu's number came from its name or kvm_exit */
};

struct pt_threads {
	struct thread slot[SLOTS];
	struct vm vms[PT_MAX_VMS];
	unsigned nvms, nvcpus;
	const char *(*comm)(void *ctx, uint32_t tid);
	void *ctx;
	/* the two threads seen last, in front of the table: two vcpus take turns */
	struct thread *last[2];
};

struct pt_threads *pt_threads_new(const char *(*comm)(void *ctx, uint32_t tid), void *ctx)
{
	struct pt_threads *t = calloc(1, sizeof(*t));

	if (t) {
		t->comm = comm;
		t->ctx = ctx;
	}
	return t;
}

void pt_threads_free(struct pt_threads *t)
{
	free(t);
}

static struct thread *find(const struct pt_threads *t, uint32_t tid, int add)
{
	unsigned h = (tid * 2654435761u) % SLOTS;

	for (unsigned n = 0; n < SLOTS; n++, h = (h + 1) % SLOTS) {
		struct thread *th = (struct thread *)&t->slot[h];

		if (th->tid == tid)
			return th;
		if (!th->tid) {
			if (!add)
				return NULL;
			th->tid = tid;
			th->vm = PT_VM_NONE;
			th->vcpu = -1;
			return th;
		}
	}
	return NULL;
}

static const char *comm_of(const struct pt_threads *t, uint32_t tid)
{
	return t->comm ? t->comm(t->ctx, tid) : NULL;
}

/* "CPU 3/KVM": QEMU names its vcpu threads so with debug-threads=on */
static int vcpu_from_name(const char *name)
{
	unsigned n;
	char kvm[4];

	if (name && sscanf(name, "CPU %u/%3s", &n, kvm) == 2 && !strcmp(kvm, "KVM") &&
	    n < MAX_VCPU_BITS)
		return n;
	return -1;
}

static int taken(const struct vm *v, int n)
{
	return n >= 0 && n < MAX_VCPU_BITS && (v->taken[n / 8] & (1u << (n % 8)));
}

static void take(struct vm *v, int n)
{
	if (n >= 0 && n < MAX_VCPU_BITS)
		v->taken[n / 8] |= 1u << (n % 8);
}

/* The VM a new thread joins; -1 for none.  NUMBER: its vcpu number, -1 unknown. */
static int choose(struct pt_threads *t, uint32_t tid, const char *name, int number)
{
	unsigned vhost;
	int best = -1;
	uint64_t best_dist = ~0ull;

	/* "vhost-1234" works for the QEMU whose pid is 1234 */
	if (name && sscanf(name, "vhost-%u", &vhost) == 1) {
		for (unsigned i = 0; i < t->nvms; i++)
			if (vhost >= t->vms[i].pub.pid && vhost <= t->vms[i].pub.tid_max)
				return i;
		return -1;
	}
	for (unsigned i = 0; i < t->nvms; i++) {
		const struct pt_vm_info *v = &t->vms[i].pub;
		uint64_t dist = tid < v->pid ? v->pid - tid : tid > v->tid_max ? tid - v->tid_max : 0;

		if (dist > NEAR || taken(&t->vms[i], number))
			continue;
		if (dist < best_dist) {
			best = i;
			best_dist = dist;
		}
	}
	return best;
}

static void join(struct pt_threads *t, struct thread *th, int vm, const char *name)
{
	struct pt_vm_info *v = &t->vms[vm].pub;

	th->vm = vm;
	v->threads++;
	if (th->tid < v->pid)
		v->pid = th->tid;
	if (th->tid > v->tid_max)
		v->tid_max = th->tid;
	if (name && !v->name[0] && vcpu_from_name(name) < 0)
		snprintf(v->name, sizeof(v->name), "%s", name);
}

static void make_vcpu(struct pt_threads *t, struct thread *th, int number)
{
	struct vm *v = &t->vms[th->vm];

	if (number >= 0) {
		v->by_number = 1;
	} else {
		for (number = 0; number < MAX_VCPU_BITS - 1 && taken(v, number); number++)
			;
	}
	if (th->vcpu < 0) {
		v->pub.vcpus++;
		t->nvcpus++;
	}
	th->vcpu = number;
	take(v, number);
}

/* Whether TH's VM and vcpu already say all that this event says. */
static int settled(const struct thread *th, int vcpu_id, int vcpu_context)
{
	return th->vm != PT_VM_NONE &&
	       (!vcpu_context || (th->vcpu >= 0 && (vcpu_id < 0 || vcpu_id == th->vcpu)));
}

/* Places TH in a VM and, for a vcpu's event, numbers it; -1 when no VM is its. */
static int learn(struct pt_threads *t, struct thread *th, int vcpu_id, int vcpu_context)
{
	const char *name = comm_of(t, th->tid);
	int number = vcpu_id >= 0 ? vcpu_id : vcpu_from_name(name);

	if (th->vm == PT_VM_NONE) {
		int v = choose(t, th->tid, name, vcpu_context ? number : -1);

		/* only a thread that runs guest code starts a VM */
		if (v < 0 && vcpu_context && t->nvms < PT_MAX_VMS) {
			v = t->nvms++;
			t->vms[v].pub.pid = th->tid;
			t->vms[v].pub.tid_max = th->tid;
		}
		if (v < 0)
			return -1;
		join(t, th, v, name);
	}
	if (vcpu_context && !settled(th, vcpu_id, vcpu_context))
		make_vcpu(t, th, number);
	return 0;
}

void pt_threads_place(struct pt_threads *t, uint32_t tid, int vcpu_id, int vcpu_context,
		      int16_t *vcpu, uint8_t *vm)
{
	struct thread *th = t->last[0];

	if (!th || th->tid != tid) {
		th = t->last[1];
		if (!th || th->tid != tid) {
			th = tid ? find(t, tid, 1) : NULL;
			if (!th)
				goto none;
		}
		t->last[1] = t->last[0];
		t->last[0] = th;
	}
	if (!settled(th, vcpu_id, vcpu_context) && learn(t, th, vcpu_id, vcpu_context))
		goto none;
	t->vms[th->vm].pub.events++;
	*vm = th->vm;
	*vcpu = vcpu_context ? th->vcpu : -1;
	return;
none:
	*vm = PT_VM_NONE;
	*vcpu = -1;
}

void pt_threads_lookup(const struct pt_threads *t, uint32_t tid, int16_t *vcpu, uint8_t *vm)
{
	const struct thread *th = tid ? find(t, tid, 0) : NULL;

	*vm = th ? th->vm : PT_VM_NONE;
	*vcpu = th ? th->vcpu : -1;
}

unsigned pt_threads_nvms(const struct pt_threads *t)
{
	return t->nvms;
}

const struct pt_vm_info *pt_threads_vm(const struct pt_threads *t, unsigned vm)
{
	return vm < t->nvms ? &t->vms[vm].pub : NULL;
}

int pt_threads_guessed(const struct pt_threads *t)
{
	if (t->nvms < 2)
		return 0;
	for (unsigned i = 0; i < t->nvms; i++)
		if (!t->vms[i].by_number)
			return 1;
	return 0;
}

unsigned pt_threads_nvcpus(const struct pt_threads *t)
{
	return t->nvcpus;
}
