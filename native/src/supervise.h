/* supervise.h — the launcher's watch over a running program (properties 4 and 6). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "args.h"
#include "cgroup.h"
#include "errors.h"
#include "ns.h"
#include "report.h" /* enum run_limit */

struct outcome {
    bool have_status;
    int status;           /* raw wait status of the program */
    enum run_limit limit; /* the one the supervisor enforced (cpu, wall, output), else NONE */
    uint64_t wall_ns;
    uint64_t out_bytes, err_bytes;
    bool out_truncated, err_truncated;
    int launcher_signal; /* SIGTERM/SIGINT/SIGHUP received by the launcher, else 0 */
    bool failed;         /* the init or the program's child reported an error: */
    struct rb_error child_err;
};

/* Runs until the program's tree is gone: forwards/counts output, enforces wall and CPU time,
 * collects the status. start_ns: when the program was released (CLOCK_MONOTONIC). */
int supervise(struct sandbox *sb, const struct cgroup_ops *ops, struct cgroup *cg,
              const struct run_limits *lim, int sigfd, uint64_t start_ns, struct outcome *o,
              struct rb_error *err);
