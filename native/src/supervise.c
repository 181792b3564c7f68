/* supervise.c — the launcher's poll loop while the program runs. Property 4: wall time (monotonic,
 * from the release of the program), CPU time of the whole tree (read from the cgroup, checked no
 * later than the earliest moment the budget could be spent on all the CPUs of the run's cpuset,
 * so an idle program costs no polling and a busy one overshoots by at most a millisecond per CPU
 * and the accounting's lag), output (first N bytes of each stream forwarded to fd 1/2, the rest
 * counted, more than N ends the run). A limit kills the namespace's init — the kernel then kills
 * every process of the namespace — plus cgroup.kill on v2. Property 6: which limit ended the run.
 */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MS 1000000ull

struct stream {
    int fd;     /* read end, -1 once at EOF */
    int out_fd; /* 1 or 2 */
    uint64_t *count;
    bool *truncated;
    bool forward_broken;
};

static void end_run(struct sandbox *sb, const struct cgroup_ops *ops, struct cgroup *cg,
                    struct outcome *o, enum run_limit limit, bool *killed, uint64_t now)
{
    if (*killed)
        return;
    *killed = true;
    if (o->limit == LIMIT_NONE)
        o->limit = limit;
    if (!o->have_status && !o->wall_ns)
        o->wall_ns = now;
    kill(sb->init, SIGKILL);
    ops->kill(cg);
}

/* Returns false when the stream ran over its limit. */
static bool drain(struct stream *s, uint64_t limit, char *buf, size_t size)
{
    for (;;) {
        ssize_t n = read(s->fd, buf, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                close(s->fd);
                s->fd = -1;
            }
            break;
        }
        if (n == 0) {
            close(s->fd);
            s->fd = -1;
            break;
        }
        uint64_t before = *s->count;
        *s->count += (uint64_t)n;
        if (before < limit && !s->forward_broken) {
            uint64_t keep = limit - before < (uint64_t)n ? limit - before : (uint64_t)n;
            if (write_all(s->out_fd, buf, (size_t)keep) < 0)
                s->forward_broken = true; /* reader gone: keep counting, keep the run going */
        }
        if ((size_t)n < size)
            break;
    }
    if (*s->count > limit)
        *s->truncated = true;
    return *s->count <= limit;
}

int supervise(struct sandbox *sb, const struct cgroup_ops *ops, struct cgroup *cg,
              const struct run_limits *lim, int sigfd, uint64_t start_ns, struct outcome *o,
              struct rb_error *err)
{
    static char buf[65536];
    struct stream streams[2] = {
        {sb->out_fd, 1, &o->out_bytes, &o->out_truncated, false},
        {sb->err_fd, 2, &o->err_bytes, &o->err_truncated, false},
    };
    sb->out_fd = sb->err_fd = -1; /* owned (and closed) here */
    int status_fd = sb->status_fd;
    bool killed = false;
    const uint64_t wall_deadline = start_ns + lim->wall_ms * MS;
    const uint64_t cpu_limit_us = lim->cpu_ms * 1000;
    /* The CPUs the tree can use at once: its cpuset, which no sched_setaffinity can leave (the
     * launcher's own affinity says nothing about the program's). */
    const unsigned ncpu = ops->cpu_count(cg);
    uint64_t next_cpu_check = start_ns;

    for (int i = 0; i < 2; i++) {
        int fl = fcntl(streams[i].fd, F_GETFL);
        fcntl(streams[i].fd, F_SETFL, fl | O_NONBLOCK);
    }

    /* Until the output is drained and the program's status is known (the init has killed and
     * reaped everything else by then); the init's own exit is the caller's to wait for, so
     * that the usage can be read meanwhile. */
    while (streams[0].fd >= 0 || streams[1].fd >= 0 || (status_fd >= 0 && !o->have_status)) {
        uint64_t now = now_ns();
        uint64_t wake = UINT64_MAX;
        if (!killed) {
            if (now >= wall_deadline) {
                end_run(sb, ops, cg, o, LIMIT_WALL, &killed, now);
                continue;
            }
            if (now >= next_cpu_check) {
                uint64_t used;
                if (ops->cpu_us(cg, &used) < 0) {
                    rb_fail(err, errno, "read the cgroup's CPU time");
                    end_run(sb, ops, cg, o, LIMIT_NONE, &killed, now);
                    o->failed = true;
                    o->child_err = *err;
                    continue;
                }
                if (used >= cpu_limit_us) {
                    end_run(sb, ops, cg, o, LIMIT_CPU, &killed, now);
                    continue;
                }
                /* The soonest the tree could spend the rest: all CPUs busy from now on. */
                uint64_t gap = (cpu_limit_us - used) * 1000 / ncpu;
                next_cpu_check = now + (gap < MS ? MS : gap);
            }
            wake = next_cpu_check < wall_deadline ? next_cpu_check : wall_deadline;
        }
        struct pollfd pfd[4] = {
            {streams[0].fd, POLLIN, 0},
            {streams[1].fd, POLLIN, 0},
            {status_fd, POLLIN, 0},
            {sigfd, POLLIN, 0},
        };
        struct timespec ts, *tsp = NULL;
        if (wake != UINT64_MAX) {
            uint64_t d = wake > now ? wake - now : 0;
            ts.tv_sec = (time_t)(d / 1000000000ull);
            ts.tv_nsec = (long)(d % 1000000000ull);
            tsp = &ts;
        }
        int n = ppoll(pfd, 4, tsp, NULL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return rb_fail(err, errno, "poll");
        }
        now = now_ns();
        for (int i = 0; i < 2; i++)
            if (streams[i].fd >= 0 && pfd[i].revents &&
                !drain(&streams[i], lim->output_bytes, buf, sizeof buf))
                end_run(sb, ops, cg, o, LIMIT_OUTPUT, &killed, now);
        if (status_fd >= 0 && pfd[2].revents) {
            struct rb_msg m;
            ssize_t r = read_all(status_fd, &m, sizeof m);
            if (r != (ssize_t)sizeof m) {
                close(status_fd);
                status_fd = sb->status_fd = -1;
            } else if (m.type == MSG_STATUS) {
                o->have_status = true;
                o->status = m.status;
                if (!o->wall_ns)
                    o->wall_ns = now;
            } else if (m.type == MSG_ERROR && !o->failed) {
                o->failed = true;
                o->child_err.err = m.err;
                memcpy(o->child_err.msg, m.text, sizeof m.text);
                o->child_err.msg[sizeof o->child_err.msg - 1] = '\0';
            }
        }
        if (sigfd >= 0 && pfd[3].revents) {
            struct signalfd_siginfo si;
            if (read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
                o->launcher_signal = (int)si.ssi_signo;
                end_run(sb, ops, cg, o, LIMIT_NONE, &killed, now);
            }
        }
    }
    if (!o->wall_ns)
        o->wall_ns = now_ns();
    o->wall_ns -= start_ns;
    return 0;
}
