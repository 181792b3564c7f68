/* rb-bench.c — timing helper for test/bench/launcher: the same spawn method (posix_spawn +
 * waitpid) and the same clock (CLOCK_MONOTONIC) for every contender, so the comparison is fair.
 *
 *   rb-bench exec N GAP_MS -- PROGRAM ARG...
 *       N × (spawn PROGRAM, wait); prints one line: the N durations in microseconds.
 *   rb-bench prepared N GAP_MS LAUNCHER [SETUP ARGS...] -- REQUEST ARG...
 *       N × (spawn LAUNCHER SETUP ARGS --report-fd 3 --control-fd 4, wait for the ready line,
 *       sleep GAP_MS (the sandbox is prepared during the gap), write the request, read the report);
 *       line 1: request→report durations (the job's critical path), line 2: spawn→exit minus
 *       the gap (the whole cycle, i.e. what preparing costs the machine).
 * stdout/stderr of the contenders go to /dev/null; stdin is /dev/null. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every contender and the program it runs get this same small environment (the launcher passes
 * it on with --env, see bench.js); inheriting the caller's would make the bare run differ. */
static char *bench_env[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", NULL};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void base_actions(posix_spawn_file_actions_t *fa, int with_fd3)
{
    posix_spawn_file_actions_init(fa);
    posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(fa, 2, "/dev/null", O_WRONLY, 0);
    if (with_fd3) /* the one-shot launcher's report fd */
        posix_spawn_file_actions_addopen(fa, 3, "/dev/null", O_WRONLY, 0);
}

/* A pipe whose ends are ≥ 10 and close-on-exec, so dup2 onto 3/4 cannot collide. */
static void high_pipe(int p[2])
{
    int t[2];
    if (pipe(t) < 0)
        die("pipe");
    for (int i = 0; i < 2; i++) {
        p[i] = fcntl(t[i], F_DUPFD_CLOEXEC, 10);
        close(t[i]);
    }
}

static int wait_ok(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int run_exec(int n, long gap, char **argv)
{
    posix_spawn_file_actions_t fa;
    base_actions(&fa, 1);
    for (int i = 0; i < n; i++) {
        if (gap)
            sleep_ms(gap);
        uint64_t t0 = now_us();
        pid_t pid;
        if (posix_spawn(&pid, argv[0], &fa, NULL, argv, bench_env) != 0)
            die("posix_spawn");
        if (!wait_ok(pid)) {
            fprintf(stderr, "rb-bench: %s failed\n", argv[0]);
            return 1;
        }
        printf("%s%llu", i ? " " : "", (unsigned long long)(now_us() - t0));
    }
    printf("\n");
    return 0;
}

/* Reads one line (up to '\n') from fd. */
static int read_line(int fd, char *buf, size_t size)
{
    size_t have = 0;
    while (have < size - 1) {
        ssize_t r = read(fd, buf + have, size - 1 - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        have += (size_t)r;
        if (memchr(buf, '\n', have))
            break;
    }
    buf[have] = '\0';
    return 0;
}

static int run_prepared(int n, long gap, int argc, char **argv)
{
    int dd = -1;
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--")) {
            dd = i;
            break;
        }
    if (dd < 1)
        return fprintf(stderr, "rb-bench prepared: LAUNCHER ... -- REQUEST\n"), 2;
    char **largv = calloc((size_t)dd + 6, sizeof *largv);
    memcpy(largv, argv, (size_t)dd * sizeof *largv);
    largv[dd] = "--report-fd";
    largv[dd + 1] = "3";
    largv[dd + 2] = "--control-fd";
    largv[dd + 3] = "4";
    /* The request: NUL-terminated arguments, then an empty one. */
    size_t rlen = 0;
    char req[8192];
    for (int i = dd + 1; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        memcpy(req + rlen, argv[i], l);
        rlen += l;
    }
    req[rlen++] = '\0';

    uint64_t *crit = calloc((size_t)n, sizeof *crit), *cycle = calloc((size_t)n, sizeof *cycle);
    for (int i = 0; i < n; i++) {
        int rep[2], ctl[2];
        high_pipe(rep);
        high_pipe(ctl);
        posix_spawn_file_actions_t fa;
        base_actions(&fa, 0);
        posix_spawn_file_actions_adddup2(&fa, rep[1], 3);
        posix_spawn_file_actions_adddup2(&fa, ctl[0], 4);
        uint64_t t_spawn = now_us();
        pid_t pid;
        if (posix_spawn(&pid, largv[0], &fa, NULL, largv, bench_env) != 0)
            die("posix_spawn launcher");
        posix_spawn_file_actions_destroy(&fa);
        close(rep[1]);
        close(ctl[0]);
        char line[4096];
        if (read_line(rep[0], line, sizeof line) < 0 || !strstr(line, "\"ready\":true")) {
            fprintf(stderr, "rb-bench: no ready line: %s\n", line);
            return 1;
        }
        if (gap)
            sleep_ms(gap);
        uint64_t t0 = now_us();
        if (write(ctl[1], req, rlen) != (ssize_t)rlen)
            die("write request");
        if (read_line(rep[0], line, sizeof line) < 0) {
            fprintf(stderr, "rb-bench: no report\n");
            return 1;
        }
        uint64_t t1 = now_us();
        if (!strstr(line, "\"exitCode\":0,") || !strstr(line, "\"error\":null")) {
            fprintf(stderr, "rb-bench: run failed: %s", line);
            return 1;
        }
        close(ctl[1]);
        close(rep[0]);
        if (!wait_ok(pid)) {
            fprintf(stderr, "rb-bench: launcher failed\n");
            return 1;
        }
        crit[i] = t1 - t0;
        cycle[i] = now_us() - t_spawn - (uint64_t)gap * 1000;
    }
    for (int i = 0; i < n; i++)
        printf("%s%llu", i ? " " : "", (unsigned long long)crit[i]);
    printf("\n");
    for (int i = 0; i < n; i++)
        printf("%s%llu", i ? " " : "", (unsigned long long)cycle[i]);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        return fprintf(stderr, "usage: rb-bench exec|prepared N GAP_MS ...\n"), 2;
    int n = atoi(argv[2]);
    long gap = atol(argv[3]);
    if (!strcmp(argv[1], "exec")) {
        if (strcmp(argv[4], "--") != 0 || argc < 6)
            return fprintf(stderr, "rb-bench exec N GAP -- PROGRAM...\n"), 2;
        return run_exec(n, gap, argv + 5);
    }
    if (!strcmp(argv[1], "prepared"))
        return run_prepared(n, gap, argc - 4, argv + 4);
    return fprintf(stderr, "rb-bench: unknown mode %s\n", argv[1]), 2;
}
