// SPDX-License-Identifier: GPL-2.0-or-later
/* The analyze command's two reports. */
#ifndef PT_REPORT_H
#define PT_REPORT_H

#include <stdio.h>
#include "pt-analyze.h"

#define PT_JSON_SCHEMA_VERSION 2

/* COLOR: the severities in SGR colours (analyze --color) */
void pt_report_text(FILE *f, const struct pt_analysis *a, const char *path, int color);
void pt_report_json(FILE *f, const struct pt_analysis *a, const char *path);

#endif
