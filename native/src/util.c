/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

void rb_closep(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
    *fd = -1;
}

void rb_freep(void *p) { free(*(void **)p); }

int write_all(int fd, const void *buf, size_t len)
{
    struct iovec v = {(void *)buf, len};
    return writev_all(fd, &v, 1);
}

int writev_all(int fd, struct iovec *iov, int n)
{
    for (;;) {
        while (n > 0 && iov->iov_len == 0) /* an empty part: no system call for it */
            iov++, n--;
        if (n == 0)
            return 0;
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) { /* a non-blocking descriptor handed to us: wait for room */
                struct pollfd pfd = {fd, POLLOUT, 0};
                if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
                    return -1;
                continue;
            }
            return -1;
        }
        /* A short write: skip what went out, the rest of a part cut short goes next. */
        for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
            w -= (ssize_t)iov->iov_len;
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
}

int place_fds(int fds[], int n, int first, int flags)
{
    /* Copied above the targets first, so that no dup3 below overwrites one still to be moved. */
    for (int i = 0; i < n; i++)
        if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, first + n)) < 0)
            return -1;
    for (int i = 0; i < n; i++)
        if (dup3(fds[i], first + i, flags) < 0)
            return -1;
    return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

int write_file_at(int dirfd, const char *name, const char *val, struct rb_error *err)
{
    autofd int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return rb_fail(err, errno, "open %s", name);
    size_t len = strlen(val);
    ssize_t n = write(fd, val, len);
    if (n < 0)
        return rb_fail(err, errno, "write %s to %s", val, name);
    if ((size_t)n != len)
        return rb_fail(err, EIO, "short write to %s", name);
    return 0;
}

ssize_t read_file_at(int dirfd, const char *name, char *buf, size_t size, struct rb_error *err)
{
    autofd int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return rb_fail(err, errno, "open %s", name);
    ssize_t n = read_all(fd, buf, size - 1);
    if (n < 0)
        return rb_fail(err, errno, "read %s", name);
    buf[n] = '\0';
    return n;
}

ssize_t pread_str(int fd, char *buf, size_t size)
{
    ssize_t n = pread(fd, buf, size - 1, 0);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return n;
}

int find_key_u64(const char *text, const char *key, uint64_t *out)
{
    size_t klen = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
            *out = strtoull(p + klen + 1, NULL, 10);
            return 0;
        }
    }
    return -1;
}

void term_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* Dead before the prctl: our parent has already changed, so act as if the signal came. */
    if (getppid() != parent)
        raise(SIGTERM);
}

uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct rb_error *err)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return rb_fail(err, ENAMETOOLONG, "mkdir %s", path);
    for (char *p = buf;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (buf[0] && mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
                return rb_fail(err, errno, "mkdir %s", buf);
            if (!c)
                break;
            *p = c;
        }
    }
    return 0;
}
