/*
 * The watchdog: a child that outlives the recorder only to finish what it
 * began.  The recorder tells it "done" on every way out it lives to take;
 * when the socket closes without that word (kill -9, the OOM killer, a
 * crash), it stops the instances, drains them and writes the file from the
 * scratch, as `record --recover` would (docs/record-safety.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "record-int.h"

/*
 * In the child: waits on FD.  The one place under collector/ that prints
 * and exits: nobody is left to return to.
 */
static void watch(struct rec *r, int fd)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2 };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	char c, written[PATH_MAX];
	struct pt_scratch s = r->sc;
	struct pt_err err;
	ssize_t n;
	int rc, adj;

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		sigaction(ignored[i], &ign, NULL);
	prctl(PR_SET_NAME, "pttrace-watch");
	/*
	 * The OOM killer takes the recorder, never the one that disarms after
	 * it.  Without CAP_SYS_RESOURCE (some containers) the score cannot be
	 * lowered; the recorder then starts another watchdog if this one dies.
	 */
	adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (adj >= 0) {
		if (write(adj, "-1000", 5) != 5)
			(void)0;
		close(adj);
	}
	/* nothing of the recorder's but the scratch: QEMU and a pipe reading stdout see their end */
	if (r->qmp_up)
		close(r->qmp.fd);
	dup2(open("/dev/null", O_WRONLY | O_CLOEXEC), 1);
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1 || pt_scratch_reload(&s) || s.phase == PT_PHASE_KEPT)
		_exit(0);	/* finished, or the recorder said itself what it kept */
	fprintf(stderr, "pttrace: the recorder (pid %d) ended without writing '%s': its watchdog "
		"(pid %d) stops the recording and writes it\n", (int)s.pid, s.output, (int)getpid());
	rc = pt_capture_takeover(&s, NULL, written, sizeof(written), &err);
	if (rc < 0)
		fprintf(stderr, "pttrace: %s\n", err.msg);
	else if (rc > 0)
		fprintf(stderr, "pttrace: %s; wrote '%s' instead\n", err.msg, written);
	else
		fprintf(stderr, "pttrace: wrote '%s'\n", written);
	_exit(rc < 0 ? 2 : 0);	/* as pttrace record's exit status */
}

int pt_watchdog_start(struct rec *r, struct pt_err *err)
{
	int p[2];

	/* a socket, not a pipe: the recorder's word to a dead watchdog is no SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p))
		return pt_err_errno(err, errno, "cannot start the watchdog");
	fflush(NULL);
	r->watchdog = fork();
	if (r->watchdog < 0) {
		close(p[0]);
		close(p[1]);
		return pt_err_errno(err, errno, "cannot start the watchdog");
	}
	if (!r->watchdog) {
		close(p[1]);
		watch(r, p[0]);
	}
	close(p[0]);
	r->watch_fd = p[1];
	r->sc.watchdog = r->watchdog;
	return pt_scratch_save(&r->sc, err);
}

void pt_watchdog_stop(struct rec *r)
{
	if (r->watchdog <= 0)
		return;
	if (send(r->watch_fd, "d", 1, MSG_NOSIGNAL) != 1)
		kill(r->watchdog, SIGKILL);
	close(r->watch_fd);
	waitpid(r->watchdog, NULL, 0);
	r->watchdog = 0;
}

/* A watchdog that died (its own OOM kill) is replaced: the recorder is never unwatched for long. */
void pt_watchdog_keep(struct rec *r)
{
	struct pt_err werr;
	int status;

	if (r->watchdog <= 0 || waitpid(r->watchdog, &status, WNOHANG) != r->watchdog)
		return;
	pt_rec_note(r, "the watchdog (pid %d) died (%s %d): starting another", (int)r->watchdog,
		    WIFSIGNALED(status) ? "signal" : "exit status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	close(r->watch_fd);
	r->watchdog = 0;
	if (pt_watchdog_start(r, &werr))
		pt_rec_note(r, "%s: if this recorder is killed, its instances stay armed until the next "
			    "pttrace run", werr.msg);
}
