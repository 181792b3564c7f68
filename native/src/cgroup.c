/* cgroup.c — picks the cgroup implementation once per process from the statfs magic of
 * /sys/fs/cgroup (crun detect_cgroup_mode): cgroup2 → v2; tmpfs → v1 with separate
 * controllers. Also the parts both implementations share: naming and creating a run's group,
 * and removing it (property 5: nothing of the run remains, a group that cannot go is a failure),
 * and the helper verbs that tell the rest of runbox the layout (--cgroup-info) and remove the
 * groups SIGKILLed launchers left (--cgroup-sweep), so nothing else writes a cgroup path. */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "exit_codes.h"
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
        snprintf(name, size, CGROUP_RUN_PREFIX "%d-%u", (int)getpid(), n);
        if (mkdirat(parent_fd, name, 0755) == 0)
            return 0;
        if (errno != EEXIST)
            return rb_fail(err, errno, "mkdir cgroup %s", name);
    }
    return rb_fail(err, EEXIST, "mkdir cgroup " CGROUP_RUN_PREFIX "%d-*", (int)getpid());
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

/* --- the helper verbs (native/README.md "Cgroup helpers") ---------------------------------------
 * Their JSON needs no escaping: the parent is validated ([A-Za-z0-9._-/], args.c), run groups'
 * names are matched digit by digit, and the reasons are ours or strerror's. */

static void print_path_list(const char *const *items)
{
    for (size_t i = 0; items[i]; i++)
        printf("%s\"%s\"", i ? "," : "", items[i]);
}

static int cgroup_info(const struct cgroup_ops *ops, const char *parent,
                       const struct cgroup_layout *lay)
{
    printf("{\"mode\":\"%s\",\"parent\":\"%s\",\"hierarchies\":[", ops->name, parent);
    for (unsigned i = 0; i < lay->n; i++) {
        printf("%s{\"path\":\"%s/%s\",\"controllers\":[", i ? "," : "", lay->h[i].mount, parent);
        print_path_list(lay->h[i].controllers);
        printf("]}");
    }
    printf("],\"runGroup\":\"" CGROUP_RUN_PREFIX "{pid}-{n}\"}\n");
    return fflush(stdout) == 0 ? 0 : -1;
}

/* The launcher pid in a run group's name (CGROUP_RUN_PREFIX <pid>-<n>); 0 for any other name. */
static pid_t run_group_pid(const char *name)
{
    size_t pre = strlen(CGROUP_RUN_PREFIX);
    if (strncmp(name, CGROUP_RUN_PREFIX, pre))
        return 0;
    const char *p = name + pre;
    size_t a = strspn(p, "0123456789");
    if (!a || a > 9 || p[a] != '-')
        return 0;
    size_t b = strspn(p + a + 1, "0123456789");
    if (!b || p[a + 1 + b])
        return 0;
    return (pid_t)strtol(p, NULL, 10);
}

/* One JSON array being written, element by element. */
struct json_list {
    FILE *f;
    char *buf;
    size_t len;
    bool any;
};

__attribute__((format(printf, 2, 3))) static void list_add(struct json_list *l, const char *fmt,
                                                           ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (l->f) {
        fputs(l->any ? "," : "", l->f);
        vfprintf(l->f, fmt, ap);
    }
    va_end(ap);
    l->any = true;
}

struct sweep {
    struct json_list removed, kept, failed;
};

/* Why dirfd/name, a group rmdir refused (EBUSY), is not empty. */
static const char *busy_reason(int dirfd, const char *name, char *buf, size_t size)
{
    char procs[4096];
    struct rb_error ignored = {0};
    autofd int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t len = fd < 0 ? -1 : read_file_at(fd, "cgroup.procs", procs, sizeof procs, &ignored);
    unsigned n = 0;
    for (ssize_t i = 0; i < len; i++)
        n += procs[i] == '\n';
    if (n)
        snprintf(buf, size, "%u%s process%s still inside", n, len == sizeof procs - 1 ? "+" : "",
                 n == 1 && len != sizeof procs - 1 ? "" : "es");
    else
        snprintf(buf, size, "groups still inside");
    return buf;
}

static void remove_dir(struct sweep *s, int dirfd, const char *name, const char *path)
{
    char why[64];
    if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0)
        list_add(&s->removed, "\"%s\"", path);
    else if (errno != ENOENT) /* ENOENT: gone meanwhile, nothing to say */
        list_add(&s->failed, "{\"path\":\"%s\",\"reason\":\"%s\"}", path,
                 errno == EBUSY ? busy_reason(dirfd, name, why, sizeof why) : strerror(errno));
}

/* In one hierarchy: every run group under the parent whose launcher is gone (a SIGKILLed
 * launcher cannot remove its own), then, with remove_parent, the parent folder itself. Nothing
 * else is touched: not the parent's other entries, not its ancestors. A group of a running
 * launcher may be empty for a moment (v1: made before its init joins), so it is kept. */
static void sweep_hierarchy(struct sweep *s, const char *mount, const char *parent,
                            bool remove_parent)
{
    char path[PATH_MAX];
    autofd int root = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int pfd = root < 0 ? -1 : openat(root, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0) {
        if (errno != ENOENT) /* no parent: nothing of runbox's here */
            list_add(&s->failed, "{\"path\":\"%s/%s\",\"reason\":\"%s\"}", mount, parent,
                     strerror(errno));
        return;
    }
    DIR *d = fdopendir(pfd);
    if (!d) {
        close(pfd);
        list_add(&s->failed, "{\"path\":\"%s/%s\",\"reason\":\"%s\"}", mount, parent,
                 strerror(errno));
        return;
    }
    for (struct dirent *e; (e = readdir(d));) {
        pid_t pid = e->d_type == DT_DIR ? run_group_pid(e->d_name) : 0;
        if (!pid)
            continue;
        snprintf(path, sizeof path, "%s/%s/%s", mount, parent, e->d_name);
        if (kill(pid, 0) == 0 || errno == EPERM)
            list_add(&s->kept, "\"%s\"", path);
        else
            remove_dir(s, dirfd(d), e->d_name, path);
    }
    closedir(d);
    if (remove_parent) {
        snprintf(path, sizeof path, "%s/%s", mount, parent);
        remove_dir(s, root, parent, path);
    }
}

static int cgroup_sweep(const char *parent, const struct cgroup_layout *lay, bool remove_parent,
                        struct rb_error *err)
{
    struct sweep s = {0};
    struct json_list *lists[] = {&s.removed, &s.kept, &s.failed};
    int ret = 0;
    for (size_t i = 0; i < ARRAY_LEN(lists); i++)
        if (!(lists[i]->f = open_memstream(&lists[i]->buf, &lists[i]->len)))
            ret = rb_fail(err, errno, "open_memstream");
    if (ret == 0) {
        for (unsigned i = 0; i < lay->n; i++)
            sweep_hierarchy(&s, lay->h[i].mount, parent, remove_parent);
        for (size_t i = 0; i < ARRAY_LEN(lists); i++)
            if (fclose(lists[i]->f) != 0)
                ret = rb_fail(err, ENOMEM, "sweep output");
        lists[0]->f = lists[1]->f = lists[2]->f = NULL;
        if (ret == 0)
            printf("{\"removed\":[%s],\"kept\":[%s],\"failed\":[%s]}\n", s.removed.buf, s.kept.buf,
                   s.failed.buf);
        if (ret == 0 && fflush(stdout) != 0)
            ret = rb_fail(err, errno, "write the sweep's output");
    }
    for (size_t i = 0; i < ARRAY_LEN(lists); i++) {
        if (lists[i]->f)
            fclose(lists[i]->f);
        free(lists[i]->buf);
    }
    return ret;
}

/* --cgroup-adopt: the parent made usable (cgroup_ops.adopt), and what it gives the runs. */
static int cgroup_adopt(const struct cgroup_ops *ops, const char *parent, struct rb_error *err)
{
    struct cgroup_adopted a;
    if (ops->adopt(parent, &a, err) < 0)
        return -1;
    printf("{\"mode\":\"%s\",\"parent\":\"%s\",\"leaf\":\"%s\",\"moved\":%u,"
           "\"controllers\":[",
           ops->name, parent, ops == &cgroup_v2 ? CGROUP_WORKER_LEAF : "", a.moved);
    const char *sep = "";
    for (char *p = a.controllers, *w; (w = strsep(&p, " "));)
        if (*w) {
            printf("%s\"%s\"", sep, w);
            sep = ",";
        }
    printf("]}\n");
    return fflush(stdout) == 0 ? 0 : rb_fail(err, errno, "write stdout");
}

int cgroup_helper_main(const struct cli *c)
{
    struct rb_error err = {0};
    struct cgroup_layout lay;
    const struct cgroup_ops *ops = cgroup_detect(&err);
    const char *parent = c->setup.cgroup_parent;
    int r = !ops || ops->layout(&lay, &err) < 0 ? -1
            : c->mode == MODE_CG_INFO           ? cgroup_info(ops, parent, &lay)
            : c->mode == MODE_CG_ADOPT          ? cgroup_adopt(ops, parent, &err)
                                       : cgroup_sweep(parent, &lay, c->remove_parent, &err);
    if (r < 0) {
        fprintf(stderr, "runbox-launcher: %s\n", err.msg[0] ? err.msg : "cannot write stdout");
        return RB_EXIT_FAILED;
    }
    return RB_EXIT_OK;
}
