/* args.c — the option parser (see args.h). Option spellings are the contract in native/README.md;
 * each long option carries its unit. Defaults live in run_defaults() and setup_defaults(). */
#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "default_limits.h"
#include "util.h"

/* The options in their three groups, one group per line. */
/* clang-format off */
enum {
    O_UID = 0x100, O_GID, O_WORKSPACE, O_BIND_RO, O_NO_DEFAULT_MOUNTS, O_TMP_KB, O_HOSTNAME,
    O_CG_PARENT, O_REPORT_FD, O_CONTROL_FD, O_CPUS, O_ROOTFS, O_STDIO_PIPES, O_USERNS, /* set-up */
    O_BOX, O_CPU, O_WALL, O_MEM, O_PROCS, O_OUTPUT, O_FSIZE, O_NOFILE, O_STACK, O_ENV, /* run */
    O_WS_MOUNT, O_WS_UNMOUNT, O_DISK_KB, O_INODES, O_BOX_REMOVE,             /* helpers */
    O_CG_INFO, O_CG_SWEEP, O_CG_ADOPT, O_REMOVE_PARENT,
};
/* clang-format on */
#define IS_RUN_OPT(c) ((c) >= O_BOX && (c) <= O_ENV)

static const struct option options[] = {
    {"uid", required_argument, NULL, O_UID},
    {"gid", required_argument, NULL, O_GID},
    {"workspace", required_argument, NULL, O_WORKSPACE},
    {"bind-ro", required_argument, NULL, O_BIND_RO},
    {"no-default-mounts", no_argument, NULL, O_NO_DEFAULT_MOUNTS},
    {"tmp-size-kb", required_argument, NULL, O_TMP_KB},
    {"hostname", required_argument, NULL, O_HOSTNAME},
    {"rootfs", required_argument, NULL, O_ROOTFS},
    {"userns", no_argument, NULL, O_USERNS},
    {"cgroup-parent", required_argument, NULL, O_CG_PARENT},
    {"report-fd", required_argument, NULL, O_REPORT_FD},
    {"control-fd", required_argument, NULL, O_CONTROL_FD},
    {"cpus", required_argument, NULL, O_CPUS},
    {"stdio-pipes", no_argument, NULL, O_STDIO_PIPES},
    {"box", required_argument, NULL, O_BOX},
    {"cpu-time-ms", required_argument, NULL, O_CPU},
    {"wall-time-ms", required_argument, NULL, O_WALL},
    {"memory-kb", required_argument, NULL, O_MEM},
    {"processes", required_argument, NULL, O_PROCS},
    {"output-bytes", required_argument, NULL, O_OUTPUT},
    {"file-size-kb", required_argument, NULL, O_FSIZE},
    {"open-files", required_argument, NULL, O_NOFILE},
    {"stack-kb", required_argument, NULL, O_STACK},
    {"env", required_argument, NULL, O_ENV},
    {"workspace-mount", required_argument, NULL, O_WS_MOUNT},
    {"workspace-unmount", required_argument, NULL, O_WS_UNMOUNT},
    {"disk-kb", required_argument, NULL, O_DISK_KB},
    {"inodes", required_argument, NULL, O_INODES},
    {"box-remove", required_argument, NULL, O_BOX_REMOVE},
    {"cgroup-info", no_argument, NULL, O_CG_INFO},
    {"cgroup-sweep", no_argument, NULL, O_CG_SWEEP},
    {"cgroup-adopt", no_argument, NULL, O_CG_ADOPT},
    {"remove-parent", no_argument, NULL, O_REMOVE_PARENT},
    {NULL, 0, NULL, 0},
};

/* Numeric run options: where the value goes and its accepted range. */
struct num_opt {
    int code;
    size_t offset; /* in struct run_limits */
    uint64_t min, max;
};
#define LIM(f) offsetof(struct run_limits, f)
static const struct num_opt run_numbers[] = {
    {O_CPU, LIM(cpu_ms), 1, 24ull * 3600 * 1000},
    {O_WALL, LIM(wall_ms), 1, 7ull * 24 * 3600 * 1000},
    {O_MEM, LIM(memory_kb), 1024, 1ull << 40},
    {O_PROCS, LIM(processes), 1, 1u << 22},
    {O_OUTPUT, LIM(output_bytes), 0, 1ull << 40},
    {O_FSIZE, LIM(file_size_kb), 1, 1ull << 40},
    {O_NOFILE, LIM(open_files), 4, 1u << 20},
    {O_STACK, LIM(stack_kb), 64, 1ull << 30},
};

/* The limits the contract has (cpu, wall, memory, processes, output) default to its
 * DEFAULT_LIMITS, through a header generated from it (npm run limits:native; a worker spec fails
 * when it is stale). Generated rather than required of every caller: the worker always sends all
 * five, but the TAP suite, the benches and people at a shell run the launcher by hand, and each
 * limit defaulting on its own is what the API does with a job that names some. The rlimits below
 * are the launcher's own: the contract has no such limits. */
static void run_defaults(struct run_opts *r)
{
    memset(r, 0, sizeof *r);
    r->lim = (struct run_limits){
        .cpu_ms = RB_DEFAULT_CPU_TIME_MS,
        .wall_ms = RB_DEFAULT_WALL_TIME_MS,
        .memory_kb = RB_DEFAULT_MEMORY_KB,
        .processes = RB_DEFAULT_PROCESSES,
        .output_bytes = RB_DEFAULT_OUTPUT_BYTES,
        .file_size_kb = 65536,
        .open_files = 256,
        .stack_kb = 65536,
    };
}

static void setup_defaults(struct setup_opts *s)
{
    memset(s, 0, sizeof *s);
    s->tmp_kb = 65536;
    s->hostname = "runbox";
    s->cgroup_parent = "runbox";
    s->report_fd = s->control_fd = -1;
}

bool args_valid_box_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255 || !strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* An absolute path without "." / ".." components or empty components. */
static bool valid_abs_path(const char *p)
{
    if (p[0] != '/' || strlen(p) >= 4096)
        return false;
    for (const char *c = p; *c;) {
        while (*c == '/')
            c++;
        const char *e = strchrnul(c, '/');
        size_t n = (size_t)(e - c);
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c = e;
    }
    return true;
}

static bool valid_cgroup_parent(const char *p)
{
    if (!*p || *p == '/' || strstr(p, ".."))
        return false;
    return strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/") ==
           strlen(p);
}

static int push(void *arrp, size_t *n, size_t elem, const void *val, struct rb_error *err)
{
    void **arr = arrp;
    void *na = realloc(*arr, (*n + 2) * elem);
    if (!na)
        return rb_fail(err, ENOMEM, "options");
    *arr = na;
    memcpy((char *)na + *n * elem, val, elem);
    memset((char *)na + (*n + 1) * elem, 0, elem); /* keeps pointer arrays NULL-terminated */
    (*n)++;
    return 0;
}

static int parse_fd(const char *name, const char *v, int *out, struct rb_error *err)
{
    uint64_t x;
    if (!parse_u64(v, 0, 1 << 20, &x))
        return rb_fail(err, 0, "--%s: bad file descriptor '%s'", name, v);
    *out = (int)x;
    return 0;
}

static int parse_id(const char *name, const char *v, uint64_t *out, struct rb_error *err)
{
    if (!parse_u64(v, 1, 0xfffffffe, out))
        return rb_fail(err, 0, "--%s must be a number other than 0, got '%s'", name, v);
    return 0;
}

/* The one parser. request_only: a prepared-mode request (run options and program only). */
static int parse(int argc, char **argv, bool request_only, struct cli *c, struct rb_error *err)
{
    size_t nenv = 0;
    bool have_uid = false, have_gid = false, have_run_opt = false;
    uint64_t v;

    opterr = 0;
    optind = 0; /* GNU: full re-initialisation, the parser runs more than once per process */
    for (;;) {
        int li = -1;
        int o = getopt_long(argc, argv, "+", options, &li);
        if (o == -1)
            break;
        if (o == '?' || o == ':') {
            const char *bad = argv[optind - 1];
            return rb_fail(err, 0, "unknown option or missing value: %s", bad ? bad : "?");
        }
        const char *name = options[li].name;
        if (request_only && !IS_RUN_OPT(o))
            return rb_fail(err, 0, "--%s is not allowed in a run request", name);
        if (IS_RUN_OPT(o))
            have_run_opt = true;

        const struct num_opt *num = NULL;
        for (size_t i = 0; i < ARRAY_LEN(run_numbers); i++)
            if (run_numbers[i].code == o)
                num = &run_numbers[i];
        if (num) {
            if (!parse_u64(optarg, num->min, num->max, &v))
                return rb_fail(err, 0, "--%s: expected an integer in [%llu, %llu], got '%s'", name,
                               (unsigned long long)num->min, (unsigned long long)num->max, optarg);
            *(uint64_t *)((char *)&c->run.lim + num->offset) = v;
            continue;
        }
        switch (o) {
        case O_UID:
            if (parse_id(name, optarg, &v, err) < 0)
                return -1;
            c->setup.uid = (uid_t)v;
            have_uid = true;
            break;
        case O_GID:
            if (parse_id(name, optarg, &v, err) < 0)
                return -1;
            c->setup.gid = (gid_t)v;
            have_gid = true;
            break;
        case O_WORKSPACE:
            if (!valid_abs_path(optarg))
                return rb_fail(err, 0, "--workspace must be an absolute path: '%s'", optarg);
            c->setup.workspace = optarg;
            break;
        case O_BIND_RO: {
            /* SRC[:DST]: SRC is copied, so that argv's strings stay as they are. */
            struct bind_ro b = {.src = optarg, .dst = optarg};
            char *src = NULL;
            const char *colon = strchr(optarg, ':');
            if (colon) {
                if (!(src = strndup(optarg, (size_t)(colon - optarg))))
                    return rb_fail(err, ENOMEM, "options");
                b.src = src;
                b.dst = colon + 1;
            }
            if (!valid_abs_path(b.src) || !valid_abs_path(b.dst) || !strcmp(b.dst, "/")) {
                free(src);
                return rb_fail(err, 0,
                               "--bind-ro: SRC and DST must be absolute paths "
                               "without '..' (DST not '/')");
            }
            if (push(&c->setup.binds, &c->setup.nbinds, sizeof b, &b, err) < 0) {
                free(src);
                return -1;
            }
            break;
        }
        case O_NO_DEFAULT_MOUNTS:
            c->setup.no_default_mounts = true;
            break;
        case O_TMP_KB:
            if (!parse_u64(optarg, 64, 1ull << 40, &c->setup.tmp_kb))
                return rb_fail(err, 0, "--tmp-size-kb: bad size '%s'", optarg);
            break;
        case O_ROOTFS:
            /* absolute, and "/" means the host's own tree (the default) */
            if (optarg[0] != '/' || strlen(optarg) >= PATH_MAX / 2)
                return rb_fail(err, 0, "--rootfs: not an absolute path '%s'", optarg);
            c->setup.rootfs = strcmp(optarg, "/") ? optarg : NULL;
            break;
        case O_USERNS:
            c->setup.userns = true;
            break;
        case O_HOSTNAME:
            if (!*optarg || strlen(optarg) > 64 ||
                strspn(optarg,
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-") !=
                    strlen(optarg))
                return rb_fail(err, 0, "--hostname: bad host name '%s'", optarg);
            c->setup.hostname = optarg;
            break;
        case O_CG_PARENT:
            if (!valid_cgroup_parent(optarg))
                return rb_fail(err, 0, "--cgroup-parent: bad name '%s'", optarg);
            c->setup.cgroup_parent = optarg;
            break;
        case O_CPUS: /* a kernel CPU list ("0-3,6"); the cgroup checks the CPUs themselves */
            if (!*optarg || strlen(optarg) > 1024 ||
                strspn(optarg, "0123456789,-") != strlen(optarg))
                return rb_fail(err, 0, "--cpus: expected a CPU list like 0-3,6, got '%s'", optarg);
            c->setup.cpus = optarg;
            break;
        case O_STDIO_PIPES:
            c->setup.stdio_pipes = true;
            break;
        case O_REPORT_FD:
            if (parse_fd(name, optarg, &c->setup.report_fd, err) < 0)
                return -1;
            break;
        case O_CONTROL_FD:
            if (parse_fd(name, optarg, &c->setup.control_fd, err) < 0)
                return -1;
            break;
        case O_BOX:
            if (!args_valid_box_name(optarg))
                return rb_fail(err, 0, "--box: '%s' is not one path component of [A-Za-z0-9._-]",
                               optarg);
            c->run.box = optarg;
            break;
        case O_ENV:
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return rb_fail(err, 0, "--env expects KEY=VALUE, got '%s'", optarg);
            if (push(&c->run.env, &nenv, sizeof(char *), &optarg, err) < 0)
                return -1;
            break;
        case O_WS_MOUNT:
        case O_WS_UNMOUNT:
            if (!valid_abs_path(optarg) || !strcmp(optarg, "/"))
                return rb_fail(err, 0, "--%s: bad directory '%s'", name, optarg);
            c->mode = o == O_WS_MOUNT ? MODE_WS_MOUNT : MODE_WS_UNMOUNT;
            c->ws_dir = optarg;
            break;
        case O_BOX_REMOVE:
            if (!args_valid_box_name(optarg))
                return rb_fail(err, 0,
                               "--box-remove: '%s' is not one path component of "
                               "[A-Za-z0-9._-]",
                               optarg);
            c->mode = MODE_BOX_REMOVE;
            c->run.box = optarg;
            break;
        case O_CG_INFO:
        case O_CG_SWEEP:
        case O_CG_ADOPT:
            c->mode = o == O_CG_INFO    ? MODE_CG_INFO
                      : o == O_CG_SWEEP ? MODE_CG_SWEEP
                                        : MODE_CG_ADOPT;
            break;
        case O_REMOVE_PARENT:
            c->remove_parent = true;
            break;
        case O_DISK_KB:
            if (!parse_u64(optarg, 64, 1ull << 40, &c->disk_kb))
                return rb_fail(err, 0, "--disk-kb: bad size '%s'", optarg);
            break;
        case O_INODES:
            if (!parse_u64(optarg, 16, 1ull << 32, &c->inodes))
                return rb_fail(err, 0, "--inodes: bad count '%s'", optarg);
            break;
        }
    }
    if (!c->run.env) {
        static char *no_env[] = {NULL};
        c->run.env = no_env;
    }
    c->run.argv = optind < argc ? &argv[optind] : NULL;

    if (request_only) {
        if (!c->run.argv)
            return rb_fail(err, 0, "the request names no program (-- PROGRAM ARG...)");
        return 0;
    }
    if (c->mode == MODE_WS_MOUNT || c->mode == MODE_WS_UNMOUNT) {
        if (c->mode == MODE_WS_MOUNT && (!c->disk_kb || !c->inodes))
            return rb_fail(err, 0, "--workspace-mount needs --disk-kb and --inodes");
        return 0;
    }
    if (c->disk_kb || c->inodes)
        return rb_fail(err, 0, "--disk-kb/--inodes go with --workspace-mount");
    if (c->mode == MODE_BOX_REMOVE)
        return c->setup.workspace ? 0 : rb_fail(err, 0, "--box-remove needs --workspace");
    if (c->remove_parent && c->mode != MODE_CG_SWEEP)
        return rb_fail(err, 0, "--remove-parent goes with --cgroup-sweep");
    if (c->mode == MODE_CG_INFO || c->mode == MODE_CG_SWEEP || c->mode == MODE_CG_ADOPT)
        return 0; /* they take --cgroup-parent; the rest is for runs */
    c->mode = c->setup.control_fd >= 0 ? MODE_PREPARED : MODE_ONESHOT;
    if (!have_uid || !have_gid)
        return rb_fail(err, 0, "--uid and --gid are required (unprivileged ids, not 0)");
    if (c->setup.report_fd < 0)
        return rb_fail(err, 0, "--report-fd is required");
    if (c->setup.report_fd <= 2)
        return rb_fail(err, 0, "--report-fd must not be 0, 1 or 2");
    if (c->mode == MODE_PREPARED) {
        if (have_run_opt || c->run.argv)
            return rb_fail(err, 0,
                           "prepared mode (--control-fd): run options and the program "
                           "come in the request, not on the command line");
        /* A prepared launcher's fds 0 and 1 are its server's pipes (serve.c). */
        if (c->setup.stdio_pipes)
            return rb_fail(err, 0, "--stdio-pipes is for one-shot runs only");
        if (c->setup.control_fd == c->setup.report_fd || c->setup.control_fd <= 2)
            return rb_fail(err, 0, "--control-fd must differ from --report-fd and 0, 1, 2");
        return 0;
    }
    if (!c->run.argv)
        return rb_fail(err, 0, "no program given (-- PROGRAM ARG...)");
    if (c->run.box && !c->setup.workspace)
        return rb_fail(err, 0, "--box needs --workspace");
    return 0;
}

int args_parse_cli(int argc, char **argv, struct cli *out, struct rb_error *err)
{
    memset(out, 0, sizeof *out);
    setup_defaults(&out->setup);
    run_defaults(&out->run);
    return parse(argc, argv, false, out, err);
}

ssize_t args_request_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\0' && (i == 0 || buf[i - 1] == '\0'))
            return (ssize_t)i;
    return -1;
}

int args_parse_request(char *buf, size_t len, struct run_opts *out, struct rb_error *err)
{
    /* argv[0] is a placeholder: getopt starts at index 1. */
    size_t argc = 1;
    for (size_t i = 0; i < len; i++)
        argc += buf[i] == '\0';
    char **argv = calloc(argc + 1, sizeof *argv);
    if (!argv)
        return rb_fail(err, ENOMEM, "request");
    argv[0] = "request";
    size_t k = 1;
    for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
        argv[k++] = buf + i;

    struct cli c;
    memset(&c, 0, sizeof c);
    setup_defaults(&c.setup);
    run_defaults(&c.run);
    if (parse((int)argc, argv, true, &c, err) < 0) {
        free(argv);
        return -1;
    }
    *out = c.run; /* argv stays allocated: out->argv points into it */
    return 0;
}
