/* probe.c — one hostile (or inspecting) action per invocation, for tests/run.sh. Runs inside the
 * sandbox (bound read-only at /probe) and, for a few set-up actions, on the host. Static, so it
 * needs nothing from the sandbox's file system.
 *
 * Output convention: one line, "ok" when the action succeeded, else the errno name (EPERM,
 * ENOSYS, ...), unless the action says otherwise. Exit status 0 unless the action is about it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(long rc)
{
    if (rc >= 0) {
        puts("ok");
    } else {
        const char *name = strerrorname_np(errno);
        puts(name ? name : "E?");
    }
    return 0;
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void spin_forever(void)
{
    volatile unsigned long x = 0;
    for (;;)
        x++;
}

/* System calls the filter refuses by name (their numbers: libc may lack wrappers or headers),
 * with arguments the kernel itself would not refuse with EPERM. */
static const struct sys_row {
    const char *name;
    long nr;
    long a[5];
} sys_table[] = {
    {"kcmp", SYS_kcmp, {0, 0, 0 /* KCMP_FILE */, 0, 0}}, /* pids filled in below */
    {"pidfd_getfd", SYS_pidfd_getfd, {-1, 0, 0}},
    {"process_madvise", SYS_process_madvise, {-1, 0, 0, 0, 0}},
    {"syslog", SYS_syslog, {10 /* SYSLOG_ACTION_SIZE_BUFFER */, 0, 0}},
    {"uselib", SYS_uselib, {0}},
    {"quotactl", SYS_quotactl, {0, 0, 0, 0}},
    {"quotactl_fd", 443, {-1, 0, 0, 0}},
    {"mbind", SYS_mbind, {0, 0, 0 /* MPOL_DEFAULT */, 0, 0}},
    {"set_mempolicy", SYS_set_mempolicy, {0 /* MPOL_DEFAULT */, 0, 0}},
    {"set_mempolicy_home_node", 450, {0, 0, 0, 0}},
    {"migrate_pages", SYS_migrate_pages, {0, 0, 0, 0}},
    {"move_pages", SYS_move_pages, {0, 0, 0, 0, 0}},
    {"open_tree_attr", 467, {-1, 0, 0, 0, 0}},
};

/* Calls system call nr with junk arguments (-1: no valid fd, pointer or flag) in a child, so
 * that whatever it does stays there. Returns its errno, 0 for success, -signal if it died. */
static int try_syscall(long nr)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    pid_t c = fork();
    if (c == 0) {
        alarm(2);
        long r = syscall(nr, -1L, -1L, -1L, -1L, -1L, -1L);
        int e = r < 0 ? errno : 0;
        (void)!write(p[1], &e, sizeof e);
        _exit(0);
    }
    close(p[1]);
    int e = 0, st = 0;
    ssize_t n = read(p[0], &e, sizeof e);
    close(p[0]);
    waitpid(c, &st, 0);
    if (n != (ssize_t)sizeof e)
        return WIFSIGNALED(st) ? -WTERMSIG(st) : -1;
    return e;
}

static void *affine_spinner(void *arg)
{
    (void)arg;
    cpu_set_t all;
    CPU_ZERO(&all);
    for (int i = 0; i < CPU_SETSIZE; i++)
        CPU_SET(i, &all);
    sched_setaffinity(0, sizeof all, &all); /* the kernel keeps the CPUs it may use */
    spin_forever();
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "probe ACTION [ARGS]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *a = argv[1];
    const char *arg = argc > 2 ? argv[2] : "";
    setvbuf(stdout, NULL, _IONBF, 0);

    /* --- system calls the seccomp filter (and the missing capabilities) refuse --- */
    /* Where the kernel would look at the arguments before the privilege check, the probe passes
     * bad ones: then only the filter answers EPERM (run.sh checks the kernel's own answer too). */
    if (!strcmp(a, "mount"))
        return result(mount(NULL, NULL, NULL, 0, NULL)); /* kernel: EFAULT */
    if (!strcmp(a, "umount"))
        return result(umount2(NULL, MNT_DETACH)); /* kernel: EFAULT */
    if (!strcmp(a, "pivot_root"))
        return result(syscall(SYS_pivot_root, "/tmp", "/tmp"));
    if (!strcmp(a, "open_tree"))
        return result(syscall(SYS_open_tree, -1, "x", 0)); /* kernel: EBADF */
    if (!strcmp(a, "unshare-user"))
        return result(unshare(CLONE_NEWUSER));
    if (!strcmp(a, "unshare-net"))
        return result(unshare(CLONE_NEWNET | CLONE_PTRACE /* not for unshare: kernel EINVAL */));
    if (!strcmp(a, "setns"))
        return result(setns(-1, 0)); /* kernel: EBADF */
    if (!strcmp(a, "clone-newuser")) {
        long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (r == 0)
            _exit(0);
        return result(r);
    }
    if (!strcmp(a, "clone3")) {
        struct clone_args ca = {.exit_signal = SIGCHLD};
        long r = syscall(SYS_clone3, &ca, sizeof ca);
        if (r == 0)
            _exit(0);
        return result(r);
    }
    if (!strcmp(a, "fork")) { /* plain fork (libc: clone without namespace flags) works */
        pid_t p = fork();
        if (p == 0)
            _exit(0);
        if (p > 0)
            waitpid(p, NULL, 0);
        return result(p);
    }
    if (!strcmp(a, "ptrace"))
        return result(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
    if (!strcmp(a, "ptrace-init"))
        return result(ptrace(PTRACE_ATTACH, 1, NULL, NULL));
    if (!strcmp(a, "keyctl"))
        return result(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
    if (!strcmp(a, "add_key"))
        return result(syscall(SYS_add_key, "user", "x", "y", 1, -3));
    if (!strcmp(a, "bpf")) {
        union bpf_attr attr;
        memset(&attr, 0, sizeof attr);
        attr.map_type = BPF_MAP_TYPE_ARRAY;
        attr.key_size = 4;
        attr.value_size = 4;
        attr.max_entries = 1;
        return result(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
    }
    if (!strcmp(a, "perf")) {
        struct perf_event_attr pe;
        memset(&pe, 0, sizeof pe);
        pe.type = PERF_TYPE_SOFTWARE;
        pe.size = sizeof pe;
        pe.config = PERF_COUNT_SW_CPU_CLOCK;
        return result(syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
    }
    if (!strcmp(a, "io_uring")) {
        struct io_uring_params p;
        memset(&p, 0, sizeof p);
        return result(syscall(SYS_io_uring_setup, 4, &p));
    }
    if (!strcmp(a, "userfaultfd"))
        return result(syscall(SYS_userfaultfd, 0));
    if (!strcmp(a, "process_vm_readv")) {
        char buf[8];
        struct iovec l = {buf, sizeof buf}, r = {buf, sizeof buf};
        return result(syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 0));
    }
    if (!strcmp(a, "open_by_handle_at")) {
        char h[sizeof(struct file_handle) + 128];
        struct file_handle *fh = (struct file_handle *)h;
        fh->handle_bytes = 128;
        fh->handle_type = 1;
        return result(syscall(SYS_open_by_handle_at, AT_FDCWD, fh, O_RDONLY));
    }
    if (!strcmp(a, "finit_module"))
        return result(syscall(SYS_finit_module, 0, "", 0));
    if (!strcmp(a, "kexec"))
        return result(syscall(SYS_kexec_load, 0, 0, NULL, 0));
    if (!strcmp(a, "sys")) { /* sys NAME: a system call of sys_table */
        for (size_t i = 0; i < sizeof sys_table / sizeof sys_table[0]; i++) {
            const struct sys_row *r = &sys_table[i];
            if (strcmp(r->name, arg))
                continue;
            if (r->nr == SYS_kcmp)
                return result(syscall(r->nr, getpid(), getpid(), 0, 0, 0));
            return result(syscall(r->nr, r->a[0], r->a[1], r->a[2], r->a[3], r->a[4]));
        }
        return usage();
    }
    if (!strcmp(a, "personality")) { /* personality HEX */
        long r = personality(strtoul(arg, NULL, 16));
        return result(r == -1 ? -1 : 0);
    }
    if (!strcmp(a, "syscalls-known")) { /* FROM TO: numbers in [FROM, TO) the kernel answers */
        long to = argc > 3 ? atol(argv[3]) : 1024;
        for (long nr = atol(arg); nr < to; nr++) {
            int e = try_syscall(nr);
            if (e != ENOSYS)
                printf("%ld:%s\n", nr, e == 0 ? "ok" : e < 0 ? "signal" : strerrorname_np(e));
        }
        return 0;
    }
    if (!strcmp(a, "socket") || !strcmp(a, "socketpair")) { /* FAMILY [TYPE [PROTOCOL]] */
        int fam = atoi(arg), type = argc > 3 ? atoi(argv[3]) : SOCK_DGRAM;
        int proto = argc > 4 ? atoi(argv[4]) : 0, sv[2];
        if (a[6] == 'p')
            return result(socketpair(fam, type, proto, sv));
        return result(socket(fam, type, proto));
    }
    if (!strcmp(a, "tiocsti")) {
        char c = 'x';
        return result(ioctl(0, TIOCSTI, &c));
    }
    if (!strcmp(a, "i386")) { /* a foreign-architecture system call: the filter kills us */
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(20 /* i386 getpid */) : "memory");
        printf("survived %ld\n", r);
        return 0;
    }

    /* --- file system --- */
    if (!strcmp(a, "read"))
        return result(open(arg, O_RDONLY));
    if (!strcmp(a, "write")) {
        int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        return result(fd < 0 ? fd : write(fd, "x", 1));
    }
    if (!strcmp(a, "exists")) {
        struct stat st;
        return result(lstat(arg, &st));
    }
    if (!strcmp(a, "fill")) { /* fill a directory: 1 MiB files until an error */
        static char buf[1 << 20];
        memset(buf, 'x', sizeof buf);
        for (int i = 0;; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/fill-%d", arg, i);
            int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0)
                return result(-1);
            for (;;) {
                ssize_t n = write(fd, buf, sizeof buf);
                if (n < 0) {
                    close(fd);
                    return result(-1);
                }
                if (n < (ssize_t)sizeof buf)
                    break;
                if (lseek(fd, 0, SEEK_CUR) >= 64 << 20)
                    break;
            }
            close(fd);
        }
    }
    if (!strcmp(a, "fsize")) { /* write argv[3] KiB to argv[2] */
        static char buf[1024];
        int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            return result(-1);
        long kb = argc > 3 ? atol(argv[3]) : 1024;
        for (long i = 0; i < kb; i++)
            if (write(fd, buf, sizeof buf) < 0)
                return result(-1);
        return result(0);
    }

    /* --- network, IPC, other processes --- */
    if (!strcmp(a, "connect")) { /* connect 127.0.0.1 PORT */
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
        inet_pton(AF_INET, arg, &sa.sin_addr);
        return result(s < 0 ? s : connect(s, (struct sockaddr *)&sa, sizeof sa));
    }
    if (!strcmp(a, "listen")) { /* host side: listen on 127.0.0.1 PORT until killed */
        int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg))};
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 8) < 0)
            return result(-1);
        puts("listening");
        for (;;) {
            int c = accept(s, NULL, NULL);
            if (c >= 0)
                close(c);
        }
    }
    if (!strcmp(a, "shm-create")) { /* host side: a SysV segment with key argv[2] */
        int id = shmget((key_t)strtol(arg, NULL, 0), 4096, IPC_CREAT | 0666);
        if (id < 0)
            return result(-1);
        printf("%d\n", id);
        return 0;
    }
    if (!strcmp(a, "shm-get"))
        return result(shmget((key_t)strtol(arg, NULL, 0), 0, 0));
    if (!strcmp(a, "shm-rm")) {
        int id = shmget((key_t)strtol(arg, NULL, 0), 0, 0);
        return result(id < 0 ? id : shmctl(id, IPC_RMID, NULL));
    }
    if (!strcmp(a, "kill")) /* kill -0 PID */
        return result(kill((pid_t)atoi(arg), 0));

    /* --- limits --- */
    if (!strcmp(a, "rlimit-core")) { /* prints soft and hard RLIMIT_CORE */
        struct rlimit rl;
        if (getrlimit(RLIMIT_CORE, &rl) < 0)
            return result(-1);
        printf("%llu %llu\n", (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
        return 0;
    }
    if (!strcmp(a, "setrlimit-core")) { /* SOFT HARD */
        struct rlimit rl = {strtoull(arg, NULL, 0), strtoull(argc > 3 ? argv[3] : arg, NULL, 0)};
        return result(setrlimit(RLIMIT_CORE, &rl));
    }
    if (!strcmp(a, "crash")) { /* a child dies of SIGSEGV in the cwd; did it dump? */
        pid_t c = fork();
        if (c == 0) {
            volatile int *p = NULL;
            *p = 1;
            _exit(0);
        }
        int st = 0;
        waitpid(c, &st, 0);
        printf("%s core=%d\n", WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "exited",
               WIFSIGNALED(st) && WCOREDUMP(st));
        return 0;
    }
    if (!strcmp(a, "rtprio")) { /* SCHED_FIFO priority 1 */
        struct sched_param sp = {.sched_priority = 1};
        return result(sched_setscheduler(0, SCHED_FIFO, &sp));
    }
    if (!strcmp(a, "nice")) /* setpriority to N */
        return result(setpriority(PRIO_PROCESS, 0, atoi(arg)));
    if (!strcmp(a, "affinity")) { /* asks for every CPU, prints how many it got */
        cpu_set_t all;
        CPU_ZERO(&all);
        for (int i = 0; i < CPU_SETSIZE; i++)
            CPU_SET(i, &all);
        sched_setaffinity(0, sizeof all, &all);
        sched_getaffinity(0, sizeof all, &all);
        printf("%d\n", CPU_COUNT(&all));
        return 0;
    }
    if (!strcmp(a, "spin-threads")) { /* N threads, each asking for every CPU, spin */
        int n = atoi(arg);
        for (int i = 1; i < n; i++) {
            pthread_t t;
            pthread_create(&t, NULL, affine_spinner, NULL);
        }
        affine_spinner(NULL);
    }
    if (!strcmp(a, "spin")) { /* spin in N processes */
        int n = argc > 2 ? atoi(arg) : 1;
        for (int i = 1; i < n; i++)
            if (fork() == 0)
                spin_forever();
        spin_forever();
    }
    if (!strcmp(a, "sleep")) {
        sleep((unsigned)atoi(arg));
        return 0;
    }
    if (!strcmp(a, "mem")) { /* touch MiB of memory */
        long mb = atol(arg);
        for (long i = 0; i < mb; i++) {
            char *p = malloc(1 << 20);
            if (!p)
                return result(-1);
            memset(p, 1, 1 << 20);
        }
        puts("allocated");
        return 0;
    }
    if (!strcmp(a, "flood")) { /* argv[2]: stdout|stderr */
        static char buf[65536];
        memset(buf, 'y', sizeof buf);
        int fd = !strcmp(arg, "stderr") ? 2 : 1;
        for (;;)
            if (write(fd, buf, sizeof buf) < 0)
                return 3;
    }
    if (!strcmp(a, "print")) { /* print exactly N bytes to stdout */
        long n = atol(arg);
        for (long i = 0; i < n; i++)
            putchar('z');
        return 0;
    }
    if (!strcmp(a, "forkbomb")) {
        int n = 0;
        for (;;) {
            pid_t p = fork();
            if (p == 0)
                sleeper(NULL);
            if (p < 0)
                break;
            n++;
        }
        printf("%s %d\n", strerrorname_np(errno), n);
        return 0;
    }
    if (!strcmp(a, "threadbomb")) {
        int n = 0, rc;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, 64 * 1024);
        for (;;) {
            pthread_t t;
            rc = pthread_create(&t, &at, sleeper, NULL);
            if (rc)
                break;
            n++;
        }
        printf("%s %d\n", strerrorname_np(rc), n);
        fflush(stdout);
        _exit(0);
    }
    if (!strcmp(a, "nofile")) {
        int n = 0;
        while (open("/dev/null", O_RDONLY) >= 0)
            n++;
        printf("%s %d\n", strerrorname_np(errno), n);
        return 0;
    }

    /* --- processes that try to outlive the run --- */
    if (!strcmp(a, "doublefork")) { /* a setsid grandchild that lives on */
        pid_t p = fork();
        if (p == 0) {
            setsid();
            if (fork() == 0) {
                for (;;)
                    sleep(1);
            }
            _exit(0);
        }
        waitpid(p, NULL, 0);
        puts("ok");
        return 0;
    }
    if (!strcmp(a, "sigterm-ignorer")) {
        signal(SIGTERM, SIG_IGN);
        if (fork() == 0) {
            for (;;)
                pause();
        }
        puts("ok");
        return 0;
    }
    if (!strcmp(a, "stopped")) {
        if (fork() == 0) {
            raise(SIGSTOP);
            for (;;)
                pause();
        }
        usleep(20000);
        puts("ok");
        return 0;
    }
    if (!strcmp(a, "ids")) {
        printf("%d %d %d\n", (int)getuid(), (int)getgid(), (int)getpid());
        return 0;
    }
    return usage();
}
