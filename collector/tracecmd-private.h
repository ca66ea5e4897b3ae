// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libtracecmd 1.3's functions for writing a trace.dat.  libtracecmd.so.1
 * exports them, but declares them only in trace-cmd's private header,
 * which Debian does not install: these prototypes are copied from that
 * header (trace-cmd-private.h, libtracecmd 1.3.1) and kept here, in one
 * place.  tests/lab/record.sh proves the files they write are read by
 * `trace-cmd report` and `trace-cmd dump --summary`.
 */
#ifndef PT_TRACECMD_PRIVATE_H
#define PT_TRACECMD_PRIVATE_H

#include <stdbool.h>

struct tracecmd_output;
struct tracecmd_option;

struct tracecmd_event_list {
	struct tracecmd_event_list *next;
	const char *glob;
};

struct tracecmd_output *tracecmd_output_create(const char *output_file);
struct tracecmd_output *tracecmd_output_create_fd(int fd);
int tracecmd_output_set_trace_dir(struct tracecmd_output *handle, const char *tracing_dir);
int tracecmd_output_set_kallsyms(struct tracecmd_output *handle, const char *kallsyms);
int tracecmd_output_set_version(struct tracecmd_output *handle, int file_version);
int tracecmd_output_set_compression(struct tracecmd_output *handle, const char *compression);
int tracecmd_output_write_headers(struct tracecmd_output *handle, struct tracecmd_event_list *list);
struct tracecmd_option *tracecmd_add_option(struct tracecmd_output *handle, unsigned short id,
					    int size, const void *data);
int tracecmd_add_buffer_info(struct tracecmd_output *handle, const char *name, int cpus);
int tracecmd_write_cmdlines(struct tracecmd_output *handle);
int tracecmd_append_cpu_data(struct tracecmd_output *handle, int cpus, char *const *cpu_data_files);
int tracecmd_append_buffer_cpu_data(struct tracecmd_output *handle, const char *name, int cpus,
				    char *const *cpu_data_files);
void tracecmd_output_close(struct tracecmd_output *handle);
void tracecmd_set_quiet(struct tracecmd_output *handle, bool set_quiet);

#endif
