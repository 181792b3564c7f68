/* cgroup_v2.c — the run's group on the unified hierarchy (cgroup v2): memory.max with
 * memory.swap.max = 0 (swap excluded), pids.max, CPU time from cpu.stat, peak from memory.peak,
 * OOM kills from memory.events; the init is cloned straight into the group (CLONE_INTO_CGROUP),
 * so no migration happens; cgroup.kill ends the tree; cpuset.cpus pins it to its CPUs. Properties
 * 4, 5, 6, 7. The root's controllers are only used, never changed: the parent (<root>/<parent>)
 * gets +memory +pids (+cpu +cpuset) in its subtree_control when its own parent offers them. */
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

#define V2_ROOT "/sys/fs/cgroup"

/* The files a run reads or writes, opened when the group is made. */
enum { K_CPU, K_MEM_MAX, K_SWAP_MAX, K_MEM_PEAK, K_MEM_EVENTS, K_PIDS_MAX, K_PIDS_EVENTS, K_N };
static const struct knob {
    const char *name, *fallback;
    int flags;
    bool optional;
} knobs[K_N] = {
    [K_CPU] = {"cpu.stat", NULL, O_RDONLY, false},
    [K_MEM_MAX] = {"memory.max", NULL, O_WRONLY, false},
    /* absent without swap accounting (then there is no swap to exclude) */
    [K_SWAP_MAX] = {"memory.swap.max", NULL, O_WRONLY, true},
    /* memory.peak is 5.19+; before that the end-of-run usage is the best there is */
    [K_MEM_PEAK] = {"memory.peak", "memory.current", O_RDONLY, false},
    [K_MEM_EVENTS] = {"memory.events", NULL, O_RDONLY, false},
    [K_PIDS_MAX] = {"pids.max", NULL, O_WRONLY, false},
    [K_PIDS_EVENTS] = {"pids.events", NULL, O_RDONLY, false},
};

struct cgroup {
    int parent_fd, dir_fd, procs_fd;
    int knob[K_N];
    uint64_t cpu_base_us;
    unsigned ncpu;
    char name[64];
};

static int v2_destroy(struct cgroup *cg, struct rb_error *err);

static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

/* Makes memory and pids (and cpu, cpuset when offered) available to the children of dirfd. */
static int enable_controllers(int dirfd, const char *what, struct rb_error *err)
{
    char have[512], offered[512], req[64] = "";
    if (read_file_at(dirfd, "cgroup.subtree_control", have, sizeof have, err) < 0)
        return rb_wrap(err, "%s", what);
    if (has_word(have, "memory") && has_word(have, "pids") && has_word(have, "cpuset"))
        return 0;
    if (read_file_at(dirfd, "cgroup.controllers", offered, sizeof offered, err) < 0)
        return rb_wrap(err, "%s", what);
    if (!has_word(offered, "memory") || !has_word(offered, "pids"))
        return rb_fail(err, ENOTSUP,
                       "cgroup v2: %s is not offered the memory and pids "
                       "controllers (its parent's subtree_control lacks them)",
                       what);
    if (has_word(have, "memory") && has_word(have, "pids") && !has_word(offered, "cpuset"))
        return 0; /* no cpuset here: the run is not pinned (cpu_count says so) */
    strcat(req, "+memory +pids");
    if (has_word(offered, "cpu"))
        strcat(req, " +cpu");
    if (has_word(offered, "cpuset"))
        strcat(req, " +cpuset");
    if (write_file_at(dirfd, "cgroup.subtree_control", req, err) < 0)
        return rb_wrap(err, "%s", what);
    return 0;
}

/* Pins the run's group to its CPUs when the cpuset controller is enabled for it. A list outside
 * the parent's CPUs leaves the parent's in effect (v2 semantics): the count is of the effective
 * ones. */
static int cpuset_pin(struct cgroup *cg, const char *cpus, struct rb_error *err)
{
    char list[1024];
    if (faccessat(cg->dir_fd, "cpuset.cpus", F_OK, 0) < 0) {
        if (cpus)
            return rb_fail(err, ENOTSUP, "--cpus: the cpuset controller is not available to %s",
                           cg->name);
        cg->ncpu = cgroup_online_cpus();
        return 0;
    }
    if (cgroup_cpu_list(cpus, list, sizeof list, err) < 0 ||
        write_file_at(cg->dir_fd, "cpuset.cpus", list, err) < 0 ||
        read_file_at(cg->dir_fd, "cpuset.cpus.effective", list, sizeof list, err) < 0)
        return rb_wrap(err, "cpuset");
    cg->ncpu = cgroup_count_cpus(list);
    if (!cg->ncpu)
        return rb_fail(err, EINVAL, "cpuset: the run has no CPUs");
    return 0;
}

/* The root's subtree_control is what the first level of the parent is offered, and with it
 * what create() enables below it (enable_controllers). */
static int v2_layout(struct cgroup_layout *out, struct rb_error *err)
{
    static const char *const used[] = {"memory", "pids", "cpu", "cpuset"};
    char have[512];
    autofd int root = open(V2_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return rb_fail(err, errno, "open " V2_ROOT);
    if (read_file_at(root, "cgroup.subtree_control", have, sizeof have, err) < 0)
        return rb_wrap(err, V2_ROOT);
    struct cgroup_hierarchy *h = &out->h[0];
    *h = (struct cgroup_hierarchy){.mount = V2_ROOT};
    unsigned n = 0;
    for (size_t i = 0; i < ARRAY_LEN(used); i++)
        if (has_word(have, used[i]))
            h->controllers[n++] = used[i];
    out->n = 1;
    return 0;
}

/* The caller's group, relative to the root ("" for the root itself), from /proc/self/cgroup. */
static int own_group(char *buf, size_t size, struct rb_error *err)
{
    char text[PATH_MAX + 64];
    autofd int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rb_fail(err, errno, "open /proc/self/cgroup");
    ssize_t n = read_all(fd, text, sizeof text - 1);
    if (n < 0)
        return rb_fail(err, errno, "read /proc/self/cgroup");
    text[n] = '\0';
    for (char *p = text, *line; (line = strsep(&p, "\n"));)
        if (!strncmp(line, "0::/", 4)) {
            snprintf(buf, size, "%s", line + 4);
            return 0;
        }
    return rb_fail(err, ENOENT, "/proc/self/cgroup has no cgroup v2 line");
}

/* Moves every process of the group at pfd itself into its leaf (leaf_procs: the leaf's
 * cgroup.procs). One that forks meanwhile leaves its child behind, so this goes on until none
 * is left, a few rounds at most. */
static int move_all(int pfd, int leaf_procs, const char *parent, unsigned *moved,
                    struct rb_error *err)
{
    char procs[16384];
    for (int round = 0; round < 8; round++) {
        ssize_t n = read_file_at(pfd, "cgroup.procs", procs, sizeof procs, err);
        if (n < 0)
            return rb_wrap(err, V2_ROOT "/%s", parent);
        if (n == 0)
            return 0;
        for (char *p = procs, *pid; (pid = strsep(&p, "\n"));) {
            if (!*pid)
                continue;
            if (pwrite(leaf_procs, pid, strlen(pid), 0) < 0 && errno != ESRCH)
                return rb_fail(err, errno,
                               "move process %s into " V2_ROOT "/%s/" CGROUP_WORKER_LEAF, pid,
                               parent);
            (*moved)++;
        }
    }
    return rb_fail(err, EAGAIN, V2_ROOT "/%s: its processes keep forking", parent);
}

static int v2_adopt(const char *parent, struct cgroup_adopted *out, struct rb_error *err)
{
    char own[PATH_MAX];
    size_t n = strlen(parent);
    if (own_group(own, sizeof own, err) < 0)
        return -1;
    if (strncmp(own, parent, n) || (own[n] != '\0' && own[n] != '/'))
        return rb_fail(err, 0,
                       "this process is in /%s, outside " V2_ROOT "/%s: start the worker inside "
                       "the delegated group (systemd Delegate=yes, or as root: echo PID > " V2_ROOT
                       "/%s/cgroup.procs)",
                       own, parent, parent);
    autofd int root = open(V2_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    autofd int pfd =
        root < 0 ? -1 : openat(root, parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0)
        return rb_fail(err, errno, "open " V2_ROOT "/%s", parent);
    static const char *const delegated[] = {"cgroup.procs", "cgroup.subtree_control", "."};
    for (size_t i = 0; i < ARRAY_LEN(delegated); i++)
        if (faccessat(pfd, delegated[i], W_OK, AT_EACCESS) < 0)
            return rb_fail(err, errno,
                           V2_ROOT
                           "/%s is not delegated to this user: chown it and its "
                           "cgroup.procs, cgroup.subtree_control, cgroup.threads to the worker's "
                           "user, or start the worker with systemd Delegate=yes",
                           parent);
    if (mkdirat(pfd, CGROUP_WORKER_LEAF, 0755) < 0 && errno != EEXIST)
        return rb_fail(err, errno, "mkdir " V2_ROOT "/%s/" CGROUP_WORKER_LEAF, parent);
    autofd int leaf =
        openat(pfd, CGROUP_WORKER_LEAF, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    autofd int leaf_procs = leaf < 0 ? -1 : openat(leaf, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (leaf_procs < 0)
        return rb_fail(err, errno, "open " V2_ROOT "/%s/" CGROUP_WORKER_LEAF "/cgroup.procs",
                       parent);
    out->moved = 0;
    if (move_all(pfd, leaf_procs, parent, &out->moved, err) < 0 ||
        enable_controllers(pfd, parent, err) < 0)
        return -1;
    ssize_t len =
        read_file_at(pfd, "cgroup.subtree_control", out->controllers, sizeof out->controllers, err);
    if (len < 0)
        return rb_wrap(err, V2_ROOT "/%s", parent);
    out->controllers[strcspn(out->controllers, "\n")] = '\0';
    return 0;
}

static int v2_create(const char *parent, const char *cpus, struct cgroup **out,
                     struct rb_error *err)
{
    struct cgroup *cg = calloc(1, sizeof *cg);
    if (!cg)
        return rb_fail(err, ENOMEM, "cgroup");
    cg->parent_fd = cg->dir_fd = cg->procs_fd = -1;
    for (int k = 0; k < K_N; k++)
        cg->knob[k] = -1;

    autofd int root = open(V2_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        rb_fail(err, errno, "open " V2_ROOT);
        goto fail;
    }
    /* Walk down from the root: each level below the root enables the controllers for the next
     * one (one read per level once they are), so a parent made by an older launcher gains the
     * ones it lacks; the root's own subtree_control is left as the host configured it. */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", parent);
    for (char *p = path;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdirat(root, path, 0755) < 0 && errno != EEXIST) {
            rb_fail(err, errno, "mkdir " V2_ROOT "/%s", path);
            goto fail;
        }
        autofd int lvl = openat(root, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lvl < 0 || enable_controllers(lvl, path, err) < 0) {
            if (lvl < 0)
                rb_fail(err, errno, "open " V2_ROOT "/%s", path);
            goto fail;
        }
        if (!c)
            break;
        *p = c;
    }
    cg->parent_fd = openat(root, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg->parent_fd < 0) {
        rb_fail(err, errno, "open " V2_ROOT "/%s", parent);
        goto fail;
    }
    if (cgroup_mkdir_run(cg->parent_fd, cg->name, sizeof cg->name, err) < 0) {
        cg->name[0] = '\0';
        goto fail;
    }
    cg->dir_fd = openat(cg->parent_fd, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg->dir_fd < 0) {
        rb_fail(err, errno, "open cgroup %s", cg->name);
        goto fail;
    }
    cg->procs_fd = cgroup_open_knob(cg->dir_fd, "cgroup.procs", O_RDONLY, err);
    if (cg->procs_fd < 0 || cpuset_pin(cg, cpus, err) < 0)
        goto fail;
    for (int k = 0; k < K_N; k++) {
        const struct knob *kn = &knobs[k];
        const char *name = kn->name;
        if (kn->fallback && faccessat(cg->dir_fd, name, F_OK, 0) < 0)
            name = kn->fallback;
        if (kn->optional && faccessat(cg->dir_fd, name, F_OK, 0) < 0)
            continue;
        cg->knob[k] = cgroup_open_knob(cg->dir_fd, name, kn->flags, err);
        if (cg->knob[k] < 0)
            goto fail;
    }
    *out = cg;
    return 0;
fail:;
    struct rb_error ignored = {0};
    v2_destroy(cg, &ignored);
    return -1;
}

static int v2_clone_fd(struct cgroup *cg) { return cg->dir_fd; }

static int v2_attach(struct cgroup *cg, pid_t pid, struct rb_error *err)
{
    (void)cg, (void)pid, (void)err; /* clone3(CLONE_INTO_CGROUP) put it there */
    return 0;
}

static int v2_cpu_raw(struct cgroup *cg, uint64_t *out)
{
    char buf[512];
    if (pread_str(cg->knob[K_CPU], buf, sizeof buf) < 0)
        return -1;
    if (find_key_u64(buf, "usage_usec", out) < 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int v2_start(struct cgroup *cg, const struct run_limits *lim, struct rb_error *err)
{
    char v[32];
    const int *k = cg->knob;
    snprintf(v, sizeof v, "%" PRIu64, lim->memory_kb * 1024);
    if (cgroup_write_knob(k[K_MEM_MAX], "memory.max", v, err) < 0 ||
        (k[K_SWAP_MAX] >= 0 && cgroup_write_knob(k[K_SWAP_MAX], "memory.swap.max", "0", err) < 0))
        return -1;
    snprintf(v, sizeof v, "%" PRIu64, lim->processes + 1); /* + the sandbox's init */
    if (cgroup_write_knob(k[K_PIDS_MAX], "pids.max", v, err) < 0)
        return -1;
    if (v2_cpu_raw(cg, &cg->cpu_base_us) < 0)
        return rb_fail(err, errno, "read cpu.stat");
    return 0;
}

static unsigned v2_cpu_count(struct cgroup *cg) { return cg->ncpu; }

static int v2_cpu_us(struct cgroup *cg, uint64_t *out)
{
    uint64_t v;
    if (v2_cpu_raw(cg, &v) < 0)
        return -1;
    *out = v > cg->cpu_base_us ? v - cg->cpu_base_us : 0;
    return 0;
}

static int v2_usage(struct cgroup *cg, struct cgroup_usage *out, struct rb_error *err)
{
    char buf[512];
    uint64_t v = 0;
    if (v2_cpu_us(cg, &out->cpu_time_us) < 0)
        return rb_fail(err, errno, "read cpu.stat");
    if (cgroup_read_knob(cg->knob[K_MEM_PEAK], "memory.peak", buf, sizeof buf, err) < 0)
        return -1;
    out->memory_peak_kb = strtoull(buf, NULL, 10) / 1024;
    if (cgroup_read_knob(cg->knob[K_MEM_EVENTS], "memory.events", buf, sizeof buf, err) < 0)
        return -1;
    out->oom_killed = find_key_u64(buf, "oom_kill", &v) == 0 && v > 0;
    if (cgroup_read_knob(cg->knob[K_PIDS_EVENTS], "pids.events", buf, sizeof buf, err) < 0)
        return -1;
    out->pids_max_hit = find_key_u64(buf, "max", &v) == 0 && v > 0;
    return 0;
}

static void v2_kill(struct cgroup *cg)
{
    struct rb_error ignored = {0};
    if (write_file_at(cg->dir_fd, "cgroup.kill", "1", &ignored) < 0) /* < 5.14 */
        cgroup_kill_procs(cg->procs_fd);
}

static int v2_destroy(struct cgroup *cg, struct rb_error *err)
{
    int ret = 0;
    if (!cg)
        return 0;
    if (cg->parent_fd >= 0 && cg->name[0]) {
        if (cg->dir_fd >= 0) {
            /* Normally empty already (the pid namespace is gone); cheap to check first. */
            char buf[16];
            if (pread_str(cg->procs_fd, buf, sizeof buf) != 0)
                v2_kill(cg);
        }
        ret = cgroup_rmdir_wait(cg->parent_fd, cg->name, cg->procs_fd, err);
    }
    for (int k = 0; k < K_N; k++)
        rb_closep(&cg->knob[k]);
    rb_closep(&cg->procs_fd);
    rb_closep(&cg->dir_fd);
    rb_closep(&cg->parent_fd);
    free(cg);
    return ret;
}

const struct cgroup_ops cgroup_v2 = {
    .name = "v2",
    .layout = v2_layout,
    .adopt = v2_adopt,
    .create = v2_create,
    .clone_fd = v2_clone_fd,
    .attach = v2_attach,
    .start = v2_start,
    .cpu_count = v2_cpu_count,
    .cpu_us = v2_cpu_us,
    .usage = v2_usage,
    .kill = v2_kill,
    .destroy = v2_destroy,
};
