/**
 * Hostile programs through the real service. Each one asserts the verdict (or the errno the
 * kernel gave the attack) AND the host's state afterwards: no process of any sandbox uid, no box
 * left, no mount, no run cgroup beyond the prepared sandboxes, the host's files unchanged, and
 * the next job runs normally. The sandbox confines them; the test only watches.
 *
 * Network attacks aim only at loopback addresses and at listeners this test opens itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import request from 'supertest';
import { expectCleanHost, hostState, type SandboxHost } from '../support/host-state';
import { startStack, testRedisUrl, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const C_HEAD = [
  '#define _GNU_SOURCE',
  '#include <stdio.h>',
  '#include <stdlib.h>',
  '#include <string.h>',
  '#include <errno.h>',
  '#include <unistd.h>',
  '#include <fcntl.h>',
  '#include <sched.h>',
  '#include <signal.h>',
  '#include <sys/syscall.h>',
  '#include <sys/mount.h>',
  '#include <sys/ptrace.h>',
  '#include <sys/sysmacros.h>',
  '#include <sys/ioctl.h>',
  '#include <sys/socket.h>',
  '#include <sys/stat.h>',
  '#include <netinet/in.h>',
  '#include <arpa/inet.h>',
  '#include <termios.h>',
  '#include <pthread.h>',
  '#include <sys/un.h>',
].join('\n');
/** A C program that makes one attempt and prints the errno name it got, or SUCCEEDED. */
const attempt = (expr: string, setup = '') =>
  `${C_HEAD}\nint main(void){ ${setup}\n long r = (long)(${expr}); printf("%s\\n", r < 0 ? strerrorname_np(errno) : "SUCCEEDED"); return 0; }`;

type Case = {
  name: string;
  language: string;
  source: string;
  limits?: Record<string, number>;
  /** Verdicts acceptable for this program. */
  verdict: string[];
  /** stdout must match (when given). */
  stdout?: RegExp;
  check?: (run: { stdout: string; stderr: string; exitCode: number | null; signal: string | null }) => void;
};

/**
 * The one errno an attempt must get. EPERM is what the seccomp filter answers (native/src/seccomp.c)
 * and what the kernel answers a process without capabilities; any other errno would mean the
 * attempt failed for some other reason before reaching what it tests.
 */
const REFUSED = /^EPERM\n$/;

describe('hostile programs are confined', () => {
  let stack: Stack;
  let host: SandboxHost;
  let baselineMounts: number;
  let sentinelDir: string;
  let sentinelHash: string;
  let hostListener: Server;
  let hostPort: number;
  let abstractListener: Server;
  const hostFiles = ['/etc/passwd', '/etc/hostname', '/etc/hosts'];
  let hostFileHashes: string[];
  const hashOf = (p: string) => (existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'absent');

  beforeAll(async () => {
    stack = await startStack({ worker: true });
    host = stack.sandboxHost;
    sentinelDir = `/tmp/runbox-sentinel-${randomBytes(4).toString('hex')}`;
    mkdirSync(sentinelDir);
    writeFileSync(`${sentinelDir}/keep`, 'the worker must never follow a path into here');
    sentinelHash = hashOf(`${sentinelDir}/keep`);
    hostFileHashes = hostFiles.map(hashOf);
    hostListener = createServer((s) => s.end('HOST-SECRET\n'));
    await new Promise<void>((r) => hostListener.listen(0, '127.0.0.1', r));
    hostPort = (hostListener.address() as { port: number }).port;
    abstractListener = createServer((s) => s.end('HOST-SECRET\n'));
    await new Promise<void>((r) => abstractListener.listen('\0runbox-test-abstract', r));
    // let the prepared sandboxes settle before taking the baseline
    await new Promise((r) => setTimeout(r, 500));
    baselineMounts = hostState(host).mounts;
  });

  afterAll(async () => {
    hostListener?.close();
    abstractListener?.close();
    if (sentinelDir) rmSync(sentinelDir, { recursive: true, force: true });
    await stack?.stop();
  });

  // One case per line, like the TAP table in native/tests/run.sh.
  // prettier-ignore
  const cases = (): Case[] => [
    // --- escapes ---------------------------------------------------------------------------
    { name: 'mount a tmpfs', language: 'c', source: attempt('mount("none", "/tmp", "tmpfs", 0, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'umount /proc', language: 'c', source: attempt('umount2("/proc", MNT_DETACH)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'unshare a user namespace', language: 'c', source: attempt('unshare(CLONE_NEWUSER)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'unshare a mount namespace', language: 'c', source: attempt('unshare(CLONE_NEWNS)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'clone into a new user+net namespace', language: 'c', source: attempt('syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD, 0, 0, 0, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'setns into a network namespace (its own: the one fd it can open)', language: 'c', source: attempt('setns(fd, CLONE_NEWNET)', 'int fd = open("/proc/self/ns/net", O_RDONLY); if (fd < 0) { printf("open: %s\\n", strerrorname_np(errno)); return 1; }'), verdict: ['ok'], stdout: REFUSED },
    { name: 'ptrace pid 1', language: 'c', source: attempt('ptrace(PTRACE_ATTACH, 1, 0, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'ptrace itself (TRACEME)', language: 'c', source: attempt('ptrace(PTRACE_TRACEME, 0, 0, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'process_vm_readv', language: 'c', source: attempt('syscall(SYS_process_vm_readv, 1, 0, 0, 0, 0, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'keyctl / add_key', language: 'c', source: attempt('syscall(SYS_add_key, "user", "k", "v", 1, -2)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'bpf', language: 'c', source: attempt('syscall(SYS_bpf, 0, 0, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'perf_event_open', language: 'c', source: attempt('syscall(SYS_perf_event_open, 0, 0, -1, -1, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'io_uring_setup', language: 'c', source: attempt('syscall(SYS_io_uring_setup, 8, calloc(1, 256))'), verdict: ['ok'], stdout: REFUSED },
    { name: 'userfaultfd', language: 'c', source: attempt('syscall(SYS_userfaultfd, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'init_module', language: 'c', source: attempt('syscall(SYS_init_module, 0, 0, "")'), verdict: ['ok'], stdout: REFUSED },
    { name: 'kexec_load', language: 'c', source: attempt('syscall(SYS_kexec_load, 0, 0, 0, 0)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'chroot', language: 'c', source: attempt('chroot("/tmp")'), verdict: ['ok'], stdout: REFUSED },
    { name: 'mknod a disk device', language: 'c', source: attempt('mknod("/tmp/sda", S_IFBLK | 0600, makedev(8, 0))', ''), verdict: ['ok'], stdout: REFUSED },
    { name: 'TIOCSTI terminal injection', language: 'c', source: attempt('ioctl(0, TIOCSTI, "x")'), verdict: ['ok'], stdout: /^(EPERM|ENOTTY)\n$/ },
    { name: 'write /proc/sys', language: 'bash', source: 'echo evil > /proc/sys/kernel/hostname 2>/dev/null && echo WROTE || echo refused', verdict: ['ok'], stdout: /^refused\n$/ },
    { name: 'reach /sys', language: 'bash', source: 'ls /sys 2>/dev/null && echo VISIBLE || echo absent', verdict: ['ok'], stdout: /^absent\n$/ },
    { name: 'write /proc/self/exe', language: 'c', source: attempt('open("/proc/self/exe", O_WRONLY)'), verdict: ['ok'], stdout: /^(ETXTBSY|EACCES|EPERM|EROFS)\n$/ },
    { name: 'setuid binary gains nothing (nosuid)', language: 'bash', source: 'for b in /usr/bin/su /usr/bin/mount /usr/bin/passwd; do [ -x $b ] && $b --help >/dev/null 2>&1; done; /usr/bin/mount -t tmpfs x /tmp 2>/dev/null && echo MOUNTED || echo refused; id -u', verdict: ['ok'], stdout: /^refused\n[1-9]\d{3,}\n$/ }, // a slot's uid, never 0
    { name: 'write to /usr', language: 'bash', source: 'touch /usr/evil 2>/dev/null && echo WROTE || echo refused', verdict: ['ok'], stdout: /^refused\n$/ },
    { name: 'inherited file descriptors', language: 'bash', source: 'ls /proc/self/fd | sort -n | tr "\\n" " "', verdict: ['ok'], stdout: /^0 1 2 3 $/ },
    { name: 'capabilities and no_new_privs', language: 'bash', source: 'grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\\t" " "', verdict: ['ok'], check: (r) => {
      expect(r.stdout).toMatch(/CapEff: 0000000000000000/);
      expect(r.stdout).toMatch(/NoNewPrivs: 1/);
      expect(r.stdout).toMatch(/Seccomp: 2/);
    } },
    // --- leaks -----------------------------------------------------------------------------
    { name: 'read /etc/shadow', language: 'python', source: 'try:\n    open("/etc/shadow").read(); print("READ")\nexcept OSError as e:\n    print(type(e).__name__)', verdict: ['ok'], stdout: /^(FileNotFoundError|PermissionError)\n$/ },
    { name: 'environment holds nothing of the worker', language: 'python', source: 'import os; print(sorted(os.environ))', verdict: ['ok'], check: (r) => {
      expect(r.stdout).not.toMatch(/REDIS|QUEUE|WORKSPACE|API_KEY|SECRET|NODE_|npm_/);
    } },
    { name: 'worker configuration and repository are invisible', language: 'bash', source: `ls ${process.cwd()} /root /home /var /run 2>/dev/null | head -1; echo end`, verdict: ['ok'], stdout: /^end\n$/ },
    { name: 'host process list', language: 'bash', source: 'ls -d /proc/[0-9]* | wc -l; cat /proc/1/cmdline | tr "\\0" " "; echo', verdict: ['ok'], check: (r) => {
      const [count] = r.stdout.split('\n');
      expect(Number(count)).toBeLessThanOrEqual(4); // init, bash, ls/subshell
      expect(r.stdout).not.toMatch(/node|redis|systemd/);
    } },
    { name: 'host identifiers', language: 'bash', source: 'hostname; cat /etc/machine-id 2>/dev/null || echo no-machine-id', verdict: ['ok'], stdout: /^runbox\nno-machine-id\n$/ },
    { name: 'other boxes and the workspace root', language: 'bash', source: 'ls -a / | tr "\\n" " "; ls /box/.. /.ws 2>/dev/null | grep box- || echo none', verdict: ['ok'], check: (r) => {
      expect(r.stdout).not.toMatch(/\.ws|box-/);
    } },
    // --- network ---------------------------------------------------------------------------
    { name: 'TCP to a listener on the host loopback', language: 'python', source: `import socket\ntry:\n    s = socket.create_connection(("127.0.0.1", PORT), timeout=2); print("CONNECTED", s.recv(100))\nexcept OSError as e:\n    print(type(e).__name__)`, verdict: ['ok'], stdout: /^(ConnectionRefusedError|OSError|TimeoutError)\n$/ },
    { name: 'TCP to the test Redis', language: 'python', source: `import socket\ntry:\n    socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2); print("CONNECTED")\nexcept OSError as e:\n    print(type(e).__name__)`, verdict: ['ok'], stdout: /^(ConnectionRefusedError|OSError|TimeoutError)\n$/ },
    { name: 'UDP DNS query to loopback', language: 'python', source: 'import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)\ntry:\n    s.sendto(b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01", ("127.0.0.53", 53)); print("ANSWER", s.recv(512))\nexcept OSError as e:\n    print(type(e).__name__)', verdict: ['ok'], stdout: /^(ConnectionRefusedError|TimeoutError|OSError)\n$/ },
    { name: 'name resolution', language: 'python', source: 'import socket\ntry:\n    print(socket.gethostbyname("redis.internal"))\nexcept OSError as e:\n    print(type(e).__name__)', verdict: ['ok'], stdout: /^gaierror\n$/ },
    { name: 'raw socket', language: 'c', source: attempt('socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)'), verdict: ['ok'], stdout: REFUSED },
    { name: 'packet socket', language: 'c', source: attempt('socket(17 /* AF_PACKET */, SOCK_RAW, 0)'), verdict: ['ok'], stdout: /^EAFNOSUPPORT\n$/ }, // the filter's socket-family allow-list answers before the capability check
    { name: 'only a loopback interface', language: 'bash', source: 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "', verdict: ['ok'], stdout: /^lo\n$/ },
    { name: 'abstract unix socket of the host', language: 'c', source: attempt('connect(fd, (struct sockaddr *)&a, sizeof(sa_family_t) + 1 + strlen("runbox-test-abstract"))', 'int fd = socket(AF_UNIX, SOCK_STREAM, 0); struct sockaddr_un a = { .sun_family = AF_UNIX }; memcpy(a.sun_path + 1, "runbox-test-abstract", 20);'), verdict: ['ok'], stdout: /^ECONNREFUSED\n$/ }, // the host's abstract names live in the host's network namespace
    // --- resources -------------------------------------------------------------------------
    // the bomb's forks fail at the process limit; the shell, a builtin loop, then spins until the CPU limit ends the run
    { name: 'fork bomb', language: 'bash', source: 'b() { b | b & }; b; while :; do :; done', limits: { processes: 32, cpuTimeMs: 1000, wallTimeMs: 4000 }, verdict: ['time_limit'], check: (r) => {
      expect(r.stderr).toMatch(/fork: (retry: )?Resource temporarily unavailable/);
      expect(r.signal).toBe('SIGKILL');
    } },
    { name: 'fork bomb in C', language: 'c', source: `${C_HEAD}\nint main(void){ int n = 0; for (;;) { pid_t p = fork(); if (p == 0) { pause(); _exit(0); } if (p < 0) break; n++; } printf("%s %d\\n", strerrorname_np(errno), n); return 0; }`, limits: { processes: 32 }, verdict: ['ok'], check: (r) => {
      const [errno, n] = r.stdout.trim().split(' ');
      expect(errno).toBe('EAGAIN'); // the process limit, not memory or anything else
      expect(Number(n)).toBeLessThan(32);
    } },
    { name: 'thread bomb', language: 'c', source: `${C_HEAD}\nstatic void *spin(void *a){ (void)a; for(;;) pause(); }\nint main(void){ int n = 0; pthread_t t; while (pthread_create(&t, 0, spin, 0) == 0) n++; printf("%d\\n", n); return 0; }`, limits: { processes: 16 }, verdict: ['ok'], check: (r) => expect(Number(r.stdout)).toBeLessThan(16) },
    { name: 'memory bomb', language: 'c', source: `${C_HEAD}\nint main(void){ for(;;){ char *p = malloc(1 << 20); if (!p) return 3; memset(p, 1, 1 << 20); } }`, limits: { memoryMb: 64 }, verdict: ['memory_limit'] },
    { name: 'CPU spin in many threads', language: 'c', source: `${C_HEAD}\nstatic void *spin(void *a){ (void)a; for(;;); }\nint main(void){ pthread_t t; for (int i = 0; i < 8; i++) pthread_create(&t, 0, spin, 0); for(;;); }`, limits: { cpuTimeMs: 500, wallTimeMs: 10000 }, verdict: ['time_limit'], check: (r) => expect(r.signal).toBe('SIGKILL') },
    { name: 'fill /box', language: 'bash', source: 'dd if=/dev/zero of=big bs=1M count=100000 2>/tmp/err; echo "rc=$?"; grep -o "No space left\\|File too large" /tmp/err | head -1', limits: { wallTimeMs: 20000 }, verdict: ['ok'], stdout: /^rc=(1\n(No space left|File too large)|153)\n$/ }, // ENOSPC, or SIGXFSZ (128+25) at the file-size limit
    { name: 'fill /tmp', language: 'bash', source: 'dd if=/dev/zero of=/tmp/big bs=1M count=100000 2>err; echo "rc=$?"; grep -o "No space left\\|File too large" err | head -1', limits: { wallTimeMs: 20000 }, verdict: ['ok'], stdout: /^rc=(1\n(No space left|File too large)|153)\n$/ }, // ENOSPC, or SIGXFSZ (128+25) at the file-size limit
    { name: 'exhaust inodes of /tmp', language: 'python', source: 'import os\nn = 0\ntry:\n    while n < 2_000_000:\n        open(f"/tmp/f{n}", "w").close(); n += 1\n    print("NO LIMIT")\nexcept OSError as e:\n    print(type(e).__name__, e.errno)', limits: { wallTimeMs: 30000, cpuTimeMs: 20000 }, verdict: ['ok'], stdout: /^OSError 28\n$/ },
    // RLIMIT_FSIZE refuses it (EFBIG; SIGXFSZ is ignored here so the errno shows), and the box keeps no 100 GB file
    { name: 'huge sparse file', language: 'bash', source: 'trap "" XFSZ; truncate -s 100G sparse 2>&1; echo "rc=$?"; stat -c %s sparse', verdict: ['ok'], stdout: /^truncate: failed to truncate .sparse. at 107374182400 bytes: File too large\nrc=1\n0\n$/u },
    { name: 'stdout flood', language: 'c', source: `${C_HEAD}\nint main(void){ char b[65536]; memset(b, 'x', sizeof b); for(;;) fwrite(b, 1, sizeof b, stdout); }`, limits: { outputBytes: 4096 }, verdict: ['output_limit'], check: (r) => expect(r.stdout.length).toBe(4096) },
    { name: 'stderr flood', language: 'python', source: 'import sys\nwhile True: sys.stderr.write("e" * 4096)', limits: { outputBytes: 4096 }, verdict: ['output_limit'], check: (r) => expect(r.stderr.length).toBeLessThanOrEqual(4096) },
    { name: 'sleep forever', language: 'python', source: 'import time\ntime.sleep(10**6)', limits: { wallTimeMs: 500 }, verdict: ['time_limit'] },
    { name: 'double fork + setsid daemon outliving the job', language: 'python', source: 'import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(1000)\n    os._exit(0)\nprint("parent done")', verdict: ['ok'], stdout: /^parent done\n$/ },
    { name: 'daemon holding the output pipe open', language: 'bash', source: '(trap "" TERM HUP; sleep 1000) & echo done', verdict: ['ok'], stdout: /^done\n$/ },
    { name: 'SIGTERM ignorer', language: 'bash', source: 'trap "" TERM INT HUP; while :; do sleep 1; done', limits: { wallTimeMs: 500 }, verdict: ['time_limit'] },
    { name: 'stopped process left behind', language: 'bash', source: 'sleep 1000 & kill -STOP $!; echo stopped', verdict: ['ok'], stdout: /^stopped\n$/ },
    // --- output paths (the Judge0 CVE patterns) --------------------------------------------
    { name: 'symlinks to host paths planted in the box', language: 'bash', source: 'ln -s SENTINEL link; ln -s / root; ln -s /etc/passwd passwd; mkdir d; ln -s SENTINEL d/inner; echo planted', verdict: ['ok'], stdout: /^planted\n$/ },
    { name: 'hardlink of a system file', language: 'bash', source: 'ln /etc/passwd hard 2>/dev/null && echo LINKED || echo refused; ln /usr/bin/env env2 2>/dev/null && echo LINKED || echo refused', verdict: ['ok'], stdout: /^refused\nrefused\n$/ },
    { name: 'FIFO where the worker cleans up', language: 'bash', source: 'mkfifo fifo; mkfifo /tmp/fifo; echo planted', verdict: ['ok'], stdout: /^planted\n$/ },
    { name: 'odd file names', language: 'python', source: 'import os\nfor n in ["-rf", "a\\nb", " ", "x" * 255, "\\u00e9\\u4e2d", "..."]:\n    open(n, "w").write("x")\nos.makedirs("a/" * 50, exist_ok=True)\nprint("planted")', verdict: ['ok'], stdout: /^planted\n$/ },
    { name: 'unreadable directory tree', language: 'bash', source: 'mkdir -p locked/deep && touch locked/deep/f && chmod 000 locked/deep locked && echo locked', verdict: ['ok'], stdout: /^locked\n$/ },
    { name: 'file rewritten while the run ends', language: 'bash', source: '(while :; do echo x >> grow; done) & sleep 0.2; echo busy', verdict: ['ok'], stdout: /^busy\n$/ },
  ];

  const resolve = (src: string) =>
    src
      .replace(/SENTINEL/g, `${sentinelDir}/keep`)
      .replace(/REDIS_PORT/g, String(new URL(testRedisUrl()).port))
      .replace(/PORT/g, String(hostPort));

  it('has at least 40 hostile programs', () => {
    expect(cases().length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases()) {
    it(`${c.language}: ${c.name}`, async () => {
      const res = await request(stack.http)
        .post('/v1/jobs?wait=true')
        .send({ language: c.language, source: resolve(c.source), limits: { wallTimeMs: 10000, ...c.limits } });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('completed');
      const run = res.body.result.run;
      if (res.body.result.compile) expect(res.body.result.compile.verdict).toBe('ok');
      expect(c.verdict).toContain(run.verdict);
      if (c.stdout) expect(run.stdout).toMatch(c.stdout);
      c.check?.(run);

      await expectCleanHost(host, baselineMounts);
      expect(hashOf(`${sentinelDir}/keep`)).toBe(sentinelHash);
      expect(readdirSync(sentinelDir)).toEqual(['keep']);
      expect(hostFiles.map(hashOf)).toEqual(hostFileHashes);
    });
  }

  it('the next job after all of them runs normally', async () => {
    const res = await request(stack.http).post('/v1/jobs?wait=true').send({ language: 'python', source: 'print(6 * 7)' });
    expect(res.body.result.run).toMatchObject({ verdict: 'ok', stdout: '42\n' });
    await expectCleanHost(host, baselineMounts);
  });
});
