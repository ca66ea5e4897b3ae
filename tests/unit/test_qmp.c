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

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(s->dir, "/tmp/pttrace-qmp-test.XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->path, sizeof(s->path), "%s/qmp.sock", s->dir);
	strcpy(sa.sun_path, s->path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(s->listen_fd, 1))
		return -1;
	pthread_create(&s->thread, NULL, serve, s);
	*state = s;
	return 0;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conversation, setup, teardown),
		cmocka_unit_test(test_no_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
