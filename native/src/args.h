/* args.h — what a launcher invocation asks for: the mode, the set-up options (fixed when the
 * sandbox is built) and the run options (per run). One getopt_long parser serves both the command
 * line and the prepared mode's NUL-separated request, so both accept exactly the same spelling.
 * Validates every value the sandbox properties depend on (ids ≠ 0, box name, paths). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errors.h"

enum rb_mode {
    MODE_ONESHOT,
    MODE_PREPARED,
    MODE_WS_MOUNT,
    MODE_WS_UNMOUNT,
    MODE_BOX_REMOVE,
    MODE_CG_INFO,
    MODE_CG_SWEEP,
    MODE_CG_ADOPT,
};

struct run_limits {
    uint64_t cpu_ms, wall_ms, memory_kb, processes, output_bytes, file_size_kb, open_files,
        stack_kb;
};

struct bind_ro {
    const char *src, *dst;
};

struct setup_opts {
    uid_t uid;
    gid_t gid;
    const char *workspace; /* NULL: no workspace */
    struct bind_ro *binds;
    size_t nbinds;
    bool no_default_mounts;
    uint64_t tmp_kb;
    const char *hostname;
    const char *rootfs; /* NULL: bind sources come from the host's / (--rootfs) */
    bool userns;        /* --userns: the sandbox gets a user namespace of its own (userns.c) */
    const char *cgroup_parent;
    const char *cpus; /* the run's CPUs (cpuset); NULL: the launcher's own affinity */
    bool stdio_pipes; /* --stdio-pipes: fds 0 and 1 are the program's own, not captured */
    int report_fd, control_fd;
};

struct run_opts {
    const char *box; /* NULL: /box is an empty tmpfs */
    struct run_limits lim;
    char **env;  /* NULL-terminated */
    char **argv; /* NULL-terminated: PROGRAM ARG... */
};

struct cli {
    enum rb_mode mode;
    struct setup_opts setup;
    struct run_opts run;
    const char *ws_dir; /* workspace helpers */
    uint64_t disk_kb, inodes;
    bool remove_parent; /* --cgroup-sweep --remove-parent */
};

/* The command line. Returns 0, or -1 with err set (bad usage: RB_EXIT_USAGE). */
int args_parse_cli(int argc, char **argv, struct cli *out, struct rb_error *err);

/* A prepared-mode request: buf holds NUL-terminated arguments (the terminating empty argument
 * already stripped); only run options and `-- PROGRAM ARG...` are accepted. Strings point into buf.
 */
int args_parse_request(char *buf, size_t len, struct run_opts *out, struct rb_error *err);

/* The largest prepared-mode request (its arguments) a launcher reads, and a server relays. */
#define MAX_REQUEST_BYTES (1u << 20)

/* Finds the end of a request in buf[0..len): returns the length of the arguments (the offset of
 * the terminating empty argument) or -1 while incomplete. */
ssize_t args_request_end(const char *buf, size_t len);

bool args_valid_box_name(const char *name);
