/* collect.c — `--box-collect NAME --workspace DIR --uid N --gid N --max-files N --file-bytes N
 * --total-bytes N -- PATTERN...`: writes the files of box NAME that match the patterns to stdout
 * (native/README.md "output files"), for the client's `outputFiles`. The box is what a hostile
 * program left, read by a root process: the Judge0 CVE class. So the helper first becomes the
 * slot's uid and gid (it can read nothing the program could not), never builds a path string it
 * opens (each component is opened relative to its directory's fd, with openat2 RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV and O_NOFOLLOW), looks at every
 * match through an O_PATH descriptor before opening it for reading (only a regular file with one
 * link is read: a symlink, a directory, a FIFO, a device, a socket or a hardlinked file is
 * reported as skipped, never opened), opens it O_NONBLOCK and checks it again on the open fd,
 * and reads at most the caps. It never changes anything in the box. The worker runs it only once
 * no process of the run lives, so nothing changes under it; the checks above hold even if
 * something did.
 *
 * Output, integers little-endian, one record per match (at most --max-files), then an end record:
 *   'F' u32 path_len path u64 size u8 truncated u32 data_len data   a regular file
 *   'S' u32 path_len path u8 reason                                  a match that was not read
 *   'E' u32 omitted                                                  matches past --max-files
 * Paths are relative to the box, as the directory entries spell them (any bytes but '/' and NUL).
 */
#include "collect.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "args.h"
#include "exit_codes.h"
#include "util.h"

/* Why a match was not read; the worker's table (apps/worker/src/sandbox/collect.ts) names them. */
enum skip_reason {
    SKIP_SYMLINK = 1,
    SKIP_DIRECTORY,
    SKIP_NOT_REGULAR,
    SKIP_HARDLINK,
    SKIP_TOTAL_BYTES,
    SKIP_UNREADABLE,
};

#define MAX_PATTERNS 64
#define MAX_COMPONENTS 8

struct pattern {
    char *comp[MAX_COMPONENTS];
    int n;
};

struct collect {
    struct pattern pat[MAX_PATTERNS];
    int npat;
    uint64_t max_files, file_bytes, total_left;
    uint64_t emitted, omitted;
    dev_t dev;
    char *buf; /* one file's content, file_bytes long */
};

/* Opens dirfd/name (one component) without following any link or leaving the box's file system. */
static int open_beneath(int dirfd, const char *name, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof how);
    if (fd < 0 && errno == ENOSYS) /* before Linux 5.6: one component with O_NOFOLLOW is as safe */
        fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
    return fd;
}

static void put_u32(uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    fwrite(b, 1, 4, stdout);
}

static void put_u64(uint64_t v)
{
    put_u32((uint32_t)v);
    put_u32((uint32_t)(v >> 32));
}

static void put_head(char kind, const char *path)
{
    fputc(kind, stdout);
    put_u32((uint32_t)strlen(path));
    fputs(path, stdout);
}

static void skip(const char *path, enum skip_reason reason)
{
    put_head('S', path);
    fputc(reason, stdout);
}

/* Reports one match: its content when it is a regular file with one link, else why not. */
static void take(struct collect *c, int dirfd, const char *name, const char *path)
{
    if (c->emitted >= c->max_files) {
        c->omitted++;
        return;
    }
    c->emitted++;
    struct stat st, st2;
    autofd int p = open_beneath(dirfd, name, O_PATH);
    if (p < 0 || fstat(p, &st) < 0)
        return skip(path, errno == ELOOP ? SKIP_SYMLINK : SKIP_UNREADABLE);
    if (S_ISLNK(st.st_mode))
        return skip(path, SKIP_SYMLINK);
    if (S_ISDIR(st.st_mode))
        return skip(path, SKIP_DIRECTORY);
    if (!S_ISREG(st.st_mode))
        return skip(path, SKIP_NOT_REGULAR); /* a FIFO, device or socket is never opened */
    if (st.st_nlink != 1)
        return skip(path, SKIP_HARDLINK);
    if (c->total_left == 0 && st.st_size > 0)
        return skip(path, SKIP_TOTAL_BYTES);
    /* O_NONBLOCK: were it swapped for a FIFO since (nothing can: no process lives), open would
     * not wait for a writer; the checks on the open fd below would then refuse it. */
    autofd int fd = open_beneath(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st2) < 0)
        return skip(path, SKIP_UNREADABLE);
    if (!S_ISREG(st2.st_mode) || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev ||
        st2.st_nlink != 1)
        return skip(path, SKIP_NOT_REGULAR);
    uint64_t cap = c->file_bytes < c->total_left ? c->file_bytes : c->total_left;
    ssize_t n = read_all(fd, c->buf, cap);
    if (n < 0)
        return skip(path, SKIP_UNREADABLE);
    c->total_left -= (uint64_t)n;
    put_head('F', path);
    put_u64((uint64_t)st2.st_size);
    fputc((uint64_t)st2.st_size > (uint64_t)n, stdout);
    put_u32((uint32_t)n);
    fwrite(c->buf, 1, (size_t)n, stdout);
}

/* Whether the entry comps[0..depth] matches a pattern whole (2), only as a prefix (1), or not. */
static int matches(const struct collect *c, char *const comps[], int depth)
{
    int best = 0;
    for (int i = 0; i < c->npat; i++) {
        const struct pattern *p = &c->pat[i];
        if (p->n <= depth)
            continue;
        int k = 0;
        while (k <= depth && fnmatch(p->comp[k], comps[k], FNM_PERIOD) == 0)
            k++;
        if (k > depth)
            best = p->n == depth + 1 ? 2 : (best > 1 ? best : 1);
        if (best == 2)
            return 2;
    }
    return best;
}

/* Walks directory `dirfd` at `depth` (its path: comps[0..depth-1]). A directory is entered only
 * when a pattern goes below it, so the depth (and the descriptors held) is at most MAX_COMPONENTS.
 */
static int walk(struct collect *c, int dirfd, char *comps[], int depth, char *path, size_t len)
{
    int dup_fd = dup(dirfd);
    DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
    if (!d) {
        if (dup_fd >= 0)
            close(dup_fd);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        comps[depth] = e->d_name;
        int m = matches(c, comps, depth);
        if (!m)
            continue;
        size_t nlen = strlen(e->d_name);
        if (len + nlen + 2 > PATH_MAX)
            continue; /* cannot be: MAX_COMPONENTS names of NAME_MAX bytes fit */
        size_t at = len;
        if (len)
            path[at++] = '/';
        memcpy(path + at, e->d_name, nlen + 1);
        if (m == 2) {
            take(c, dirfd, e->d_name, path);
        } else {
            int sub = open_beneath(dirfd, e->d_name, O_RDONLY | O_DIRECTORY);
            struct stat st;
            if (sub >= 0 && fstat(sub, &st) == 0 && st.st_dev == c->dev)
                walk(c, sub, comps, depth + 1, path, at + nlen);
            if (sub >= 0)
                close(sub);
        }
        path[len] = '\0';
    }
    closedir(d);
    return 0;
}

static int parse_pattern(char *s, struct pattern *p)
{
    if (!*s || *s == '/' || strlen(s) > PATH_MAX / 2)
        return -1;
    p->n = 0;
    for (char *save = NULL, *tok = strtok_r(s, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        if (p->n == MAX_COMPONENTS || !strcmp(tok, ".") || !strcmp(tok, ".."))
            return -1;
        p->comp[p->n++] = tok;
    }
    return p->n ? 0 : -1;
}

static const char *value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(arg, name, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

int collect_main(int argc, char **argv)
{
    struct collect c = {0};
    const char *box = NULL, *workspace = NULL, *v;
    uint64_t uid = 0, gid = 0;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        const char *a = argv[i];
        bool ok = true;
        if ((v = value(a, "--box-collect")))
            ok = args_valid_box_name(box = v);
        else if ((v = value(a, "--workspace")))
            ok = *(workspace = v) == '/';
        else if ((v = value(a, "--uid")))
            ok = parse_u64(v, 1, UINT32_MAX - 1, &uid);
        else if ((v = value(a, "--gid")))
            ok = parse_u64(v, 1, UINT32_MAX - 1, &gid);
        else if ((v = value(a, "--max-files")))
            ok = parse_u64(v, 1, 1u << 20, &c.max_files);
        else if ((v = value(a, "--file-bytes")))
            ok = parse_u64(v, 1, 1u << 30, &c.file_bytes);
        else if ((v = value(a, "--total-bytes")))
            ok = parse_u64(v, 1, 1ull << 32, &c.total_left);
        else
            ok = false;
        if (!ok) {
            fprintf(stderr, "runbox-launcher: --box-collect: bad argument '%s'\n", a);
            return RB_EXIT_USAGE;
        }
    }
    for (i++; i < argc && c.npat < MAX_PATTERNS; i++)
        if (parse_pattern(argv[i], &c.pat[c.npat++]) < 0) {
            fprintf(stderr, "runbox-launcher: --box-collect: bad pattern\n");
            return RB_EXIT_USAGE;
        }
    if (!box || !workspace || !uid || !gid || !c.max_files || !c.file_bytes || !c.total_left ||
        !c.npat || i < argc) {
        fprintf(stderr, "runbox-launcher: --box-collect needs --workspace, --uid, --gid, "
                        "--max-files, --file-bytes, --total-bytes and 1-64 patterns\n");
        return RB_EXIT_USAGE;
    }
    autofd int ws = open(workspace, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (ws < 0) {
        fprintf(stderr, "runbox-launcher: open workspace %s: %s\n", workspace, strerror(errno));
        return RB_EXIT_FAILED;
    }
    /* From here on, the rights of the program that wrote the box: nothing more. */
    if (setgroups(0, NULL) < 0 || setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0 ||
        setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0) {
        fprintf(stderr, "runbox-launcher: --box-collect: drop to %lu:%lu: %s\n", (unsigned long)uid,
                (unsigned long)gid, strerror(errno));
        return RB_EXIT_FAILED;
    }
    autofd int root = open_beneath(ws, box, O_RDONLY | O_DIRECTORY);
    struct stat st;
    if (root < 0 || fstat(root, &st) < 0) {
        fprintf(stderr, "runbox-launcher: open box %s: %s\n", box, strerror(errno));
        return RB_EXIT_FAILED;
    }
    c.dev = st.st_dev;
    c.buf = malloc(c.file_bytes);
    char *comps[MAX_COMPONENTS];
    char path[PATH_MAX] = "";
    if (!c.buf) {
        fprintf(stderr, "runbox-launcher: --box-collect: out of memory\n");
        return RB_EXIT_FAILED;
    }
    walk(&c, root, comps, 0, path, 0);
    free(c.buf);
    fputc('E', stdout);
    put_u32((uint32_t)(c.omitted > UINT32_MAX ? UINT32_MAX : c.omitted));
    return fflush(stdout) == 0 && !ferror(stdout) ? RB_EXIT_OK : RB_EXIT_FAILED;
}
