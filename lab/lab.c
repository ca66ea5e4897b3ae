// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "pt-lab.h"
#include "pt-qmp.h"

#ifndef PT_LABDIR
#define PT_LABDIR "/usr/local/share/pttrace/lab"
#endif
#define LAB_GUEST_NAME "pttrace-lab.elf"
#define LAB_TOOLS_QMP "tools.sock"

/*
 * Devices sit at fixed slots so that guest BDFs are the same in every
 * recording.  ROM BARs are off: a passed-through device's option ROM is
 * rarely what one debugs, and SeaBIOS boots faster without them.
 */
#define DEV_EDU		"edu,addr=03.0"
#define DEV_E1000E	"e1000e,addr=04.0,romfile="
#define DEV_RADEON	"ati-vga,model=rv100,addr=05.0,romfile="

static const struct pt_lab_scenario scenarios[] = {
	{ .name = "d3-access", .device = "e1000e",
	  .summary = "puts the NIC in D3hot through PMCSR, then its watchdog keeps touching BAR0",
	  .qemu_devices = { DEV_E1000E }, .expect = PT_LAB_PANIC },
	{ .name = "hang-reset", .device = "radeon",
	  .summary = "ring stalls (CP read pointer never moves), soft reset, still stalled: TDR",
	  .qemu_devices = { DEV_RADEON }, .expect = PT_LAB_PANIC },
	{ .name = "bugcheck", .device = "radeon",
	  .summary = "ring stalls (CP read pointer never moves): TDR, VIDEO_TDR_FAILURE through "
		     "the Hyper-V crash MSRs, then pvpanic",
	  .qemu_devices = { DEV_RADEON }, .expect = PT_LAB_PANIC, .hv_crash = 1 },
	{ .name = "irq-storm", .device = "edu",
	  .summary = "level INTx whose DMA-complete bit the ISR never acknowledges",
	  .qemu_devices = { DEV_EDU }, .expect = PT_LAB_PANIC },
	{ .name = "lost-msi", .device = "edu",
	  .summary = "MSI reprogrammed with a wrong address; waits for an interrupt that never comes",
	  .qemu_devices = { DEV_EDU }, .expect = PT_LAB_PANIC },
	{ .name = "stray-mmio", .device = "edu",
	  .summary = "keeps a stale BAR0 address after the BAR moves, dereferences what it reads",
	  .qemu_devices = { DEV_EDU }, .expect = PT_LAB_TRIPLE_FAULT },
	{ .name = "busmaster-off", .device = "edu",
	  .summary = "a recovery path clears bus mastering; waits for an MSI the device cannot send",
	  .qemu_devices = { DEV_EDU }, .expect = PT_LAB_PANIC },
	{ .name = "intx-disabled", .device = "edu",
	  .summary = "INTx disabled with MSI never enabled; waits for an interrupt that cannot come",
	  .qemu_devices = { DEV_EDU }, .expect = PT_LAB_PANIC },
	{ .name = "healthy", .device = "edu, e1000e, radeon",
	  .summary = "the same driver paths done right: no crash",
	  .qemu_devices = { DEV_EDU, DEV_E1000E, DEV_RADEON }, .expect = PT_LAB_NO_CRASH },
	{ .name = "mmio-loop", .device = "edu",
	  .summary = "no bug: MMIO as fast as it goes, counted each second (for benchmarks)",
	  .qemu_devices = { DEV_EDU }, .expect = PT_LAB_NO_CRASH, .benchmark = 1 },
};

const struct pt_lab_scenario *pt_lab_scenarios(size_t *count)
{
	*count = sizeof(scenarios) / sizeof(scenarios[0]);
	return scenarios;
}

const struct pt_lab_scenario *pt_lab_find(const char *name)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

const char *pt_lab_crash_name(enum pt_lab_crash crash)
{
	switch (crash) {
	case PT_LAB_PANIC:
		return "guest panic (pvpanic)";
	case PT_LAB_TRIPLE_FAULT:
		return "triple fault";
	case PT_LAB_NO_CRASH:
		break;
	}
	return "no crash";
}

#define HV_MSR_CRASH_CTL 0x40000105

int pt_lab_hv_crash_probe(char *why, size_t size)
{
	struct kvm_msr_list *list = NULL;
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), found = 0;
	unsigned max = 4096;

	if (fd < 0) {
		snprintf(why, size, "cannot open '/dev/kvm': %s", strerror(errno));
		return 0;
	}
	/* what QEMU checks before it offers any hv-* flag */
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_HYPERV) <= 0) {
		snprintf(why, size, "this host's KVM has no Hyper-V support (KVM_CAP_HYPERV; "
			 "a kernel built without CONFIG_KVM_HYPERV)");
		goto out;
	}
	list = calloc(1, sizeof(*list) + max * sizeof(list->indices[0]));
	if (!list) {
		snprintf(why, size, "out of memory");
		goto out;
	}
	list->nmsrs = max;
	if (ioctl(fd, KVM_GET_MSR_INDEX_LIST, list) < 0) {
		snprintf(why, size, "cannot list KVM's MSRs: %s", strerror(errno));
		goto out;
	}
	for (unsigned i = 0; i < list->nmsrs && i < max; i++)
		found |= list->indices[i] == HV_MSR_CRASH_CTL;
	if (!found)
		snprintf(why, size, "this host's KVM does not emulate the Hyper-V crash MSRs");
out:
	free(list);
	close(fd);
	return found;
}

/*
 * $PTTRACE_LAB_GUEST, else the guest next to the binary: build/guest in a
 * source tree, ../share/pttrace/lab from bin/ once installed (under any
 * PREFIX or DESTDIR), else the directory configured at build time.
 */
const char *pt_lab_guest_path(void)
{
	static const char *const relative[] = {
		"build/guest/" LAB_GUEST_NAME, "../share/pttrace/lab/" LAB_GUEST_NAME,
	};
	static char path[PATH_MAX];
	const char *env = getenv("PTTRACE_LAB_GUEST");

	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++)
		if (pt_exe_relative(relative[i], path))
			return path;
	snprintf(path, sizeof(path), "%s/%s", PT_LABDIR, LAB_GUEST_NAME);
	return path;
}

static const char *default_qemu(void)
{
	const char *env = getenv("PTTRACE_QEMU");

	return env && *env ? env : "qemu-system-x86_64";
}

void pt_lab_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

char **pt_lab_argv(const struct pt_lab_scenario *scenario, const struct pt_lab_opts *opts,
		   const char *qmp_path, struct pt_err *err)
{
	const char *fixed[] = {
		"-enable-kvm", "-machine", "q35", "-m", "64", "-nodefaults",
		"-display", "none", "-no-reboot", "-device", "pvpanic",
	};
	char **argv = calloc(64, sizeof(*argv));
	size_t n = 0;
	int ok = 1;

#define ADD(s) do { if (ok && !(argv[n++] = strdup(s))) ok = 0; } while (0)
	if (!argv) {
		pt_err_set(err, "out of memory");
		return NULL;
	}
	ADD(opts->qemu ? opts->qemu : default_qemu());
	ADD("-name");
	ADD(opts->name ? opts->name : "pttrace-lab");
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		ADD(fixed[i]);
	if (scenario->hv_crash && opts->hv_crash != PT_LAB_HV_OFF) {
		char why[160];

		if (opts->hv_crash == PT_LAB_HV_ON || pt_lab_hv_crash_probe(why, sizeof(why))) {
			ADD("-cpu");
			ADD("qemu64,hv-crash");
		}
	}
	for (size_t i = 0; scenario->qemu_devices[i] && i < 4; i++) {
		ADD("-device");
		ADD(scenario->qemu_devices[i]);
	}
	if (qmp_path) {
		const char *slash = strrchr(qmp_path, '/');
		int dir = slash ? (int)(slash - qmp_path) : 0;
		char *q;

		ADD("-qmp");
		if (ok && asprintf(&q, "unix:%s,server=on,wait=off", qmp_path) >= 0)
			argv[n++] = q;
		else
			ok = 0;
		/*
		 * A QMP socket serves one client at a time and the runner keeps
		 * its own: a second one is left for tools such as pttrace record.
		 */
		ADD("-qmp");
		if (ok && asprintf(&q, "unix:%.*s%s" LAB_TOOLS_QMP ",server=on,wait=off", dir,
				   qmp_path, slash ? "/" : "") >= 0)
			argv[n++] = q;
		else
			ok = 0;
	}
	if (opts->paused)
		ADD("-S");
	ADD("-serial");
	ADD("stdio");
	ADD("-kernel");
	ADD(opts->guest ? opts->guest : pt_lab_guest_path());
	ADD("-append");
	if (ok) {
		char *a;

		if (asprintf(&a, "scenario=%s", scenario->name) >= 0)
			argv[n++] = a;
		else
			ok = 0;
	}
#undef ADD
	if (!ok) {
		pt_lab_argv_free(argv);
		pt_err_set(err, "out of memory");
		return NULL;
	}
	return argv;
}

/* ---- running ---------------------------------------------------------- */

struct lab_run {
	const struct pt_lab_opts *opts;
	char dir[64];
	char qmp_path[96];
	char log_path[96];
	pid_t pid;
	int serial_fd;
	char line[512];
	size_t line_len;
	struct pt_qmp qmp;
	int qmp_up;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void serial_flush_line(struct lab_run *run)
{
	run->line[run->line_len] = 0;
	if (run->opts->on_serial)
		run->opts->on_serial(run->opts->ctx, run->line);
	run->line_len = 0;
}

/* Reads what the guest wrote; returns 0 at EOF. */
static int serial_read(struct lab_run *run)
{
	char buf[4096];
	ssize_t n = read(run->serial_fd, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\r')
			continue;
		if (buf[i] == '\n' || run->line_len == sizeof(run->line) - 1)
			serial_flush_line(run);
		if (buf[i] != '\n')
			run->line[run->line_len++] = buf[i];
	}
	return 1;
}

/* The last line QEMU wrote to stderr: why it would not start. */
static void qemu_last_words(struct lab_run *run, char *out, size_t size)
{
	char buf[4096];
	ssize_t n;
	int fd = open(run->log_path, O_RDONLY | O_CLOEXEC);
	char *p;

	snprintf(out, size, "no message");
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	p = strrchr(buf, '\n');
	snprintf(out, size, "%.*s", (int)size - 1, p ? p + 1 : buf);
}

static int spawn(struct lab_run *run, char **argv, struct pt_err *err)
{
	int out[2], status_pipe[2], log_fd, null_fd, child_errno = 0;
	pid_t parent = getpid();
	ssize_t n;

	log_fd = open(run->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (log_fd < 0)
		return pt_err_errno(err, errno, "cannot create '%s'", run->log_path);
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || pipe2(out, O_CLOEXEC) || pipe2(status_pipe, O_CLOEXEC)) {
		pt_err_errno(err, errno, "cannot set up QEMU's standard streams");
		close(log_fd);
		return -1;
	}
	run->pid = fork();
	if (run->pid < 0) {
		pt_err_errno(err, errno, "cannot fork");
		close(log_fd);
		close(null_fd);
		return -1;
	}
	if (run->pid == 0) {
		/* QEMU must not outlive the runner, whatever kills the runner */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		setpgid(0, 0);	/* the terminal's ^C is the runner's to handle */
		dup2(null_fd, 0);
		dup2(out[1], 1);
		dup2(log_fd, 2);
		execvp(argv[0], argv);
		child_errno = errno;
		if (write(status_pipe[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(log_fd);
	close(null_fd);
	close(out[1]);
	close(status_pipe[1]);
	run->serial_fd = out[0];
	n = read(status_pipe[0], &child_errno, sizeof(child_errno));
	close(status_pipe[0]);
	if (n == sizeof(child_errno)) {
		waitpid(run->pid, NULL, 0);
		run->pid = 0;
		pt_err_errno(err, child_errno, "cannot run '%s'", argv[0]);
		if (child_errno == ENOENT) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, " (install qemu-system-x86)");
		}
		return -1;
	}
	return 0;
}

/* Connects to QMP once QEMU has made its socket; fails if QEMU died first. */
static int connect_qmp(struct lab_run *run, struct pt_err *err)
{
	double give_up = now_s() + 15;
	int status;

	for (;;) {
		struct pt_err qerr;

		if (waitpid(run->pid, &status, WNOHANG) == run->pid) {
			char why[256];

			run->pid = 0;
			qemu_last_words(run, why, sizeof(why));
			return pt_err_set(err, "QEMU exited before the VM started: %s", why);
		}
		if (!access(run->qmp_path, F_OK) &&
		    !pt_qmp_connect(&run->qmp, run->qmp_path, 5000, &qerr)) {
			run->qmp_up = 1;
			return 0;
		}
		if (now_s() > give_up)
			return pt_err_set(err, "QEMU did not open its QMP socket '%s' in 15 s",
					  run->qmp_path);
		usleep(20000);
	}
}

/* Ends QEMU: politely over QMP, then by pid. */
static void stop_qemu(struct lab_run *run, int *status)
{
	double give_up = now_s() + 3;

	if (!run->pid)
		return;
	if (run->qmp_up) {
		struct pt_err ignored;

		pt_qmp_execute(&run->qmp, "quit", NULL, NULL, 1000, &ignored);
	}
	while (now_s() < give_up) {
		if (waitpid(run->pid, status, WNOHANG) == run->pid) {
			run->pid = 0;
			return;
		}
		usleep(10000);
	}
	kill(run->pid, SIGKILL);
	waitpid(run->pid, status, 0);
	run->pid = 0;
}

static int wait_resume(struct lab_run *run, struct pt_lab_result *result, struct pt_err *err)
{
	const struct pt_lab_opts *o = run->opts;

	while (!*o->resume) {
		if (o->stop && *o->stop) {
			result->outcome = PT_LAB_STOPPED;
			return 1;
		}
		if (waitpid(run->pid, &result->qemu_status, WNOHANG) == run->pid) {
			run->pid = 0;
			result->outcome = PT_LAB_EXITED;
			return 1;
		}
		usleep(20000);
	}
	return pt_qmp_execute(&run->qmp, "cont", NULL, NULL, 5000, err);
}

/* A QMP event that ends the run: 1 when it is one, with RESULT filled. */
static int crash_event(const struct pt_json *msg, struct pt_lab_result *result)
{
	const char *event = pt_json_get_str(msg, "event");
	const char *reason = pt_json_get_str(pt_json_get(msg, "data"), "reason");

	if (!event)
		return 0;
	if (!strcmp(event, "GUEST_PANICKED")) {
		const struct pt_json *data = pt_json_get(msg, "data");
		const char *action = pt_json_get_str(data, "action");
		const struct pt_json *info = pt_json_get(data, "info");
		const struct pt_json *code = pt_json_get(info, "arg1");
		const char *type = pt_json_get_str(info, "type");

		result->outcome = PT_LAB_CRASHED;
		result->crash = PT_LAB_PANIC;
		/* hv-crash's panic carries the bugcheck code and parameters */
		if (type && !strcmp(type, "hyper-v") && code && code->type == PT_JSON_NUMBER)
			snprintf(result->detail, sizeof(result->detail),
				 "GUEST_PANICKED, action %s, hyper-v bugcheck 0x%llx",
				 action ? action : "unknown", (unsigned long long)code->num);
		else
			snprintf(result->detail, sizeof(result->detail), "GUEST_PANICKED, action %s",
				 action ? action : "unknown");
		return 1;
	}
	if (!strcmp(event, "SHUTDOWN")) {
		snprintf(result->detail, sizeof(result->detail), "SHUTDOWN, reason %s",
			 reason ? reason : "unknown");
		if (reason && !strcmp(reason, "guest-reset")) {
			/* with -no-reboot, the reset a triple fault asks for */
			result->outcome = PT_LAB_CRASHED;
			result->crash = PT_LAB_TRIPLE_FAULT;
		} else {
			result->outcome = PT_LAB_EXITED;
		}
		return 1;
	}
	return 0;
}

static int watch(struct lab_run *run, struct pt_lab_result *result, double start,
		 struct pt_err *err)
{
	const struct pt_lab_opts *o = run->opts;
	double end = o->seconds ? start + o->seconds : 0;

	for (;;) {
		struct pollfd pfd[2] = {
			{ run->qmp.fd, POLLIN, 0 },
			{ run->serial_fd, POLLIN, 0 },
		};
		struct pt_json *msg;
		int r;

		if (o->stop && *o->stop) {
			result->outcome = PT_LAB_STOPPED;
			return 0;
		}
		if (end && now_s() >= end) {
			result->outcome = PT_LAB_RAN_OUT;
			return 0;
		}
		r = pt_qmp_read(&run->qmp, &msg, 0, err);
		if (r > 0) {
			int done = crash_event(msg, result);

			pt_json_free(msg);
			if (done)
				return 0;
			continue;
		}
		if (r < 0) {
			/* QEMU went away without telling: look at how it ended */
			run->qmp_up = 0;
			result->outcome = PT_LAB_EXITED;
			snprintf(result->detail, sizeof(result->detail), "QEMU closed QMP");
			return 0;
		}
		r = poll(pfd, run->serial_fd >= 0 ? 2 : 1, 100);
		if (r < 0 && errno != EINTR)
			return pt_err_errno(err, errno, "cannot poll");
		if (r > 0 && pfd[1].revents && !serial_read(run)) {
			close(run->serial_fd);
			run->serial_fd = -1;
		}
	}
}

/* The guest's last lines may still be in the pipe when the event comes. */
static void drain_serial(struct lab_run *run)
{
	double end = now_s() + 0.3;

	while (run->serial_fd >= 0 && now_s() < end) {
		struct pollfd pfd = { run->serial_fd, POLLIN, 0 };

		if (poll(&pfd, 1, 50) <= 0)
			break;
		if (!serial_read(run))
			break;
	}
	if (run->line_len)
		serial_flush_line(run);
}

int pt_lab_run(const struct pt_lab_scenario *scenario, const struct pt_lab_opts *opts,
	       struct pt_lab_result *result, struct pt_err *err)
{
	struct lab_run run = { .opts = opts, .serial_fd = -1 };
	const char *guest = opts->guest ? opts->guest : pt_lab_guest_path();
	char **argv = NULL;
	double start;
	int rc = -1;

	memset(result, 0, sizeof(*result));
	run.qmp.fd = -1;
	if (access(guest, R_OK))
		return pt_err_errno(err, errno, "cannot read the lab guest '%s'", guest);
	if (opts->paused && !opts->resume)
		return pt_err_set(err, "a paused lab VM needs a resume flag");
	strcpy(run.dir, "/tmp/pttrace-lab.XXXXXX");
	if (!mkdtemp(run.dir))
		return pt_err_errno(err, errno, "cannot create a directory in /tmp");
	snprintf(run.qmp_path, sizeof(run.qmp_path), "%s/qmp.sock", run.dir);
	snprintf(run.log_path, sizeof(run.log_path), "%s/qemu.log", run.dir);
	argv = pt_lab_argv(scenario, opts, run.qmp_path, err);
	if (!argv || spawn(&run, argv, err) || connect_qmp(&run, err))
		goto out;
	if (opts->on_start)
		opts->on_start(opts->ctx, run.pid, run.qmp_path);
	if (opts->paused) {
		int r = wait_resume(&run, result, err);

		if (r < 0)
			goto out;
		if (r > 0) {
			rc = 0;
			goto out;
		}
	}
	start = now_s();
	if (watch(&run, result, start, err))
		goto out;
	result->seconds = now_s() - start;
	drain_serial(&run);
	rc = 0;
out:
	stop_qemu(&run, &result->qemu_status);
	if (run.qmp_up)
		pt_qmp_close(&run.qmp);
	if (run.serial_fd >= 0)
		close(run.serial_fd);
	unlink(run.qmp_path);
	snprintf(run.qmp_path, sizeof(run.qmp_path), "%s/" LAB_TOOLS_QMP, run.dir);
	unlink(run.qmp_path);
	unlink(run.log_path);
	rmdir(run.dir);
	pt_lab_argv_free(argv);
	return rc;
}
