/* rootfs.c — the sandbox's root file system (property 2, native/README.md "Properties"): a small
 * read-only tmpfs holding read-only, nosuid, nodev bind mounts of what languages need (default
 * table + --bind-ro; symlinks recreated as symlinks), a synthesized /etc (passwd/group naming the
 * run's ids, hosts, nsswitch.conf — never the host's /etc), a fresh /proc with what container
 * runtimes hide masked or read-only (proc_table), a minimal /dev (null zero full random urandom +
 * fd symlinks), a size-limited tmpfs /tmp, and /box: WORKSPACE/NAME read-write or an empty
 * size-limited tmpfs. No /sys, /root, /home, /var, /run. Also property 8's launcher half: NAME is
 * one validated component opened with O_NOFOLLOW|O_DIRECTORY.
 *
 * Sources are opened (open_tree clones) before the new root covers anything, so a bind source may
 * be anywhere, even under the staging point. Runs in the init, in its own mount namespace. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define STAGE "/tmp"           /* where the new root is assembled (in our namespace only) */
#define WS_HIDDEN ".runbox/ws" /* prepared mode: the staged workspace, under a 0700 dir */
#define ATTR_RO (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

/* The default system mounts: read-only, nosuid, nodev; a missing source is skipped; a source
 * that is a symlink (merged /usr: /bin -> usr/bin) is recreated as that symlink. What only one
 * language needs (/etc/java-17-openjdk, /etc/mono) is its entry's "mounts" in languages.json,
 * which the worker passes as --bind-ro. */
static const struct mount_row {
    const char *path;
    const char *why;
} default_mounts[] = {
    {"/usr", "interpreters, compilers, headers, shared libraries"},
    {"/bin", "merged-/usr symlink (or the directory on older systems)"},
    {"/sbin", "merged-/usr symlink"},
    {"/lib", "merged-/usr symlink: the dynamic loader's path"},
    {"/lib64", "merged-/usr symlink: /lib64/ld-linux-x86-64.so.2"},
    {"/etc/ld.so.cache", "the dynamic loader's library index"},
    {"/etc/alternatives", "/usr/bin/java, javac, cc, ... point through here"},
    {"/etc/localtime", "time zone (a symlink into /usr/share/zoneinfo)"},
    {"/etc/ssl/certs", "CA certificates (also java's cacerts)"},
    {"/etc/ssl/openssl.cnf", "OpenSSL's default configuration (node, python read it)"},
};

/* Device nodes bound from the host (rw, nosuid, noexec; the only mounts without nodev). */
static const char *const devices[] = {"null", "zero", "full", "random", "urandom"};

static const struct link_row {
    const char *path, *target, *why;
} dev_links[] = {
    {"dev/fd", "/proc/self/fd", "bash process substitution, /dev/fd/N"},
    {"dev/stdin", "/proc/self/fd/0", "conventional"},
    {"dev/stdout", "/proc/self/fd/1", "conventional"},
    {"dev/stderr", "/proc/self/fd/2", "conventional"},
    {"dev/shm", "/tmp", "POSIX shm/semaphores live in the size-limited /tmp"},
};

/* What the fresh /proc hides or freezes (runc's and Docker's defaults, plus kallsyms). A missing
 * entry is skipped. Masked files get a read-only nodev bind of /dev/null (opening it fails),
 * masked directories an empty read-only tmpfs. */
enum proc_how { P_MASK, P_READONLY };
static const struct proc_row {
    const char *path; /* under the new root */
    enum proc_how how;
    const char *why;
} proc_table[] = {
    {"proc/kcore", P_MASK, "the kernel's memory as an ELF core"},
    {"proc/keys", P_MASK, "keys of the uid, which other runs of the slot share"},
    {"proc/timer_list", P_MASK, "every CPU's timers: host processes and their timing"},
    {"proc/timer_stats", P_MASK, "timer usage of host processes (old kernels)"},
    {"proc/sched_debug", P_MASK, "the scheduler's view of every host task"},
    {"proc/latency_stats", P_MASK, "latency traces of host tasks"},
    {"proc/interrupts", P_MASK, "per-CPU interrupt counts: a side channel on host activity"},
    {"proc/kallsyms", P_MASK, "kernel symbol addresses (zeroed for us today: a sysctl away)"},
    {"proc/acpi", P_MASK, "firmware interfaces"},
    {"proc/asound", P_MASK, "sound cards"},
    {"proc/scsi", P_MASK, "SCSI hosts (some entries writable by root)"},
    {"proc/sys", P_READONLY, "kernel tunables: host-wide, and the net ones the run's own"},
    {"proc/sysrq-trigger", P_READONLY, "magic SysRq: reboot, crash, kill all"},
    {"proc/bus", P_READONLY, "PCI/USB device state"},
    {"proc/fs", P_READONLY, "file system tunables (nfsd, ...)"},
    {"proc/irq", P_READONLY, "interrupt affinity"},
};

enum entry_kind { E_TREE, E_LINK };
struct entry {
    char dst[PATH_MAX]; /* relative to the new root */
    enum entry_kind kind;
    bool is_dir;
    int fd; /* E_TREE: detached clone (open_tree) */
    char target[PATH_MAX];
};

static int ws_fd = -1; /* prepared mode: the staged workspace, after pivot_root */

/* Opens src as a detached read-only clone (or records it as a symlink); *skip when missing. */
static int collect(const char *src, const char *dst, unsigned attr, struct entry *e, bool *skip,
                   struct rb_error *err)
{
    struct stat st;
    *skip = false;
    if (lstat(src, &st) < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            *skip = true;
            return 0;
        }
        return rb_fail(err, errno, "stat %s", src);
    }
    snprintf(e->dst, sizeof e->dst, "%s", dst + 1);
    e->fd = -1;
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(src, e->target, sizeof e->target - 1);
        if (n < 0)
            return rb_fail(err, errno, "readlink %s", src);
        e->target[n] = '\0';
        e->kind = E_LINK;
        return 0;
    }
    e->kind = E_TREE;
    e->is_dir = S_ISDIR(st.st_mode);
    e->fd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
    if (e->fd < 0)
        return rb_fail(err, errno, "open_tree %s", src);
    struct mount_attr ma = {.attr_set = attr};
    if (mount_setattr(e->fd, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0)
        return rb_fail(err, errno, "mount_setattr %s", src);
    return 0;
}

/* Where a read-only bind's source is: under --rootfs when given (the sandboxes' own tree of
 * runtimes, apart from the files the root launcher and worker run), else the host's path. */
static const char *bind_source(const struct setup_opts *s, const char *path, char *buf, size_t n)
{
    if (!s->rootfs)
        return path;
    snprintf(buf, n, "%s%s", s->rootfs, path);
    return buf;
}

/* Creates the mount point (or the symlink) for e under rootfd and attaches it. */
static int place(int rootfd, struct entry *e, struct rb_error *err)
{
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", e->dst);
    char *slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        if (mkdir_p_at(rootfd, parent, 0755, err) < 0)
            return -1;
    }
    if (e->kind == E_LINK) {
        if (symlinkat(e->target, rootfd, e->dst) < 0 && errno != EEXIST)
            return rb_fail(err, errno, "symlink /%s", e->dst);
        return 0;
    }
    if (e->is_dir) {
        if (mkdirat(rootfd, e->dst, 0755) < 0 && errno != EEXIST)
            return rb_fail(err, errno, "mkdir /%s", e->dst);
    } else {
        int fd = openat(rootfd, e->dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST && errno != EROFS)
            return rb_fail(err, errno, "create /%s", e->dst);
        if (fd >= 0)
            close(fd);
    }
    if (move_mount(e->fd, "", rootfd, e->dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return rb_fail(err, errno, "bind mount /%s", e->dst);
    rb_closep(&e->fd);
    return 0;
}

static int write_at(int rootfd, const char *path, const char *text, struct rb_error *err)
{
    autofd int fd = openat(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
        return rb_fail(err, errno, "write /%s", path);
    return 0;
}

/* /etc: only files we write, naming the run's identity; the host's /etc is never visible. */
static int synth_etc(int rootfd, const struct setup_opts *s, struct rb_error *err)
{
    char buf[512];
    if (mkdir_p_at(rootfd, "etc", 0755, err) < 0)
        return -1;
    snprintf(buf, sizeof buf,
             "root:x:0:0:root:/root:/usr/sbin/nologin\n"
             "runbox:x:%u:%u:runbox:/box:/bin/sh\n"
             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
             (unsigned)s->uid, (unsigned)s->gid);
    if (write_at(rootfd, "etc/passwd", buf, err) < 0)
        return -1;
    snprintf(buf, sizeof buf, "root:x:0:\nrunbox:x:%u:\nnogroup:x:65534:\n", (unsigned)s->gid);
    if (write_at(rootfd, "etc/group", buf, err) < 0)
        return -1;
    snprintf(buf, sizeof buf, "127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost\n",
             s->hostname);
    if (write_at(rootfd, "etc/hosts", buf, err) < 0)
        return -1;
    return write_at(rootfd, "etc/nsswitch.conf",
                    "passwd: files\ngroup: files\nshadow: files\nhosts: files\n", err);
}

static int mount_tmpfs(const char *path, uint64_t size_kb, const char *extra, struct rb_error *err)
{
    char opts[160];
    uint64_t inodes = size_kb / 8;
    inodes = inodes < 1024 ? 1024 : inodes > 1048576 ? 1048576 : inodes;
    snprintf(opts, sizeof opts, "size=%luk,nr_inodes=%lu,%s", (unsigned long)size_kb,
             (unsigned long)inodes, extra);
    if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return rb_fail(err, errno, "mount tmpfs on %s", path);
    return 0;
}

static int empty_box(const char *path, const struct setup_opts *s, struct rb_error *err)
{
    char extra[64];
    snprintf(extra, sizeof extra, "mode=0755,uid=%u,gid=%u", (unsigned)s->uid, (unsigned)s->gid);
    return mount_tmpfs(path, s->tmp_kb, extra, err);
}

/* proc_table on the fresh /proc of the new root (rootfd = STAGE). */
static int guard_proc(int rootfd, struct rb_error *err)
{
    const unsigned long ro = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    for (size_t i = 0; i < ARRAY_LEN(proc_table); i++) {
        const struct proc_row *r = &proc_table[i];
        char path[PATH_MAX];
        struct stat st;
        if (fstatat(rootfd, r->path, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* this kernel has no such entry */
        snprintf(path, sizeof path, STAGE "/%s", r->path);
        int rc;
        bool bind = true;
        if (r->how == P_READONLY) {
            rc = mount(path, path, NULL, MS_BIND | MS_REC, NULL);
        } else if (S_ISDIR(st.st_mode)) {
            rc = mount("runbox-mask", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       "size=4k,nr_inodes=1,mode=0555");
            bind = false;
        } else {
            rc = mount(STAGE "/dev/null", path, NULL, MS_BIND, NULL);
        }
        if (rc < 0 || (bind && mount(NULL, path, NULL, ro, NULL) < 0)) /* a bind takes no flags */
            return rb_fail(err, errno, "/%s (%s)", r->path, r->why);
    }
    return 0;
}

/* Attaches a clone of the directory fd (an O_PATH descriptor) read-write, nosuid, nodev at
 * to_dirfd/to. */
static int attach_clone(int fd, int to_dirfd, const char *to, struct rb_error *err)
{
    autofd int tree = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (tree < 0)
        return rb_fail(err, errno, "open_tree");
    struct mount_attr ma = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
    if (mount_setattr(tree, "", AT_EMPTY_PATH, &ma, sizeof ma) < 0)
        return rb_fail(err, errno, "mount_setattr");
    if (move_mount(tree, "", to_dirfd, to, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return rb_fail(err, errno, "move_mount");
    return 0;
}

/* Binds dirfd/name (one validated component, no symlink) read-write, nosuid, nodev at to. */
static int bind_box(int dirfd, const char *name, int to_dirfd, const char *to, struct rb_error *err)
{
    if (!args_valid_box_name(name))
        return rb_fail(err, EINVAL, "bad box name");
    autofd int dir = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return rb_fail(err, errno, "open box %s", name);
    if (attach_clone(dir, to_dirfd, to, err) < 0)
        return rb_wrap(err, "bind box %s", name);
    return 0;
}

int rootfs_build(const struct setup_opts *s, const char *box, bool prepared, struct rb_error *err)
{
    size_t max = ARRAY_LEN(default_mounts) + s->nbinds + ARRAY_LEN(devices);
    autofree struct entry *ents = calloc(max, sizeof *ents);
    autofd int ws = -1, rootfd = -1;
    size_t n = 0;
    bool skip;
    char src[PATH_MAX];
    int ret = -1;
    if (!ents)
        return rb_fail(err, ENOMEM, "rootfs");

    /* Nothing we mount may propagate back to the host. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return rb_fail(err, errno, "make mounts private");

    /* 1. Open every source while the host's tree is still in view. */
    for (size_t i = 0; !s->no_default_mounts && i < ARRAY_LEN(default_mounts); i++) {
        if (collect(bind_source(s, default_mounts[i].path, src, sizeof src), default_mounts[i].path,
                    ATTR_RO, &ents[n], &skip, err) < 0)
            goto out;
        n += !skip;
    }
    for (size_t i = 0; i < s->nbinds; i++) {
        if (collect(bind_source(s, s->binds[i].src, src, sizeof src), s->binds[i].dst, ATTR_RO,
                    &ents[n], &skip, err) < 0)
            goto out;
        n += !skip;
    }
    for (size_t i = 0; i < ARRAY_LEN(devices); i++) {
        char path[32];
        snprintf(path, sizeof path, "/dev/%s", devices[i]);
        if (collect(path, path, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, &ents[n], &skip, err) < 0)
            goto out;
        if (skip || ents[n].kind != E_TREE || ents[n].is_dir) {
            rb_fail(err, ENODEV, "host %s is not a device node", path);
            goto out;
        }
        n++;
    }
    if (s->workspace && (box || prepared)) {
        ws = open(s->workspace, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ws < 0) {
            rb_fail(err, errno, "open workspace %s", s->workspace);
            goto out;
        }
    }

    /* 2. The new root: a small tmpfs, read-only once assembled. */
    if (mount("runbox-root", STAGE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              "size=1024k,nr_inodes=1024,mode=0755") < 0) {
        rb_fail(err, errno, "mount root tmpfs");
        goto out;
    }
    rootfd = open(STAGE, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        rb_fail(err, errno, "open new root");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (place(rootfd, &ents[i], err) < 0)
            goto out;
    if (synth_etc(rootfd, s, err) < 0)
        goto out;
    for (size_t i = 0; i < ARRAY_LEN(dev_links); i++)
        if (symlinkat(dev_links[i].target, rootfd, dev_links[i].path) < 0) {
            rb_fail(err, errno, "symlink /%s", dev_links[i].path);
            goto out;
        }
    if (mkdirat(rootfd, "proc", 0555) < 0 || mkdirat(rootfd, "tmp", 01777) < 0 ||
        mkdirat(rootfd, "box", 0755) < 0) {
        rb_fail(err, errno, "mkdir /proc /tmp /box");
        goto out;
    }
    /* A proc of the run's own pid namespace: only its processes. */
    if (mount("proc", STAGE "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        rb_fail(err, errno, "mount /proc");
        goto out;
    }
    if (guard_proc(rootfd, err) < 0)
        goto out;
    if (mount_tmpfs(STAGE "/tmp", s->tmp_kb, "mode=1777", err) < 0)
        goto out;
    if (prepared && ws >= 0) {
        /* Staged under a root-only directory: unreachable for the program even before
         * rootfs_hide_workspace() detaches it. */
        if (mkdirat(rootfd, ".runbox", 0700) < 0 || mkdirat(rootfd, WS_HIDDEN, 0755) < 0) {
            rb_fail(err, errno, "mkdir /" WS_HIDDEN);
            goto out;
        }
        if (attach_clone(ws, rootfd, WS_HIDDEN, err) < 0) {
            rb_wrap(err, "stage workspace %s", s->workspace);
            goto out;
        }
    }
    if (!prepared && box) {
        if (bind_box(ws, box, rootfd, "box", err) < 0)
            goto out;
    } else if (empty_box(STAGE "/box", s, err) < 0) {
        /* prepared: mounted now so that a request without --box costs nothing; a --box is
         * bound on top of it */
        goto out;
    }
    if (mount(NULL, STAGE, NULL,
              MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        rb_fail(err, errno, "remount root read-only");
        goto out;
    }

    /* 3. Switch: the old root is stacked on the new one by pivot_root(".", "."), then gone. */
    if (chdir(STAGE) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0 ||
        chdir("/") < 0) {
        rb_fail(err, errno, "pivot_root");
        goto out;
    }
    if (prepared && ws >= 0) {
        ws_fd = open("/" WS_HIDDEN, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (ws_fd < 0) {
            rb_fail(err, errno, "open staged workspace");
            goto out;
        }
    }
    ret = 0;
out:
    for (size_t i = 0; i < n; i++)
        rb_closep(&ents[i].fd);
    return ret;
}

int rootfs_mount_box(const char *box, struct rb_error *err)
{
    if (!box)
        return 0; /* the empty tmpfs is there since rootfs_build() */
    if (ws_fd < 0)
        return rb_fail(err, EINVAL, "--box needs --workspace");
    return bind_box(ws_fd, box, AT_FDCWD, "/box", err);
}

void rootfs_hide_workspace(void)
{
    if (ws_fd < 0)
        return;
    rb_closep(&ws_fd);
    umount2("/" WS_HIDDEN, MNT_DETACH);
}
