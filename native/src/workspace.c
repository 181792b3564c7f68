/* workspace.c — `--workspace-mount DIR --disk-kb N --inodes N` and `--workspace-unmount DIR`:
 * the slot's tmpfs whose sub-directories become /box. Property 4 (disk: the size and inode count
 * of /box are this tmpfs's) and 2 (nosuid, nodev). Runs in the caller's mount namespace; the
 * tmpfs is recognisable by its source name, which makes mounting idempotent and unmounting
 * refuse anything that is not ours. */
#include "workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

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
