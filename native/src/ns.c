/* ns.c — creating the sandbox's namespaces (clone3 of the init) and the launcher side of the
 * launcher ↔ init protocol; on the init side the UTS and network set-up. property 1
 * (native/README.md "Properties"): pid (the program sees only its tree; pid 1 is our reaper), net
 * (only lo: no host network, no host loopback services), ipc (no host SysV/POSIX IPC objects), mnt
 * (see rootfs.c), uts (own hostname), cgroup (entered by the init once it is in the run's group, so
 * /proc/self/cgroup shows "/" and nothing of the host's layout). */
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "userns.h"
#include "util.h"

_Noreturn void init_main(const struct cli *c); /* reaper.c */

#define NS_FLAGS (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWUTS)

/* --stdio-pipes: fds 0 and 1 are the worker's channels to another sandbox (an interactor), and
 * the program's own stdin and stdout. Made one-way, as pipes are, where they are stream sockets
 * (what the worker's runtime makes for a child's stdio): the program reads only from fd 0 and
 * writes only to fd 1. ENOTSOCK (real pipes) is fine. */
static void stdio_one_way(void)
{
    (void)shutdown(0, SHUT_WR);
    (void)shutdown(1, SHUT_RD);
}

void ns_drop_stdio(void)
{
    /* A copy held anywhere but in the program would hide the program's EOF from the reader at the
     * other end: fds 0 and 1 become /dev/null (they must stay taken, see main()). */
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
        close(0), close(1);
    if (fd > 1)
        close(fd);
}

int ns_spawn(const struct cli *c, int cgroup_fd, struct sandbox *sb, struct rb_error *err)
{
    int go[2], st[2], out[2], er[2], mapped[2] = {-1, -1};
    bool userns = c->setup.userns;
    if (c->setup.stdio_pipes)
        stdio_one_way();
    if (pipe2(go, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
        pipe2(er, O_CLOEXEC) < 0 || (userns && pipe2(mapped, O_CLOEXEC) < 0))
        return rb_fail(err, errno, "pipe");

    struct clone_args ca = {
        .flags = NS_FLAGS | (userns ? CLONE_NEWUSER : 0) | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
        .exit_signal = SIGCHLD,
        .cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
    };
    pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
    if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) /* pre-5.3 kernel: plain clone */
        pid = (pid_t)syscall(SYS_clone, ca.flags | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        int e = errno;
        close(go[0]), close(go[1]), close(st[0]), close(st[1]);
        close(out[0]), close(out[1]), close(er[0]), close(er[1]);
        rb_closep(&mapped[0]), rb_closep(&mapped[1]);
        return rb_fail(err, e, "clone3 (namespaces)");
    }
    if (pid == 0) {
        if (userns) {
            close(mapped[1]);
            userns_wait_mapped(mapped[0]);
        }
        /* The init's four pipe ends at INIT_*_FD, every other descriptor ≥ 3 the launcher had
         * (report fd, control fd, ...) closed. fd 0 stays: it is the program's stdin. */
        int fds[4] = {go[0], st[1], out[1], er[1]};
        if (place_fds(fds, 4, INIT_GO_FD, O_CLOEXEC) < 0 ||
            syscall(SYS_close_range, INIT_ERR_FD + 1, ~0u, 0) < 0)
            _exit(125);
        init_main(c);
    }
    close(go[0]), close(st[1]), close(out[1]), close(er[1]);
    if (c->setup.stdio_pipes) /* the init has them now, for the program */
        ns_drop_stdio();
    *sb = (struct sandbox){
        .init = pid, .go_fd = go[1], .status_fd = st[0], .out_fd = out[0], .err_fd = er[0]};
    if (userns) {
        /* The caller kills and reaps the init on failure; closing the pipe unmapped ends it too. */
        rb_closep(&mapped[0]);
        int r = userns_map(pid, &c->setup, err);
        if (r == 0 && write_all(mapped[1], "m", 1) < 0)
            r = rb_fail(err, errno, "release the sandbox's init (user namespace)");
        rb_closep(&mapped[1]);
        return r;
    }
    return 0;
}

int ns_send_attached(struct sandbox *sb, struct rb_error *err)
{
    if (write_all(sb->go_fd, "A", 1) < 0)
        return rb_fail(err, errno, "release the sandbox's init");
    return 0;
}

int ns_read_msg(struct sandbox *sb, struct rb_msg *m, struct rb_error *err)
{
    ssize_t n = read_all(sb->status_fd, m, sizeof *m);
    if (n < 0)
        return rb_fail(err, errno, "read from the sandbox's init");
    if (n != (ssize_t)sizeof *m)
        return rb_fail(err, 0, "the sandbox's init ended unexpectedly");
    m->text[sizeof m->text - 1] = '\0';
    return 0;
}

int ns_go(struct sandbox *sb, const char *req, uint32_t len, struct rb_error *err)
{
    char head[5] = {'G'};
    memcpy(head + 1, &len, sizeof len);
    if (write_all(sb->go_fd, head, sizeof head) < 0 || (len && write_all(sb->go_fd, req, len) < 0))
        return rb_fail(err, errno, "start the program");
    return 0;
}

void ns_close(struct sandbox *sb)
{
    rb_closep(&sb->go_fd);
    rb_closep(&sb->status_fd);
    rb_closep(&sb->out_fd);
    rb_closep(&sb->err_fd);
}

int ns_setup_uts_net(const char *hostname, struct rb_error *err)
{
    if (sethostname(hostname, strlen(hostname)) < 0)
        return rb_fail(err, errno, "sethostname");
    /* A fresh network namespace has only lo, and it is down. */
    autofd int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return rb_fail(err, errno, "socket");
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    ifr.ifr_flags = IFF_UP | IFF_RUNNING;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
        return rb_fail(err, errno, "bring lo up");
    return 0;
}

void ns_send_error(const struct rb_error *e)
{
    struct rb_msg m = {.type = MSG_ERROR, .err = e->err};
    memcpy(m.text, e->msg, sizeof m.text);
    m.text[sizeof m.text - 1] = '\0';
    (void)!write(INIT_STATUS_FD, &m, sizeof m); /* ≤ PIPE_BUF: atomic */
}
