// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small JSON reader for QMP replies and events: parses one document into
 * a tree that is freed as a whole.
 */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "pttrace.h"

enum pt_json_type {
	PT_JSON_NULL,
	PT_JSON_FALSE,
	PT_JSON_TRUE,
	PT_JSON_NUMBER,
	PT_JSON_STRING,
	PT_JSON_ARRAY,
	PT_JSON_OBJECT,
};

struct pt_json {
	enum pt_json_type type;
	char *key;		/* member name inside an object, else NULL */
	char *str;		/* PT_JSON_STRING, NUL-terminated, UTF-8 */
	double num;		/* PT_JSON_NUMBER */
	uint64_t u64;		/* PT_JSON_NUMBER, exact when is_u64: an integer 0..2^64-1 */
	int is_u64;
	struct pt_json *child;	/* first element or member */
	struct pt_json *next;	/* next sibling */
};

/* Returns a tree for pt_json_free, or NULL with ERR set. */
struct pt_json *pt_json_parse(const char *text, size_t len, struct pt_err *err);
void pt_json_free(struct pt_json *json);

/* Member KEY of object OBJ, or NULL; NULL-safe so lookups can chain. */
const struct pt_json *pt_json_get(const struct pt_json *obj, const char *key);
/* String member KEY of OBJ, or NULL when absent or not a string. */
const char *pt_json_get_str(const struct pt_json *obj, const char *key);
/*
 * Integer member KEY of OBJ into *OUT, exactly (a double holds 53 bits:
 * QEMU's 64-bit values would lose digits): 0, or -1 when absent, not a
 * number, negative or not an integer.
 */
int pt_json_get_u64(const struct pt_json *obj, const char *key, uint64_t *out);

/* Writes S as a JSON string literal (with quotes) to F. */
void pt_json_put_str(FILE *f, const char *s);
/* Writes J (NULL: null) as JSON: what was parsed, never the bytes it came from. */
void pt_json_put(FILE *f, const struct pt_json *j);

#endif
