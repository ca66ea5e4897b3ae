// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A QMP client (QEMU Machine Protocol) on a unix socket: the lab runner
 * uses it to see GUEST_PANICKED and SHUTDOWN, the recorder to ask for
 * query-pci and to stop at the guest's panic.
 */
#ifndef PT_QMP_H
#define PT_QMP_H

#include "pt-json.h"

struct pt_qmp {
	int fd;
	char *buf;			/* bytes received, not yet parsed */
	size_t len, cap;
	struct pt_json *pending;	/* events that arrived during execute */
	struct pt_json **pending_tail;
	unsigned npending;
	unsigned long dropped;		/* events past the pending bound */
	long long window_start;		/* the flood bound's one-second window */
	unsigned window_count;
	int broken;			/* the peer broke a bound or closed: reconnect or give up */
};

/* Connects and negotiates capabilities; TIMEOUT_MS bounds the handshake. */
int pt_qmp_connect(struct pt_qmp *q, const char *path, int timeout_ms, struct pt_err *err);
void pt_qmp_close(struct pt_qmp *q);

/*
 * Waits up to TIMEOUT_MS (-1: forever) for the next message.  Returns 1
 * with *MSG to be freed with pt_json_free, 0 on timeout, -1 on error or
 * when QEMU closed the socket.
 */
int pt_qmp_read(struct pt_qmp *q, struct pt_json **msg, int timeout_ms, struct pt_err *err);

/*
 * Runs COMMAND (a QMP command name, ARGS a JSON object text or NULL) and
 * waits for its reply.  Events that arrive meanwhile are kept for
 * pt_qmp_read.  Returns 0 with *RET (may be NULL if the caller does not
 * want it) holding the "return" member's tree, -1 on error or an "error"
 * reply.
 */
int pt_qmp_execute(struct pt_qmp *q, const char *command, const char *args,
		   struct pt_json **ret, int timeout_ms, struct pt_err *err);

#endif
