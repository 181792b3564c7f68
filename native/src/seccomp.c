/* seccomp.c — what the program may not ask the kernel, each row with why (isolate.c
 * setup_seccomp). Property 3: no mount, no namespace creation or joining, no keyrings, ptrace,
 * process_vm_*, pidfd_getfd, kcmp, bpf, perf_event_open, io_uring, userfaultfd, kexec, modules,
 * open_by_handle_at, syslog, quotas, NUMA page moves, terminal injection, no personality but
 * Docker's values, no change of RLIMIT_CORE; sockets of four families only (socket_families);
 * system calls newer than the table fail with ENOSYS; system calls of a foreign architecture
 * (i386 int 0x80, x32) kill the process. Everything else is allowed: the rest of the isolation
 * comes from the namespaces, the unprivileged uid and the empty capability sets; this is defence
 * in depth against kernel bugs in the riskiest interfaces. Built with libseccomp, exported to raw
 * BPF so the per-run cost is one seccomp(2) call. */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* The tables keep one rule (or one family of rules) per line. */
/* clang-format off */
#define CMP(n, o, a, b) {.arg = (n), .op = (o), .datum_a = (a), .datum_b = (b)}
#define A0_HAS(flag) CMP(0, SCMP_CMP_MASKED_EQ, (flag), (flag))
#define A0_EQ(v) CMP(0, SCMP_CMP_EQ, (v), 0)
#define A1_EQ(v) CMP(1, SCMP_CMP_EQ, (v), 0)
#define A2_NE(v) CMP(2, SCMP_CMP_NE, (v), 0)
#define A1_IS32(v) CMP(1, SCMP_CMP_MASKED_EQ, 0xffffffffu, (v))

/* Linux 6.15; libseccomp 2.5 has no name for it, the number is the same on every architecture
 * since 424 (the unified numbering). */
#define NR_open_tree_attr 467

/* The newest system call number whose place is decided: every number from FIRST_REVIEWED_NR to
 * here is either a row of deny_table or a row of allowed_on_purpose (seccomp_compile checks it),
 * and the UNREVIEWED_SPAN numbers after it fail with ENOSYS, as on a kernel that lacks them (libc
 * falls back). So a kernel newer than this table cannot hand the program a system call nobody
 * looked at; tests/run.sh fails when the running kernel knows one past the span. */
#define LAST_REVIEWED_NR 469 /* file_setattr, Linux 6.17 */
#define FIRST_REVIEWED_NR 424 /* pidfd_send_signal, Linux 5.1: the unified numbering starts */
#define UNREVIEWED_SPAN 64

struct deny_row {
    int nr;
    int errnum;
    unsigned nargs; /* conditions, all of which must hold */
    struct scmp_arg_cmp arg[2];
    const char *why;
};

static const struct deny_row deny_table[] = {
#define FS(sc) {SCMP_SYS(sc), EPERM, 0, {{0}}, "the file system layout is fixed: no (un)mounting"}
    FS(mount), FS(umount2), FS(pivot_root), FS(fsopen), FS(fsconfig), FS(fsmount), FS(fspick),
    FS(move_mount), FS(open_tree), FS(mount_setattr),
    {NR_open_tree_attr, EPERM, 0, {{0}}, "the file system layout is fixed: no (un)mounting"},
#undef FS
    {SCMP_SYS(unshare), EPERM, 0, {{0}},
     "no new namespaces (user namespaces reach much kernel code)"},
    {SCMP_SYS(setns), EPERM, 0, {{0}}, "no joining other namespaces"},
#define CLONE_NS(f) {SCMP_SYS(clone), EPERM, 1, {A0_HAS(f)}, "clone creating a namespace (" #f ")"}
    CLONE_NS(CLONE_NEWNS), CLONE_NS(CLONE_NEWUTS), CLONE_NS(CLONE_NEWIPC),
    CLONE_NS(CLONE_NEWUSER), CLONE_NS(CLONE_NEWPID), CLONE_NS(CLONE_NEWNET),
    CLONE_NS(CLONE_NEWCGROUP),
#undef CLONE_NS
    {SCMP_SYS(clone3), ENOSYS, 0, {{0}},
     "its flags are in memory seccomp cannot read; ENOSYS makes libc fall back to clone"},
    {SCMP_SYS(keyctl), EPERM, 0, {{0}}, "kernel keyrings are not namespaced"},
    {SCMP_SYS(add_key), EPERM, 0, {{0}}, "kernel keyrings are not namespaced"},
    {SCMP_SYS(request_key), EPERM, 0, {{0}}, "kernel keyrings are not namespaced"},
    {SCMP_SYS(ptrace), EPERM, 0, {{0}}, "no tracing or poking other processes"},
    {SCMP_SYS(process_vm_readv), EPERM, 0, {{0}}, "no reading other processes' memory"},
    {SCMP_SYS(process_vm_writev), EPERM, 0, {{0}}, "no writing other processes' memory"},
    {SCMP_SYS(process_madvise), EPERM, 0, {{0}}, "acts on another process's memory"},
    {SCMP_SYS(pidfd_getfd), EPERM, 0, {{0}}, "takes a copy of another process's descriptor"},
    {SCMP_SYS(kcmp), EPERM, 0, {{0}},
     "orders other processes' kernel objects by address: a layout oracle (Docker: CAP_SYS_PTRACE)"},
    {SCMP_SYS(bpf), EPERM, 0, {{0}}, "eBPF verifier/JIT: large kernel attack surface"},
    {SCMP_SYS(perf_event_open), EPERM, 0, {{0}}, "performance counters leak host activity"},
    {SCMP_SYS(io_uring_setup), EPERM, 0, {{0}}, "io_uring operations bypass seccomp; many CVEs"},
    {SCMP_SYS(io_uring_enter), EPERM, 0, {{0}}, "io_uring operations bypass seccomp; many CVEs"},
    {SCMP_SYS(io_uring_register), EPERM, 0, {{0}}, "io_uring operations bypass seccomp; many CVEs"},
    {SCMP_SYS(userfaultfd), EPERM, 0, {{0}}, "turns kernel races into reliable exploits"},
    {SCMP_SYS(kexec_load), EPERM, 0, {{0}}, "no replacing the kernel"},
    {SCMP_SYS(kexec_file_load), EPERM, 0, {{0}}, "no replacing the kernel"},
    {SCMP_SYS(init_module), EPERM, 0, {{0}}, "no kernel modules"},
    {SCMP_SYS(finit_module), EPERM, 0, {{0}}, "no kernel modules"},
    {SCMP_SYS(delete_module), EPERM, 0, {{0}}, "no kernel modules"},
    {SCMP_SYS(uselib), EPERM, 0, {{0}}, "the a.out library loader: dead code with a CVE history"},
    {SCMP_SYS(syslog), EPERM, 0, {{0}}, "the host kernel's log: host activity, kernel addresses"},
    {SCMP_SYS(quotactl), EPERM, 0, {{0}}, "quota administration of host file systems"},
    {SCMP_SYS(quotactl_fd), EPERM, 0, {{0}}, "quota administration of host file systems"},
#define NUMA(sc) {SCMP_SYS(sc), EPERM, 0, {{0}}, \
                  "NUMA placement moves pages (also other processes'); Docker: CAP_SYS_NICE"}
    NUMA(mbind), NUMA(set_mempolicy), NUMA(set_mempolicy_home_node), NUMA(migrate_pages),
    NUMA(move_pages),
#undef NUMA
    {SCMP_SYS(open_by_handle_at), EPERM, 0, {{0}}, "opens files by handle past bind mounts"},
    {SCMP_SYS(name_to_handle_at), EPERM, 0, {{0}}, "companion of open_by_handle_at"},
    {SCMP_SYS(ioctl), EPERM, 1, {A1_IS32(TIOCSTI)}, "TIOCSTI: injecting input into a terminal"},
    {SCMP_SYS(ioctl), EPERM, 1, {A1_IS32(TIOCLINUX)}, "TIOCLINUX: console selection injection"},
    /* The core limit stays 1 (rlimits.c): at 0 a piping core_pattern (systemd-coredump, apport)
     * still starts a root helper on the host for every crash; only 1 makes the kernel skip it.
     * Lowering is no privilege, so any change of it is refused, not only raising it. */
    {SCMP_SYS(setrlimit), EPERM, 1, {A0_EQ(RLIMIT_CORE)}, "RLIMIT_CORE stays 1 (no pipe dumps)"},
    {SCMP_SYS(prlimit64), EPERM, 2, {A1_EQ(RLIMIT_CORE), A2_NE(0)},
     "RLIMIT_CORE stays 1 (reading it, with no new limit, is fine)"},
};

/* System calls since FIRST_REVIEWED_NR that the program may make, each with why. */
static const struct allowed_row {
    int nr;
    const char *why;
} allowed_on_purpose[] = {
    {424, "pidfd_send_signal: signals through a pidfd; same permission checks as kill"},
    {434, "pidfd_open: a handle on a process it could signal anyway"},
    {436, "close_range: closing its own descriptors"},
    {437, "openat2: openat with resolution limits, same permission checks"},
    {439, "faccessat2: access() with flags"},
    {441, "epoll_pwait2: epoll_pwait with a timespec"},
    {444, "landlock_create_ruleset: the program may sandbox itself further"},
    {445, "landlock_add_rule"},
    {446, "landlock_restrict_self"},
    {447, "memfd_secret: its own memory, taken out of the kernel's direct map"},
    {448, "process_mrelease: reaps the memory of a process it has killed"},
    {449, "futex_waitv: wait on several futexes (Wine, game runtimes)"},
    {451, "cachestat: page cache state of its own files"},
    {452, "fchmodat2: chmod with flags (glibc uses it)"},
    {453, "map_shadow_stack: CET shadow stacks of its own threads"},
    {454, "futex_wake: futex2"},
    {455, "futex_wait: futex2"},
    {456, "futex_requeue: futex2"},
    {457, "statmount: describes mounts of its own namespace (the sandbox's)"},
    {458, "listmount: lists mounts of its own namespace (the sandbox's)"},
    {459, "lsm_get_self_attr: its own LSM labels"},
    {460, "lsm_set_self_attr: its own LSM labels, under the LSM's checks"},
    {461, "lsm_list_modules: which LSMs are active"},
    {462, "mseal: seals its own mappings"},
    {463, "setxattrat: setxattr relative to a directory fd"},
    {464, "getxattrat"},
    {465, "listxattrat"},
    {466, "removexattrat"},
    {468, "file_getattr: inode flags of its own files"},
    {469, "file_setattr: inode flags, under the usual permission checks"},
};

/* Socket families, indexed by family: only the allowed ones may be created (socket, socketpair);
 * every other one, named here or not (a family newer than this table included), fails with
 * EAFNOSUPPORT, as on a kernel built without it. Each is kernel code the program would reach
 * with no use for it, often not namespaced, often rarely reviewed. */
#define ANY_PROTOCOL (-1)
static const struct family_row {
    bool allowed;
    int protocol; /* allowed: the one protocol allowed, or ANY_PROTOCOL */
    const char *why;
} socket_families[AF_MAX] = {
    [AF_UNSPEC] = {false, 0, "no family"},
    [AF_UNIX] = {true, ANY_PROTOCOL, "local sockets: runtimes' own IPC, socketpair"},
    [AF_INET] = {true, ANY_PROTOCOL, "TCP/UDP; the network namespace has nothing but lo"},
    [AF_INET6] = {true, ANY_PROTOCOL, "TCP/UDP over ::1; nothing but lo"},
    [AF_NETLINK] = {true, NETLINK_ROUTE,
                    "NETLINK_ROUTE only: getifaddrs (glibc, Java, Node) lists the namespace's lo; "
                    "the other protocols reach host device events (KOBJECT_UEVENT), audit, "
                    "netfilter, xfrm and generic netlink families of many drivers"},
    [AF_AX25] = {false, 0, "amateur radio"},
    [AF_IPX] = {false, 0, "Novell IPX"},
    [AF_APPLETALK] = {false, 0, "AppleTalk"},
    [AF_NETROM] = {false, 0, "amateur radio"},
    [AF_BRIDGE] = {false, 0, "multiprotocol bridge"},
    [AF_ATMPVC] = {false, 0, "ATM"},
    [AF_X25] = {false, 0, "X.25"},
    [AF_ROSE] = {false, 0, "amateur radio"},
    [AF_DECnet] = {false, 0, "DECnet"},
    [AF_NETBEUI] = {false, 0, "802.2 LLC"},
    [AF_SECURITY] = {false, 0, "security callback pseudo family"},
    [AF_KEY] = {false, 0, "IPsec key management (PF_KEY): host security associations"},
    [AF_PACKET] = {false, 0, "raw link-layer frames; a long line of privilege-escalation CVEs"},
    [AF_ASH] = {false, 0, "Ash"},
    [AF_ECONET] = {false, 0, "Acorn Econet"},
    [AF_ATMSVC] = {false, 0, "ATM"},
    [AF_RDS] = {false, 0, "Reliable Datagram Sockets: repeated local root exploits"},
    [AF_SNA] = {false, 0, "IBM SNA"},
    [AF_IRDA] = {false, 0, "infrared"},
    [AF_PPPOX] = {false, 0, "PPP over Ethernet/L2TP"},
    [AF_WANPIPE] = {false, 0, "WAN cards"},
    [AF_LLC] = {false, 0, "802.2 LLC"},
    [AF_IB] = {false, 0, "InfiniBand"},
    [AF_MPLS] = {false, 0, "MPLS"},
    [AF_CAN] = {false, 0, "Controller Area Network: host buses"},
    [AF_TIPC] = {false, 0, "cluster IPC; remote and local CVEs"},
    [AF_BLUETOOTH] = {false, 0, "the host's Bluetooth"},
    [AF_IUCV] = {false, 0, "s390 IUCV"},
    [AF_RXRPC] = {false, 0, "AFS RPC"},
    [AF_ISDN] = {false, 0, "ISDN"},
    [AF_PHONET] = {false, 0, "Nokia modems"},
    [AF_IEEE802154] = {false, 0, "low-power radio"},
    [AF_CAIF] = {false, 0, "ST-Ericsson modems"},
    [AF_ALG] = {false, 0, "kernel crypto API: CVE-2026-31431 (\"Copy Fail\") writes into the page "
                          "cache of any readable file"},
    [AF_NFC] = {false, 0, "NFC"},
    [AF_VSOCK] = {false, 0, "a VM's channel to its host (and guests): not namespaced"},
    [AF_KCM] = {false, 0, "kernel connection multiplexor (eBPF-driven)"},
    [AF_QIPCRTR] = {false, 0, "Qualcomm IPC router"},
    [AF_SMC] = {false, 0, "shared memory communications (RDMA)"},
    [AF_XDP] = {false, 0, "express data path: raw frames of an interface"},
    [AF_MCTP] = {false, 0, "management controller transport"},
};

/* clang-format on */

static int add_rule(scmp_filter_ctx ctx, int errnum, int nr, unsigned nargs,
                    const struct scmp_arg_cmp *arg, const char *why, struct rb_error *err)
{
    int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((unsigned)errnum), nr, nargs,
                                    nargs ? arg : NULL);
    if (rc < 0)
        return rb_fail(err, -rc, "seccomp rule for system call %d (%s)", nr, why);
    return 0;
}

/* socket_families as rules: a family not allowed, a protocol other than the allowed one, and
 * everything past the table (with one comparison per argument and rule, an allow-list becomes
 * a deny rule per refused value). */
static int add_socket_rules(scmp_filter_ctx ctx, struct rb_error *err)
{
    static const int calls[] = {SCMP_SYS(socket), SCMP_SYS(socketpair)};
    for (size_t c = 0; c < ARRAY_LEN(calls); c++) {
        for (int f = 0; f < AF_MAX; f++) {
            const struct family_row *r = &socket_families[f];
            struct scmp_arg_cmp cmp[2] = {A0_EQ((scmp_datum_t)f), A2_NE((scmp_datum_t)r->protocol)};
            if ((!r->allowed || r->protocol != ANY_PROTOCOL) &&
                add_rule(ctx, EAFNOSUPPORT, calls[c], r->allowed ? 2 : 1, cmp,
                         r->why ? r->why : "socket family", err) < 0)
                return -1;
        }
        struct scmp_arg_cmp past = CMP(0, SCMP_CMP_GE, AF_MAX, 0);
        if (add_rule(ctx, EAFNOSUPPORT, calls[c], 1, &past, "a family newer than the table", err) <
            0)
            return -1;
    }
    return 0;
}

/* personality(2): only Docker's values. PER_LINUX (0), PER_LINUX32 (8), UNAME26 (0x20000), both
 * (0x20008) and 0xffffffff (query); everything else — ADDR_NO_RANDOMIZE first of all, which turns
 * off ASLR for what it execs, READ_IMPLIES_EXEC, MMAP_PAGE_ZERO — fails with EPERM. One
 * comparison per argument and rule: the refused values as a union of bit patterns, none of which
 * an allowed value has. */
static int add_personality_rules(scmp_filter_ctx ctx, struct rb_error *err)
{
    const char *why = "personality: only PER_LINUX(32) and UNAME26 (Docker's values)";
    const scmp_datum_t allowed_bits = 0x8 | 0x20000, top = 1u << 31;
    struct scmp_arg_cmp above = CMP(0, SCMP_CMP_GT, 0xffffffffu, 0);
    if (add_rule(ctx, EPERM, SCMP_SYS(personality), 1, &above, why, err) < 0)
        return -1;
    for (int b = 0; b < 31; b++) {
        scmp_datum_t bit = (scmp_datum_t)1 << b;
        /* bit 31 clear and a bit set that no allowed value has */
        struct scmp_arg_cmp stray = CMP(0, SCMP_CMP_MASKED_EQ, bit | top, bit);
        /* bit 31 set and a bit clear: anything with bit 31 but 0xffffffff */
        struct scmp_arg_cmp partial = CMP(0, SCMP_CMP_MASKED_EQ, bit | top, top);
        if ((!(bit & allowed_bits) &&
             add_rule(ctx, EPERM, SCMP_SYS(personality), 1, &stray, why, err) < 0) ||
            add_rule(ctx, EPERM, SCMP_SYS(personality), 1, &partial, why, err) < 0)
            return -1;
    }
    return 0;
}

/* Every number of the reviewed range has its row; the span after it is refused. */
static int add_unreviewed_rules(scmp_filter_ctx ctx, struct rb_error *err)
{
    for (int nr = FIRST_REVIEWED_NR; nr <= LAST_REVIEWED_NR; nr++) {
        bool decided = false;
        for (size_t i = 0; i < ARRAY_LEN(deny_table) && !decided; i++)
            decided = deny_table[i].nr == nr;
        for (size_t i = 0; i < ARRAY_LEN(allowed_on_purpose) && !decided; i++)
            decided = allowed_on_purpose[i].nr == nr;
        if (!decided)
            return rb_fail(err, EINVAL,
                           "seccomp table: system call %d is neither denied nor "
                           "allowed on purpose",
                           nr);
    }
    for (int nr = LAST_REVIEWED_NR + 1; nr <= LAST_REVIEWED_NR + UNREVIEWED_SPAN; nr++)
        if (add_rule(ctx, ENOSYS, nr, 0, NULL, "newer than the table: not reviewed", err) < 0)
            return -1;
    return 0;
}

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
        if (add_rule(ctx, r->errnum, r->nr, r->nargs, r->arg, r->why, err) < 0)
            goto out;
    }
    if (add_socket_rules(ctx, err) < 0 || add_personality_rules(ctx, err) < 0 ||
        add_unreviewed_rules(ctx, err) < 0)
        goto out;
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
