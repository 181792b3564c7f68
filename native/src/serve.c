/* serve.c — serve mode: one long-lived launcher per slot that keeps a prepared sandbox ready and
 * runs requests from the worker over its stdin/stdout (framing in serve.h). Each sandbox is still
 * a launcher of its own in prepared mode (fork + exec of this binary; everything in main.c holds
 * for it unchanged); the server only spawns it, relays the request, the program's stdin and the
 * results, and prepares the next sandbox as soon as a run has ended. The worker (a large Node
 * process, whose every fork copies its page tables) then never forks on a job's path.
 *
 * Teardown: a server that is told to stop (SIGTERM/SIGINT/SIGHUP, or its worker's death through
 * PDEATHSIG) passes SIGTERM to its sandbox's launcher and returns only once that launcher has torn
 * its run down, so "the server is gone" implies "its sandboxes are gone". A server killed with
 * SIGKILL leaves that to the launcher's own PDEATHSIG (main.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "exit_codes.h"
#include "report.h"
#include "serve.h"
#include "util.h"

/* What the server keeps of each output stream of a run. The launcher itself keeps only the
 * request's --output-bytes of the program's stdout and stderr (plus its own diagnostic line on
 * stderr), and a request that does not parse gets only that line: this is no limit of the run,
 * only a bound on the server's memory should a launcher ever send more. */
#define OUTPUT_BYTES (1u << 30)
/* What it keeps of the report fd: a ready line and one report. */
#define REPORT_BYTES (64u << 10)
#define MAX_STDIN_BYTES (1u << 30)

struct sandbox_proc {
    pid_t pid;
    int in, out, err, rep, ctl; /* our ends; -1 when closed */
};

/* The launchers the signal handler must stop: the one that ran (until reaped) and the prepared one.
 */
static volatile pid_t live[2] = {-1, -1};

static void on_stop(int sig)
{
    (void)sig;
    for (int i = 0; i < 2; i++)
        if (live[i] > 0)
            kill(live[i], SIGTERM);
    /* We read nothing more: a launcher blocked writing the program's output to a full pipe would
     * never get to its SIGTERM. With our ends closed its write fails (EPIPE, SIGPIPE is ignored
     * there) and it tears the run down. All we hold above 2 are those pipes; close_range is a bare
     * system call, as safe in a handler as close(). */
    syscall(SYS_close_range, 3, ~0u, 0);
    for (int i = 0; i < 2; i++)
        if (live[i] > 0)
            while (waitpid(live[i], NULL, 0) < 0 && errno == EINTR)
                ;
    _exit(RB_EXIT_OK);
}

static void track(pid_t pid, bool add)
{
    for (int i = 0; i < 2; i++)
        if (add ? live[i] <= 0 : live[i] == pid) {
            live[i] = add ? pid : -1;
            return;
        }
}

static void sandbox_close(struct sandbox_proc *s)
{
    rb_closep(&s->in);
    rb_closep(&s->out);
    rb_closep(&s->err);
    rb_closep(&s->rep);
    rb_closep(&s->ctl);
}

static int sandbox_wait(struct sandbox_proc *s)
{
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    track(s->pid, false);
    s->pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/* A prepared sandbox not needed any more: EOF on its control fd tears it down quietly. */
static void dispose(struct sandbox_proc *s)
{
    sandbox_close(s);
    sandbox_wait(s);
}

/* fork + exec of this launcher in prepared mode, its fds 0-4 being pipes to us. */
static int sandbox_spawn(char **child_argv, struct sandbox_proc *s, struct rb_error *err)
{
    int p[5][2]; /* in, out, err, report, control: [0] read end, [1] write end */
    int n = 0;
    for (; n < 5; n++)
        if (pipe2(p[n], O_CLOEXEC) < 0) {
            rb_fail(err, errno, "pipe");
            goto fail;
        }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old); /* tracked before a stop can look for it */
    pid_t pid = fork();
    if (pid == 0) {
        /* The child's ends at 0-4, without CLOEXEC: they are the launcher's fds. */
        int ends[5] = {p[0][0], p[1][1], p[2][1], p[3][1], p[4][0]};
        if (place_fds(ends, 5, 0, 0) < 0)
            _exit(RB_EXIT_FAILED);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execv("/proc/self/exe", child_argv);
        _exit(RB_EXIT_FAILED);
    }
    if (pid > 0)
        track(pid, true);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        rb_fail(err, errno, "fork");
        goto fail;
    }
    *s = (struct sandbox_proc){pid, p[0][1], p[1][0], p[2][0], p[3][0], p[4][1]};
    close(p[0][0]);
    close(p[1][1]);
    close(p[2][1]);
    close(p[3][1]);
    close(p[4][0]);
    fcntl(s->in, F_SETFL, O_NONBLOCK);
    return 0;
fail:
    while (n-- > 0) {
        close(p[n][0]);
        close(p[n][1]);
    }
    return -1;
}

/* A growable buffer that keeps at most `cap` bytes and drops (but keeps reading) the rest. */
struct sink {
    char *buf;
    uint32_t len, size, cap; /* size: allocated */
};

static int sink_read(int *fd, struct sink *k)
{
    static char dropped[65536]; /* where reads beyond the cap go (one thread, one read at a time) */
    if (k->len == k->size && k->size < k->cap) {
        /* Doubled from a pipe's worth up to the cap: a few reallocs per run, not one per read. */
        size_t size = k->size ? (size_t)k->size * 2 : 65536;
        if (size > k->cap)
            size = k->cap;
        char *nb = realloc(k->buf, size);
        if (!nb)
            return -1;
        k->buf = nb;
        k->size = (uint32_t)size;
    }
    bool keep = k->len < k->size;
    char *to = keep ? k->buf + k->len : dropped;
    ssize_t n = read(*fd, to, keep ? k->size - k->len : sizeof dropped);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0) { /* EOF, or an error: nothing more comes from it */
        rb_closep(fd);
        return 0;
    }
    if (keep)
        k->len += (uint32_t)n;
    return 0;
}

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
    return p + 4;
}

/* 1 = read, 0 = EOF at a frame boundary, -1 = error or EOF inside a frame. */
static int read_u32(int fd, uint32_t *v, bool at_boundary)
{
    unsigned char b[4];
    ssize_t n = read_all(fd, b, 4);
    if (n == 0 && at_boundary)
        return 0;
    if (n != 4)
        return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

/* Reads one frame header: type and id. 1 = read, 0 = EOF (the worker is done), -1 = error. */
static int read_header(unsigned char *type, uint32_t *id)
{
    ssize_t n = read_all(0, type, 1);
    if (n == 0)
        return 0;
    if (n != 1 || read_u32(0, id, false) != 1)
        return -1;
    return 1;
}

/* Reads a pipe until EOF or until it has been quiet for timeout_ms (0: reads what it holds now,
 * without waiting for more). Polled before each read, so the pipe may be blocking. */
static void drain(int *fd, struct sink *k, int timeout_ms)
{
    while (*fd >= 0) {
        struct pollfd pfd = {*fd, POLLIN, 0};
        if (poll(&pfd, 1, timeout_ms) <= 0 || sink_read(fd, k) < 0)
            return;
    }
}

/* Waits for the prepared launcher's ready line. false: it died or said something else. */
static bool sandbox_ready(struct sandbox_proc *s, struct sink *diag)
{
    char line[sizeof SERVE_READY_LINE - 1];
    if (read_all(s->rep, line, sizeof line) == (ssize_t)sizeof line &&
        !memcmp(line, SERVE_READY_LINE, sizeof line))
        return true;
    /* Keep what it said on stderr: the reason, for the worker's log. */
    drain(&s->err, diag, 100);
    return false;
}

struct run_io {
    char *stdin_buf; /* owned; a streamed run's grows with its input frames */
    uint32_t stdin_len, stdin_off;
    bool streamed;    /* 'S': output frames as it comes, stdin open until an empty input frame */
    bool stdin_more;  /* input frames may still add to the program's stdin */
    uint32_t sent[2]; /* bytes of out and err already sent in output frames */
    struct sink out, err, rep;
};

/* The rest of an input frame that has no run to go to: read and dropped. */
static int skip_input(void)
{
    uint32_t n;
    char buf[4096];
    if (read_u32(0, &n, false) != 1)
        return -1;
    for (uint32_t chunk; n > 0; n -= chunk) {
        chunk = n < sizeof buf ? n : (uint32_t)sizeof buf;
        if (read_all(0, buf, chunk) != (ssize_t)chunk)
            return -1;
    }
    return 0;
}

/* The rest of an input frame for the streamed run: its bytes are queued for the program's stdin
 * (dropped once the program has closed it), an empty one ends it. What is queued stays within
 * MAX_STDIN_BYTES, like a run frame's stdin: the worker bounds it, this bounds our memory. */
static int take_input(int in_fd, struct run_io *io)
{
    uint32_t n;
    if (in_fd < 0)
        return skip_input();
    if (read_u32(0, &n, false) != 1)
        return -1;
    if (n == 0) {
        io->stdin_more = false;
        return 0;
    }
    uint32_t queued = io->stdin_len - io->stdin_off;
    if (n > MAX_STDIN_BYTES - queued)
        return -1;
    memmove(io->stdin_buf, io->stdin_buf + io->stdin_off, queued);
    char *nb = realloc(io->stdin_buf, (size_t)queued + n);
    if (!nb)
        return -1;
    io->stdin_buf = nb;
    io->stdin_off = 0;
    io->stdin_len = queued + n;
    return read_all(0, io->stdin_buf + queued, n) == (ssize_t)n ? 0 : -1;
}

/* A streamed run's output frames: what the sinks got since the last call, as it came. */
static int forward_output(uint32_t id, struct run_io *io)
{
    const struct sink *sinks[] = {&io->out, &io->err};
    for (size_t i = 0; io->streamed && i < ARRAY_LEN(sinks); i++) {
        uint32_t n = sinks[i]->len - io->sent[i];
        if (n == 0)
            continue;
        unsigned char head[10] = {SERVE_OUTPUT};
        put_u32(head + 1, id);
        head[5] = (unsigned char)(i + 1);
        put_u32(head + 6, n);
        struct iovec iov[] = {{head, sizeof head}, {sinks[i]->buf + io->sent[i], n}};
        if (writev_all(1, iov, ARRAY_LEN(iov)) < 0)
            return -1;
        io->sent[i] = sinks[i]->len;
    }
    return 0;
}

/* Relays one run: the program's stdin in, its output and the report out, cancel frames from the
 * worker in the meantime. Returns once the launcher closed every output (it has exited or is
 * about to), or -1 when the worker is gone or broke the protocol (the run is stopped). */
static int relay(struct sandbox_proc *s, uint32_t id, struct run_io *io)
{
    while (s->out >= 0 || s->err >= 0 || s->rep >= 0) {
        if (io->stdin_off == io->stdin_len && !io->stdin_more)
            rb_closep(&s->in); /* all of it written, and no more to come */
        if (io->rep.len && memchr(io->rep.buf, '\n', io->rep.len)) {
            /* The report is written after the teardown and after every byte of output: what is
             * left in the pipes is all there is. The launcher's exit (releasing the run's mount
             * namespace, which no process can reach any more) need not hold the answer up. */
            drain(&s->out, &io->out, 0);
            drain(&s->err, &io->err, 0);
            return forward_output(id, io);
        }
        /* A streamed run's stdin may be open with nothing queued: no POLLOUT wanted then. */
        struct pollfd pfd[5] = {
            {s->out, POLLIN, 0}, {s->err, POLLIN, 0},
            {s->rep, POLLIN, 0}, {io->stdin_off < io->stdin_len ? s->in : -1, POLLOUT, 0},
            {0, POLLIN, 0},
        };
        if (poll(pfd, 5, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (pfd[0].revents && sink_read(&s->out, &io->out) < 0)
            return -1;
        if (pfd[1].revents && sink_read(&s->err, &io->err) < 0)
            return -1;
        if (pfd[2].revents && sink_read(&s->rep, &io->rep) < 0)
            return -1;
        if (forward_output(id, io) < 0) {
            kill(s->pid, SIGTERM); /* the worker is gone */
            return -1;
        }
        if (pfd[3].revents) {
            ssize_t n = write(s->in, io->stdin_buf + io->stdin_off, io->stdin_len - io->stdin_off);
            if (n > 0)
                io->stdin_off += (uint32_t)n;
            if (n < 0 && errno != EINTR && errno != EAGAIN) {
                rb_closep(&s->in); /* the program closed its stdin (EPIPE) */
                io->stdin_more = false;
            }
        }
        if (pfd[4].revents) {
            unsigned char type;
            uint32_t cid;
            int r = read_header(&type, &cid);
            if (r > 0 && type == SERVE_INPUT) {
                if ((cid == id && io->stdin_more ? take_input(s->in, io) : skip_input()) < 0)
                    r = -1;
                else
                    continue;
            }
            if (r <= 0 || type != SERVE_CANCEL) {
                /* Worker gone or a frame that has no place here: stop the run and give up. The
                 * caller closes our ends and waits for the launcher, which tears the run down
                 * before it exits. */
                kill(s->pid, SIGTERM);
                return -1;
            }
            if (cid == id)
                kill(s->pid, SIGTERM); /* the launcher kills the run and reports the signal */
        }
    }
    return 0;
}

/* One answer frame (serve.h), written straight from the sinks; a streamed run's tagged 'A'. */
static int respond(uint32_t id, int status, const struct run_io *io)
{
    const struct sink *parts[] = {&io->rep, &io->out, &io->err};
    unsigned char head[9] = {SERVE_ANSWER}, lens[ARRAY_LEN(parts)][4];
    struct iovec iov[1 + 2 * ARRAY_LEN(parts)];
    put_u32(put_u32(head + 1, id), (uint32_t)status);
    iov[0] = io->streamed ? (struct iovec){head, 9} : (struct iovec){head + 1, 8};
    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        put_u32(lens[i], parts[i]->len);
        iov[1 + 2 * i] = (struct iovec){lens[i], sizeof lens[i]};
        iov[2 + 2 * i] = (struct iovec){parts[i]->buf, parts[i]->len};
    }
    return writev_all(1, iov, (int)ARRAY_LEN(iov));
}

/* The launcher's arguments in prepared mode: ours with --serve replaced by the fds it gets from
 * sandbox_spawn (report on 3, control on 4). */
static char **child_args(int argc, char **argv, int *cargc)
{
    char **a = calloc((size_t)argc + 3, sizeof *a);
    if (!a)
        return NULL;
    int n = 0;
    a[n++] = argv[0];
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--serve"))
            a[n++] = argv[i];
    a[n++] = "--report-fd=3";
    a[n++] = "--control-fd=4";
    *cargc = n;
    return a;
}

/* One frame from the worker (serve.h). A run's request is NUL-terminated: args[args_len] = '\0'. */
struct frame {
    unsigned char type;
    uint32_t id;
    char *args, *in;
    uint32_t args_len, in_len;
};

enum frame_read { FRAME_READ, FRAME_EOF, FRAME_MALFORMED };

/* Reads the next frame into *f (frame_free() it whatever the result). EOF: the worker is done. */
static enum frame_read read_frame(struct frame *f)
{
    *f = (struct frame){0};
    int r = read_header(&f->type, &f->id);
    if (r <= 0)
        return r == 0 ? FRAME_EOF : FRAME_MALFORMED;
    if (f->type == SERVE_CANCEL)
        return FRAME_READ;
    if (f->type == SERVE_INPUT) /* an input frame outside a streamed run: for one that ended */
        return skip_input() < 0 ? FRAME_MALFORMED : FRAME_READ;
    /* The launcher takes a request of at most MAX_REQUEST_BYTES with its end marker (the empty
     * argument, our args[args_len]): a larger one is refused here, as the worker never sends one,
     * not passed on to fail in the launcher with the sandbox spent. */
    if ((f->type != SERVE_RUN && f->type != SERVE_STREAM) ||
        read_u32(0, &f->args_len, false) != 1 || f->args_len >= MAX_REQUEST_BYTES ||
        !(f->args = malloc((size_t)f->args_len + 1)) ||
        read_all(0, f->args, f->args_len) != (ssize_t)f->args_len)
        return FRAME_MALFORMED;
    f->args[f->args_len] = '\0';
    if (read_u32(0, &f->in_len, false) != 1 || f->in_len > MAX_STDIN_BYTES ||
        !(f->in = malloc(f->in_len ? f->in_len : 1)) ||
        read_all(0, f->in, f->in_len) != (ssize_t)f->in_len)
        return FRAME_MALFORMED;
    return FRAME_READ;
}

static void frame_free(struct frame *f)
{
    free(f->args);
    free(f->in);
}

/* What the server keeps from one run to the next. */
struct server {
    char **cargv;             /* the prepared-mode launcher's arguments (child_args) */
    struct sandbox_proc next; /* the prepared sandbox for the next request; pid -1: none yet */
};

static int spawn_next(struct server *sv, struct rb_error *err)
{
    return sandbox_spawn(sv->cargv, &sv->next, err);
}

/* Takes the prepared sandbox for a run, replacing it once if it died while waiting (it should
 * not). false: none got ready; *status is the last one's exit status, `diag` what it said. */
static bool sandbox_take(struct server *sv, struct sandbox_proc *out, struct sink *diag,
                         int *status)
{
    struct rb_error err = {0};
    for (int attempt = 0; !sandbox_ready(&sv->next, diag); attempt++) {
        sandbox_close(&sv->next);
        *status = sandbox_wait(&sv->next);
        if (attempt == 1 || spawn_next(sv, &err) < 0)
            return false;
        free(diag->buf);
        *diag = (struct sink){.cap = OUTPUT_BYTES};
    }
    *out = sv->next;
    sv->next = (struct sandbox_proc){.pid = -1};
    return true;
}

/* The status of a run's launcher, for its answer. waitpid would hold the answer up until that
 * launcher has exited, and it exits only after its report: it releases the run's mount namespace
 * in between (native/README.md, serve mode). Measured on cgroup v1 with 2 CPUs, that is a median
 * 0.3 ms (p95 0.8 ms) on top of the 2.2 ms a /bin/true run takes from request to report. So with
 * a report, the status is the one that launcher exits with for it: the report's "error" member,
 * which the launcher itself wrote, mapped by the rule its main() exits by (exit_status() in
 * report.c). Without a report, or with one that does not read as one, waitpid tells. */
static int run_status(struct sandbox_proc *ran, struct sink *rep)
{
    /* The report fd carried nothing but the report after the ready line. */
    if (rep->len && rep->buf[rep->len - 1] == '\n') {
        rep->len--; /* the answer carries the report without its newline */
        int status = report_line_exit_status(rep->buf, rep->len);
        if (status >= 0)
            return status;
    }
    return sandbox_wait(ran);
}

/* A request whose bytes do not end exactly at their end marker: the launcher reads a request up
 * to its first empty argument (our args[args_len]), so one that ends sooner would run only its
 * first part, and one whose last argument lacks its NUL would never end (EOF: exit 0, no report,
 * nothing ran). Answered as the launcher answers a request that does not parse; the prepared
 * sandbox stays for the next one. */
static int refuse(uint32_t id, bool streamed)
{
    static char bad[] = "runbox-launcher: bad request: the arguments do not end with the "
                        "request (each ends with a NUL, none is empty)\n";
    struct run_io refused = {.streamed = streamed, .err = {.buf = bad, .len = sizeof bad - 1}};
    return respond(id, RB_EXIT_USAGE, &refused);
}

/* Runs one request ('R', or 'S' streamed) in the prepared sandbox and answers it. -1: the worker
 * is gone or broke the protocol during the run (which has been stopped), or the answer could not
 * be written. The frame's stdin becomes the run's: a streamed run's grows with its input frames. */
static int run_one(struct server *sv, struct frame *f)
{
    bool streamed = f->type == SERVE_STREAM;
    if (args_request_end(f->args, (size_t)f->args_len + 1) != (ssize_t)f->args_len)
        return refuse(f->id, streamed);
    struct run_io io = {
        .stdin_buf = f->in, .stdin_len = f->in_len, .streamed = streamed, .stdin_more = streamed};
    f->in = NULL; /* io's now */
    io.out.cap = OUTPUT_BYTES;
    io.err.cap = OUTPUT_BYTES;
    io.rep.cap = REPORT_BYTES;
    struct sandbox_proc ran;
    int status, ret;
    if (!sandbox_take(sv, &ran, &io.err, &status)) {
        ret = respond(f->id, status, &io); /* no report: the status and stderr of the last one */
    } else {
        /* The request and its terminating empty argument (args[args_len] is its NUL). A
         * launcher that died after its ready line still reports (or not) through the relay. */
        (void)write_all(ran.ctl, f->args, (size_t)f->args_len + 1);
        rb_closep(&ran.ctl);
        ret = relay(&ran, f->id, &io);
        sandbox_close(&ran);
        if (ret == 0)
            ret = respond(f->id, run_status(&ran, &io.rep), &io);
        /* The next sandbox is spawned before this run's launcher is reaped: its set-up (mostly
         * waiting, on cgroup v1, for the migration's RCU grace period) overlaps that exit. A
         * failure leaves next.pid at -1, retried before the next frame (serve_main). */
        struct rb_error err = {0};
        if (ret == 0)
            (void)spawn_next(sv, &err);
        if (ran.pid > 0)
            sandbox_wait(&ran);
    }
    free(io.stdin_buf);
    free(io.out.buf);
    free(io.err.buf);
    free(io.rep.buf);
    return ret;
}

/* A stop (SIGTERM/SIGINT/SIGHUP, or the worker's death) passes SIGTERM to our launchers and
 * waits for them (on_stop). */
static void stop_on_signals(pid_t parent)
{
    struct sigaction sa = {.sa_handler = on_stop};
    sigfillset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    term_with_parent(parent); /* the worker's death stops us, and our sandbox with us */
}

int serve_main(int argc, char **argv, pid_t parent)
{
    struct rb_error err = {0};
    int cargc;
    struct server sv = {.cargv = child_args(argc, argv, &cargc), .next = {.pid = -1}};
    if (!sv.cargv)
        return RB_EXIT_FAILED;
    /* Checked now, once for every sandbox to come. The parser neither permutes its argv ("+")
     * nor writes into its strings, so cargv stays as it is for the exec. */
    struct cli c;
    if (args_parse_cli(cargc, sv.cargv, &c, &err) < 0 || c.mode != MODE_PREPARED) {
        fprintf(stderr, "runbox-launcher: --serve: %s\n",
                err.msg[0] ? err.msg : "takes set-up options only");
        return RB_EXIT_USAGE;
    }
    stop_on_signals(parent);

    for (;;) {
        if (sv.next.pid < 0 && spawn_next(&sv, &err) < 0) {
            fprintf(stderr, "runbox-launcher: --serve: %s\n", err.msg);
            return RB_EXIT_FAILED;
        }
        struct frame f;
        enum frame_read got = read_frame(&f);
        /* A cancel or an input frame between runs is for a run that has already ended. */
        bool run = got == FRAME_READ && (f.type == SERVE_RUN || f.type == SERVE_STREAM);
        int ran = run ? run_one(&sv, &f) : 0;
        frame_free(&f);
        if (got == FRAME_MALFORMED)
            fprintf(stderr, "runbox-launcher: --serve: malformed request from the worker\n");
        if (got != FRAME_READ) {
            dispose(&sv.next);
            return got == FRAME_EOF ? RB_EXIT_OK : RB_EXIT_USAGE;
        }
        if (ran < 0)
            return RB_EXIT_FAILED;
    }
}
