/* reaper.c — the sandbox's init (pid 1 of the run's pid namespace) and the program's child.
 * The init builds the sandbox (rootfs.c, ns.c, seccomp compile) and forks the program's process
 * before the job is known; when told, it puts the box in place and releases the program, reaps
 * everything, and when the program ends kills every other process of the namespace
 * (double-forked, setsid, SIGTERM-ignoring, stopped ones) before reporting the program's status:
 * property 5 (nothing remains) and the exit code half of property 6.
 * The child becomes the program: unprivileged uid/gid, no capabilities (inheritable ones
 * included), the fixed rlimits, no_new_privs, seccomp (ahead of time), then the run's rlimits,
 * cwd /box and only the requested environment at go time
 * (property 3; property 4 via rlimits.c). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "ns.h"
#include "rlimits.h"
#include "rootfs.h"
#include "seccomp.h"
#include "util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

_Noreturn static void die(const struct rb_error *e)
{
    ns_send_error(e);
    _exit(1);
}

/* execve with a PATH search in the *requested* environment (not ours). */
static int exec_program(char **argv, char **env, struct rb_error *err)
{
    const char *prog = argv[0];
    if (strchr(prog, '/')) {
        execve(prog, argv, env);
        return rb_fail(err, errno, "exec %s", prog);
    }
    /* The program's PATH is owned by the language table (BASE_ENV in
     * libs/languages/src/registry.ts), which the worker sends with every run. No PATH, no search:
     * a default here would be a second copy of it. */
    const char *path = NULL;
    for (char **e = env; *e; e++)
        if (!strncmp(*e, "PATH=", 5))
            path = *e + 5;
    if (!path)
        return rb_fail(err, ENOENT, "exec %s: no PATH in the environment (--env PATH=...)", prog);
    int first_err = ENOENT;
    for (const char *p = path;;) {
        const char *end = strchrnul(p, ':');
        char full[PATH_MAX];
        int n =
            snprintf(full, sizeof full, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", prog);
        if (n > 0 && (size_t)n < sizeof full) {
            execve(full, argv, env);
            if (errno != ENOENT && errno != ENOTDIR && first_err == ENOENT)
                first_err = errno;
        }
        if (!*end)
            break;
        p = end + 1;
    }
    return rb_fail(err, first_err, "exec %s", prog);
}

/* The program's child, forked while the sandbox is prepared: it becomes the unprivileged,
 * filtered process right away, then waits for the run request on the exec pipe. At go time only
 * rlimits, chdir and execve remain, so the job's critical path does not pay for the identity
 * switch, setsid or loading the seccomp filter. Never returns. */
_Noreturn static void program_child(const struct cli *c, const struct sock_fprog *filter,
                                    int ready_fd, int exec_fd)
{
    struct rb_error err = {0};
    if (setsid() < 0) {
        rb_fail(&err, errno, "setsid");
        goto fail;
    }
    /* --stdio-pipes: fd 1 is already the program's own (a pipe to another sandbox). */
    if ((!c->setup.stdio_pipes && dup2(INIT_OUT_FD, 1) < 0) || dup2(INIT_ERR_FD, 2) < 0) {
        rb_fail(&err, errno, "dup2 stdout/stderr");
        goto fail;
    }
    /* Every descriptor ≥ 3 is gone at execve; the status and exec pipes stay usable until then. */
    if (syscall(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC) < 0) {
        rb_fail(&err, errno, "close_range");
        goto fail;
    }
    /* Identity: supplementary groups, gid, then uid: with every uid ≠ 0 the kernel clears the
     * permitted, effective and ambient capability sets (the bounding set is already empty, see
     * drop_bounding_set()). */
    if (setgroups(0, NULL) < 0 || setresgid(c->setup.gid, c->setup.gid, c->setup.gid) < 0) {
        rb_fail(&err, errno, "setgid %u", (unsigned)c->setup.gid);
        goto fail;
    }
    if (setresuid(c->setup.uid, c->setup.uid, c->setup.uid) < 0) {
        rb_fail(&err, errno, "setuid %u", (unsigned)c->setup.uid);
        goto fail;
    }
    /* The setuid kept the inheritable set (whatever the worker was started with): empty it too,
     * so that no capability can come back through a file's inheritable bits. */
    struct __user_cap_header_struct caph = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct capd[_LINUX_CAPABILITY_U32S_3] = {{0}};
    if (syscall(SYS_capset, &caph, capd) < 0 ||
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
        rb_fail(&err, errno, "clear the capability sets");
        goto fail;
    }
    if (rlimits_apply_fixed(&err) < 0) /* before the filter, which refuses RLIMIT_CORE changes */
        goto fail;
    if (seccomp_install(filter, &err) < 0) /* sets no_new_privs first */
        goto fail;
    if (write_all(ready_fd, "r", 1) < 0)
        _exit(127);
    close(ready_fd);

    /* The run: 'G' + length + request (prepared mode), or 'G' + 0 (one-shot: c->run applies). */
    char head[5];
    uint32_t len;
    const struct run_opts *run = &c->run;
    struct run_opts req;
    if (read_all(exec_fd, head, sizeof head) != (ssize_t)sizeof head)
        _exit(0); /* the sandbox is torn down unused */
    memcpy(&len, head + 1, sizeof len);
    if (len) {
        char *buf = malloc((size_t)len + 1);
        if (!buf || read_all(exec_fd, buf, len) != (ssize_t)len) {
            rb_fail(&err, errno, "read the request");
            goto fail;
        }
        if (args_parse_request(buf, len, &req, &err) < 0) /* validated by the launcher */
            goto fail;
        run = &req;
    }
    /* Lowering limits needs no privilege. */
    if (rlimits_apply(&run->lim, &err) < 0)
        goto fail;
    if (chdir("/box") < 0) { /* now that the init has put the box there */
        rb_fail(&err, errno, "chdir /box");
        goto fail;
    }
    exec_program(run->argv, run->env, &err);
fail:
    ns_send_error(&err);
    _exit(127);
}

/* Empties the capability bounding set of the init, inherited by the program: nothing it execs can
 * ever gain a capability. The init keeps its own effective set (it still mounts /box). */
static int drop_bounding_set(struct rb_error *err)
{
    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            if (errno == EINVAL) /* past CAP_LAST_CAP */
                return 0;
            return rb_fail(err, errno, "drop capability %d from the bounding set", cap);
        }
    return 0;
}

/* Forks the program's child and waits until it is unprivileged and filtered. Returns its pid and
 * the init's end of the exec pipe in *exec_fd. */
static pid_t fork_program_child(const struct cli *c, const struct sock_fprog *filter, int *exec_fd,
                                struct rb_error *err)
{
    int ex[2], rd[2];
    if (pipe2(ex, O_CLOEXEC) < 0 || pipe2(rd, O_CLOEXEC) < 0)
        return rb_fail(err, errno, "pipe");
    pid_t pid = fork();
    if (pid < 0)
        return rb_fail(err, errno, "fork the program's process");
    if (pid == 0) {
        close(ex[1]);
        close(rd[0]);
        program_child(c, filter, rd[1], ex[0]);
    }
    close(ex[0]);
    close(rd[1]);
    char r;
    ssize_t n = read_all(rd[0], &r, 1);
    close(rd[0]);
    if (n != 1) { /* it failed and said why on the status pipe */
        waitpid(pid, NULL, 0);
        close(ex[1]);
        return rb_fail(err, 0, "the program's process could not be set up");
    }
    *exec_fd = ex[1];
    return pid;
}

static void send_status(int status)
{
    struct rb_msg m = {.type = MSG_STATUS, .status = status};
    (void)!write(INIT_STATUS_FD, &m, sizeof m);
}

/* Reaps until no process is left in the namespace; once the program has ended, kills the rest. */
_Noreturn static void reap(pid_t program)
{
    int prog_status = 0;
    bool prog_done = false;
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: the namespace holds nothing but us */
        }
        if (w == program && !prog_done) {
            prog_done = true;
            prog_status = st;
            /* From pid 1 of the namespace this reaches every other process in it, whatever it
             * did to itself: setsid, ignored SIGTERM, SIGSTOP. */
            kill(-1, SIGKILL);
        }
    }
    send_status(prog_status);
    _exit(0);
}

static void read_exact_or_exit(void *buf, size_t len)
{
    ssize_t n = read_all(INIT_GO_FD, buf, len);
    if (n != (ssize_t)len) /* EOF: the launcher is gone or no longer needs this sandbox */
        _exit(0);
}

_Noreturn void init_main(const struct cli *c)
{
    struct rb_error err = {0};
    struct sock_fprog filter;
    bool prepared = c->mode == MODE_PREPARED;

    /* Seen as pid 1 inside (its command line stays the launcher's: rewriting that needs
     * CAP_SYS_RESOURCE, and it holds nothing the program could not learn anyway). */
    prctl(PR_SET_NAME, "runbox-init");
    /* Its /proc entries stay root's and unreadable to the program (the program's own process is
     * dumpable again after its execve: a fresh mm, same credentials). */
    prctl(PR_SET_DUMPABLE, 0);

    /* The launcher may die at any time; so do we, and the kernel then kills the namespace. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);

    if (seccomp_compile(&filter, &err) < 0 || drop_bounding_set(&err) < 0 ||
        rootfs_build(&c->setup, prepared ? NULL : c->run.box, prepared, &err) < 0 ||
        ns_setup_uts_net(c->setup.hostname, &err) < 0) {
        rb_wrap(&err, "sandbox set-up");
        die(&err);
    }
    /* Launcher died before PR_SET_PDEATHSIG took effect → EOF here. */
    char a;
    read_exact_or_exit(&a, 1);
    /* Now inside the run's cgroup: make it the root of what the program can see. */
    if (unshare(CLONE_NEWCGROUP) < 0) {
        rb_fail(&err, errno, "unshare cgroup namespace");
        die(&err);
    }
    int exec_fd = -1;
    pid_t prog = fork_program_child(c, &filter, &exec_fd, &err);
    if (prog < 0)
        die(&err);
    if (c->setup.stdio_pipes)
        ns_drop_stdio();
    struct rb_msg ready = {.type = MSG_READY};
    if (write_all(INIT_STATUS_FD, &ready, sizeof ready) < 0)
        _exit(1);

    char head[5];
    uint32_t len;
    read_exact_or_exit(head, sizeof head);
    memcpy(&len, head + 1, sizeof len);
    char *buf = NULL;
    if (prepared) {
        buf = malloc((size_t)len + 1);
        if (!buf)
            _exit(1);
        read_exact_or_exit(buf, len);
        struct run_opts req;
        if (args_parse_request(buf, len, &req, &err) < 0) /* validated by the launcher */
            die(&err);
        if (rootfs_mount_box(req.box, &err) < 0) {
            rb_wrap(&err, "/box");
            die(&err);
        }
    }
    /* Release the program: the same message, for it to parse. */
    if (write_all(exec_fd, head, sizeof head) < 0 || (len && write_all(exec_fd, buf, len) < 0)) {
        rb_fail(&err, errno, "start the program");
        die(&err);
    }
    close(exec_fd);
    close(INIT_OUT_FD);
    close(INIT_ERR_FD);
    close(INIT_GO_FD);
    rootfs_hide_workspace(); /* prepared: other boxes of the workspace leave the namespace */
    reap(prog);
}
