/* report.h — the run's JSON report (native/README.md "Report"), property 6's output. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
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

/* How a report without `error` ends: the error field is written last. */
#define REPORT_OK_TAIL "\"error\":null}"

/* Whether a report line (its newline stripped) has no error: then the launcher exits 0, else 2.
 * For a reader of the report fd (the server) that answers before the launcher's exit. */
bool report_line_ok(const char *line, size_t len);
