/* report.h — the run's JSON report (native/README.md "Report"), property 6's output. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct report {
    bool have_status;
    int status; /* raw wait status */
    const char *limit;
    uint64_t cpu_us, wall_ns, memory_kb, stdout_bytes, stderr_bytes;
    bool stdout_truncated, stderr_truncated, processes_limit_hit;
    const char *cgroup_mode;
    const char *error; /* NULL when the report is valid */
};

int report_write(int fd, const struct report *r);
