/* cgroup_v1.c — the run's groups on cgroup v1, where each controller is its own hierarchy under
 * /sys/fs/cgroup/<controller>: memory (limit with swap excluded through memory.memsw, peak, OOM
 * kills), pids (processes + threads, limit hits), cpuacct (CPU time of the tree) and cpuset (the
 * run's CPUs, which no sched_setaffinity leaves). Property 4
 * (tree-wide memory/processes/CPU), 6 (accounting from the kernel), 5 (removed after the run).
 * The host's hierarchies are never reconfigured: groups are made only under <h>/<parent>/. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum { H_MEMORY, H_PIDS, H_CPUACCT, H_CPUSET, H_N };

/* The controller runbox uses in each hierarchy, and its mount points, with the co-mounted
 * spelling some distributions use. */
static const struct hierarchy {
    const char *controller;
    const char *mounts[2];
} hierarchies[H_N] = {
    [H_MEMORY] = {"memory", {"/sys/fs/cgroup/memory", NULL}},
    [H_PIDS] = {"pids", {"/sys/fs/cgroup/pids", NULL}},
    [H_CPUACCT] = {"cpuacct", {"/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpu,cpuacct"}},
    /* optional: pins the run to its CPUs */
    [H_CPUSET] = {"cpuset", {"/sys/fs/cgroup/cpuset", NULL}},
};

/* Opens hierarchy h's mount; *mount is the spelling found (or the last one tried). -1 with errno
 * when it is not there. */
static int open_hierarchy(int h, const char **mount)
{
    int fd = -1;
    for (int alt = 0; alt < 2 && fd < 0 && hierarchies[h].mounts[alt]; alt++) {
        *mount = hierarchies[h].mounts[alt];
        fd = open(*mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    }
    return fd;
}

static int v1_layout(struct cgroup_layout *out, struct rb_error *err)
{
    out->n = 0;
    for (int h = 0; h < H_N; h++) {
        const char *mount = NULL;
        int fd = open_hierarchy(h, &mount);
        if (fd < 0 && h == H_CPUSET && errno == ENOENT)
            continue; /* as in create(): the runs are not pinned */
        if (fd < 0)
            return rb_fail(err, errno, "cgroup v1 hierarchy %s", mount);
        close(fd);
        out->h[out->n++] = (struct cgroup_hierarchy){mount, {hierarchies[h].controller, NULL}};
    }
    return 0;
}

/* The files a run reads or writes, opened when the group is made. */
enum { K_CPU, K_MEM_LIMIT, K_MEMSW_LIMIT, K_MEM_PEAK, K_OOM, K_PIDS_MAX, K_PIDS_EVENTS, K_N };
static const struct knob {
    int h;
    const char *name;
    int flags;
    bool optional;
} knobs[K_N] = {
    [K_CPU] = {H_CPUACCT, "cpuacct.usage", O_RDONLY, false},
    [K_MEM_LIMIT] = {H_MEMORY, "memory.limit_in_bytes", O_WRONLY, false},
    /* absent when the kernel does not account swap (then there is none to exclude) */
    [K_MEMSW_LIMIT] = {H_MEMORY, "memory.memsw.limit_in_bytes", O_WRONLY, true},
    [K_MEM_PEAK] = {H_MEMORY, "memory.max_usage_in_bytes", O_RDWR, false},
    [K_OOM] = {H_MEMORY, "memory.oom_control", O_RDONLY, false},
    [K_PIDS_MAX] = {H_PIDS, "pids.max", O_WRONLY, false},
    [K_PIDS_EVENTS] = {H_PIDS, "pids.events", O_RDONLY, false},
};

struct cgroup {
    int parent_fd[H_N], dir_fd[H_N], procs_fd[H_N];
    int knob[K_N];
    uint64_t cpu_base_ns;
    unsigned ncpu;
    char name[64];
};

/* A new cpuset group starts with no CPUs and no memory nodes (no task can join it). */
static int copy_if_empty(int from_fd, int to_fd, const char *name, struct rb_error *err)
{
    char have[1024], val[1024];
    if (read_file_at(to_fd, name, have, sizeof have, err) < 0)
        return -1;
    if (have[0] && have[0] != '\n')
        return 0;
    if (read_file_at(from_fd, name, val, sizeof val, err) < 0)
        return -1;
    return write_file_at(to_fd, name, val, err);
}

/* Each level of <cpuset>/<parent> that is still empty gets its parent's CPUs and memory nodes;
 * the host's own groups are only read. */
static int cpuset_fill_parents(int root, const char *parent, struct rb_error *err)
{
    char path[PATH_MAX];
    autofd int up = dup(root);
    if (up < 0)
        return rb_fail(err, errno, "dup");
    snprintf(path, sizeof path, "%s", parent);
    for (char *p = path;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        int lvl = openat(root, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lvl < 0)
            return rb_fail(err, errno, "open cpuset %s", path);
        if (copy_if_empty(up, lvl, "cpuset.cpus", err) < 0 ||
            copy_if_empty(up, lvl, "cpuset.mems", err) < 0) {
            close(lvl);
            return rb_wrap(err, "cpuset %s", path);
        }
        rb_closep(&up);
        up = lvl;
        if (!c)
            return 0;
        *p = c;
    }
}

/* The run's group gets its CPUs (a subset of the parent's, or the kernel says EINVAL) and the
 * parent's memory nodes; returns how many CPUs it has. */
static int cpuset_pin(int parent_fd, int dir_fd, const char *cpus, unsigned *ncpu,
                      struct rb_error *err)
{
    char list[1024], mems[1024];
    if (cgroup_cpu_list(cpus, list, sizeof list, err) < 0 ||
        read_file_at(parent_fd, "cpuset.mems", mems, sizeof mems, err) < 0 ||
        write_file_at(dir_fd, "cpuset.mems", mems, err) < 0 ||
        write_file_at(dir_fd, "cpuset.cpus", list, err) < 0 ||
        read_file_at(dir_fd, "cpuset.effective_cpus", list, sizeof list, err) < 0)
        return rb_wrap(err, "cpuset");
    *ncpu = cgroup_count_cpus(list);
    if (!*ncpu)
        return rb_fail(err, EINVAL, "cpuset: the run has no CPUs");
    return 0;
}

static int v1_destroy(struct cgroup *cg, struct rb_error *err);

static int v1_create(const char *parent, const char *cpus, struct cgroup **out,
                     struct rb_error *err)
{
    struct cgroup *cg = calloc(1, sizeof *cg);
    if (!cg)
        return rb_fail(err, ENOMEM, "cgroup");
    for (int h = 0; h < H_N; h++)
        cg->parent_fd[h] = cg->dir_fd[h] = cg->procs_fd[h] = -1;
    for (int k = 0; k < K_N; k++)
        cg->knob[k] = -1;

    for (int h = 0; h < H_N; h++) {
        const char *path = NULL;
        autofd int root = open_hierarchy(h, &path);
        if (root < 0 && h == H_CPUSET && errno == ENOENT && !cpus)
            continue; /* no cpuset hierarchy: the tree may use every CPU (cpu_count) */
        if (root < 0) {
            rb_fail(err, errno, "cgroup v1 hierarchy %s", path);
            goto fail;
        }
        if (mkdir_p_at(root, parent, 0755, err) < 0 ||
            (h == H_CPUSET && cpuset_fill_parents(root, parent, err) < 0))
            goto fail;
        cg->parent_fd[h] = openat(root, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->parent_fd[h] < 0) {
            rb_fail(err, errno, "open %s/%s", path, parent);
            goto fail;
        }
        if (h == 0) {
            if (cgroup_mkdir_run(cg->parent_fd[h], cg->name, sizeof cg->name, err) < 0) {
                cg->name[0] = '\0';
                goto fail;
            }
        } else if (mkdirat(cg->parent_fd[h], cg->name, 0755) < 0 && errno != EEXIST) {
            rb_fail(err, errno, "mkdir %s/%s/%s", path, parent, cg->name);
            goto fail;
        }
        cg->dir_fd[h] = openat(cg->parent_fd[h], cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cg->dir_fd[h] < 0) {
            rb_fail(err, errno, "open %s/%s/%s", path, parent, cg->name);
            goto fail;
        }
        cg->procs_fd[h] = openat(cg->dir_fd[h], "cgroup.procs", O_RDWR | O_CLOEXEC);
        if (cg->procs_fd[h] < 0) {
            rb_fail(err, errno, "open %s/.../cgroup.procs", path);
            goto fail;
        }
        if (h == H_CPUSET && cpuset_pin(cg->parent_fd[h], cg->dir_fd[h], cpus, &cg->ncpu, err) < 0)
            goto fail;
    }
    if (!cg->ncpu)
        cg->ncpu = cgroup_online_cpus();
    for (int k = 0; k < K_N; k++) {
        const struct knob *kn = &knobs[k];
        if (kn->optional && faccessat(cg->dir_fd[kn->h], kn->name, F_OK, 0) < 0)
            continue;
        cg->knob[k] = cgroup_open_knob(cg->dir_fd[kn->h], kn->name, kn->flags, err);
        if (cg->knob[k] < 0)
            goto fail;
    }
    *out = cg;
    return 0;
fail:;
    struct rb_error ignored = {0};
    v1_destroy(cg, &ignored);
    return -1;
}

static int v1_clone_fd(struct cgroup *cg)
{
    (void)cg;
    return -1;
}

static int v1_attach(struct cgroup *cg, pid_t pid, struct rb_error *err)
{
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%d", (int)pid);
    for (int h = 0; h < H_N; h++)
        if (cg->procs_fd[h] >= 0 && write(cg->procs_fd[h], buf, (size_t)len) != len)
            return rb_fail(err, errno, "attach %d to cgroup %s (hierarchy %d)", (int)pid, cg->name,
                           h);
    return 0;
}

static int v1_start(struct cgroup *cg, const struct run_limits *lim, struct rb_error *err)
{
    char v[32];
    const int *k = cg->knob;
    snprintf(v, sizeof v, "%" PRIu64, lim->memory_kb * 1024);
    /* memory.limit ≤ memsw.limit at every moment: both start unlimited, memory goes first.
     * memsw = memory means the group cannot use swap at all. */
    if (cgroup_write_knob(k[K_MEM_LIMIT], "memory.limit_in_bytes", v, err) < 0 ||
        (k[K_MEMSW_LIMIT] >= 0 &&
         cgroup_write_knob(k[K_MEMSW_LIMIT], "memory.memsw.limit_in_bytes", v, err) < 0))
        return -1;
    snprintf(v, sizeof v, "%" PRIu64, lim->processes + 1); /* + the sandbox's init */
    if (cgroup_write_knob(k[K_PIDS_MAX], "pids.max", v, err) < 0)
        return -1;
    /* The peak so far is the init's set-up; count the run's from here. */
    if (cgroup_write_knob(k[K_MEM_PEAK], "memory.max_usage_in_bytes", "0", err) < 0)
        return -1;
    char buf[32];
    if (cgroup_read_knob(k[K_CPU], "cpuacct.usage", buf, sizeof buf, err) < 0)
        return -1;
    cg->cpu_base_ns = strtoull(buf, NULL, 10);
    return 0;
}

static unsigned v1_cpu_count(struct cgroup *cg) { return cg->ncpu; }

static int v1_cpu_us(struct cgroup *cg, uint64_t *out)
{
    char buf[32];
    if (pread_str(cg->knob[K_CPU], buf, sizeof buf) < 0)
        return -1;
    uint64_t ns = strtoull(buf, NULL, 10);
    *out = ns > cg->cpu_base_ns ? (ns - cg->cpu_base_ns) / 1000 : 0;
    return 0;
}

static int v1_usage(struct cgroup *cg, struct cgroup_usage *out, struct rb_error *err)
{
    char buf[512];
    uint64_t v = 0;
    if (v1_cpu_us(cg, &out->cpu_time_us) < 0)
        return rb_fail(err, errno, "read cpuacct.usage");
    if (cgroup_read_knob(cg->knob[K_MEM_PEAK], "memory.max_usage_in_bytes", buf, sizeof buf, err) <
        0)
        return -1;
    out->memory_peak_kb = strtoull(buf, NULL, 10) / 1024;
    if (cgroup_read_knob(cg->knob[K_OOM], "memory.oom_control", buf, sizeof buf, err) < 0)
        return -1;
    out->oom_killed = find_key_u64(buf, "oom_kill", &v) == 0 && v > 0;
    if (cgroup_read_knob(cg->knob[K_PIDS_EVENTS], "pids.events", buf, sizeof buf, err) < 0)
        return -1;
    out->pids_max_hit = find_key_u64(buf, "max", &v) == 0 && v > 0;
    return 0;
}

static void v1_kill(struct cgroup *cg)
{
    /* Nothing to do here: every task of the run is in its pid namespace and the caller kills
     * that namespace's init, which makes the kernel kill all of them at once (no freezer
     * needed: nothing can fork its way out of a dying namespace). destroy() still kills
     * whatever a group lists before removing it. */
    (void)cg;
}

static int v1_destroy(struct cgroup *cg, struct rb_error *err)
{
    int ret = 0;
    if (!cg)
        return 0;
    for (int h = 0; h < H_N; h++) {
        if (cg->parent_fd[h] >= 0 && cg->name[0] &&
            cgroup_rmdir_wait(cg->parent_fd[h], cg->name, cg->procs_fd[h],
                              ret ? &(struct rb_error){0} : err) < 0)
            ret = -1;
        rb_closep(&cg->procs_fd[h]);
        rb_closep(&cg->dir_fd[h]);
        rb_closep(&cg->parent_fd[h]);
    }
    for (int k = 0; k < K_N; k++)
        rb_closep(&cg->knob[k]);
    free(cg);
    return ret;
}

/* v1 has no rule against processes next to groups: a parent is usable once a run's groups can be
 * made in it, which one made and removed here proves (the cpuset levels filled on the way). */
static int v1_adopt(const char *parent, struct cgroup_adopted *out, struct rb_error *err)
{
    struct cgroup *cg = NULL;
    struct cgroup_layout lay;
    if (v1_layout(&lay, err) < 0)
        return -1;
    if (v1_create(parent, NULL, &cg, err) < 0)
        return rb_wrap(err,
                       "cgroup v1 parent %s is not usable by this user (chown it in every "
                       "hierarchy to the worker's user)",
                       parent);
    if (v1_destroy(cg, err) < 0)
        return -1;
    out->moved = 0;
    out->controllers[0] = '\0';
    for (unsigned i = 0; i < lay.n; i++) {
        size_t len = strlen(out->controllers);
        snprintf(out->controllers + len, sizeof out->controllers - len, "%s%s", len ? " " : "",
                 lay.h[i].controllers[0]);
    }
    return 0;
}

const struct cgroup_ops cgroup_v1 = {
    .name = "v1",
    .layout = v1_layout,
    .adopt = v1_adopt,
    .create = v1_create,
    .clone_fd = v1_clone_fd,
    .attach = v1_attach,
    .start = v1_start,
    .cpu_count = v1_cpu_count,
    .cpu_us = v1_cpu_us,
    .usage = v1_usage,
    .kill = v1_kill,
    .destroy = v1_destroy,
};
