/* cgroup.h — this run's control group. Two implementations (cgroup_v1.c, cgroup_v2.c) behind one
 * interface; nothing outside these files asks which hierarchy it got. Enforces the sandbox
 * properties (native/README.md "Properties") 4 (memory without swap, processes/threads, CPU time of
 * the whole tree), 6 (CPU time and peak memory from the kernel) and 7 (v1 and v2 chosen at run
 * time); the destroy step is part of property 5 (no cgroup remains). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "args.h"   /* struct run_limits, struct cli */
#include "errors.h" /* struct rb_error */

struct cgroup; /* opaque: this run's group(s) and their open directory fds */

/* runbox's cgroup layout, the one definition of it: a run's groups are made in one folder per
 * hierarchy it uses, <mount>/<parent>/run-<launcher pid>-<n> (v1: one hierarchy per controller;
 * v2: one). --cgroup-info prints it and --cgroup-sweep walks it (native/README.md). */
#define CGROUP_MAX_HIERARCHIES 4
#define CGROUP_RUN_PREFIX "run-"
struct cgroup_layout {
    unsigned n;
    struct cgroup_hierarchy {
        const char *mount;                                   /* where the hierarchy is mounted */
        const char *controllers[CGROUP_MAX_HIERARCHIES + 1]; /* runbox's there, NULL-terminated */
    } h[CGROUP_MAX_HIERARCHIES];
};

/* What --cgroup-adopt made of a delegated parent. */
struct cgroup_adopted {
    unsigned moved;       /* processes moved from the parent itself into its leaf (v2) */
    char controllers[96]; /* those the parent's children get, space-separated */
};
#define CGROUP_WORKER_LEAF "worker"

struct cgroup_usage {
    uint64_t cpu_time_us, memory_peak_kb;
    bool oom_killed, pids_max_hit;
};

struct cgroup_ops {
    const char *name; /* "v1" or "v2", copied into the report */
    /* The hierarchies a run's groups would be made in on this host, and runbox's controllers. */
    int (*layout)(struct cgroup_layout *out, struct rb_error *err);
    /* A parent delegated to a worker without host root (--cgroup-adopt): one the launchers of
     * this process's tree can make their runs' groups in. v2: the caller must be inside it; every
     * process of the parent itself moves to its leaf CGROUP_WORKER_LEAF (a group that hands
     * controllers to its children holds no process), and the parent enables runbox's controllers
     * for them. v1: the parent is there, or made, and writable in every hierarchy. */
    int (*adopt)(const char *parent, struct cgroup_adopted *out, struct rb_error *err);
    /* mkdir <hierarchy>/<parent>/run-<pid>-<n> (parent created on first use), pinned to the CPU
     * list cpus (NULL: the launcher's own affinity) where the cpuset controller is there. */
    int (*create)(const char *parent, const char *cpus, struct cgroup **out, struct rb_error *err);
    /* fd for clone3(CLONE_INTO_CGROUP), or -1 when the hierarchy needs attach(). */
    int (*clone_fd)(struct cgroup *cg);
    /* Moves pid into the group (v1; a no-op on v2 where clone3 placed it). */
    int (*attach)(struct cgroup *cg, pid_t pid, struct rb_error *err);
    /* Writes the run's limits and starts accounting from here (baseline of CPU time, peak). */
    int (*start)(struct cgroup *cg, const struct run_limits *lim, struct rb_error *err);
    /* How many CPUs the tree can run on at once: the group's cpuset, or every online CPU where
     * there is no cpuset (the program may then set its affinity anywhere). */
    unsigned (*cpu_count)(struct cgroup *cg);
    /* CPU time of the tree since start(), microseconds; cheap (pread on an open fd). */
    int (*cpu_us)(struct cgroup *cg, uint64_t *out);
    int (*usage)(struct cgroup *cg, struct cgroup_usage *out, struct rb_error *err);
    /* Kills every task in the group. v2: cgroup.kill. v1: nothing, since every task is in the run's
     * pid namespace, which the caller ends by killing its init; destroy() kills whatever is left.
     */
    void (*kill)(struct cgroup *cg);
    /* Kills what is left, waits until empty, rmdir in every hierarchy, frees cg. NULL is ok. */
    int (*destroy)(struct cgroup *cg, struct rb_error *err);
};

extern const struct cgroup_ops cgroup_v1, cgroup_v2;
const struct cgroup_ops *cgroup_detect(struct rb_error *err); /* statfs once */

/* The helper verbs --cgroup-info, --cgroup-sweep and --cgroup-adopt (c->mode): prints one JSON line
 * on stdout, returns the exit status (0, or 2 with the reason on stderr). */
int cgroup_helper_main(const struct cli *c);

/* Shared by both implementations (cgroup.c). Knob files are opened once when the group is made,
 * so starting a run and collecting its usage cost one pread/pwrite each. */
int cgroup_open_knob(int dirfd, const char *name, int flags, struct rb_error *err);
int cgroup_write_knob(int fd, const char *name, const char *val, struct rb_error *err);
int cgroup_read_knob(int fd, const char *name, char *buf, size_t size, struct rb_error *err);
int cgroup_mkdir_run(int parent_fd, char *name, size_t size, struct rb_error *err);
int cgroup_rmdir_wait(int parent_fd, const char *name, int procs_fd, struct rb_error *err);
void cgroup_kill_procs(int procs_fd);
/* The CPU list to pin a run to: cpus, or the calling thread's affinity when NULL. */
int cgroup_cpu_list(const char *cpus, char *buf, size_t size, struct rb_error *err);
/* CPUs in a kernel CPU list ("0-3,6\n"); 0 for an empty or malformed one. */
unsigned cgroup_count_cpus(const char *list);
/* Online CPUs: the bound of what a tree without a cpuset can use at once. */
unsigned cgroup_online_cpus(void);
