/* rlimits.h — per-process limits of the program (property 4: file size, open files, stack; a CPU
 * backstop; no core dumps). */
#pragma once
#include "args.h"
#include "errors.h"

int rlimits_apply(const struct run_limits *lim, struct rb_error *err);
