/* rlimits.h — per-process limits of the program (property 4: file size, open files, stack; a CPU
 * backstop; no core dumps, no real-time priority, bounded locked memory, queues and signals). */
#pragma once
#include "args.h"
#include "errors.h"

/* The limits every run has, before the seccomp filter is installed. */
int rlimits_apply_fixed(struct rb_error *err);
/* The run's own limits (lowering only), at go time. */
int rlimits_apply(const struct run_limits *lim, struct rb_error *err);
