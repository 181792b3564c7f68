/* cgroup.c — picks the cgroup implementation once per process from the statfs magic of
 * /sys/fs/cgroup (crun detect_cgroup_mode): cgroup2 → v2; tmpfs → v1 with separate
 * controllers. Also the parts both implementations share: naming and creating a run's group,
 * and removing it (property 5: nothing of the run remains, a group that cannot go is a failure). */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const struct cgroup_ops *cgroup_detect(struct rb_error *err)
{
    struct statfs sf;
    if (statfs("/sys/fs/cgroup", &sf) < 0) {
        rb_fail(err, errno, "statfs /sys/fs/cgroup");
        return NULL;
    }
    if (sf.f_type == CGROUP2_SUPER_MAGIC)
        return &cgroup_v2;
    if (sf.f_type == TMPFS_MAGIC)
        return &cgroup_v1;
    rb_fail(err, 0, "/sys/fs/cgroup is neither cgroup2 nor a tmpfs of v1 hierarchies");
    return NULL;
}

int cgroup_open_knob(int dirfd, const char *name, int flags, struct rb_error *err)
{
    int fd = openat(dirfd, name, flags | O_CLOEXEC);
    if (fd < 0)
        return rb_fail(err, errno, "open cgroup file %s", name);
    return fd;
}

int cgroup_write_knob(int fd, const char *name, const char *val, struct rb_error *err)
{
    size_t len = strlen(val);
    ssize_t n = pwrite(fd, val, len, 0);
    if (n < 0)
        return rb_fail(err, errno, "write %s to %s", val, name);
    if ((size_t)n != len)
        return rb_fail(err, EIO, "short write to %s", name);
    return 0;
}

int cgroup_read_knob(int fd, const char *name, char *buf, size_t size, struct rb_error *err)
{
    if (pread_str(fd, buf, size) < 0)
        return rb_fail(err, errno, "read %s", name);
    return 0;
}

int cgroup_mkdir_run(int parent_fd, char *name, size_t size, struct rb_error *err)
{
    /* Unique among live launchers by pid; a leftover of a dead launcher with the same pid is
     * skipped with the counter. */
    for (unsigned n = 0; n < 1000; n++) {
        snprintf(name, size, "run-%d-%u", (int)getpid(), n);
        if (mkdirat(parent_fd, name, 0755) == 0)
            return 0;
        if (errno != EEXIST)
            return rb_fail(err, errno, "mkdir cgroup %s", name);
    }
    return rb_fail(err, EEXIST, "mkdir cgroup run-%d-*", (int)getpid());
}

void cgroup_kill_procs(int procs_fd)
{
    char buf[4096];
    if (procs_fd < 0 || pread_str(procs_fd, buf, sizeof buf) <= 0)
        return;
    for (char *p = buf; *p;) {
        char *end;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (pid > 1)
            kill((pid_t)pid, SIGKILL);
        p = end;
        while (*p == '\n')
            p++;
    }
}

int cgroup_rmdir_wait(int parent_fd, const char *name, int procs_fd, struct rb_error *err)
{
    /* Normally empty already: the whole tree lived in the run's pid namespace, which the
     * kernel emptied when its init was reaped. Exiting tasks can linger for a moment. */
    struct timespec pause = {0, 50 * 1000};
    uint64_t deadline = now_ns() + 2000ull * 1000 * 1000;
    for (;;) {
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
            return 0;
        if (errno != EBUSY || now_ns() > deadline)
            return rb_fail(err, errno, "rmdir cgroup %s", name);
        cgroup_kill_procs(procs_fd);
        nanosleep(&pause, NULL);
        if (pause.tv_nsec < 4 * 1000 * 1000)
            pause.tv_nsec *= 2;
    }
}

int cgroup_cpu_list(const char *cpus, char *buf, size_t size, struct rb_error *err)
{
    if (cpus) {
        if (snprintf(buf, size, "%s", cpus) >= (int)size)
            return rb_fail(err, E2BIG, "CPU list too long");
        return 0;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) < 0)
        return rb_fail(err, errno, "sched_getaffinity");
    size_t n = 0;
    buf[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set))
            continue;
        int last = c;
        while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, &set))
            last++;
        int w = last > c ? snprintf(buf + n, size - n, "%s%d-%d", n ? "," : "", c, last)
                         : snprintf(buf + n, size - n, "%s%d", n ? "," : "", c);
        if (w < 0 || (size_t)w >= size - n)
            return rb_fail(err, E2BIG, "CPU list too long");
        n += (size_t)w;
        c = last;
    }
    return 0;
}

unsigned cgroup_count_cpus(const char *list)
{
    unsigned n = 0;
    for (const char *p = list; *p && *p != '\n';) {
        char *end;
        unsigned long a = strtoul(p, &end, 10), b = a;
        if (end == p)
            return 0;
        if (*end == '-') {
            p = end + 1;
            b = strtoul(p, &end, 10);
            if (end == p || b < a)
                return 0;
        }
        n += (unsigned)(b - a + 1);
        p = *end == ',' ? end + 1 : end;
    }
    return n;
}

unsigned cgroup_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}
