// SPDX-License-Identifier: GPL-2.0-or-later
#ifndef PT_META_APPLY_H
#define PT_META_APPLY_H

#include <stdlib.h>
#include "pt-json.h"
#include "pt-model.h"

/* Gives the model the devices, BARs and assignments that pttrace's metadata records. */
void pt_meta_apply(struct pt_model *m, const struct pt_json *meta);

#endif
