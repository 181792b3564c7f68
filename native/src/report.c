/* report.c — the run's report: what ended the run (the precedence table below, the one place it
 * is decided), the one-line JSON on --report-fd with exactly the field names of native/README.md
 * (the worker parses them), and the exit status that goes with it. Property 6: the exit code or
 * signal name, the limit that ended the run, kernel accounting. Never touches fd 1/2 (the
 * program's output). */
#include "report.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "exit_codes.h"
#include "supervise.h"
#include "util.h"

/* The report's names of the limits: LAUNCHER_LIMITS in libs/contract/src/launcher.ts. */
static const char *const LIMIT_NAMES[] = {
    [LIMIT_CPU] = "cpu",
    [LIMIT_WALL] = "wall",
    [LIMIT_MEMORY] = "memory",
    [LIMIT_OUTPUT] = "output",
};

/* The verdict precedence, written once: what ended a run, as its report says it. The worker reads
 * the rows in this order — row 1 in apps/worker/src/sandbox/report.ts, rows 2-5 in
 * apps/worker/src/run/verdict.ts — and decides none of it again.
 *
 *   row  when                                               the report says        verdict
 *   1    runbox failed: the init or the program's child     "error", no status     none: a
 *        reported an error (exec, a cgroup read), the                              SandboxError,
 *        launcher got SIGTERM/SIGINT/SIGHUP, or the init                           retried
 *        ended without the program's status and no limit
 *        explains it (run_box adds: usage unreadable, a
 *        cgroup not removed)
 *   2    the supervisor ended the run at a limit: wall,     "limit": that one      time_limit,
 *        cpu or output (the first it saw: it kills the                             output_limit
 *        tree at once)
 *   3    the OOM killer acted in the run's cgroup, and      "limit":"memory"       memory_limit
 *        nothing in row 2 ended the run
 *   4    more CPU time used than the limit, and nothing     "limit":"cpu"          time_limit
 *        above (the RLIMIT_CPU backstop fired, or the run
 *        ended in an overshoot the supervisor could not see
 *        in time)
 *   5    none of these: the program ended by itself         exitCode xor signal    ok (exit 0),
 *                                                                                  runtime_error
 *
 * A limit outranks the program's status: a program that exits 0 over its CPU time is a time_limit.
 * With a limit the status is the program's own when the init reported it, else SIGKILL (the
 * supervisor killed the tree before the program ended). processesLimitHit is no row: a refused
 * fork is for the program to handle, and the worker only mentions it.
 */
static enum run_limit limit_that_ended(const struct outcome *o, const struct cgroup_usage *u,
                                       const struct run_limits *lim)
{
    if (o->limit != LIMIT_NONE)
        return o->limit; /* row 2 */
    if (u->oom_killed)
        return LIMIT_MEMORY; /* row 3 */
    if (u->cpu_time_us > lim->cpu_ms * 1000)
        return LIMIT_CPU; /* row 4 */
    return LIMIT_NONE;
}

int report_assemble(const struct outcome *o, const struct cgroup_usage *u,
                    const struct run_limits *lim, struct report *rep, struct rb_error *err)
{
    rep->cpu_us = u->cpu_time_us;
    rep->memory_kb = u->memory_peak_kb;
    rep->processes_limit_hit = u->pids_max_hit;
    rep->wall_ns = o->wall_ns;
    rep->stdout_bytes = o->out_bytes;
    rep->stderr_bytes = o->err_bytes;
    rep->stdout_truncated = o->out_truncated;
    rep->stderr_truncated = o->err_truncated;
    rep->limit = limit_that_ended(o, u, lim);
    rep->have_status = o->have_status;
    rep->status = o->status;
    if (rep->limit != LIMIT_NONE && !o->have_status) {
        rep->have_status = true;
        rep->status = SIGKILL; /* a raw wait status: killed by SIGKILL */
    }
    /* Row 1, which outranks the rest. */
    if (o->failed) {
        *err = o->child_err;
        return -1;
    }
    if (o->launcher_signal)
        return rb_fail(err, 0, "the launcher was terminated by SIG%s",
                       sigabbrev_np(o->launcher_signal));
    if (!o->have_status && rep->limit == LIMIT_NONE)
        return rb_fail(err, 0, "the sandbox's init ended without the program's status");
    return 0;
}

void report_fail(struct report *rep, const struct rb_error *err)
{
    rep->error = err->msg[0] ? err->msg : "unknown failure";
    rep->have_status = false;
}

static int exit_status(bool failed) { return failed ? RB_EXIT_FAILED : RB_EXIT_OK; }

int report_exit_status(const struct report *r) { return exit_status(r->error != NULL); }

static void json_string(char **p, const char *end, const char *s)
{
    *p += snprintf(*p, (size_t)(end - *p), "\"");
    for (; *s && *p < end - 8; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            *p += snprintf(*p, (size_t)(end - *p), "\\%c", ch);
        else if (ch < 0x20)
            *p += snprintf(*p, (size_t)(end - *p), "\\u%04x", ch);
        else
            *(*p)++ = (char)ch;
    }
    *p += snprintf(*p, (size_t)(end - *p), "\"");
}

static void json_string_or_null(char **p, const char *end, const char *s)
{
    if (s)
        json_string(p, end, s);
    else
        *p += snprintf(*p, (size_t)(end - *p), "null");
}

int report_write(int fd, const struct report *r)
{
    char buf[2048], *p = buf;
    const char *end = buf + sizeof buf;
    char exit_code[16] = "null", sig[32] = "null";
    if (r->have_status && WIFEXITED(r->status)) {
        snprintf(exit_code, sizeof exit_code, "%d", WEXITSTATUS(r->status));
    } else if (r->have_status && WIFSIGNALED(r->status)) {
        const char *abbrev = sigabbrev_np(WTERMSIG(r->status));
        if (abbrev)
            snprintf(sig, sizeof sig, "\"SIG%s\"", abbrev);
        else
            snprintf(sig, sizeof sig, "\"SIG%d\"", WTERMSIG(r->status));
    }
    p +=
        snprintf(p, (size_t)(end - p), "{\"exitCode\":%s,\"signal\":%s,\"limit\":", exit_code, sig);
    json_string_or_null(&p, end, LIMIT_NAMES[r->limit]);
    p +=
        snprintf(p, (size_t)(end - p),
                 ",\"cpuTimeMs\":%llu,\"wallTimeMs\":%llu,\"memoryKb\":%llu,"
                 "\"stdoutBytes\":%llu,\"stderrBytes\":%llu,"
                 "\"stdoutTruncated\":%s,\"stderrTruncated\":%s,\"processesLimitHit\":%s,"
                 "\"cgroupMode\":",
                 (unsigned long long)((r->cpu_us + 500) / 1000),
                 (unsigned long long)((r->wall_ns + 500000) / 1000000),
                 (unsigned long long)r->memory_kb, (unsigned long long)r->stdout_bytes,
                 (unsigned long long)r->stderr_bytes, r->stdout_truncated ? "true" : "false",
                 r->stderr_truncated ? "true" : "false", r->processes_limit_hit ? "true" : "false");
    json_string_or_null(&p, end, r->cgroup_mode);
    p += snprintf(p, (size_t)(end - p), ",\"error\":");
    json_string_or_null(&p, end, r->error);
    p += snprintf(p, (size_t)(end - p), "}\n");
    return write_all(fd, buf, (size_t)(p - buf));
}

/* Past the string that starts at p ('"'), or NULL when it does not end before `end`. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++)
        if (*p == '\\')
            p++; /* the escaped character; \uXXXX's digits need no care */
        else if (*p == '"')
            return p + 1;
    return NULL;
}

/* Past the number or literal (null, true, false) that starts at p, or NULL when there is none. */
static const char *skip_scalar(const char *p, const char *end)
{
    const char *start = p;
    while (p < end && (('a' <= *p && *p <= 'z') || ('0' <= *p && *p <= '9') || *p == '-' ||
                       *p == '.' || *p == '+' || *p == 'E'))
        p++;
    return p > start ? p : NULL;
}

/* A scanner for what report_write() writes: one flat object of strings, numbers and literals,
 * without spaces. Only its "error" member counts: 1 for a string, 0 for null. */
int report_line_exit_status(const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    int failed = -1;
    if (p == end || *p++ != '{')
        return -1;
    for (;;) {
        const char *key = p;
        if (p == end || *p != '"' || !(p = skip_string(p, end)) || p == end || *p++ != ':')
            return -1;
        bool is_error = p - key == sizeof "\"error\":" - 1 && !memcmp(key, "\"error\"", 7);
        const char *value = p;
        p = p < end && *p == '"' ? skip_string(p, end) : skip_scalar(p, end);
        if (!p)
            return -1;
        if (is_error && *value == '"')
            failed = 1;
        else if (is_error && p - value == 4 && !memcmp(value, "null", 4))
            failed = 0;
        else if (is_error)
            return -1;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p + 1 != end || *p != '}' || failed < 0)
            return -1;
        return exit_status(failed);
    }
}
