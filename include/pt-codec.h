// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The compression codecs of trace.dat v7 files, decompressed here with the
 * system's zlib and libzstd rather than through libtracecmd: Debian's
 * libtracecmd knows only zstd, and it keeps every chunk it decompressed
 * until the file is closed, so a long trace would not fit in memory.
 */
#ifndef PT_CODEC_H
#define PT_CODEC_H

#include <stddef.h>

struct pt_codec;

/* The codec a file names ("zstd", "zlib"); NULL when pttrace has none. */
const struct pt_codec *pt_codec_find(const char *name);

/* The names pttrace decompresses, "zstd, zlib", for messages. */
const char *pt_codec_names(void);

/*
 * Decompresses IN (INLEN bytes) into OUT, which holds OUTLEN bytes.
 * Returns the bytes written, or -1 when the data is damaged or does not
 * fit.
 */
long pt_codec_decompress(const struct pt_codec *c, const void *in, size_t inlen, void *out,
			 size_t outlen);

/*
 * Teaches libtracecmd (for writing) the codecs it was built without;
 * Debian's has zstd only.  0, or -1 when it refused.
 */
int pt_codec_register_tracecmd(void);

#endif
