// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <stdlib.h>

#include <zlib.h>
#include <zstd.h>

#include "pt-codec.h"

struct pt_codec {
	const char *name;
	long (*decompress)(const void *in, size_t inlen, void *out, size_t outlen);
};

/*
 * A context per thread (the reader decodes cpus on several), reused:
 * making one costs more than a small chunk.  The key frees it when its
 * thread ends, exit() the exiting thread's.
 */
static pthread_key_t zstd_key;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;
static int zstd_key_ok;

static void zstd_free(void *ctx)
{
	ZSTD_freeDCtx(ctx);
}

/* exit() runs no key destructor, not even for the thread that calls it: its context goes here */
static void zstd_free_at_exit(void)
{
	void *ctx = pthread_getspecific(zstd_key);

	pthread_setspecific(zstd_key, NULL);
	ZSTD_freeDCtx(ctx);
}

static void zstd_key_make(void)
{
	zstd_key_ok = !pthread_key_create(&zstd_key, zstd_free);
	if (zstd_key_ok)
		atexit(zstd_free_at_exit);
}

static long zstd_decompress(const void *in, size_t inlen, void *out, size_t outlen)
{
	ZSTD_DCtx *ctx;
	size_t n;

	pthread_once(&zstd_once, zstd_key_make);
	if (!zstd_key_ok)
		return -1;
	ctx = pthread_getspecific(zstd_key);
	if (!ctx) {
		ctx = ZSTD_createDCtx();
		if (!ctx || pthread_setspecific(zstd_key, ctx)) {
			ZSTD_freeDCtx(ctx);
			return -1;
		}
	}
	n = ZSTD_decompressDCtx(ctx, out, outlen, in, inlen);
	return ZSTD_isError(n) ? -1 : (long)n;
}

static long zlib_decompress(const void *in, size_t inlen, void *out, size_t outlen)
{
	uLongf n = outlen;

	if (uncompress(out, &n, in, inlen) != Z_OK)
		return -1;
	return (long)n;
}

static const struct pt_codec codecs[] = {
	{ "zstd", zstd_decompress },
	{ "zlib", zlib_decompress },
};

const struct pt_codec *pt_codec_find(const char *name)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (!strcmp(name, codecs[i].name))
			return &codecs[i];
	return NULL;
}

const char *pt_codec_names(void)
{
	return "zstd, zlib";
}

long pt_codec_decompress(const struct pt_codec *c, const void *in, size_t inlen, void *out,
			 size_t outlen)
{
	return c->decompress(in, inlen, out, outlen);
}

/*
 * libtracecmd's codec hook, struct tracecmd_compression_proto of
 * trace-cmd's private header (libtracecmd 1.3.1), which Debian does not
 * install; the function that takes it is exported.
 */
struct tracecmd_compression_proto {
	int weight;
	const char *name;
	const char *version;
	int (*compress)(void *ctx, const void *in, int in_bytes, void *out, int out_bytes);
	int (*uncompress)(void *ctx, const void *in, int in_bytes, void *out, int out_bytes);
	unsigned int (*compress_size)(void *ctx, unsigned int bytes);
	bool (*is_supported)(const char *name, const char *version);
	void *(*new_context)(void);
	void (*free_context)(void *ctx);
};
int tracecmd_compress_proto_register(struct tracecmd_compression_proto *proto);
bool tracecmd_compress_is_supported(const char *name, const char *version);

static int tc_zlib_compress(void *ctx, const void *in, int in_bytes, void *out, int out_bytes)
{
	uLongf n = out_bytes;

	(void)ctx;
	if (compress2(out, &n, in, in_bytes, Z_BEST_COMPRESSION) != Z_OK) {
		errno = ENOBUFS;
		return -1;
	}
	return (int)n;
}

static int tc_zlib_uncompress(void *ctx, const void *in, int in_bytes, void *out, int out_bytes)
{
	long n = zlib_decompress(in, in_bytes, out, out_bytes);

	(void)ctx;
	if (n < 0)
		errno = EINVAL;
	return (int)n;
}

static unsigned int tc_zlib_bound(void *ctx, unsigned int bytes)
{
	(void)ctx;
	return compressBound(bytes);
}

static bool tc_zlib_supported(const char *name, const char *version)
{
	/* the zlib format has not changed since 1.0: any version reads */
	(void)version;
	return name && !strcmp(name, "zlib");
}

int pt_codec_register_tracecmd(void)
{
	/* trace-cmd's own weight for zlib: zstd (5, lower wins) stays the default */
	static struct tracecmd_compression_proto zlib_proto = {
		.weight = 10,
		.name = "zlib",
		.compress = tc_zlib_compress,
		.uncompress = tc_zlib_uncompress,
		.compress_size = tc_zlib_bound,
		.is_supported = tc_zlib_supported,
	};

	if (tracecmd_compress_is_supported("zlib", NULL))
		return 0;
	zlib_proto.version = zlibVersion();
	return tracecmd_compress_proto_register(&zlib_proto);
}
