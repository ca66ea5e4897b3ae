#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <trace-cmd/trace-cmd.h>
#include <event-parse.h>

#include "pt-reader.h"
#include "tracecmd-read-private.h"

/* Which fields each source event needs; looked up once per file. */
enum decoder_type {
	DEC_NONE,
	DEC_MMIO, DEC_PIO, DEC_MSR, DEC_MSI, DEC_SET_IRQ, DEC_APIC_ACCEPT, DEC_EOI,
	DEC_INJ_VIRQ, DEC_INJ_EXCEPTION, DEC_USER_EXIT, DEC_EXIT, DEC_PAGE_FAULT, DEC_EMULATE,
};

#define MAX_FIELDS 5

struct decoder {
	enum decoder_type type;
	struct tep_format_field *f[MAX_FIELDS];
};

static const struct {
	const char *event;
	enum decoder_type type;
	enum pt_event_kind kind;	/* the first kind it produces */
	const char *fields[MAX_FIELDS];	/* NULL-terminated; a leading '?' is optional */
} sources[] = {
	{ "kvm_mmio", DEC_MMIO, PT_EV_MMIO_READ, { "type", "len", "gpa", "val" } },
	{ "kvm_pio", DEC_PIO, PT_EV_PIO_READ, { "rw", "port", "size", "val" } },
	{ "kvm_msr", DEC_MSR, PT_EV_MSR_READ, { "write", "ecx", "data" } },
	{ "kvm_msi_set_irq", DEC_MSI, PT_EV_MSI, { "address", "data" } },
	{ "kvm_set_irq", DEC_SET_IRQ, PT_EV_IRQ_LINE, { "gsi", "level" } },
	{ "kvm_apic_accept_irq", DEC_APIC_ACCEPT, PT_EV_APIC_ACCEPT, { "vec" } },
	{ "kvm_eoi", DEC_EOI, PT_EV_EOI, { "vector" } },
	{ "kvm_inj_virq", DEC_INJ_VIRQ, PT_EV_INJ_VIRQ, { "?vector", "?irq" } },
	{ "kvm_inj_exception", DEC_INJ_EXCEPTION, PT_EV_INJ_EXCEPTION,
	  { "exception", "?has_error", "?error_code" } },
	{ "kvm_userspace_exit", DEC_USER_EXIT, PT_EV_USER_EXIT, { "reason" } },
	{ "kvm_exit", DEC_EXIT, PT_EV_EXIT, { "exit_reason", "guest_rip", "?vcpu_id" } },
	{ "kvm_page_fault", DEC_PAGE_FAULT, PT_EV_PAGE_FAULT,
	  { "fault_address", "error_code", "?guest_rip", "?vcpu_id" } },
	{ "kvm_emulate_insn", DEC_EMULATE, PT_EV_EMULATE, { "rip" } },
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

struct buffer {
	const char *name;		/* "" for the top level */
	struct tracecmd_input *handle;
	struct tep_handle *tep;
	int native;			/* the file's byte order is ours: read fields directly */
	struct decoder *decoders;	/* indexed by event id */
	int max_id;
	struct tep_format_field *pid_field, *type_field;
};

#define TID_SLOTS 1024	/* QEMU has tens of threads; more are not vcpus */
#define TRIM_EVERY (1u << 18)	/* records between trims of the file mapping */
#define TRIM_KEEP (1u << 20)	/* bytes kept mapped behind the read position */
#define MAX_CPUS 256

struct pt_reader {
	struct tracecmd_input *top;
	struct buffer *buffers;
	int nbuffers;
	struct pt_reader_info info;
	uint32_t tid_keys[TID_SLOTS];
	int16_t tid_vcpu[TID_SLOTS];
	uint32_t last_tid;		/* a one-entry cache in front of the table */
	int16_t last_vcpu;
	int next_vcpu;
	int (*fn)(void *ctx, const struct pt_event *ev);
	void *ctx;
	int stopped;
	dev_t file_dev;
	ino_t file_ino;
	/* pull mode: the next record of each buffer's cpus, read ahead */
	struct tep_record **pending;
	int *pending_buffer, *pending_cpu;
	int npending, pull_started;
	const void *read_pos[MAX_CPUS];	/* the latest record's data, per cpu */
	uint64_t cpu_ts[MAX_CPUS];	/* the latest record's time, per cpu */
	uint8_t cpu_seen[MAX_CPUS];
	unsigned since_trim;
};

static int16_t vcpu_lookup(const struct pt_reader *r, uint32_t tid);

static uint64_t field_u64(const struct buffer *b, const struct tep_record *rec,
			  const struct tep_format_field *f)
{
	const unsigned char *p;

	if (!f || f->offset + f->size > rec->size)
		return 0;
	p = (const unsigned char *)rec->data + f->offset;
	if (b->native) {
		uint8_t v8;
		uint16_t v16;
		uint32_t v32;
		uint64_t v64;

		switch (f->size) {
		case 1: memcpy(&v8, p, 1); return v8;
		case 2: memcpy(&v16, p, 2); return v16;
		case 4: memcpy(&v32, p, 4); return v32;
		case 8: memcpy(&v64, p, 8); return v64;
		}
	}
	return tep_read_number(b->tep, p, f->size > 8 ? 8 : f->size);
}

/*
 * libtracecmd maps each cpu's data of an uncompressed file whole and reads
 * it front to back, so the pages behind the read position would stay in
 * our RSS until the end.  They are never read again: hand them back.
 */
static void trim_mappings(struct pt_reader *r)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	char line[512];

	if (!maps)
		return;
	while (fgets(line, sizeof(line), maps)) {
		unsigned long start, end, ino;
		unsigned maj, min;
		uintptr_t pos = 0;

		if (sscanf(line, "%lx-%lx %*s %*x %x:%x %lu", &start, &end, &maj, &min, &ino) != 5)
			continue;
		if (ino != r->file_ino || makedev(maj, min) != r->file_dev)
			continue;
		for (int c = 0; c < MAX_CPUS; c++) {
			uintptr_t p = (uintptr_t)r->read_pos[c];

			if (p >= start && p < end && p > pos)
				pos = p;
		}
		if (pos > start + TRIM_KEEP) {
			uintptr_t upto = (pos - TRIM_KEEP) & ~(uintptr_t)(getpagesize() - 1);

			madvise((void *)start, upto - start, MADV_DONTNEED);
		}
	}
	fclose(maps);
}

/* Builds the id-indexed decoder table for one buffer's event formats. */
static int build_decoders(struct pt_reader *r, struct buffer *b, struct pt_err *err)
{
	struct tep_event *found[NSOURCES] = { 0 };

	b->max_id = -1;
	for (size_t i = 0; i < NSOURCES; i++) {
		found[i] = tep_find_event_by_name(b->tep, "kvm", sources[i].event);
		if (found[i] && found[i]->id > b->max_id)
			b->max_id = found[i]->id;
	}
	b->pid_field = NULL;
	if (b->max_id < 0)
		return 0;
	b->decoders = calloc(b->max_id + 1, sizeof(*b->decoders));
	if (!b->decoders)
		return pt_err_set(err, "out of memory");
	for (size_t i = 0; i < NSOURCES; i++) {
		struct decoder *d;
		int ok = 1;

		if (!found[i])
			continue;
		d = &b->decoders[found[i]->id];
		for (int j = 0; j < MAX_FIELDS && sources[i].fields[j]; j++) {
			const char *name = sources[i].fields[j];
			int optional = name[0] == '?';

			d->f[j] = tep_find_field(found[i], name + optional);
			if (!d->f[j] && !optional)
				ok = 0;
		}
		if (!ok) {
			/* a format we do not know: the event counts as missing */
			memset(d, 0, sizeof(*d));
			continue;
		}
		d->type = sources[i].type;
		if (!b->pid_field) {
			b->pid_field = tep_find_common_field(found[i], "common_pid");
			b->type_field = tep_find_common_field(found[i], "common_type");
		}
		r->info.present |= 1u << sources[i].kind;
		if (sources[i].kind == PT_EV_MMIO_READ || sources[i].kind == PT_EV_PIO_READ ||
		    sources[i].kind == PT_EV_MSR_READ)
			r->info.present |= 1u << (sources[i].kind + 1);
	}
	return 0;
}

/* vcpu of a thread: from the record when it says, else by first appearance. */
static int16_t vcpu_of(struct pt_reader *r, uint32_t tid, int known)
{
	unsigned h = (tid * 2654435761u) % TID_SLOTS;

	if (tid == r->last_tid && tid && (known < 0 || known == r->last_vcpu))
		return r->last_vcpu;
	r->last_tid = tid;
	r->last_vcpu = -1;

	for (unsigned n = 0; n < TID_SLOTS; n++, h = (h + 1) % TID_SLOTS) {
		if (r->tid_keys[h] == tid) {
			if (known >= 0)
				r->tid_vcpu[h] = known;
			return r->last_vcpu = r->tid_vcpu[h];
		}
		if (!r->tid_keys[h]) {
			r->tid_keys[h] = tid;
			r->tid_vcpu[h] = known >= 0 ? known : r->next_vcpu++;
			r->info.vcpus++;
			return r->last_vcpu = r->tid_vcpu[h];
		}
	}
	return -1;
}

/* What every record tells about the trace as a whole: counts, drops, damage. */
static void account(struct pt_reader *r, const struct tep_record *rec, int cpu)
{
	r->info.records++;
	if (cpu >= 0 && cpu < MAX_CPUS) {
		r->read_pos[cpu] = rec->data;
		/* one cpu's buffer is in time order: going back means damage */
		if (rec->ts < r->cpu_ts[cpu])
			r->info.damaged++;
		r->cpu_ts[cpu] = rec->ts;
	}
	if (++r->since_trim == TRIM_EVERY) {
		r->since_trim = 0;
		trim_mappings(r);
	}
	if (rec->missed_events && cpu >= 0 && cpu < MAX_CPUS && !r->cpu_seen[cpu]) {
		if (rec->missed_events > 0)
			r->info.overwritten += rec->missed_events;
	} else if (rec->missed_events) {
		r->info.lost_gaps++;
		if (rec->missed_events > 0)
			r->info.lost += rec->missed_events;
		else
			r->info.lost_unknown = 1;
	}
	if (cpu >= 0 && cpu < MAX_CPUS)
		r->cpu_seen[cpu] = 1;
}

/*
 * Turns REC into EV; 0 when it is no kvm event.  FIRST_PASS counts damage
 * and learns thread -> vcpu; reads at random offsets later only look up.
 */
static int decode(struct pt_reader *r, const struct buffer *b, const struct tep_record *rec, int cpu,
		  struct pt_event *out, int first_pass)
{
	struct tep_handle *tep = b->tep;
	const struct decoder *d;
	struct pt_event ev;
	int id, vcpu_known = -1, vcpu_context = 1;
	uint64_t v;

	id = b->type_field ? (int)field_u64(b, rec, b->type_field) : tep_data_type(tep, (struct tep_record *)rec);
	if (id < 0 || id > b->max_id || b->decoders[id].type == DEC_NONE) {
		if (first_pass && !tep_find_event(tep, id))
			r->info.damaged++;
		return 0;
	}
	d = &b->decoders[id];

	memset(&ev, 0, sizeof(ev));
	ev.ts = rec->ts;
	ev.cpu = cpu;
	ev.tid = (uint32_t)field_u64(b, rec, b->pid_field);
	if (rec->missed_events)
		ev.flags |= PT_EVF_LOST_BEFORE;
	switch (d->type) {
	case DEC_MMIO:
		v = field_u64(b, rec, d->f[0]);
		/* 0 is KVM_TRACE_MMIO_READ_UNSATISFIED: the completed read follows */
		if (v == 0)
			return 0;
		ev.kind = v == 1 ? PT_EV_MMIO_READ : PT_EV_MMIO_WRITE;
		ev.len = field_u64(b, rec, d->f[1]);
		ev.addr = field_u64(b, rec, d->f[2]);
		ev.val = field_u64(b, rec, d->f[3]);
		break;
	case DEC_PIO:
		ev.kind = field_u64(b, rec, d->f[0]) ? PT_EV_PIO_WRITE : PT_EV_PIO_READ;
		ev.addr = field_u64(b, rec, d->f[1]);
		ev.len = field_u64(b, rec, d->f[2]);
		ev.val = field_u64(b, rec, d->f[3]);
		break;
	case DEC_MSR:
		ev.kind = field_u64(b, rec, d->f[0]) ? PT_EV_MSR_WRITE : PT_EV_MSR_READ;
		ev.addr = field_u64(b, rec, d->f[1]);
		ev.val = field_u64(b, rec, d->f[2]);
		break;
	case DEC_MSI:
		ev.kind = PT_EV_MSI;
		ev.addr = field_u64(b, rec, d->f[0]);
		/*
		 * QEMU's emulated devices deliver MSIs through its APIC window,
		 * and KVM then records only the offset inside 0xFEExxxxx.
		 */
		if (ev.addr < 0x100000)
			ev.addr |= 0xfee00000;
		ev.val = field_u64(b, rec, d->f[1]);
		vcpu_context = 0;	/* raised by whichever thread emulates the device */
		break;
	case DEC_SET_IRQ:
		ev.kind = PT_EV_IRQ_LINE;
		ev.addr = field_u64(b, rec, d->f[0]);
		ev.val = field_u64(b, rec, d->f[1]);
		vcpu_context = 0;
		break;
	case DEC_APIC_ACCEPT:
		ev.kind = PT_EV_APIC_ACCEPT;
		ev.val = field_u64(b, rec, d->f[0]);
		vcpu_context = 0;
		break;
	case DEC_EOI:
		ev.kind = PT_EV_EOI;
		ev.val = field_u64(b, rec, d->f[0]);
		break;
	case DEC_INJ_VIRQ:
		ev.kind = PT_EV_INJ_VIRQ;
		ev.val = field_u64(b, rec, d->f[0] ? d->f[0] : d->f[1]);
		break;
	case DEC_INJ_EXCEPTION:
		ev.kind = PT_EV_INJ_EXCEPTION;
		ev.val = field_u64(b, rec, d->f[0]);
		if (d->f[1] && field_u64(b, rec, d->f[1])) {
			ev.flags |= PT_EVF_ERROR_CODE;
			ev.extra = field_u64(b, rec, d->f[2]);
		}
		break;
	case DEC_USER_EXIT:
		ev.kind = PT_EV_USER_EXIT;
		ev.val = field_u64(b, rec, d->f[0]);
		break;
	case DEC_EXIT:
		ev.kind = PT_EV_EXIT;
		ev.val = field_u64(b, rec, d->f[0]);
		ev.rip = field_u64(b, rec, d->f[1]);
		if (d->f[2])
			vcpu_known = field_u64(b, rec, d->f[2]) & 0x7fff;
		break;
	case DEC_PAGE_FAULT:
		ev.kind = PT_EV_PAGE_FAULT;
		ev.addr = field_u64(b, rec, d->f[0]);
		ev.val = field_u64(b, rec, d->f[1]);
		ev.rip = field_u64(b, rec, d->f[2]);
		if (d->f[3])
			vcpu_known = field_u64(b, rec, d->f[3]) & 0x7fff;
		break;
	case DEC_EMULATE:
		ev.kind = PT_EV_EMULATE;
		ev.rip = field_u64(b, rec, d->f[0]);
		break;
	case DEC_NONE:
		return 0;
	}
	/* accesses are 1, 2, 4 or 8 bytes: anything else is a damaged record */
	if ((d->type == DEC_MMIO || d->type == DEC_PIO) &&
	    (ev.len == 0 || ev.len > 8 || (ev.len & (ev.len - 1)))) {
		if (first_pass)
			r->info.damaged++;
		return 0;
	}
	ev.vcpu = !vcpu_context ? -1 : first_pass ? vcpu_of(r, ev.tid, vcpu_known)
						  : vcpu_lookup(r, ev.tid);
	*out = ev;
	return 1;
}

static void count_event(struct pt_reader *r, const struct buffer *b, const struct pt_event *ev)
{
	if (!r->info.events) {
		r->info.first_ts = ev->ts;
		/* the buffer the VM's events are in: an instance's, for trace-cmd extract -B */
		snprintf(r->info.buffer, sizeof(r->info.buffer), "%s", b->name ? b->name : "");
	}
	r->info.last_ts = ev->ts;
	r->info.events++;
}

static int16_t vcpu_lookup(const struct pt_reader *r, uint32_t tid)
{
	unsigned h = (tid * 2654435761u) % TID_SLOTS;

	for (unsigned n = 0; n < TID_SLOTS && r->tid_keys[h]; n++, h = (h + 1) % TID_SLOTS)
		if (r->tid_keys[h] == tid)
			return r->tid_vcpu[h];
	return -1;
}

static int on_record(struct tracecmd_input *handle, struct tep_record *rec, int cpu, void *data)
{
	struct pt_reader *r = data;
	const struct buffer *b = tracecmd_get_private(handle);
	struct pt_event ev;

	account(r, rec, cpu);
	if (!decode(r, b, rec, cpu, &ev, 1))
		return 0;
	count_event(r, b, &ev);
	if (r->fn(r->ctx, &ev)) {
		r->stopped = 1;
		return 1;
	}
	return 0;
}

struct pt_reader *pt_reader_open(const char *path, struct pt_err *err)
{
	struct pt_reader *r;
	struct stat st;
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pt_err_errno(err, errno, "cannot open '%s'", path);
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		pt_err_set(err, "cannot read '%s': not a regular file", path);
		return NULL;
	}
	close(fd);
	if (st.st_size == 0) {
		pt_err_set(err, "cannot read '%s': the file is empty", path);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	r->info.file_size = st.st_size;
	r->file_dev = st.st_dev;
	r->file_ino = st.st_ino;
	tracecmd_set_loglevel(TEP_LOG_NONE);
	r->top = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS);
	if (!r->top) {
		pt_err_set(err, "cannot read '%s': not a trace.dat file, or a damaged one", path);
		free(r);
		return NULL;
	}
	n = tracecmd_buffer_instances(r->top);
	if (n < 0)
		n = 0;
	r->buffers = calloc(n + 1, sizeof(*r->buffers));
	if (!r->buffers)
		goto oom;
	r->buffers[0].handle = r->top;
	r->buffers[0].name = "";
	r->nbuffers = 1;
	for (int i = 0; i < n; i++) {
		struct tracecmd_input *h = tracecmd_buffer_instance_handle(r->top, i);

		if (!h)
			continue;
		r->buffers[r->nbuffers].name = tracecmd_buffer_instance_name(r->top, i);
		r->buffers[r->nbuffers++].handle = h;
	}
	for (int i = 0; i < r->nbuffers; i++) {
		struct buffer *b = &r->buffers[i];

		b->tep = tracecmd_get_tep(b->handle);
		if (!b->tep || build_decoders(r, b, err))
			goto fail;
		b->native = tep_is_file_bigendian(b->tep) == tep_is_local_bigendian(b->tep);
		tracecmd_set_private(b->handle, b);
	}
	if (!r->info.present) {
		pt_err_set(err, "'%s' has no kvm events: record the VM's kvm events "
			   "(pttrace record, or trace-cmd with -e kvm)", path);
		goto fail;
	}
	r->info.buffers = r->nbuffers;
	return r;
oom:
	pt_err_set(err, "out of memory");
fail:
	pt_reader_close(r);
	return NULL;
}

int pt_reader_read(struct pt_reader *r, int (*fn)(void *ctx, const struct pt_event *ev),
		   void *ctx, struct pt_err *err)
{
	struct tracecmd_input *handles[64];
	int n = 0;

	r->fn = fn;
	r->ctx = ctx;
	for (int i = 0; i < r->nbuffers && n < 64; i++)
		if (r->buffers[i].decoders)
			handles[n++] = r->buffers[i].handle;
	if (tracecmd_iterate_events_multi(handles, n, on_record, r) < 0 && !r->stopped)
		return pt_err_set(err, "cannot read the events: the file is damaged");
	return 0;
}

static int start_pull(struct pt_reader *r)
{
	int total = 0, n = 0;

	for (int i = 0; i < r->nbuffers; i++)
		if (r->buffers[i].decoders)
			total += tracecmd_cpus(r->buffers[i].handle);
	r->pending = calloc(total + 1, sizeof(*r->pending));
	r->pending_buffer = calloc(total + 1, sizeof(int));
	r->pending_cpu = calloc(total + 1, sizeof(int));
	if (!r->pending || !r->pending_buffer || !r->pending_cpu)
		return -1;
	for (int i = 0; i < r->nbuffers; i++) {
		if (!r->buffers[i].decoders)
			continue;
		for (int cpu = 0; cpu < tracecmd_cpus(r->buffers[i].handle) && n < total; cpu++) {
			r->pending[n] = tracecmd_read_data(r->buffers[i].handle, cpu);
			r->pending_buffer[n] = i;
			r->pending_cpu[n++] = cpu;
		}
	}
	r->npending = n;
	r->pull_started = 1;
	return 0;
}

int pt_reader_next(struct pt_reader *r, struct pt_event *ev, struct pt_position *pos)
{
	if (!r->pull_started && start_pull(r))
		return -1;
	for (;;) {
		int best = -1;
		struct tep_record *rec;
		const struct buffer *b;

		for (int i = 0; i < r->npending; i++)
			if (r->pending[i] && (best < 0 || r->pending[i]->ts < r->pending[best]->ts))
				best = i;
		if (best < 0)
			return 0;
		rec = r->pending[best];
		b = &r->buffers[r->pending_buffer[best]];
		account(r, rec, r->pending_cpu[best]);
		if (decode(r, b, rec, r->pending_cpu[best], ev, 1)) {
			count_event(r, b, ev);
			pos->offset = rec->offset;
			pos->buffer = r->pending_buffer[best];
		} else {
			ev->kind = PT_EV_KINDS;
		}
		tracecmd_free_record(rec);
		r->pending[best] = tracecmd_read_data(b->handle, r->pending_cpu[best]);
		if (ev->kind != PT_EV_KINDS)
			return 1;
	}
}

int pt_reader_read_at(struct pt_reader *r, const struct pt_position *pos, struct pt_event *ev)
{
	const struct buffer *b;
	struct tep_record *rec;
	int cpu, ok;

	if (pos->buffer >= r->nbuffers || !r->buffers[pos->buffer].decoders)
		return -1;
	b = &r->buffers[pos->buffer];
	rec = tracecmd_read_at(b->handle, pos->offset, &cpu);
	if (!rec)
		return -1;
	ok = decode(r, b, rec, cpu, ev, 0);
	tracecmd_free_record(rec);
	return ok ? 0 : -1;
}

#define TAIL_CURSORS 64
#define TAIL_MAX_RECORDS 100000	/* gives up if kvm events are that rare at the end */

int pt_reader_tail(struct pt_reader *r, struct pt_event *evs, unsigned max)
{
	struct tep_record *cur[TAIL_CURSORS];
	int buf[TAIL_CURSORS], cpu_of[TAIL_CURSORS], ncur = 0;
	unsigned n = 0, scanned = 0;

	for (int i = 0; i < r->nbuffers; i++) {
		if (!r->buffers[i].decoders)
			continue;
		for (int cpu = 0; cpu < tracecmd_cpus(r->buffers[i].handle) && ncur < TAIL_CURSORS; cpu++) {
			/* tracecmd_read_cpu_last crashes on a cpu with no data: look first */
			struct tep_record *first = tracecmd_read_cpu_first(r->buffers[i].handle, cpu);

			if (!first)
				continue;
			tracecmd_free_record(first);
			cur[ncur] = tracecmd_read_cpu_last(r->buffers[i].handle, cpu);
			buf[ncur] = i;
			cpu_of[ncur++] = cpu;
		}
	}
	while (n < max && scanned++ < TAIL_MAX_RECORDS) {
		int best = -1;

		for (int i = 0; i < ncur; i++)
			if (cur[i] && (best < 0 || cur[i]->ts > cur[best]->ts))
				best = i;
		if (best < 0)
			break;
		if (decode(r, &r->buffers[buf[best]], cur[best], cpu_of[best], &evs[n], 0))
			n++;
		{
			struct tep_record *prev = tracecmd_read_prev(r->buffers[buf[best]].handle, cur[best]);

			tracecmd_free_record(cur[best]);
			cur[best] = prev;
		}
	}
	for (int i = 0; i < ncur; i++)
		if (cur[i])
			tracecmd_free_record(cur[i]);
	/* read newest first: oldest first for the caller */
	for (unsigned i = 0; i < n / 2; i++) {
		struct pt_event t = evs[i];

		evs[i] = evs[n - 1 - i];
		evs[n - 1 - i] = t;
	}
	return n;
}

const struct pt_reader_info *pt_reader_info(const struct pt_reader *r)
{
	return &r->info;
}

void pt_reader_close(struct pt_reader *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->npending; i++)
		if (r->pending[i])
			tracecmd_free_record(r->pending[i]);
	free(r->pending);
	free(r->pending_buffer);
	free(r->pending_cpu);
	for (int i = 0; i < r->nbuffers; i++) {
		free(r->buffers[i].decoders);
		if (i > 0)
			tracecmd_close(r->buffers[i].handle);
	}
	if (r->top)
		tracecmd_close(r->top);
	free(r->buffers);
	free(r);
}

const char *pt_reader_missing_consequence(enum pt_event_kind kind)
{
	switch (kind) {
	case PT_EV_MMIO_READ:
	case PT_EV_MMIO_WRITE:
		return "no MMIO: BAR accesses, ECAM config cycles and stray MMIO are invisible";
	case PT_EV_PIO_READ:
	case PT_EV_PIO_WRITE:
		return "no port I/O: 0xCF8/0xCFC config cycles and pvpanic writes are invisible";
	case PT_EV_MSR_READ:
	case PT_EV_MSR_WRITE:
		return "no MSRs: Hyper-V crash MSRs (the Windows bugcheck code) are invisible";
	case PT_EV_MSI:
		return "no MSIs: device interrupts by message are invisible";
	case PT_EV_IRQ_LINE:
		return "no IRQ lines: INTx interrupts are invisible";
	case PT_EV_APIC_ACCEPT:
		return "no APIC accepts: interrupt delivery to the vcpus is invisible";
	case PT_EV_EOI:
		return "no EOIs: whether the guest acknowledged an interrupt is unknown";
	case PT_EV_INJ_EXCEPTION:
		return "no exception injections: faults after device accesses are invisible";
	case PT_EV_USER_EXIT:
		return "no userspace exits: a triple fault (KVM_EXIT_SHUTDOWN) cannot be found";
	case PT_EV_EXIT:
		return "no kvm_exit: no exit reasons and no guest rip per exit (normal on hosts "
		       "without VMX/SVM)";
	case PT_EV_INJ_VIRQ:
	case PT_EV_PAGE_FAULT:
	case PT_EV_EMULATE:
	case PT_EV_KINDS:
		break;
	}
	return NULL;
}
