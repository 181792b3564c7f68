/* main.c — one invocation, one run (or one workspace helper). run_box() owns the order of
 * set-up and teardown; main() alone turns an error into the report / stderr and the exit status
 * (exit_codes.h: report valid · runbox failed · bad usage). Property 5's launcher half: whatever
 * happens after the cgroup exists, the init is killed and reaped and the cgroup removed, and a
 * cgroup that cannot be removed fails the run. SIGTERM/SIGINT/SIGHUP end the run the same way. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "cgroup.h"
#include "collect.h"
#include "exit_codes.h"
#include "ns.h"
#include "report.h"
#include "serve.h"
#include "supervise.h"
#include "userns.h"
#include "util.h"
#include "workspace.h"

enum run_result { RUN_REPORT, RUN_NO_REQUEST, RUN_BAD_REQUEST };

/* Prepared mode: reads the request from the control fd. 1 = complete, 0 = EOF before a complete
 * request (tear down quietly), -1 = error (the init died, a signal, a read error). */
static int read_request(int control_fd, int sigfd, int status_fd, char **out, size_t *len,
                        struct rb_error *err)
{
    size_t cap = 4096, have = 0;
    char *buf = malloc(cap);
    if (!buf)
        return rb_fail(err, ENOMEM, "request");
    for (;;) {
        struct pollfd pfd[3] = {
            {control_fd, POLLIN, 0}, {sigfd, POLLIN, 0}, {status_fd, POLLIN, 0}};
        if (poll(pfd, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            return rb_fail(err, errno, "poll");
        }
        if (pfd[1].revents) {
            free(buf);
            return rb_fail(err, EINTR, "terminated by a signal while waiting for the request");
        }
        if (pfd[2].revents) {
            free(buf);
            return rb_fail(err, 0, "the sandbox's init ended before the request");
        }
        if (!pfd[0].revents)
            continue;
        if (have == cap) {
            if (cap >= MAX_REQUEST_BYTES) {
                free(buf);
                return rb_fail(err, E2BIG, "request larger than %u bytes", MAX_REQUEST_BYTES);
            }
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                return rb_fail(err, ENOMEM, "request");
            }
            buf = nb;
        }
        ssize_t n = read(control_fd, buf + have, cap - have);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            free(buf);
            if (n == 0)
                return 0;
            return rb_fail(err, errno, "read the control fd");
        }
        have += (size_t)n;
        ssize_t end = args_request_end(buf, have);
        if (end >= 0) {
            *out = buf;
            *len = (size_t)end;
            return 1;
        }
    }
}

/* The sandbox up to its ready message: the init in the run's cgroup, the root built, the
 * program's process forked and waiting for "go". *mntns_fd: the run's mount namespace, held open
 * so that the init's exit does not have to tear it down; the caller releases it after the report
 * (no process is left in it by then). */
static int box_prepare(struct cli *c, const struct cgroup_ops *ops, struct cgroup *cg,
                       struct sandbox *sb, int *mntns_fd, struct rb_error *err)
{
    if (ns_spawn(c, ops->clone_fd(cg), sb, err) < 0)
        return -1;
    char nspath[64];
    snprintf(nspath, sizeof nspath, "/proc/%d/ns/mnt", (int)sb->init);
    *mntns_fd = open(nspath, O_RDONLY | O_CLOEXEC); /* an optimisation only: -1 is fine */
    if (ops->attach(cg, sb->init, err) < 0 || ns_send_attached(sb, err) < 0)
        return -1;
    struct rb_msg m;
    if (ns_read_msg(sb, &m, err) < 0)
        return -1;
    if (m.type != MSG_READY)
        return rb_fail(err, m.err > 0 ? m.err : 0, "%s", m.text);
    return 0;
}

/* A prepared-mode request: its bytes, passed on to the init, and the run options parsed from them
 * (their strings point into buf). */
struct request {
    char *buf;
    size_t len;
    struct run_opts run;
};

/* Prepared mode: the ready line, then the request. 1 = a run to do, 0 = no request came (tear
 * down quietly), -1 = error; *result says RUN_NO_REQUEST or RUN_BAD_REQUEST when it is one. */
static int take_request(const struct cli *c, int sigfd, int status_fd, struct request *rq,
                        enum run_result *result, struct rb_error *err)
{
    if (write_all(c->setup.report_fd, SERVE_READY_LINE, sizeof SERVE_READY_LINE - 1) < 0)
        return rb_fail(err, errno, "write the ready line");
    int got = read_request(c->setup.control_fd, sigfd, status_fd, &rq->buf, &rq->len, err);
    if (got == 0)
        *result = RUN_NO_REQUEST;
    if (got <= 0)
        return got;
    if (args_parse_request(rq->buf, rq->len, &rq->run, err) < 0) {
        *result = RUN_BAD_REQUEST;
        return -1;
    }
    if (rq->run.box && !c->setup.workspace) {
        *result = RUN_BAD_REQUEST;
        return rb_fail(err, 0, "--box needs --workspace");
    }
    return 1;
}

static int run_box(struct cli *c, int sigfd, struct report *rep, enum run_result *result,
                   int *mntns_fd, struct rb_error *err)
{
    const struct cgroup_ops *ops = cgroup_detect(err);
    struct cgroup *cg = NULL;
    struct sandbox sb = {.init = -1, .go_fd = -1, .status_fd = -1, .out_fd = -1, .err_fd = -1};
    struct rb_error cleanup = {0};
    struct outcome o = {0};
    struct cgroup_usage u = {0};
    struct request rq = {0};
    const struct run_opts *run = &c->run;
    int ret = -1;

    *result = RUN_REPORT;
    if (!ops)
        return -1;
    rep->cgroup_mode = ops->name;
    if (ops->create(c->setup.cgroup_parent, c->setup.cpus, &cg, err) < 0)
        return rb_wrap(err, "cgroup");

    if (box_prepare(c, ops, cg, &sb, mntns_fd, err) < 0)
        goto out;
    if (c->mode == MODE_PREPARED) {
        int got = take_request(c, sigfd, sb.status_fd, &rq, result, err);
        if (got <= 0) {
            ret = got; /* 0: no request, nothing to report */
            goto out;
        }
        run = &rq.run;
    }

    if (ops->start(cg, &run->lim, err) < 0)
        goto out;
    uint64_t start = now_ns();
    if (ns_go(&sb, rq.buf, (uint32_t)rq.len, err) < 0)
        goto out;
    if (supervise(&sb, ops, cg, &run->lim, sigfd, start, &o, err) < 0)
        goto out;
    /* The program's tree is gone (the init is exiting): read the accounting meanwhile. */
    if (ops->usage(cg, &u, err) < 0)
        goto out;
    ret = 0;
out:
    if (sb.init > 0) {
        if (ret < 0 || *result != RUN_REPORT)
            kill(sb.init, SIGKILL);
        while (waitpid(sb.init, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    ns_close(&sb);
    /* A run supervised to its end: the report says what ended it (report.c's precedence). */
    if (ret == 0 && *result == RUN_REPORT)
        ret = report_assemble(&o, &u, &run->lim, rep, err);
    if (ops->destroy(cg, &cleanup) < 0 && ret == 0) {
        *err = cleanup; /* a run that leaves a cgroup behind has failed */
        rb_wrap(err, "teardown");
        ret = -1;
    }
    free(rq.buf);
    return ret;
}

static void usage_hint(void)
{
    fprintf(stderr, "usage: runbox-launcher --uid N --gid N --report-fd N [options] -- PROGRAM "
                    "[ARG...]\n       (see native/README.md)\n");
}

int main(int argc, char **argv)
{
    struct cli c;
    struct rb_error err = {0};
    pid_t parent = getppid();
    /* fds 0-2 must be taken, or a pipe of ours could become the program's stdin (and with it a
     * way to forge the init's messages). */
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
            return RB_EXIT_FAILED;
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--serve"))
            return serve_main(argc, argv, parent);
        else if (!strncmp(argv[i], "--box-collect=", 14))
            return collect_main(argc, argv);
        else if (!strcmp(argv[i], "--enter-userns"))
            return userns_enter_main(argc, argv);
    if (args_parse_cli(argc, argv, &c, &err) < 0) {
        fprintf(stderr, "runbox-launcher: %s\n", err.msg);
        usage_hint();
        return RB_EXIT_USAGE;
    }
    if (c.mode == MODE_CG_INFO || c.mode == MODE_CG_SWEEP || c.mode == MODE_CG_ADOPT)
        return cgroup_helper_main(&c);
    if (c.mode == MODE_WS_MOUNT || c.mode == MODE_WS_UNMOUNT || c.mode == MODE_BOX_REMOVE) {
        int r = c.mode == MODE_WS_MOUNT ? workspace_mount(c.ws_dir, c.disk_kb, c.inodes, &err)
                : c.mode == MODE_WS_UNMOUNT
                    ? workspace_unmount(c.ws_dir, &err)
                    : workspace_remove_box(c.setup.workspace, c.run.box, &err);
        if (r < 0) {
            fprintf(stderr, "runbox-launcher: %s\n", err.msg);
            return RB_EXIT_FAILED;
        }
        return RB_EXIT_OK;
    }
    if (fcntl(c.setup.report_fd, F_GETFD) < 0 ||
        (c.mode == MODE_PREPARED && fcntl(c.setup.control_fd, F_GETFD) < 0)) {
        fprintf(stderr, "runbox-launcher: --report-fd/--control-fd is not an open descriptor\n");
        return RB_EXIT_USAGE;
    }
    /* Our own descriptors must not reach the program (the init closes all it does not use;
     * CLOEXEC covers the launcher's own children, if any). */
    fcntl(c.setup.report_fd, F_SETFD, FD_CLOEXEC);
    if (c.mode == MODE_PREPARED)
        fcntl(c.setup.control_fd, F_SETFD, FD_CLOEXEC);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    signal(SIGPIPE, SIG_IGN); /* a closed fd 1/2 reader must not kill the supervisor */
    /* A worker that dies (even by SIGKILL) takes its runs with it: its death reaches us as a
     * SIGTERM on the signalfd, which tears the run down like any other SIGTERM. */
    term_with_parent(parent);

    struct report rep = {0};
    enum run_result result;
    int mntns_fd = -1;
    int r = run_box(&c, sigfd, &rep, &result, &mntns_fd, &err);
    if (result == RUN_BAD_REQUEST) {
        fprintf(stderr, "runbox-launcher: bad request: %s\n", err.msg);
        return RB_EXIT_USAGE;
    }
    if (result == RUN_NO_REQUEST && r == 0)
        return RB_EXIT_OK;
    if (r < 0)
        report_fail(&rep, &err);
    int w = report_write(c.setup.report_fd, &rep);
    rb_closep(&mntns_fd); /* the run's mounts go now: nothing can reach them any more */
    /* A report cut short is none: its reader learns the status from our exit alone. */
    return w < 0 ? RB_EXIT_FAILED : report_exit_status(&rep);
}
