// SPDX-License-Identifier: GPL-2.0-or-later
/* The QMP client against a scripted server on a unix socket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "pt-qmp.h"

struct server {
	char dir[64], path[96];
	int listen_fd;
	pthread_t thread;
	int got_caps, got_query;
	void *(*script)(void *);
};

static void say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		abort();
}

/* Reads one line of the client's; returns 0 at EOF. */
static int hear(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n < size - 1 && read(fd, buf + n, 1) == 1)
		if (buf[n++] == '\n')
			break;
	buf[n] = 0;
	return n > 0;
}

static void *serve(void *p)
{
	struct server *s = p;
	char line[512];
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd < 0)
		return NULL;
	say(fd, "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7}}, \"capabilities\": []}}\r\n");
	if (hear(fd, line, sizeof(line)) && strstr(line, "\"qmp_capabilities\""))
		s->got_caps = 1;
	say(fd, "{\"return\": {}}\r\n");
	if (hear(fd, line, sizeof(line)) && strstr(line, "\"query-pci\""))
		s->got_query = 1;
	/* an event arrives before the reply, split across writes */
	say(fd, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"GUEST_");
	usleep(20000);
	say(fd, "PANICKED\", \"data\": {\"action\": \"pause\"}}\r\n\r\n");
	say(fd, "{\"return\": [{\"bus\": 0, \"devices\": [{\"slot\": 3}]}]}\r\n");
	if (hear(fd, line, sizeof(line)))
		say(fd, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command frob has not been found\"}}\r\n");
	close(fd);
	return NULL;
}

static int setup_with(void **state, void *(*script)(void *))
{
	struct server *s = calloc(1, sizeof(*s));

	s->script = script;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(s->dir, "/tmp/pttrace-qmp-test.XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->path, sizeof(s->path), "%s/qmp.sock", s->dir);
	strcpy(sa.sun_path, s->path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(s->listen_fd, 1))
		return -1;
	pthread_create(&s->thread, NULL, s->script ? s->script : serve, s);
	*state = s;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, NULL);
}

static int teardown(void **state)
{
	struct server *s = *state;

	shutdown(s->listen_fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	unlink(s->path);
	rmdir(s->dir);
	free(s);
	return 0;
}

static void test_conversation(void **state)
{
	struct server *s = *state;
	struct pt_qmp q;
	struct pt_json *ret, *msg;
	struct pt_err err;

	assert_int_equal(pt_qmp_connect(&q, s->path, 2000, &err), 0);
	assert_true(s->got_caps);

	assert_int_equal(pt_qmp_execute(&q, "query-pci", NULL, &ret, 2000, &err), 0);
	assert_true(s->got_query);
	assert_int_equal(ret->type, PT_JSON_ARRAY);
	assert_true(pt_json_get(ret->child, "bus")->num == 0);
	pt_json_free(ret);

	/* the event that came first is kept for the reader */
	assert_int_equal(pt_qmp_read(&q, &msg, 0, &err), 1);
	assert_string_equal(pt_json_get_str(msg, "event"), "GUEST_PANICKED");
	assert_string_equal(pt_json_get_str(pt_json_get(msg, "data"), "action"), "pause");
	pt_json_free(msg);

	assert_int_equal(pt_qmp_execute(&q, "frob", "{\"x\": 1}", NULL, 2000, &err), -1);
	assert_string_equal(err.msg, "QMP command 'frob' failed: The command frob has not been found");

	/* the server hung up */
	assert_int_equal(pt_qmp_read(&q, &msg, 2000, &err), -1);
	assert_string_equal(err.msg, "QEMU closed the QMP connection");
	pt_qmp_close(&q);
}

static void test_no_socket(void **state)
{
	struct pt_qmp q;
	struct pt_err err;

	(void)state;
	assert_int_equal(pt_qmp_connect(&q, "/nonexistent/qmp.sock", 100, &err), -1);
	assert_string_equal(err.msg, "cannot connect to QMP socket '/nonexistent/qmp.sock': "
			    "No such file or directory");
}


/*
 * Hostile peers: each is bounded in memory and time, and leaves the
 * connection marked broken with a message that says why.
 */
static void greet(int fd)
{
	char line[512];

	say(fd, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n");
	if (hear(fd, line, sizeof(line)))
		say(fd, "{\"return\": {}}\n");
}

/* writes until the client hangs up (EPIPE ends it) */
static void say_until_gone(int fd, const char *s)
{
	size_t n = strlen(s);

	while (send(fd, s, n, MSG_NOSIGNAL) == (ssize_t)n)
		;
}

static void *silent(void *p)
{
	struct server *s = p;
	char c;
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd >= 0) {
		/* says nothing; waits for the client to give up */
		while (read(fd, &c, 1) > 0)
			;
		close(fd);
	}
	return NULL;
}

static void *flood(void *p)
{
	struct server *s = p;
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd >= 0) {
		greet(fd);
		say_until_gone(fd, "{\"event\": \"RTC_CHANGE\", \"data\": {\"offset\": 1}}\n");
		close(fd);
	}
	return NULL;
}

static void *huge(void *p)
{
	struct server *s = p;
	char line[512], chunk[65536];
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd >= 0) {
		greet(fd);
		hear(fd, line, sizeof(line));
		memset(chunk, 'x', sizeof(chunk));
		say(fd, "{\"return\": \"");
		/* a string that never ends */
		while (send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL) == (ssize_t)sizeof(chunk))
			;
		close(fd);
	}
	return NULL;
}

static void *wide(void *p)
{
	struct server *s = p;
	char line[512];
	static char reply[2 << 20];
	int fd = accept(s->listen_fd, NULL, NULL);
	size_t n;

	if (fd >= 0) {
		greet(fd);
		hear(fd, line, sizeof(line));
		/* 1 MB short of the size bound, but half a million values */
		n = sprintf(reply, "{\"return\": [");
		while (n < sizeof(reply) - 16)
			n += sprintf(reply + n, "1,");
		sprintf(reply + n, "1]}\n");
		if (send(fd, reply, strlen(reply), MSG_NOSIGNAL) < 0)
			(void)0;
		hear(fd, line, sizeof(line));
		close(fd);
	}
	return NULL;
}

static void *nested(void *p)
{
	struct server *s = p;
	char line[512];
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd >= 0) {
		greet(fd);
		hear(fd, line, sizeof(line));
		say(fd, "{\"return\": ");
		for (int i = 0; i < 100000; i++)
			say(fd, "[");
		say(fd, "\n");
		hear(fd, line, sizeof(line));
		close(fd);
	}
	return NULL;
}

/* events while a command waits, past the pending bound, the panic last */
static void *chatty(void *p)
{
	struct server *s = p;
	char line[512];
	int fd = accept(s->listen_fd, NULL, NULL);

	if (fd >= 0) {
		greet(fd);
		hear(fd, line, sizeof(line));
		for (int i = 0; i < 3000; i++)
			say(fd, "{\"event\": \"BALLOON_CHANGE\", \"data\": {\"actual\": 1}}\n");
		say(fd, "{\"event\": \"GUEST_PANICKED\", \"data\": {\"action\": \"pause\"}}\n");
		say(fd, "{\"return\": []}\n");
		hear(fd, line, sizeof(line));
		close(fd);
	}
	return NULL;
}

static int setup_silent(void **state) { return setup_with(state, silent); }
static int setup_flood(void **state) { return setup_with(state, flood); }
static int setup_huge(void **state) { return setup_with(state, huge); }
static int setup_wide(void **state) { return setup_with(state, wide); }
static int setup_nested(void **state) { return setup_with(state, nested); }
static int setup_chatty(void **state) { return setup_with(state, chatty); }

static void test_no_greeting(void **state)
{
	struct server *s = *state;
	struct pt_qmp q;
	struct pt_err err;

	assert_int_equal(pt_qmp_connect(&q, s->path, 300, &err), -1);
	assert_non_null(strstr(err.msg, "no QMP greeting on"));
	assert_non_null(strstr(err.msg, "in 300 ms"));
}

static void test_flood(void **state)
{
	struct server *s = *state;
	struct pt_json *msg;
	struct pt_qmp q;
	struct pt_err err;
	unsigned got = 0;
	int rc;

	assert_int_equal(pt_qmp_connect(&q, s->path, 2000, &err), 0);
	while ((rc = pt_qmp_read(&q, &msg, 1000, &err)) == 1) {
		pt_json_free(msg);
		got++;
	}
	assert_int_equal(rc, -1);
	assert_true(q.broken);
	assert_true(got <= 5000);
	assert_string_equal(err.msg, "the QMP peer sent more than 5000 messages in a second: disconnected");
	pt_qmp_close(&q);
}

static void test_huge(void **state)
{
	struct server *s = *state;
	struct pt_json *ret;
	struct pt_qmp q;
	struct pt_err err;

	assert_int_equal(pt_qmp_connect(&q, s->path, 2000, &err), 0);
	assert_int_equal(pt_qmp_execute(&q, "query-pci", NULL, &ret, 10000, &err), -1);
	assert_true(q.broken);
	assert_true(q.cap <= (16u << 20));
	assert_string_equal(err.msg, "the QMP peer sent a message larger than 16777216 bytes: disconnected");
	pt_qmp_close(&q);
}

static void test_wide(void **state)
{
	struct server *s = *state;
	struct pt_json *ret;
	struct pt_qmp q;
	struct pt_err err;

	assert_int_equal(pt_qmp_connect(&q, s->path, 2000, &err), 0);
	assert_int_equal(pt_qmp_execute(&q, "query-pci", NULL, &ret, 10000, &err), -1);
	assert_true(q.broken);
	assert_string_equal(err.msg, "the QMP peer sent a message of more than 262144 values: disconnected");
	pt_qmp_close(&q);
}

static void test_nested(void **state)
{
	struct server *s = *state;
	struct pt_json *ret;
	struct pt_qmp q;
	struct pt_err err;

	assert_int_equal(pt_qmp_connect(&q, s->path, 2000, &err), 0);
	assert_int_equal(pt_qmp_execute(&q, "query-pci", NULL, &ret, 10000, &err), -1);
	assert_true(q.broken);
	assert_non_null(strstr(err.msg, "the QMP peer sent what is not JSON ("));
	pt_qmp_close(&q);
}

static void test_pending_bound(void **state)
{
	struct server *s = *state;
	struct pt_json *ret, *msg;
	struct pt_qmp q;
	struct pt_err err;
	unsigned events = 0, panics = 0;

	assert_int_equal(pt_qmp_connect(&q, s->path, 2000, &err), 0);
	assert_int_equal(pt_qmp_execute(&q, "query-pci", NULL, &ret, 10000, &err), 0);
	pt_json_free(ret);
	assert_true(q.npending <= 1025);
	assert_int_equal(q.dropped, 3000 - 1024);
	while (pt_qmp_read(&q, &msg, 0, &err) == 1) {
		panics += !strcmp(pt_json_get_str(msg, "event"), "GUEST_PANICKED");
		events++;
		pt_json_free(msg);
	}
	/* the bound keeps the first ones, and never drops the panic */
	assert_int_equal(events, 1025);
	assert_int_equal(panics, 1);
	pt_qmp_close(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conversation, setup, teardown),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test_setup_teardown(test_no_greeting, setup_silent, teardown),
		cmocka_unit_test_setup_teardown(test_flood, setup_flood, teardown),
		cmocka_unit_test_setup_teardown(test_huge, setup_huge, teardown),
		cmocka_unit_test_setup_teardown(test_wide, setup_wide, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup_nested, teardown),
		cmocka_unit_test_setup_teardown(test_pending_bound, setup_chatty, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
