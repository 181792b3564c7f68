/* rlimits.c — the program's resource limits, one table row per limit with why it exists.
 * Property 4 (file size, open files, stack). Memory is *not* limited here: RLIMIT_AS would break
 * the JVM and Go, which reserve large address ranges; the cgroup limits resident memory. CPU is
 * limited by the supervisor from the cgroup (whole tree); RLIMIT_CPU is only a backstop should
 * the supervisor be stuck. The fixed rows replace what the launcher inherited from root (the
 * worker's limits are root's, often raised: real-time priority, nice, locked memory), so they
 * hold whatever the host's defaults are. Runs in the program's child after it has become the
 * unprivileged, filtered process (reaper.c): lowering a limit needs no privilege. */
#include "rlimits.h"

#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>

#include "util.h"

enum unit { U_ONE, U_KB, U_CPU_BACKSTOP };

/* Per run: from the run's limits. */
static const struct rlimit_row {
    int resource;
    const char *name;
    size_t offset; /* in struct run_limits */
    enum unit unit;
    const char *why;
} rlimit_table[] = {
    {RLIMIT_FSIZE, "RLIMIT_FSIZE", offsetof(struct run_limits, file_size_kb), U_KB,
     "largest file the program may write (SIGXFSZ beyond); /box and /tmp sizes bound the total"},
    {RLIMIT_NOFILE, "RLIMIT_NOFILE", offsetof(struct run_limits, open_files), U_ONE,
     "open file descriptors per process"},
    {RLIMIT_STACK, "RLIMIT_STACK", offsetof(struct run_limits, stack_kb), U_KB,
     "main thread stack (deep recursion ends in SIGSEGV, not in the memory limit)"},
    {RLIMIT_CPU, "RLIMIT_CPU", offsetof(struct run_limits, cpu_ms), U_CPU_BACKSTOP,
     "backstop per process: CPU limit rounded up + 1 s; the cgroup check is the real limit"},
};

/* Fixed: the same for every run, set before the seccomp filter (which refuses changing
 * RLIMIT_CORE). Soft = hard: the program can only lower them. */
static const struct fixed_row {
    int resource;
    const char *name;
    rlim_t value;
    const char *why;
} fixed_table[] = {
    {RLIMIT_CORE, "RLIMIT_CORE", 1,
     "no core dumps. 1, not 0: with a piping core_pattern (systemd-coredump, apport) the kernel "
     "ignores 0 and starts a root helper on the host for every crash, but skips the dump at 1 "
     "(fs/coredump.c: cprm.limit == 1, its guard against recursive helpers); a file dump needs "
     "at least a page (min_coredump), so none is written either. seccomp keeps it at 1"},
    {RLIMIT_RTPRIO, "RLIMIT_RTPRIO", 0,
     "no real-time scheduling: a SCHED_FIFO busy loop preempts every normal task of the CPU"},
    {RLIMIT_NICE, "RLIMIT_NICE", 0,
     "the nice value may go up, never below where it is (ceiling 20 - 0)"},
    {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK", 64 * 1024,
     "locked pages cannot be reclaimed; 64 KiB, the kernel's default for unprivileged users"},
    {RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE", 0,
     "POSIX message queues: kernel memory charged to the uid, not to the run; no runtime needs "
     "them"},
    {RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING", 1024,
     "queued signals: kernel memory per uid; root's limit is the host's thread count"},
};

int rlimits_apply_fixed(struct rb_error *err)
{
    for (size_t i = 0; i < ARRAY_LEN(fixed_table); i++) {
        const struct fixed_row *r = &fixed_table[i];
        struct rlimit rl = {.rlim_cur = r->value, .rlim_max = r->value};
        if (setrlimit(r->resource, &rl) < 0)
            return rb_fail(err, errno, "setrlimit %s", r->name);
    }
    return 0;
}

int rlimits_apply(const struct run_limits *lim, struct rb_error *err)
{
    for (size_t i = 0; i < ARRAY_LEN(rlimit_table); i++) {
        const struct rlimit_row *r = &rlimit_table[i];
        uint64_t v = *(const uint64_t *)((const char *)lim + r->offset);
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
