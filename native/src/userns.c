/* userns.c — the sandbox's own user namespace (--userns, native/README.md "User namespace mode").
 * With it every namespace of the run (pid, net, ipc, mnt, uts, cgroup) is owned by a user
 * namespace of its own: the init's capabilities reach only the run's namespaces, and a mount or a
 * file of the host is never the init's to change beyond what the ids mapped below allow. The map
 * holds two ids each: 0 inside for the init (the launcher's own id outside: a launcher that is not
 * root never has more than its own id and its subordinate ones) and the slot's uid/gid, the same
 * number inside and outside, so a slot's files and processes look on the host as they do without
 * the mode. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exit_codes.h"
#include "util.h"

extern char **environ;

/* One map (uid or gid), and how a launcher that is not root gets it written. */
static const struct map_row {
    const char *file;   /* /proc/PID/<file> */
    const char *helper; /* setuid helper of Debian's uidmap package (shadow) */
} maps[] = {
    {"uid_map", "/usr/bin/newuidmap"},
    {"gid_map", "/usr/bin/newgidmap"},
};

/* Writes a whole map (text) to /proc/PID/<file>, as a root caller may. */
static int write_map_text(pid_t pid, const char *file, const char *text, struct rb_error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    autofd int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return rb_fail(err, errno, "open %s", path);
    /* The kernel takes a map in one write only. */
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len)
        return rb_fail(err, errno, "write %s", path);
    return 0;
}

static int write_map(pid_t init, const char *file, unsigned self, unsigned slot,
                     struct rb_error *err)
{
    char text[64];
    snprintf(text, sizeof text, "0 %u 1\n%u %u 1\n", self, slot, slot);
    return write_map_text(init, file, text, err);
}

/* Runs argv (a setuid helper of uidmap) with no signal blocked (ours blocks SIGTERM for the
 * signalfd) and waits for it: 0 when it exited 0, 1 when it refused, -1 when it could not run. */
static int spawn_wait(char *const argv[], struct rb_error *err)
{
    posix_spawnattr_t attr;
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int e = posix_spawn(&pid, argv[0], NULL, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    if (e)
        return rb_fail(err, e, "run %s (Debian package uidmap)", argv[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return rb_fail(err, errno, "wait for %s", argv[0]);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* newuidmap PID 0 SELF 1 SLOT SLOT 1: it checks SLOT against the caller's subordinate range and
 * allows SELF as the caller's own id. */
static int run_helper(pid_t init, const char *helper, unsigned self, unsigned slot,
                      struct rb_error *err)
{
    char spid[16], sself[16], sslot[16];
    snprintf(spid, sizeof spid, "%d", (int)init);
    snprintf(sself, sizeof sself, "%u", self);
    snprintf(sslot, sizeof sslot, "%u", slot);
    char *argv[] = {(char *)helper, spid, "0", sself, "1", sslot, sslot, "1", NULL};
    int r = spawn_wait(argv, err);
    if (r > 0)
        return rb_fail(err, 0,
                       "%s refused to map id %u (is it in this user's range in /etc/subuid "
                       "and /etc/subgid?)",
                       helper, slot);
    return r;
}

int userns_map(pid_t init, const struct setup_opts *s, struct rb_error *err)
{
    unsigned self[2] = {(unsigned)geteuid(), (unsigned)getegid()};
    unsigned slot[2] = {(unsigned)s->uid, (unsigned)s->gid};
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++) {
        if (self[i] == slot[i]) /* one id cannot be both the init's root and the program */
            return rb_fail(err, 0, "--userns: the slot's %s %u is the launcher's own",
                           i ? "gid" : "uid", slot[i]);
        if ((self[0] == 0 ? write_map(init, maps[i].file, self[i], slot[i], err)
                          : run_helper(init, maps[i].helper, self[i], slot[i], err)) < 0)
            return rb_wrap(err, "user namespace");
    }
    return 0;
}

void userns_wait_mapped(int fd)
{
    char b;
    if (read_all(fd, &b, 1) != 1)
        _exit(125);
    close(fd);
}

/* ---- --enter-userns: the rootless worker's own namespace (native/README.md "Rootless worker") */

#define MAX_RANGES 16

/* Ids of the outer namespace that the worker's namespace maps to themselves. */
struct ranges {
    unsigned n;
    unsigned long first[MAX_RANGES], count[MAX_RANGES];
};

static void add_range(struct ranges *r, unsigned long first, unsigned long count)
{
    if (r->n < MAX_RANGES && count) {
        r->first[r->n] = first;
        r->count[r->n++] = count;
    }
}

/* The caller's ranges in /etc/subuid or /etc/subgid: lines NAME:FIRST:COUNT or ID:FIRST:COUNT. */
static int subordinate(const char *file, const char *name, unsigned id, struct ranges *r,
                       struct rb_error *err)
{
    FILE *f = fopen(file, "re");
    if (!f)
        return errno == ENOENT ? 0 : rb_fail(err, errno, "open %s", file);
    char line[512], who[256], self[16];
    snprintf(self, sizeof self, "%u", id);
    unsigned long first, count;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%255[^:]:%lu:%lu", who, &first, &count) == 3 &&
            (!strcmp(who, name) || !strcmp(who, self)))
            add_range(r, first, count);
    fclose(f);
    return 0;
}

/* As root of the current namespace (a pod's user namespace): every id it has, each to itself. */
static int own_ids(const char *file, struct ranges *r, struct rb_error *err)
{
    char path[32];
    snprintf(path, sizeof path, "/proc/self/%s", file);
    FILE *f = fopen(path, "re");
    if (!f)
        return rb_fail(err, errno, "open %s", path);
    unsigned long in, out, count;
    while (fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
        add_range(r, in, count);
    fclose(f);
    return 0;
}

/* Maps for the process `pid` that has just unshared its user namespace: as root, written
 * directly, each id to itself; otherwise 0 → the caller's own id plus its subordinate ranges,
 * each to itself, through newuidmap/newgidmap (which check the ranges again). */
static int map_worker(pid_t pid, unsigned self, const struct ranges *r, unsigned idx,
                      struct rb_error *err)
{
    char text[MAX_RANGES * 40 + 40];
    size_t len = 0;
    if (self != 0)
        len += (size_t)snprintf(text + len, sizeof text - len, "0 %u 1\n", self);
    for (unsigned i = 0; i < r->n; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%lu %lu %lu\n", r->first[i],
                                r->first[i], r->count[i]);
    if (self == 0)
        return write_map_text(pid, maps[idx].file, text, err);
    /* newuidmap PID 0 SELF 1 FIRST FIRST COUNT ... */
    char words[3 * MAX_RANGES + 4][24], *argv[3 * MAX_RANGES + 6];
    unsigned n = 0;
    argv[n++] = (char *)maps[idx].helper;
    snprintf(words[0], sizeof words[0], "%d", (int)pid);
    argv[n++] = words[0];
    for (char *p = text, *line; (line = strsep(&p, "\n")) && *line;)
        for (char *w; (w = strsep(&line, " "));)
            argv[n++] = w;
    argv[n] = NULL;
    int r2 = spawn_wait(argv, err);
    if (r2 > 0)
        return rb_fail(err, 0, "%s refused the map (%s lists the ranges it allows)",
                       maps[idx].helper, idx ? "/etc/subgid" : "/etc/subuid");
    return r2;
}

/* The user name of uid in /etc/passwd (this binary is static: no NSS), "" when it has none. */
static void user_name(unsigned uid, char *name, size_t size)
{
    name[0] = '\0';
    FILE *f = fopen("/etc/passwd", "re");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char *p = line, *who = strsep(&p, ":"), *pw = strsep(&p, ":"), *id = strsep(&p, ":");
        if (pw && id && strtoul(id, NULL, 10) == uid && *id) {
            snprintf(name, size, "%s", who);
            break;
        }
    }
    fclose(f);
}

static int enter(char **argv, struct rb_error *err)
{
    unsigned self[2] = {(unsigned)geteuid(), (unsigned)getegid()};
    struct ranges r[2] = {0};
    if (self[0] == 0) {
        if (own_ids("uid_map", &r[0], err) < 0 || own_ids("gid_map", &r[1], err) < 0)
            return -1;
    } else {
        char name[256];
        user_name(self[0], name, sizeof name);
        if (subordinate("/etc/subuid", name, self[0], &r[0], err) < 0 ||
            subordinate("/etc/subgid", name, self[0], &r[1], err) < 0)
            return -1;
        for (unsigned i = 0; i < 2; i++)
            if (!r[i].n)
                return rb_fail(err, 0,
                               "user %s (%u) has no range in %s: every sandbox would share "
                               "the worker's own id (add one: usermod --add-subuids FIRST-LAST "
                               "--add-subgids FIRST-LAST %s)",
                               name, self[0], i ? "/etc/subgid" : "/etc/subuid", name);
    }
    pid_t parent = getppid();
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return rb_fail(err, errno, "pipe");
    pid_t me = getpid(), helper = fork();
    if (helper < 0)
        return rb_fail(err, errno, "fork");
    if (helper == 0) { /* maps us from outside once we have unshared */
        close(go[1]);
        char b;
        struct rb_error e = {0};
        if (read_all(go[0], &b, 1) != 1)
            _exit(1);
        for (unsigned i = 0; i < 2; i++)
            if (map_worker(me, self[i], &r[i], i, &e) < 0) {
                fprintf(stderr, "runbox-launcher: --enter-userns: %s\n", e.msg);
                _exit(1);
            }
        _exit(0);
    }
    close(go[0]);
    int unshared = unshare(CLONE_NEWUSER | CLONE_NEWNS);
    int saved = errno;
    if (unshared == 0)
        write_all(go[1], "u", 1);
    close(go[1]);
    int st;
    while (waitpid(helper, &st, 0) < 0)
        if (errno != EINTR)
            return rb_fail(err, errno, "wait for the map helper");
    if (unshared < 0)
        return rb_fail(err, saved,
                       "unshare a user namespace (kernel.unprivileged_userns_clone, "
                       "user.max_user_namespaces, or a seccomp profile may forbid it)");
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        return rb_fail(err, 0, "the user namespace's ids could not be mapped (see above)");
    /* Root of the namespace now: keep no supplementary group of the outer one (they would show
     * as nobody), and let no mount made here reach the outer namespace. */
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        return rb_fail(err, errno, "become root of the user namespace");
    if (setgroups(0, NULL) < 0 && errno != EPERM)
        return rb_fail(err, errno, "setgroups");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return rb_fail(err, errno, "make the worker's mounts private");
    /* PROGRAM outlives no parent (a SIGKILLed one cannot pass signals on): set after the
     * credentials changed, which resets it, and kept across the exec, which changes none. */
    term_with_parent(parent);
    execvp(argv[0], argv);
    return rb_fail(err, errno, "exec %s", argv[0]);
}

int userns_enter_main(int argc, char **argv)
{
    struct rb_error err = {0};
    if (argc < 4 || strcmp(argv[1], "--enter-userns") || strcmp(argv[2], "--")) {
        fprintf(stderr, "usage: runbox-launcher --enter-userns -- PROGRAM [ARG...]\n");
        return RB_EXIT_USAGE;
    }
    enter(&argv[3], &err);
    fprintf(stderr, "runbox-launcher: --enter-userns: %s\n", err.msg);
    return RB_EXIT_FAILED;
}
