/* workspace.c — `--workspace-mount DIR --disk-kb N --inodes N`, `--workspace-unmount DIR` and
 * `--box-remove NAME --workspace DIR` (below): the slot's tmpfs whose sub-directories become /box.
 * Property 4 (disk: the size and inode count of /box are this tmpfs's) and 2 (nosuid, nodev). Runs
 * in the caller's mount namespace; the tmpfs is recognisable by its source name, which makes
 * mounting idempotent and unmounting refuse anything that is not ours. */
#include "workspace.h"

#include <dirent.h>
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

#define WS_SOURCE "runbox-ws"

enum mounted { NOT_MOUNTED, OURS, OTHER };

/* mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static enum mounted mounted_at(const char *path)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (!f)
        return NOT_MOUNTED;
    enum mounted res = NOT_MOUNTED;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        char mp[PATH_MAX], fstype[64], source[PATH_MAX];
        /* id parent major:minor root mountpoint options [optional...] - fstype source opts */
        if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
            continue;
        char *sep = strstr(line, " - ");
        if (!sep || sscanf(sep + 3, "%63s %4095s", fstype, source) != 2)
            continue;
        unescape(mp);
        if (strcmp(mp, path) != 0)
            continue;
        /* The last mount on a path is the visible one. */
        res = !strcmp(fstype, "tmpfs") && !strcmp(source, WS_SOURCE) ? OURS : OTHER;
    }
    free(line);
    fclose(f);
    return res;
}

int workspace_mount(const char *dir, uint64_t disk_kb, uint64_t inodes, struct rb_error *err)
{
    char real[PATH_MAX], opts[128];
    if (mkdir_p_at(AT_FDCWD, dir, 0755, err) < 0)
        return -1;
    if (!realpath(dir, real))
        return rb_fail(err, errno, "realpath %s", dir);
    snprintf(opts, sizeof opts, "size=%luk,nr_inodes=%lu,mode=0755", (unsigned long)disk_kb,
             (unsigned long)inodes);
    switch (mounted_at(real)) {
    case OURS: /* already there: apply the (possibly new) sizes */
        if (mount(NULL, real, NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV, opts) < 0)
            return rb_fail(err, errno, "remount %s", real);
        return 0;
    case OTHER:
        return rb_fail(err, EBUSY, "%s is already a mount point (not a runbox workspace)", real);
    case NOT_MOUNTED:
        break;
    }
    if (mount(WS_SOURCE, real, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
        return rb_fail(err, errno, "mount tmpfs on %s", real);
    return 0;
}

int workspace_unmount(const char *dir, struct rb_error *err)
{
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return errno == ENOENT ? 0 : rb_fail(err, errno, "realpath %s", dir);
    switch (mounted_at(real)) {
    case NOT_MOUNTED:
        return 0;
    case OTHER:
        return rb_fail(err, EINVAL, "%s is not a runbox workspace mount", real);
    case OURS:
        break;
    }
    if (umount2(real, MNT_DETACH) < 0)
        return rb_fail(err, errno, "umount %s", real);
    return 0;
}

/* --- box removal ---------------------------------------------------------------------------
 * `--box-remove NAME --workspace DIR`: removes WORKSPACE/NAME and everything a program left in
 * it, however deep (property 5: no workspace remains). The tree is the program's, so no path
 * string is ever built from it (a 2,100-level tree overflows PATH_MAX: ENAMETOOLONG) and nothing
 * in it is followed: the walk holds one directory fd at a time, opens each child by its single
 * name relative to it (O_NOFOLLOW|O_DIRECTORY: a symlink is unlinked, never entered), never
 * enters another file system (a mount point), and climbs back with openat(fd, "..") only after
 * checking that ".." is the directory it came from (device and inode). The worker calls this only
 * once no process of the box's slot lives; even if one did, every step acts on a directory whose
 * identity was checked, and a program can move its directories only within its own box, so the
 * walk could at worst fail (the slot's workspace is then mounted afresh), never reach outside.
 * Depth costs heap (one name and one inode per level), not descriptors: RLIMIT_NOFILE does not
 * bound it. */

struct level {
    ino_t ino;
    char name[NAME_MAX + 1]; /* this directory's name in its parent */
};

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC)

/* Opens dirfd/name as a directory on device `dev`; -2 when it is no directory (unlink it), -1 on
 * error. *ino: its inode. */
static int open_child_dir(int dirfd, const char *name, dev_t dev, ino_t *ino, struct rb_error *err)
{
    int fd = openat(dirfd, name, DIR_FLAGS);
    if (fd < 0)
        return errno == ENOTDIR || errno == ELOOP ? -2 : rb_fail(err, errno, "open '%s'", name);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        rb_fail(err, errno, "stat '%s'", name);
        close(fd);
        return -1;
    }
    if (st.st_dev != dev) { /* never reached from a box; a mount point is not ours to empty */
        close(fd);
        return rb_fail(err, EXDEV, "'%s' is on another file system", name);
    }
    *ino = st.st_ino;
    return fd;
}

/* Removes every entry of `fd` that is not a directory; stops at the first directory and returns
 * 1 with its name in `sub`, 0 once the directory is empty, -1 on error. */
static int empty_files(int fd, char sub[NAME_MAX + 1], struct rb_error *err)
{
    char buf[8192] __attribute__((aligned(8)));
    if (lseek(fd, 0, SEEK_SET) < 0)
        return rb_fail(err, errno, "rewind a directory");
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (n < 0)
            return rb_fail(err, errno, "read a directory");
        if (n == 0)
            return 0;
        for (long off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            off += d->d_reclen;
            if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
                continue;
            if (unlinkat(fd, d->d_name, 0) == 0 || errno == ENOENT)
                continue;
            if (errno != EISDIR)
                return rb_fail(err, errno, "unlink '%s'", d->d_name);
            snprintf(sub, NAME_MAX + 1, "%s", d->d_name); /* a directory: descend */
            return 1;
        }
    }
}

int workspace_remove_box(const char *workspace, const char *name, struct rb_error *err)
{
    autofd int ws = open(workspace, DIR_FLAGS);
    struct stat st;
    if (ws < 0 || fstat(ws, &st) < 0)
        return rb_fail(err, errno, "open workspace %s", workspace);
    dev_t dev = st.st_dev;
    size_t depth = 0, cap = 16;
    autofree struct level *stack = malloc(cap * sizeof *stack);
    if (!stack)
        return rb_fail(err, ENOMEM, "box removal");
    snprintf(stack[0].name, sizeof stack[0].name, "%s", name);
    autofd int cur = open_child_dir(ws, name, dev, &stack[0].ino, err);
    if (cur == -2) /* not a directory (nothing made it one, but removal is removal) */
        return unlinkat(ws, name, 0) < 0 ? rb_fail(err, errno, "unlink %s", name) : 0;
    if (cur < 0)
        return err->err == ENOENT ? 0 : rb_wrap(err, "box %s", name);
    for (;;) {
        char sub[NAME_MAX + 1];
        int r = empty_files(cur, sub, err);
        if (r < 0)
            return rb_wrap(err, "box %s at depth %zu", name, depth);
        if (r == 1) { /* down into sub */
            if (depth + 1 == cap) {
                struct level *grown = realloc(stack, (cap *= 2) * sizeof *stack);
                if (!grown)
                    return rb_fail(err, ENOMEM, "box removal at depth %zu", depth);
                stack = grown;
            }
            ino_t ino;
            int child = open_child_dir(cur, sub, dev, &ino, err);
            if (child == -2)
                return rb_fail(err, EIO, "box %s: '%s' is neither a file nor a directory", name,
                               sub);
            if (child < 0)
                return rb_wrap(err, "box %s at depth %zu", name, depth);
            close(cur);
            cur = child;
            depth++;
            stack[depth].ino = ino;
            memcpy(stack[depth].name, sub, sizeof sub);
            continue;
        }
        if (depth == 0) /* the box itself is empty */
            break;
        /* Up: ".." must be the directory we came down from. */
        int parent = openat(cur, "..", DIR_FLAGS);
        if (parent < 0 || fstat(parent, &st) < 0) {
            if (parent >= 0)
                close(parent);
            return rb_fail(err, errno, "box %s: open '..' at depth %zu", name, depth);
        }
        close(cur);
        cur = parent;
        if (st.st_dev != dev || st.st_ino != stack[depth - 1].ino)
            return rb_fail(err, EXDEV, "box %s: a directory moved during removal", name);
        if (unlinkat(cur, stack[depth].name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            return rb_fail(err, errno, "box %s: rmdir at depth %zu", name, depth);
        depth--;
    }
    rb_closep(&cur);
    if (unlinkat(ws, name, AT_REMOVEDIR) < 0)
        return rb_fail(err, errno, "rmdir box %s", name);
    return 0;
}
