/* report.h — the run's JSON report (native/README.md "Report"), property 6's output: which limit
 * ended the run and how the program ended, decided once by report_assemble() (the precedence table
 * in report.c), and the launcher's exit status that follows from the report. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"

struct outcome;      /* supervise.h: what the supervisor saw */
struct cgroup_usage; /* cgroup.h: what the kernel accounted */
struct run_limits;   /* args.h */

/* The limit that ended a run; its report name is the row of LIMIT_NAMES in report.c. */
enum run_limit { LIMIT_NONE, LIMIT_CPU, LIMIT_WALL, LIMIT_MEMORY, LIMIT_OUTPUT };

struct report {
    bool have_status;
    int status; /* raw wait status */
    enum run_limit limit;
    uint64_t cpu_us, wall_ns, memory_kb, stdout_bytes, stderr_bytes;
    bool stdout_truncated, stderr_truncated, processes_limit_hit;
    const char *cgroup_mode;
    const char *error; /* NULL when the report is valid */
};

/* Fills the report of a run that was supervised to its end, by the precedence table in
 * report.c. -1 with err set when runbox failed the run (the table's first row). */
int report_assemble(const struct outcome *o, const struct cgroup_usage *u,
                    const struct run_limits *lim, struct report *rep, struct rb_error *err);

/* Makes the report say that runbox failed: why, and no status of the program. */
void report_fail(struct report *rep, const struct rb_error *err);

int report_write(int fd, const struct report *r);

/* The launcher's exit status with this report written: RB_EXIT_OK without an error, else
 * RB_EXIT_FAILED (exit_codes.h). */
int report_exit_status(const struct report *r);

/* The same status read back from a report line (its newline stripped) by whoever answers before
 * the launcher's exit (the server); -1 when the line is not a report as report_write() writes it.
 */
int report_line_exit_status(const char *line, size_t len);
