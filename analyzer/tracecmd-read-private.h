/*
 * Two of libtracecmd 1.3's reading functions that trace-cmd declares only
 * in its private header (exported by libtracecmd.so.1; prototypes copied
 * from trace-cmd-private.h, libtracecmd 1.3.1): reading backwards from
 * the end lets pttrace tui show the crash before the whole file is read,
 * and each buffer's own cpu count (buffers share one tep, whose count is
 * the top buffer's) keeps reads inside the buffer.
 */
#ifndef PT_TRACECMD_READ_PRIVATE_H
#define PT_TRACECMD_READ_PRIVATE_H

struct tracecmd_input;
struct tep_record;

int tracecmd_cpus(struct tracecmd_input *handle);
struct tep_record *tracecmd_read_cpu_last(struct tracecmd_input *handle, int cpu);
struct tep_record *tracecmd_read_prev(struct tracecmd_input *handle, struct tep_record *record);

#endif
