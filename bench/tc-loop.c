// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor pttrace analyze is measured against (make bench): the least a
 * tool built on libtracecmd does to look at every record of a trace.dat.
 * Open the file (libtracecmd parses every event format, kallsyms and the
 * printk formats as it opens), iterate every record of every cpu in time
 * order, the top buffer's and each instance's, read one field of each (the first field of its event's format),
 * and print how many and their sum, so none of it can be left out.
 *
 * usage: tc-loop FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <event-parse.h>
#include <trace-cmd.h>

struct loop {
	struct tep_handle *tep;
	struct tep_format_field **field;	/* by event id: its first field, cached */
	unsigned char *looked;
	int max_id;
	unsigned long long records, sum;
};

static struct tep_format_field *first_field(struct loop *l, int id)
{
	struct tep_event *e;

	if (id < 0 || id > l->max_id)
		return NULL;
	if (!l->looked[id]) {
		l->looked[id] = 1;
		e = tep_find_event(l->tep, id);
		l->field[id] = e && e->format.fields ? e->format.fields : NULL;
	}
	return l->field[id];
}

static int one(struct tracecmd_input *h, struct tep_record *rec, int cpu, void *data)
{
	struct loop *l = data;
	struct tep_format_field *f = first_field(l, tep_data_type(l->tep, rec));
	unsigned long long v;

	(void)h;
	(void)cpu;
	l->records++;
	if (f && !tep_read_number_field(f, rec->data, &v))
		l->sum += v;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct tracecmd_input *h;
	struct loop l = { 0 };
	struct tep_event **all;
	double t0 = now(), t1;

	if (argc != 2) {
		fprintf(stderr, "usage: tc-loop FILE\n");
		return 2;
	}
	h = tracecmd_open(argv[1], TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!h) {
		fprintf(stderr, "tc-loop: cannot open '%s'\n", argv[1]);
		return 2;
	}
	l.tep = tracecmd_get_tep(h);
	all = tep_list_events(l.tep, TEP_EVENT_SORT_ID);
	for (int i = 0; all && all[i]; i++)
		if (all[i]->id > l.max_id)
			l.max_id = all[i]->id;
	l.field = calloc(l.max_id + 1, sizeof(*l.field));
	l.looked = calloc(l.max_id + 1, 1);
	if (!l.field || !l.looked)
		return 2;
	t1 = now();
	tracecmd_iterate_events(h, NULL, 0, one, &l);
	/* trace-cmd extract -B: the events are in an instance's buffer */
	for (int i = 0; i < tracecmd_buffer_instances(h); i++) {
		struct tracecmd_input *b = tracecmd_buffer_instance_handle(h, i);

		if (b) {
			tracecmd_iterate_events(b, NULL, 0, one, &l);
			tracecmd_close(b);
		}
	}
	printf("%llu records, field sum %llu: open %.3f s, iterate %.3f s\n", l.records, l.sum,
	       t1 - t0, now() - t1);
	tracecmd_close(h);
	free(l.field);
	free(l.looked);
	return 0;
}
