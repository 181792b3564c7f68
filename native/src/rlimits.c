/* rlimits.c — the program's resource limits, one table row per limit with why it exists.
 * Property 4 (file size, open files, stack). Memory is *not* limited here: RLIMIT_AS would break
 * the JVM and Go, which reserve large address ranges; the cgroup limits resident memory. CPU is
 * limited by the supervisor from the cgroup (whole tree); RLIMIT_CPU is only a backstop should
 * the supervisor be stuck. Runs in the program's child, after fork, before dropping root. */
#include "rlimits.h"

#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>

#include "util.h"

enum unit { U_ONE, U_KB, U_CPU_BACKSTOP, U_ZERO };

static const struct rlimit_row {
    int resource;
    const char *name;
    size_t offset; /* in struct run_limits, unused for U_ZERO */
    enum unit unit;
    const char *why;
} rlimit_table[] = {
    {RLIMIT_FSIZE, "RLIMIT_FSIZE", offsetof(struct run_limits, file_size_kb), U_KB,
     "largest file the program may write (SIGXFSZ beyond); /box and /tmp sizes bound the total"},
    {RLIMIT_NOFILE, "RLIMIT_NOFILE", offsetof(struct run_limits, open_files), U_ONE,
     "open file descriptors per process"},
    {RLIMIT_STACK, "RLIMIT_STACK", offsetof(struct run_limits, stack_kb), U_KB,
     "main thread stack (deep recursion ends in SIGSEGV, not in the memory limit)"},
    {RLIMIT_CORE, "RLIMIT_CORE", 0, U_ZERO,
     "no core dumps: they would write the program's memory into /box and take time"},
    {RLIMIT_CPU, "RLIMIT_CPU", offsetof(struct run_limits, cpu_ms), U_CPU_BACKSTOP,
     "backstop per process: CPU limit rounded up + 1 s; the cgroup check is the real limit"},
};

int rlimits_apply(const struct run_limits *lim, struct rb_error *err)
{
    for (size_t i = 0; i < ARRAY_LEN(rlimit_table); i++) {
        const struct rlimit_row *r = &rlimit_table[i];
        uint64_t v = r->unit == U_ZERO ? 0 : *(const uint64_t *)((const char *)lim + r->offset);
        switch (r->unit) {
        case U_KB:
            v *= 1024;
            break;
        case U_CPU_BACKSTOP:
            v = (v + 999) / 1000 + 1;
            break;
        default:
            break;
        }
        struct rlimit rl = {.rlim_cur = v, .rlim_max = v};
        if (setrlimit(r->resource, &rl) < 0)
            return rb_fail(err, errno, "setrlimit %s", r->name);
    }
    return 0;
}
