// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <stdarg.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-json.h"
#include "pt-vm.h"

static void path_in(char *buf, size_t size, const char *sysroot, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void path_in(char *buf, size_t size, const char *sysroot, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, size, "%s", sysroot ? sysroot : "");

	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* Reads a small file whole, NUL-terminated; returns its length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -1;
	while (total < (ssize_t)size - 1 && (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return total;
}

static void copy(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* The value of KEY in "driver,key=val,key2=val2"; NULL when absent. */
static const char *opt_value(const char *opts, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = opts;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			*len = n - klen - 1;
			return p + klen + 1;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

static int opt_bool(const char *opts, const char *key)
{
	size_t n;
	const char *v = opt_value(opts, key, &n);

	if (!v)
		return -1;
	return (n == 2 && !strncmp(v, "on", 2)) || (n == 4 && !strncmp(v, "true", 4)) ||
	       (n == 1 && *v == '1') || (n == 3 && !strncmp(v, "yes", 3));
}

static void set_flags(struct pt_vm *vm, struct pt_vm_device *d)
{
	d->assigned = !strcmp(d->driver, "vfio-pci") || !strcmp(d->driver, "pci-assign") ||
		      !strcmp(d->driver, "kvm-pci-assign");
	if (!strncmp(d->driver, "pvpanic", 7))
		vm->pvpanic = 1;
}

/* -device driver,key=val,...: the form people type */
static void parse_device_opts(struct pt_vm *vm, struct pt_vm_device *d, const char *arg)
{
	const char *v;
	size_t n;

	n = strcspn(arg, ",");
	copy(d->driver, sizeof(d->driver), arg, n);
	if ((v = opt_value(arg, "host", &n)))
		copy(d->host, sizeof(d->host), v, n);
	if ((v = opt_value(arg, "addr", &n)))
		copy(d->addr, sizeof(d->addr), v, n);
	if ((v = opt_value(arg, "id", &n)))
		copy(d->id, sizeof(d->id), v, n);
	if ((v = opt_value(arg, "bus", &n)))
		copy(d->bus, sizeof(d->bus), v, n);
	if ((v = opt_value(arg, "ioport", &n)))
		d->ioport = strtoul(v, NULL, 0);
	d->x_no_mmap = opt_bool(arg, "x-no-mmap");
	d->multifunction = opt_bool(arg, "multifunction") == 1;
	set_flags(vm, d);
}

/* A JSON member as a string ("" when absent): strings as they are, numbers in decimal. */
static void json_str(const struct pt_json *obj, const char *key, char *buf, size_t size)
{
	const struct pt_json *m = pt_json_get(obj, key);

	buf[0] = 0;
	if (m && m->type == PT_JSON_STRING)
		snprintf(buf, size, "%s", m->str);
	else if (m && m->type == PT_JSON_NUMBER && m->num >= 0 && m->num < 1e15)
		snprintf(buf, size, "%.0f", m->num);
}

/* A JSON boolean property: true/false, or QEMU's string spellings; -1 when absent. */
static int json_bool(const struct pt_json *obj, const char *key)
{
	const struct pt_json *m = pt_json_get(obj, key);

	if (!m)
		return -1;
	if (m->type == PT_JSON_TRUE || m->type == PT_JSON_FALSE)
		return m->type == PT_JSON_TRUE;
	if (m->type == PT_JSON_STRING)
		return !strcmp(m->str, "on") || !strcmp(m->str, "true") || !strcmp(m->str, "yes") ||
		       !strcmp(m->str, "1");
	return m->type == PT_JSON_NUMBER ? m->num != 0 : -1;
}

/*
 * -device {"driver":"vfio-pci","host":"0000:03:00.0","id":"hostdev0",...}:
 * the form libvirt (>= 8, with QEMU >= 6.2) writes.  0, or -1 when ARG is
 * not a JSON object.
 */
static int parse_device_json(struct pt_vm *vm, struct pt_vm_device *d, const char *arg)
{
	struct pt_json *j;
	struct pt_err err;
	char ioport[24];

	j = pt_json_parse(arg, strlen(arg), &err);
	if (!j || j->type != PT_JSON_OBJECT) {
		pt_json_free(j);
		return -1;
	}
	json_str(j, "driver", d->driver, sizeof(d->driver));
	json_str(j, "host", d->host, sizeof(d->host));
	json_str(j, "addr", d->addr, sizeof(d->addr));
	json_str(j, "id", d->id, sizeof(d->id));
	json_str(j, "bus", d->bus, sizeof(d->bus));
	json_str(j, "ioport", ioport, sizeof(ioport));
	d->ioport = strtoul(ioport, NULL, 0);
	d->x_no_mmap = json_bool(j, "x-no-mmap");
	d->multifunction = json_bool(j, "multifunction") == 1;
	pt_json_free(j);
	for (char *s = d->driver; *s; s++)	/* a name shown to people: no control bytes */
		if ((unsigned char)*s < 0x20)
			*s = '?';
	set_flags(vm, d);
	return 0;
}

static void parse_device(struct pt_vm *vm, const char *arg)
{
	struct pt_vm_device *d;

	if (vm->ndev == PT_VM_MAX_DEVICES)
		return;
	d = &vm->dev[vm->ndev++];
	memset(d, 0, sizeof(*d));
	d->x_no_mmap = -1;
	if (arg[strspn(arg, " \t")] == '{') {
		if (parse_device_json(vm, d, arg))
			vm->ndev--;	/* not JSON: QEMU would refuse it too */
		return;
	}
	parse_device_opts(vm, d, arg);
}

static void add_qmp(struct pt_vm *vm, const char *path, size_t n)
{
	if (vm->nqmp < PT_VM_MAX_QMP && n)
		copy(vm->qmp[vm->nqmp++], sizeof(vm->qmp[0]), path, n);
}

int pt_vm_parse_cmdline(int argc, char *const *argv, struct pt_vm *vm)
{
	/* chardev ids of unix sockets, to match with -mon chardev=ID,mode=control */
	char chardev_id[8][48], chardev_path[8][108];
	unsigned nchardev = 0;
	const char *base;

	memset(vm, 0, sizeof(*vm));
	if (argc < 1)
		return -1;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (strncmp(base, "qemu-system-", 12) && strncmp(base, "qemu-kvm", 8) && strcmp(base, "kvm"))
		return -1;
	copy(vm->exe, sizeof(vm->exe), argv[0], strlen(argv[0]));
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		const char *v;
		size_t n;

		if (opt[0] == '-' && opt[1] == '-')
			opt++;		/* QEMU takes --name as -name */
		if (!val)
			break;
		if (!strcmp(opt, "-name")) {
			if (!strncmp(val, "guest=", 6))
				val += 6;
			copy(vm->name, sizeof(vm->name), val, strcspn(val, ","));
		} else if (!strcmp(opt, "-device")) {
			parse_device(vm, val);
		} else if (!strcmp(opt, "-qmp") || !strcmp(opt, "-qmp-pretty")) {
			if (!strncmp(val, "unix:", 5))
				add_qmp(vm, val + 5, strcspn(val + 5, ","));
		} else if (!strcmp(opt, "-chardev") && !strncmp(val, "socket,", 7) &&
			   (v = opt_value(val, "path", &n)) && nchardev < 8) {
			copy(chardev_path[nchardev], sizeof(chardev_path[0]), v, n);
			v = opt_value(val, "id", &n);
			copy(chardev_id[nchardev++], sizeof(chardev_id[0]), v ? v : "", v ? n : 0);
		} else if (!strcmp(opt, "-mon") && (v = opt_value(val, "chardev", &n))) {
			size_t mn;
			const char *mode = opt_value(val, "mode", &mn);

			if (!mode || mn != 7 || strncmp(mode, "control", 7))
				continue;
			for (unsigned c = 0; c < nchardev; c++)
				if (strlen(chardev_id[c]) == n && !strncmp(chardev_id[c], v, n))
					add_qmp(vm, chardev_path[c], strlen(chardev_path[c]));
		} else if (!strcmp(opt, "-smp")) {
			vm->smp = atoi(val);
			if ((v = opt_value(val, "cpus", &n)))
				vm->smp = atoi(v);
		} else if (!strcmp(opt, "-cpu")) {
			vm->hv_crash = strstr(val, "hv-crash") || strstr(val, "hv_crash");
		} else {
			continue;
		}
		i++;
	}
	if (!vm->smp)
		vm->smp = 1;
	return 0;
}

int pt_vm_threads(const char *sysroot, struct pt_vm *vm)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	path_in(path, sizeof(path), sysroot, "/proc/%d/task", (int)vm->pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	vm->nthreads = vm->nvcpus = 0;
	while ((de = readdir(dir)) && vm->nthreads < PT_VM_MAX_THREADS) {
		char comm[64];
		int tid = atoi(de->d_name), cpu;

		if (tid <= 0)
			continue;
		vm->threads[vm->nthreads++] = tid;
		path_in(path, sizeof(path), sysroot, "/proc/%d/task/%d/comm", (int)vm->pid, tid);
		if (read_small(path, comm, sizeof(comm)) > 0 && sscanf(comm, "CPU %d/KVM", &cpu) == 1 &&
		    cpu >= 0 && cpu < 64) {
			vm->vcpu_tids[cpu] = tid;
			if ((unsigned)cpu + 1 > vm->nvcpus)
				vm->nvcpus = cpu + 1;
		}
	}
	closedir(dir);
	return 0;
}

/* Reads /proc/PID/cmdline into an argv; 0 with *ARGV to free, or -1. */
static int read_cmdline(const char *sysroot, int pid, char ***argv, int *argc, char **buf)
{
	char path[PATH_MAX];
	size_t cap = 1 << 16;
	ssize_t n;
	int count = 0;

	path_in(path, sizeof(path), sysroot, "/proc/%d/cmdline", pid);
	*buf = malloc(cap);
	if (!*buf)
		return -1;
	n = read_small(path, *buf, cap);
	if (n <= 0) {
		free(*buf);
		return -1;
	}
	for (ssize_t i = 0; i < n; i++)
		count += !(*buf)[i];
	*argv = calloc(count + 2, sizeof(**argv));
	if (!*argv) {
		free(*buf);
		return -1;
	}
	*argc = 0;
	for (ssize_t i = 0; i < n; i += strlen(*buf + i) + 1)
		(*argv)[(*argc)++] = *buf + i;
	return 0;
}

/* libvirt writes NAME.pid for each domain it runs: 1 with its NAME, or 0. */
static int libvirt_pid(const char *sysroot, int pid, char *name, size_t size)
{
	char path[PATH_MAX], buf[32];
	struct dirent *de;
	int found = 0;
	DIR *dir;

	path_in(path, sizeof(path), sysroot, "/run/libvirt/qemu");
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!found && (de = readdir(dir))) {
		size_t l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".pid"))
			continue;
		path_in(path, sizeof(path), sysroot, "/run/libvirt/qemu/%s", de->d_name);
		found = read_small(path, buf, sizeof(buf)) > 0 && atoi(buf) == pid;
		if (found)
			copy(name, size, de->d_name, l - 4);
	}
	closedir(dir);
	return found;
}

/*
 * A libvirt domain: its live XML, and what it says that the command line
 * may not (the panic devices; the name when -name is missing).
 */
static void libvirt_domain(const char *sysroot, struct pt_vm *vm, const char *name)
{
	struct pt_err err;

	if (pt_domain_read(sysroot, name, &vm->dom, &err)) {
		snprintf(vm->dom.xml_error, sizeof(vm->dom.xml_error), "%.255s", err.msg);
		return;
	}
	if (!vm->name[0])
		snprintf(vm->name, sizeof(vm->name), "%s", vm->dom.name);
	for (unsigned i = 0; i < vm->dom.npanic; i++) {
		if (!strcmp(vm->dom.panic[i], "hyperv"))
			vm->hv_crash = 1;
		else if (!strcmp(vm->dom.panic[i], "isa") || !strcmp(vm->dom.panic[i], "pvpanic"))
			vm->pvpanic = 1;
	}
}

/*
 * Whether the process holds KVM: an open /dev/kvm, or a kvm-vm / kvm-vcpu
 * anon inode, in /proc/PID/fd.  1, 0, or -1 when its fds cannot be read
 * (another user's process, as non-root).
 */
static int kvm_descriptor(const char *sysroot, int pid)
{
	char path[PATH_MAX], link[128];
	struct dirent *de;
	int found = 0;
	DIR *dir;

	path_in(path, sizeof(path), sysroot, "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while (!found && (de = readdir(dir))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		path_in(path, sizeof(path), sysroot, "/proc/%d/fd/%s", pid, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		found = !strcmp(link, "/dev/kvm") || !strcmp(link, "anon_inode:kvm-vm") ||
			!strncmp(link, "anon_inode:kvm-vcpu", 19);
	}
	closedir(dir);
	return found;
}

int pt_vm_is_kvm(const struct pt_vm *vm, char *why, size_t size)
{
	if (vm->kvm_fd != 1 && !vm->nvcpus) {
		snprintf(why, size, "process %d has a QEMU command line but %s", (int)vm->pid,
			 vm->kvm_fd < 0 ? "its descriptors cannot be read (run as root) and it has "
			 "no 'CPU n/KVM' thread" :
			 "holds no /dev/kvm or kvm-vm descriptor and has no 'CPU n/KVM' thread: not "
			 "a KVM guest (a TCG guest makes no kvm events)");
		return 0;
	}
	/* libvirt's monitor is under its own directories, and libvirt writes the pid file */
	for (unsigned i = 0; i < vm->nqmp; i++)
		if (!vm->libvirt && (!strncmp(vm->qmp[i], "/var/lib/libvirt/", 17) ||
				     !strncmp(vm->qmp[i], "/run/libvirt/", 13))) {
			snprintf(why, size, "process %d names libvirt's monitor '%s', but no pid file "
				 "of libvirt's (/run/libvirt/qemu/*.pid) names it", (int)vm->pid,
				 vm->qmp[i]);
			return 0;
		}
	return 1;
}

/* Inodes of the unix sockets bound to PATH, in the process's network namespace. */
static unsigned bound_sockets(const char *sysroot, int pid, const char *path,
			      unsigned long *inodes, unsigned max)
{
	char file[PATH_MAX], line[512];
	unsigned n = 0;
	FILE *f;

	path_in(file, sizeof(file), sysroot, "/proc/%d/net/unix", pid);
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long inode;
		char bound[256];

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %255s", &inode, bound) == 2 &&
		    !strcmp(bound, path))
			inodes[n++] = inode;
	}
	fclose(f);
	return n;
}

int pt_vm_owns_socket(const char *sysroot, const struct pt_vm *vm, const char *path,
		      char *why, size_t size)
{
	char file[PATH_MAX], link[64];
	unsigned long inodes[8];
	unsigned n = bound_sockets(sysroot, vm->pid, path, inodes, 8);
	struct stat sock, proc;
	struct dirent *de;
	int held = 0;
	DIR *dir;

	path_in(file, sizeof(file), sysroot, "/proc/%d", (int)vm->pid);
	if (stat(path, &sock) || !S_ISSOCK(sock.st_mode) || stat(file, &proc)) {
		snprintf(why, size, "'%s' is not a socket", path);
		return 0;
	}
	/* the file is the VM's user's (libvirt's qemu user, or root), not a planted one */
	if (sock.st_uid != proc.st_uid) {
		snprintf(why, size, "'%s' is owned by uid %u, the VM (pid %d) runs as uid %u", path,
			 (unsigned)sock.st_uid, (int)vm->pid, (unsigned)proc.st_uid);
		return 0;
	}
	path_in(file, sizeof(file), sysroot, "/proc/%d/fd", (int)vm->pid);
	dir = n ? opendir(file) : NULL;
	while (dir && !held && (de = readdir(dir))) {
		ssize_t l;
		unsigned long inode;

		path_in(file, sizeof(file), sysroot, "/proc/%d/fd/%s", (int)vm->pid, de->d_name);
		l = readlink(file, link, sizeof(link) - 1);
		if (l <= 0)
			continue;
		link[l] = 0;
		if (sscanf(link, "socket:[%lu]", &inode) == 1)
			for (unsigned i = 0; i < n; i++)
				held |= inode == inodes[i];
	}
	if (dir)
		closedir(dir);
	if (!held)
		snprintf(why, size, "no socket bound to '%s' is open in the VM's process (pid %d)",
			 path, (int)vm->pid);
	return held;
}

int pt_vm_scan(const char *sysroot, struct pt_vm **vms, unsigned *n, struct pt_err *err)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned cap = 0;
	DIR *dir;

	*vms = NULL;
	*n = 0;
	path_in(path, sizeof(path), sysroot, "/proc");
	dir = opendir(path);
	if (!dir)
		return pt_err_errno(err, errno, "cannot read '%s'", path);
	while ((de = readdir(dir))) {
		int pid = atoi(de->d_name), argc;
		char **argv, *buf;
		struct pt_vm vm;

		if (pid <= 0 || read_cmdline(sysroot, pid, &argv, &argc, &buf))
			continue;
		if (!pt_vm_parse_cmdline(argc, argv, &vm)) {
			char dom[128];

			vm.pid = pid;
			vm.libvirt = libvirt_pid(sysroot, pid, dom, sizeof(dom));
			if (vm.libvirt)
				libvirt_domain(sysroot, &vm, dom);
			vm.kvm_fd = kvm_descriptor(sysroot, pid);
			pt_vm_threads(sysroot, &vm);
			if (*n == cap) {
				struct pt_vm *more = realloc(*vms, (cap = cap ? cap * 2 : 4) * sizeof(vm));

				if (!more) {
					free(argv);
					free(buf);
					closedir(dir);
					free(*vms);
					*vms = NULL;
					return pt_err_set(err, "out of memory");
				}
				*vms = more;
			}
			(*vms)[(*n)++] = vm;
		}
		free(argv);
		free(buf);
	}
	closedir(dir);
	return 0;
}

/*
 * Does VM answer to NAME: its name; for a libvirt domain also its UUID
 * (any case) or its domain id.  A name match is worth more (2) than the
 * others (1), so a domain called "3" is found before the one with id 3.
 */
static int vm_matches(const struct pt_vm *vm, const char *name)
{
	char *end;
	long id;

	if (!strcmp(vm->name, name))
		return 2;
	if (!vm->dom.have_xml)
		return 0;
	if (vm->dom.uuid[0] && !strcasecmp(vm->dom.uuid, name))
		return 1;
	id = strtol(name, &end, 10);
	return *name && !*end && vm->dom.id >= 0 && id == vm->dom.id;
}

int pt_vm_find(const char *sysroot, const char *name, pid_t pid, struct pt_vm *out,
	       struct pt_err *err)
{
	struct pt_vm *vms;
	unsigned n, matches = 0;
	char names[256] = "", pids[128] = "";
	int best = 0;

	if (pt_vm_scan(sysroot, &vms, &n, err))
		return -1;
	/* names first: only when no name matches do UUIDs and ids count */
	for (unsigned i = 0; name && i < n; i++)
		if (vm_matches(&vms[i], name) > best)
			best = vm_matches(&vms[i], name);
	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(names);

		if (name ? best && vm_matches(&vms[i], name) == best : vms[i].pid == pid) {
			if (!matches++)
				*out = vms[i];
			snprintf(pids + strlen(pids), sizeof(pids) - strlen(pids), "%s%d",
				 matches > 1 ? ", " : "", (int)vms[i].pid);
		}
		snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "",
			 vms[i].name[0] ? vms[i].name : "(no -name)");
	}
	free(vms);
	if (matches == 1)
		return 0;
	if (matches > 1)
		return pt_err_set(err, "more than one VM is called '%s' (pids %s): use --pid", name, pids);
	if (!name)
		return pt_err_set(err, "no QEMU process with pid %d", (int)pid);
	if (!n)
		return pt_err_set(err, "no VM called '%s': no QEMU process is running", name);
	return pt_err_set(err, "no VM called '%s'; running VMs: %s", name, names);
}

int pt_host_bdf(const char *in, char *out, size_t size)
{
	unsigned dom = 0, bus, dev, fn;
	int n = 0;

	if (sscanf(in, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &n) == 4 && !in[n])
		;
	else if (n = 0, dom = 0, sscanf(in, "%x:%x.%x%n", &bus, &dev, &fn, &n) == 3 && !in[n])
		;
	else
		return -1;
	if (dom > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, size, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

static unsigned read_hex(const char *sysroot, const char *bdf, const char *file)
{
	char path[PATH_MAX], buf[32];

	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s/%s", bdf, file);
	return read_small(path, buf, sizeof(buf)) > 0 ? strtoul(buf, NULL, 16) : 0;
}

int pt_hostdev_read(const char *sysroot, const char *bdf, struct pt_hostdev *d)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *dir;

	memset(d, 0, sizeof(*d));
	d->iommu_group = -1;
	if (pt_host_bdf(bdf, d->bdf, sizeof(d->bdf)))
		return -1;
	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s", d->bdf);
	if (access(path, F_OK))
		return 0;
	d->present = 1;
	d->vendor = read_hex(sysroot, d->bdf, "vendor");
	d->device = read_hex(sysroot, d->bdf, "device");
	d->class_code = read_hex(sysroot, d->bdf, "class");
	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s/driver", d->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		snprintf(d->driver, sizeof(d->driver), "%.31s",
			 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
	path_in(path, sizeof(path), sysroot, "/sys/bus/pci/devices/%s/iommu_group", d->bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	d->iommu_group = atoi(strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	path_in(path, sizeof(path), sysroot, "/sys/kernel/iommu_groups/%d/devices", d->iommu_group);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && d->ngroup < 16)
		if (de->d_name[0] != '.')
			snprintf(d->group[d->ngroup++], sizeof(d->group[0]), "%.15s", de->d_name);
	closedir(dir);
	return 0;
}
