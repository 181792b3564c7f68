/* report.c — writes the one-line JSON report on --report-fd, with exactly the field names of
 * native/README.md (the worker parses them). Property 6: the exit code or signal name, the limit
 * that ended the run, kernel accounting. Never touches fd 1/2 (the program's output). */
#include "report.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"

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
    if (r->limit)
        json_string(&p, end, r->limit);
    else
        p += snprintf(p, (size_t)(end - p), "null");
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
    if (r->cgroup_mode)
        json_string(&p, end, r->cgroup_mode);
    else
        p += snprintf(p, (size_t)(end - p), "null");
    if (r->error) {
        p += snprintf(p, (size_t)(end - p), ",\"error\":");
        json_string(&p, end, r->error);
        p += snprintf(p, (size_t)(end - p), "}\n");
    } else {
        p += snprintf(p, (size_t)(end - p), "," REPORT_OK_TAIL "\n");
    }
    return write_all(fd, buf, (size_t)(p - buf));
}

bool report_line_ok(const char *line, size_t len)
{
    size_t t = sizeof REPORT_OK_TAIL - 1;
    return len >= t && !memcmp(line + len - t, REPORT_OK_TAIL, t);
}
