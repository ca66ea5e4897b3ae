// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pt-qmp.h"

/*
 * Bounds on what a peer may send: no QEMU reply is near them (query-pci of
 * a VM with 256 devices is about 0.5 MB), and a peer past them is not QEMU,
 * or is a QEMU gone wrong: either way it is dropped, not trusted with memory
 * and time.
 */
#define QMP_MAX_MESSAGE (16u << 20)	/* bytes in one message */
#define QMP_MAX_VALUES (1u << 18)	/* JSON values in one message */
#define QMP_MAX_RATE 5000		/* messages in one second */
#define QMP_MAX_PENDING 1024		/* events kept while a command waits */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int remaining_ms(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - now_ms();
	return left < 0 ? 0 : (int)left;
}

/* A peer that broke the protocol or a bound: the connection is of no more use. */
static int broken(struct pt_qmp *q, struct pt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int broken(struct pt_qmp *q, struct pt_err *err, const char *fmt, ...)
{
	va_list ap;

	q->broken = 1;
	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* An upper bound of the values in a JSON text: each one but the first follows , [ { or : */
static size_t values_in(const char *s, size_t n)
{
	size_t count = 1;

	for (size_t i = 0; i < n; i++)
		count += s[i] == ',' || s[i] == '[' || s[i] == '{' || s[i] == ':';
	return count;
}

/* Pops one complete line from the buffer and parses it: 1, 0 or -1. */
static int next_buffered(struct pt_qmp *q, struct pt_json **msg, struct pt_err *err)
{
	struct pt_err perr;
	long long now;
	char *nl;
	size_t n;

	for (;;) {
		nl = memchr(q->buf, '\n', q->len);
		if (!nl)
			return 0;
		n = nl - q->buf + 1;
		/* blank lines carry nothing */
		if (strspn(q->buf, " \t\r\n") < n - 1)
			break;
		memmove(q->buf, q->buf + n, q->len - n);
		q->len -= n;
	}
	now = now_ms();
	if (now - q->window_start >= 1000) {
		q->window_start = now;
		q->window_count = 0;
	}
	if (++q->window_count > QMP_MAX_RATE)
		return broken(q, err, "the QMP peer sent more than %d messages in a second: "
			      "disconnected", QMP_MAX_RATE);
	if (values_in(q->buf, n) > QMP_MAX_VALUES)
		return broken(q, err, "the QMP peer sent a message of more than %u values: "
			      "disconnected", QMP_MAX_VALUES);
	*msg = pt_json_parse(q->buf, n, &perr);
	memmove(q->buf, q->buf + n, q->len - n);
	q->len -= n;
	if (!*msg)
		return broken(q, err, "the QMP peer sent what is not JSON (%s): disconnected",
			      perr.msg);
	return 1;
}

static int fill(struct pt_qmp *q, struct pt_err *err)
{
	ssize_t r;

	if (q->cap - q->len < 4096) {
		size_t cap = q->cap ? q->cap * 2 : 16384;
		char *b;

		if (cap > QMP_MAX_MESSAGE)
			return broken(q, err, "the QMP peer sent a message larger than %u bytes: "
				      "disconnected", QMP_MAX_MESSAGE);
		b = realloc(q->buf, cap);
		if (!b)
			return pt_err_set(err, "out of memory");
		q->buf = b;
		q->cap = cap;
	}
	do
		r = read(q->fd, q->buf + q->len, q->cap - q->len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return pt_err_errno(err, errno, "cannot read from QMP socket");
	if (r == 0)
		return broken(q, err, "QEMU closed the QMP connection");
	q->len += r;
	return 0;
}

/* Reads the next message from the socket, ignoring the pending queue. */
static int read_wire(struct pt_qmp *q, struct pt_json **msg, long long deadline,
		     struct pt_err *err)
{
	for (;;) {
		struct pollfd pfd = { q->fd, POLLIN, 0 };
		int r = next_buffered(q, msg, err);

		if (r)
			return r;
		r = poll(&pfd, 1, remaining_ms(deadline));
		if (r < 0 && errno == EINTR)
			return 0;	/* let the caller look at its signals */
		if (r < 0)
			return pt_err_errno(err, errno, "cannot poll QMP socket");
		if (r == 0)
			return 0;
		if (fill(q, err))
			return -1;
	}
}

int pt_qmp_read(struct pt_qmp *q, struct pt_json **msg, int timeout_ms, struct pt_err *err)
{
	if (q->pending) {
		*msg = q->pending;
		q->pending = q->pending->next;
		q->npending--;
		if (!q->pending)
			q->pending_tail = &q->pending;
		(*msg)->next = NULL;
		return 1;
	}
	return read_wire(q, msg, timeout_ms < 0 ? -1 : now_ms() + timeout_ms, err);
}

static int send_all(struct pt_qmp *q, const char *s, size_t n, struct pt_err *err)
{
	while (n) {
		ssize_t w = send(q->fd, s, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return pt_err_errno(err, errno, "cannot write to QMP socket");
		s += w;
		n -= w;
	}
	return 0;
}

int pt_qmp_execute(struct pt_qmp *q, const char *command, const char *args,
		   struct pt_json **ret, int timeout_ms, struct pt_err *err)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	char *line;
	int n, rc;

	if (ret)
		*ret = NULL;
	n = asprintf(&line, "{\"execute\": \"%s\"%s%s}\n", command,
		     args ? ", \"arguments\": " : "", args ? args : "");
	if (n < 0)
		return pt_err_set(err, "out of memory");
	rc = send_all(q, line, n, err);
	free(line);
	if (rc)
		return -1;
	for (;;) {
		struct pt_json *msg = NULL;
		const struct pt_json *r;

		rc = read_wire(q, &msg, deadline, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (deadline >= 0 && remaining_ms(deadline) == 0)
				return pt_err_set(err, "QMP command '%s' got no reply in %d ms",
						  command, timeout_ms);
			continue;
		}
		if (pt_json_get(msg, "event")) {
			const char *name = pt_json_get_str(msg, "event");

			/* a crash is never the one dropped */
			if (q->npending >= QMP_MAX_PENDING && !(name && !strcmp(name, "GUEST_PANICKED"))) {
				q->dropped++;
				pt_json_free(msg);
				continue;
			}
			*q->pending_tail = msg;
			q->pending_tail = &msg->next;
			q->npending++;
			continue;
		}
		r = pt_json_get(msg, "return");
		if (r) {
			if (ret) {
				/* detach the reply's value from the message */
				struct pt_json **pp = &msg->child;

				while (*pp != r)
					pp = &(*pp)->next;
				*pp = r->next;
				((struct pt_json *)r)->next = NULL;
				*ret = (struct pt_json *)r;
			}
			pt_json_free(msg);
			return 0;
		}
		if (pt_json_get(msg, "error")) {
			const char *desc = pt_json_get_str(pt_json_get(msg, "error"), "desc");

			pt_err_set(err, "QMP command '%s' failed: %s", command,
				   desc ? desc : "no description");
			pt_json_free(msg);
			return -1;
		}
		pt_json_free(msg);	/* neither: not ours */
	}
}

int pt_qmp_connect(struct pt_qmp *q, const char *path, int timeout_ms, struct pt_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pt_json *greeting = NULL;
	int rc;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->pending_tail = &q->pending;
	if (strlen(path) >= sizeof(sa.sun_path))
		return pt_err_set(err, "QMP socket path too long: '%s'", path);
	strcpy(sa.sun_path, path);
	/*
	 * Non-blocking: QEMU accepts one QMP client at a time, and once the
	 * listen backlog of a busy socket is full a blocking connect() would
	 * wait for ever.
	 */
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (q->fd < 0)
		return pt_err_errno(err, errno, "cannot create a socket");
	if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (errno == EAGAIN)
			pt_err_set(err, "QMP socket '%s' is busy with another client", path);
		else
			pt_err_errno(err, errno, "cannot connect to QMP socket '%s'", path);
		goto fail;
	}
	fcntl(q->fd, F_SETFL, fcntl(q->fd, F_GETFL) & ~O_NONBLOCK);
	rc = read_wire(q, &greeting, now_ms() + timeout_ms, err);
	if (rc <= 0) {
		if (rc == 0)
			pt_err_set(err, "no QMP greeting on '%s' in %d ms", path, timeout_ms);
		goto fail;
	}
	rc = pt_json_get(greeting, "QMP") != NULL;
	pt_json_free(greeting);
	if (!rc) {
		pt_err_set(err, "'%s' does not speak QMP", path);
		goto fail;
	}
	if (pt_qmp_execute(q, "qmp_capabilities", NULL, NULL, timeout_ms, err))
		goto fail;
	return 0;
fail:
	pt_qmp_close(q);
	return -1;
}

void pt_qmp_close(struct pt_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
	pt_json_free(q->pending);
	q->pending = NULL;
	q->pending_tail = &q->pending;
	q->npending = 0;
}
