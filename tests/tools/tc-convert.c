// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace-cmd convert with the codecs pttrace registers: Debian's trace-cmd
 * cannot write zlib, which many other builds of trace-cmd write by
 * default, so the field corpus's zlib files are made with this.
 *   tc-convert IN OUT VERSION CODEC      (CODEC: none, zstd, zlib)
 */
#include <stdio.h>
#include <stdlib.h>

#include <trace-cmd/trace-cmd.h>

#include "pt-codec.h"

/* libtracecmd 1.3's private writer API (trace-cmd-private.h) */
struct tracecmd_output;
struct tracecmd_output *tracecmd_copy(struct tracecmd_input *ihandle, const char *file,
				      int state, int file_version, const char *compression);
void tracecmd_output_close(struct tracecmd_output *handle);
#define TRACECMD_FILE_CPU_FLYRECORD 11

int main(int argc, char **argv)
{
	struct tracecmd_input *in;
	struct tracecmd_output *out;

	if (argc != 5) {
		fprintf(stderr, "usage: tc-convert IN OUT VERSION CODEC\n");
		return 2;
	}
	if (pt_codec_register_tracecmd()) {
		fprintf(stderr, "tc-convert: libtracecmd refused the zlib codec\n");
		return 1;
	}
	in = tracecmd_open_head(argv[1], 0);
	if (!in) {
		fprintf(stderr, "tc-convert: cannot read '%s'\n", argv[1]);
		return 1;
	}
	out = tracecmd_copy(in, argv[2], TRACECMD_FILE_CPU_FLYRECORD, atoi(argv[3]), argv[4]);
	if (!out) {
		fprintf(stderr, "tc-convert: cannot write '%s'\n", argv[2]);
		return 1;
	}
	tracecmd_output_close(out);
	tracecmd_close(in);
	return 0;
}
