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
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static int write_map(pid_t init, const char *file, unsigned self, unsigned slot,
                     struct rb_error *err)
{
    char path[64], text[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)init, file);
    int n = snprintf(text, sizeof text, "0 %u 1\n%u %u 1\n", self, slot, slot);
    autofd int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return rb_fail(err, errno, "open %s", path);
    /* The kernel takes a map in one write only. */
    if (write(fd, text, (size_t)n) != n)
        return rb_fail(err, errno, "write %s", path);
    return 0;
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
    posix_spawnattr_t attr;
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &none); /* ours blocks SIGTERM for the signalfd */
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int e = posix_spawn(&pid, helper, NULL, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    if (e)
        return rb_fail(err, e, "run %s (Debian package uidmap)", helper);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return rb_fail(err, errno, "wait for %s", helper);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        return rb_fail(err, 0,
                       "%s refused to map id %u (is it in this user's range in /etc/subuid "
                       "and /etc/subgid?)",
                       helper, slot);
    return 0;
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
