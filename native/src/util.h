/* util.h — small helpers shared by the launcher, the sandbox's init and the program's child:
 * scope-bound cleanup (autofd/autofree, as in crun utils.h), whole reads/writes, descriptor
 * placement, cgroup-style file access relative to a directory fd, the parent-death signal, the
 * monotonic clock, and number parsing.
 * Enforces no sandbox property by itself. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "errors.h"

void rb_closep(int *fd);
void rb_freep(void *p);
#define autofd __attribute__((cleanup(rb_closep)))
#define autofree __attribute__((cleanup(rb_freep)))

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* write()/read() the whole buffer, retrying on EINTR and short transfers (write_all also waits
 * out EAGAIN on a non-blocking descriptor). read_all returns the number of bytes read (< len only
 * at EOF) or -1. writev_all: write_all of n buffers in a row (it advances iov[] as it goes). */
int write_all(int fd, const void *buf, size_t len);
int writev_all(int fd, struct iovec *iov, int n);
ssize_t read_all(int fd, void *buf, size_t len);

/* Puts fds[i] at descriptor first + i (i < n) with `flags` (O_CLOEXEC or 0), whatever their
 * numbers were; fds[] is overwritten with CLOEXEC copies that stay open. For a child between fork
 * and exec, or the init: no allocation. 0, or -1 with errno. */
int place_fds(int fds[], int n, int first, int flags);

/* Writes `val` to dirfd/name (a cgroup or /proc knob): open, one write, close. */
int write_file_at(int dirfd, const char *name, const char *val, struct rb_error *err);
/* Reads at most size-1 bytes of dirfd/name into buf (NUL-terminated). Returns length or -1. */
ssize_t read_file_at(int dirfd, const char *name, char *buf, size_t size, struct rb_error *err);
/* pread from offset 0 of an already open file (cheap re-reads of cgroup counters). */
ssize_t pread_str(int fd, char *buf, size_t size);
/* Finds "key value" (a line starting with key followed by a space) in text; -1 when absent. */
int find_key_u64(const char *text, const char *key, uint64_t *out);

/* Our parent's death (even by SIGKILL) sends us SIGTERM (PR_SET_PDEATHSIG), also when it died
 * before this call. parent: getppid() read as the process started. */
void term_with_parent(pid_t parent);

uint64_t now_ns(void); /* CLOCK_MONOTONIC */

/* Parses a decimal unsigned integer in [min, max]; false on junk or out of range. */
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* mkdir -p of `path` (relative to dirfd, no leading '/'), mode for the created components. */
int mkdir_p_at(int dirfd, const char *path, mode_t mode, struct rb_error *err);
