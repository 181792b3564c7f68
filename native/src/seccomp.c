/* seccomp.c — the deny table: what the program may not ask the kernel, each row with why
 * (isolate.c setup_seccomp). Property 3: no mount, no namespace creation or joining, no keyrings,
 * ptrace or process_vm_*, bpf, perf_event_open, io_uring, userfaultfd, kexec, modules,
 * open_by_handle_at, terminal injection; system calls of a foreign architecture (i386 int 0x80,
 * x32) kill the process. Everything else is allowed: the rest of the isolation comes from the
 * namespaces, the unprivileged uid and the empty capability sets; this is defence in depth
 * against kernel bugs in the riskiest interfaces. Built with libseccomp, exported to raw BPF so
 * the per-run cost is one seccomp(2) call. */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* The deny table keeps one rule (or one family of rules) per line. */
/* clang-format off */
#define A0_HAS(flag) {.arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = (flag), .datum_b = (flag)}
#define A1_IS32(v) {.arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu, .datum_b = (v)}

static const struct deny_row {
    int nr;
    int errnum;
    unsigned nargs; /* 0 or 1 condition */
    struct scmp_arg_cmp arg;
    const char *why;
} deny_table[] = {
#define FS(sc) {SCMP_SYS(sc), EPERM, 0, {0}, "the file system layout is fixed: no (un)mounting"}
    FS(mount), FS(umount2), FS(pivot_root), FS(fsopen), FS(fsconfig), FS(fsmount), FS(fspick),
    FS(move_mount), FS(open_tree), FS(mount_setattr),
#undef FS
    {SCMP_SYS(unshare), EPERM, 0, {0}, "no new namespaces (user namespaces reach much kernel code)"},
    {SCMP_SYS(setns), EPERM, 0, {0}, "no joining other namespaces"},
#define CLONE_NS(f) {SCMP_SYS(clone), EPERM, 1, A0_HAS(f), "clone creating a namespace (" #f ")"}
    CLONE_NS(CLONE_NEWNS), CLONE_NS(CLONE_NEWUTS), CLONE_NS(CLONE_NEWIPC),
    CLONE_NS(CLONE_NEWUSER), CLONE_NS(CLONE_NEWPID), CLONE_NS(CLONE_NEWNET),
    CLONE_NS(CLONE_NEWCGROUP),
#undef CLONE_NS
    {SCMP_SYS(clone3), ENOSYS, 0, {0},
     "its flags are in memory seccomp cannot read; ENOSYS makes libc fall back to clone"},
    {SCMP_SYS(keyctl), EPERM, 0, {0}, "kernel keyrings are not namespaced"},
    {SCMP_SYS(add_key), EPERM, 0, {0}, "kernel keyrings are not namespaced"},
    {SCMP_SYS(request_key), EPERM, 0, {0}, "kernel keyrings are not namespaced"},
    {SCMP_SYS(ptrace), EPERM, 0, {0}, "no tracing or poking other processes"},
    {SCMP_SYS(process_vm_readv), EPERM, 0, {0}, "no reading other processes' memory"},
    {SCMP_SYS(process_vm_writev), EPERM, 0, {0}, "no writing other processes' memory"},
    {SCMP_SYS(bpf), EPERM, 0, {0}, "eBPF verifier/JIT: large kernel attack surface"},
    {SCMP_SYS(perf_event_open), EPERM, 0, {0}, "performance counters leak host activity"},
    {SCMP_SYS(io_uring_setup), EPERM, 0, {0}, "io_uring operations bypass seccomp; many CVEs"},
    {SCMP_SYS(io_uring_enter), EPERM, 0, {0}, "io_uring operations bypass seccomp; many CVEs"},
    {SCMP_SYS(io_uring_register), EPERM, 0, {0}, "io_uring operations bypass seccomp; many CVEs"},
    {SCMP_SYS(userfaultfd), EPERM, 0, {0}, "turns kernel races into reliable exploits"},
    {SCMP_SYS(kexec_load), EPERM, 0, {0}, "no replacing the kernel"},
    {SCMP_SYS(kexec_file_load), EPERM, 0, {0}, "no replacing the kernel"},
    {SCMP_SYS(init_module), EPERM, 0, {0}, "no kernel modules"},
    {SCMP_SYS(finit_module), EPERM, 0, {0}, "no kernel modules"},
    {SCMP_SYS(delete_module), EPERM, 0, {0}, "no kernel modules"},
    {SCMP_SYS(open_by_handle_at), EPERM, 0, {0}, "opens files by handle past bind mounts"},
    {SCMP_SYS(name_to_handle_at), EPERM, 0, {0}, "companion of open_by_handle_at"},
    {SCMP_SYS(ioctl), EPERM, 1, A1_IS32(TIOCSTI), "TIOCSTI: injecting input into a terminal"},
    {SCMP_SYS(ioctl), EPERM, 1, A1_IS32(TIOCLINUX), "TIOCLINUX: console selection injection"},
};
/* clang-format on */

int seccomp_compile(struct sock_fprog *out, struct rb_error *err)
{
    int ret = -1;
    autofd int rd = -1, wr = -1;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return rb_fail(err, ENOMEM, "seccomp_init");
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (rc < 0) {
        rb_fail(err, -rc, "seccomp: foreign-architecture action");
        goto out;
    }
    /* A binary tree of syscall numbers: fewer instructions per check, and a faster load (the
     * kernel evaluates the filter for every syscall number to build its allow cache). */
    rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    if (rc < 0) {
        rb_fail(err, -rc, "seccomp: optimize");
        goto out;
    }
    for (size_t i = 0; i < ARRAY_LEN(deny_table); i++) {
        const struct deny_row *r = &deny_table[i];
        rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)r->errnum), r->nr, r->nargs,
                                    r->nargs ? &r->arg : NULL);
        if (rc < 0) {
            rb_fail(err, -rc, "seccomp rule %zu (%s)", i, r->why);
            goto out;
        }
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        rb_fail(err, errno, "pipe");
        goto out;
    }
    rd = p[0], wr = p[1];
    rc = seccomp_export_bpf(ctx, wr); /* a few hundred bytes: fits in the pipe */
    if (rc < 0) {
        rb_fail(err, -rc, "seccomp_export_bpf");
        goto out;
    }
    rb_closep(&wr);
    size_t cap = 65536;
    char *buf = malloc(cap);
    if (!buf) {
        rb_fail(err, ENOMEM, "seccomp");
        goto out;
    }
    ssize_t n = read_all(rd, buf, cap);
    if (n <= 0 || n % (ssize_t)sizeof(struct sock_filter) || n == (ssize_t)cap) {
        free(buf);
        rb_fail(err, n < 0 ? errno : EINVAL, "seccomp: reading the exported filter");
        goto out;
    }
    out->filter = (struct sock_filter *)buf;
    out->len = (unsigned short)(n / (ssize_t)sizeof(struct sock_filter));
    ret = 0;
out:
    seccomp_release(ctx);
    return ret;
}

int seccomp_install(const struct sock_fprog *prog, struct rb_error *err)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return rb_fail(err, errno, "PR_SET_NO_NEW_PRIVS");
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
        return rb_fail(err, errno, "seccomp(SECCOMP_SET_MODE_FILTER)");
    return 0;
}
