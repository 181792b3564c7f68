/**
 * The kernel surface a program keeps, through the real service (issue 12, items 3, 7, 8, 10, 12):
 * socket families, newly denied system calls, core dumps, the rlimits and capabilities that
 * replace root's, the masked /proc, /proc/1, and the CPUs a run may use. Each program reports
 * what the kernel answered; the sandbox refuses, the test only reads. The host is checked after
 * each job as in hostile.e2e-spec.ts.
 */
import { availableParallelism } from 'node:os';
import request from 'supertest';
import { expectCleanHost, hostState, type SandboxHost } from '../support/host-state';
import { pythonProbe, readProbe } from '../support/probes';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const C_HEAD = [
  '#define _GNU_SOURCE',
  '#include <stdio.h>',
  '#include <errno.h>',
  '#include <string.h>',
  '#include <unistd.h>',
  '#include <sched.h>',
  '#include <pthread.h>',
  '#include <sys/syscall.h>',
  '#include <sys/personality.h>',
].join('\n');

describe('the kernel surface of a sandboxed program', () => {
  let stack: Stack;
  let host: SandboxHost;
  let baselineMounts: number;

  beforeAll(async () => {
    stack = await startStack({ worker: true });
    host = stack.sandboxHost;
    await new Promise((r) => setTimeout(r, 500));
    baselineMounts = hostState(host).mounts;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function run(language: string, source: string, limits: Record<string, number> = {}) {
    const res = await request(stack.http)
      .post('/v1/jobs?wait=true')
      .send({ language, source, limits: { wallTimeMs: 10000, ...limits } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    if (res.body.result.compile) expect(res.body.result.compile.verdict).toBe('ok');
    await expectCleanHost(host, baselineMounts);
    return res.body.result.run as { verdict: string; stdout: string; stderr: string; cpuTimeMs: number; wallTimeMs: number };
  }

  it('sockets: only AF_UNIX, AF_INET, AF_INET6 and NETLINK_ROUTE; every other family EAFNOSUPPORT', async () => {
    const families: [string, number, number, number][] = [
      ['AF_UNIX', 1, 1, 0],
      ['AF_INET', 2, 1, 0],
      ['AF_INET6', 10, 2, 0],
      ['NETLINK_ROUTE', 16, 3, 0],
      ['AF_VSOCK', 40, 1, 0],
      ['AF_ALG', 38, 5, 0],
      ['AF_PACKET', 17, 3, 0],
      ['AF_KEY', 15, 3, 2],
      ['AF_XDP', 44, 3, 0],
      ['AF_TIPC', 30, 5, 0],
      ['AF_BLUETOOTH', 31, 3, 0],
      ['NETLINK_KOBJECT_UEVENT', 16, 2, 15],
      ['NETLINK_AUDIT', 16, 3, 9],
      ['NETLINK_GENERIC', 16, 3, 16],
    ];
    const source = [
      'import socket',
      ...pythonProbe(families, 'f, t, p', ['socket.socket(f, t, p).close()']),
      'try:',
      '    socket.socketpair(40, 1, 0); print("socketpair AF_VSOCK ok")',
      'except OSError as e:',
      '    print("socketpair AF_VSOCK", errno.errorcode[e.errno])',
    ].join('\n');
    const got = readProbe((await run('python', source)).stdout);
    for (const [name] of families.slice(0, 4)) expect([name, got[name]]).toEqual([name, 'ok']);
    for (const [name] of families.slice(4)) expect([name, got[name]]).toEqual([name, 'EAFNOSUPPORT']);
    expect(got['socketpair AF_VSOCK']).toBe('EAFNOSUPPORT');
  });

  it('the system calls Docker gates are refused, personality only takes its values', async () => {
    const calls = [
      ['kcmp', 'syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0)'],
      ['pidfd_getfd', 'syscall(SYS_pidfd_getfd, -1, 0, 0)'],
      ['process_madvise', 'syscall(SYS_process_madvise, -1, 0, 0, 0, 0)'],
      ['mbind', 'syscall(SYS_mbind, 0, 0, 0, 0, 0, 0)'],
      ['set_mempolicy', 'syscall(SYS_set_mempolicy, 0, 0, 0)'],
      ['move_pages', 'syscall(SYS_move_pages, 0, 0, 0, 0, 0, 0)'],
      ['quotactl_fd', 'syscall(443, -1, 0, 0, 0)'],
      ['open_tree_attr', 'syscall(467, -1, 0, 0, 0, 0)'],
      ['personality(ADDR_NO_RANDOMIZE)', 'personality(ADDR_NO_RANDOMIZE)'],
      ['personality(PER_LINUX)', 'personality(PER_LINUX)'],
    ];
    const body = calls
      .map(([n, e]) => `{ long r = (long)(${e}); printf("%s %s\\n", "${n}", r < 0 ? strerrorname_np(errno) : "ok"); }`)
      .join('\n');
    const r = await run('c', `${C_HEAD}\nint main(void){\n${body}\nreturn 0; }`);
    const lines = r.stdout.trim().split('\n');
    for (const [n] of calls.slice(0, -1)) expect(lines).toContain(`${n} EPERM`);
    expect(lines).toContain('personality(PER_LINUX) ok');
  });

  it('no core dumps: RLIMIT_CORE is 1 and unchangeable, a crash leaves no core in the box', async () => {
    const source = [
      'import os, resource, signal',
      'print(resource.getrlimit(resource.RLIMIT_CORE))',
      'for lim in [(0, 1), (0, 0)]:',
      '    try:',
      '        resource.setrlimit(resource.RLIMIT_CORE, lim); print("changed")',
      '    except (OSError, ValueError) as e:',
      '        print("refused")',
      'pid = os.fork()',
      'if pid == 0:',
      '    os.kill(os.getpid(), signal.SIGSEGV)',
      '_, status = os.waitpid(pid, 0)',
      'print(os.WTERMSIG(status), os.WCOREDUMP(status), sorted(f for f in os.listdir(".") if "core" in f))',
    ].join('\n');
    const r = await run('python', source);
    expect(r.stdout).toBe('(1, 1)\nrefused\nrefused\n11 False []\n');
  });

  it("rlimits and capabilities are the sandbox's, not root's: no real-time scheduling", async () => {
    const source = [
      'import os',
      'status = open("/proc/self/status").read().splitlines()',
      'print(" ".join(l.split()[1] for l in status if l.startswith("Cap")))',
      'limits = {l[:26].strip(): l[26:].split()[:2] for l in open("/proc/self/limits").read().splitlines()[1:]}',
      'for k in ["Max realtime priority", "Max nice priority", "Max locked memory", "Max msgqueue size", "Max pending signals", "Max core file size"]:',
      '    print(k, *limits[k])',
      'try:',
      '    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1)); print("SCHED_FIFO")',
      'except PermissionError:',
      '    print("refused")',
    ].join('\n');
    const r = await run('python', source);
    expect(r.stdout).toBe(
      [
        '0000000000000000 '.repeat(5).trim(),
        'Max realtime priority 0 0',
        'Max nice priority 0 0',
        'Max locked memory 65536 65536',
        'Max msgqueue size 0 0',
        'Max pending signals 1024 1024',
        'Max core file size 1 1',
        'refused',
        '',
      ].join('\n'),
    );
  });

  it('/proc hides what container runtimes hide, /proc/sys is read-only, /proc/1 is not writable', async () => {
    const paths = [
      ['/proc/keys', 'r'],
      ['/proc/timer_list', 'r'],
      ['/proc/interrupts', 'r'],
      ['/proc/kallsyms', 'r'],
      ['/proc/sys/kernel/hostname', 'w'],
      ['/proc/1/oom_score_adj', 'w'],
      ['/proc/1/attr/current', 'w'],
    ];
    const source = pythonProbe(paths, 'mode', ['with open(name, mode) as f:', '    f.write("x") if mode == "w" else f.read(1)']).join('\n');
    const got = readProbe((await run('python', source)).stdout);
    for (const p of ['/proc/keys', '/proc/timer_list', '/proc/interrupts', '/proc/kallsyms']) expect([p, got[p]]).toEqual([p, 'EACCES']);
    expect(got['/proc/sys/kernel/hostname']).toBe('EROFS');
    expect(got['/proc/1/oom_score_adj']).toBe('EACCES');
    expect(got['/proc/1/attr/current']).not.toBe('ok');
  });

  // Two slots share this host's CPUs: each gets its share, however many CPUs a program asks for.
  const slotCpus = Math.max(1, Math.floor(availableParallelism() / 2));

  it(`a program asking for every CPU gets its slot's ${slotCpus}`, async () => {
    const r = await run(
      'c',
      `${C_HEAD}\nint main(void){ cpu_set_t s; CPU_ZERO(&s); for (int i = 0; i < CPU_SETSIZE; i++) CPU_SET(i, &s); sched_setaffinity(0, sizeof s, &s); sched_getaffinity(0, sizeof s, &s); printf("%d\\n", CPU_COUNT(&s)); return 0; }`,
    );
    expect(r.stdout).toBe(`${slotCpus}\n`);
  });

  it('64 threads asking for every CPU end at the CPU limit, not a multiple of it', async () => {
    const source = `${C_HEAD}\nstatic void *spin(void *a){ (void)a; cpu_set_t s; CPU_ZERO(&s); for (int i = 0; i < CPU_SETSIZE; i++) CPU_SET(i, &s); sched_setaffinity(0, sizeof s, &s); for (volatile unsigned long x = 0;; x++); return 0; }\nint main(void){ pthread_t t; for (int i = 0; i < 63; i++) pthread_create(&t, 0, spin, 0); spin(0); }`;
    const r = await run('c', source, { cpuTimeMs: 1000, wallTimeMs: 20000, processes: 100 });
    expect(r.verdict).toBe('time_limit');
    expect(r.cpuTimeMs).toBeGreaterThanOrEqual(1000);
    expect(r.cpuTimeMs).toBeLessThanOrEqual(1150);
    // no faster than the slot's CPUs allow: the program stayed on them
    expect(r.wallTimeMs).toBeGreaterThanOrEqual((1000 / slotCpus) * 0.9);
  });
});
