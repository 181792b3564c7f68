/**
 * Slots that no program can poison, through the real service: a box is removed whatever tree a
 * program built in it (2,100 levels and 50 MB at the bottom), and not before every process of its
 * run is gone (a launcher stopped past its wall limit while the program swaps a directory and a
 * symlink to a host folder). After each, a normal job runs on every slot with its full disk.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import request from 'supertest';
import { hostState } from '../support/host-state';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

/** 2,100 nested directories (a path past PATH_MAX) and a 50 MB file at the bottom. */
const DEEP_TREE = `
import os
for i in range(2100):
    os.mkdir("d"); os.chdir("d")
with open("bottom", "wb") as f:
    for _ in range(50): f.write(b"x" * 1_000_000)
print("built")
`;

/** Fills 40 MB of /box (64 MB): fails with ENOSPC if an earlier box of the slot is still there. */
const FILL_AND_SAY_UID = `
import os, time
with open("fill", "wb") as f:
    for _ in range(40): f.write(b"y" * 1_000_000)
time.sleep(0.3)
print(os.getuid())
`;

async function finished(stack: Stack, id: string, timeoutMs = 60_000): Promise<{ status: string; result: any; error?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await request(stack.http).get(`/v1/jobs/${id}`);
    if (['completed', 'failed', 'cancelled'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Normal jobs until every slot has run one: each must have its whole disk. */
async function expectEverySlotHealthy(stack: Stack): Promise<void> {
  const { uidBase, slots } = stack.config.worker;
  const ids = await Promise.all(
    Array.from(
      { length: slots * 3 },
      async () => (await request(stack.http).post('/v1/jobs').send({ language: 'python', source: FILL_AND_SAY_UID })).body.id as string,
    ),
  );
  const uids = new Set<number>();
  for (const id of ids) {
    const job = await finished(stack, id);
    expect({ status: job.status, verdict: job.result?.verdict, stderr: job.result?.run?.stderr }).toEqual({
      status: 'completed',
      verdict: 'ok',
      stderr: '',
    });
    uids.add(Number(job.result.run.stdout.trim()));
  }
  expect([...uids].sort()).toEqual(Array.from({ length: slots }, (_, i) => uidBase + i));
}

function statusOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}
const field = (status: string, name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(status)?.[1];

// Both ways a slot runs its sandboxes: a long-lived server per slot, or one launcher per run.
describe.each(['true', 'false'])('slots cannot be poisoned (PREPARED_SANDBOXES=%s)', (prepared) => {
  let stack: Stack;
  const stopped: number[] = [];

  beforeAll(async () => {
    // One attempt: the stopped-launcher job must end, not be run again on a healthy launcher.
    stack = await startStack({ worker: true, env: { JOB_ATTEMPTS: '1', PREPARED_SANDBOXES: prepared } });
  });
  afterAll(async () => {
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    await stack.stop();
  });

  it('removes any tree a program builds: N deep-tree jobs on N slots, then normal jobs on every slot', async () => {
    const { slots, workspaceDir } = stack.config.worker;
    const ids = await Promise.all(
      Array.from(
        { length: slots },
        async () =>
          (
            await request(stack.http)
              .post('/v1/jobs')
              .send({ language: 'python', source: DEEP_TREE, limits: { wallTimeMs: 30_000, cpuTimeMs: 20_000 } })
          ).body.id as string,
      ),
    );
    for (const id of ids) {
      const job = await finished(stack, id);
      expect({ status: job.status, stdout: job.result?.run?.stdout }).toEqual({ status: 'completed', stdout: 'built\n' });
    }
    await expectEverySlotHealthy(stack);
    // and nothing of the trees is left in any workspace (a job's boxes go just after its result
    // is sent, slots.ts releaseAfter: the last job's may still be going for a few milliseconds)
    const left = () => Array.from({ length: slots }, (_, i) => readdirSync(`${workspaceDir}/${i}`)).flat();
    for (const deadline = Date.now() + 5000; left().length && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    expect(left()).toEqual([]);
  });

  it('touches no box while its program lives: a stopped launcher past the wall limit, a symlink swap, the sentinel outside survives', async () => {
    const sentinelDir = `/tmp/runbox-sentinel-${randomBytes(4).toString('hex')}`;
    mkdirSync(sentinelDir, { mode: 0o755 });
    writeFileSync(`${sentinelDir}/sentinel`, 'keep');
    try {
      // Many pairs of a directory (with a file in it) and a symlink to the host folder, swapped
      // atomically and endlessly: a removal that walks paths while the program lives enters the
      // symlink and unlinks the host's files.
      const swapper = `
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(void) {
  char d[32], l[32];
  for (int i = 0; i < 400; i++) {
    snprintf(d, sizeof d, "d%d", i); snprintf(l, sizeof l, "l%d", i);
    mkdir(d, 0755); snprintf(l, sizeof l, "d%d/sentinel", i); close(open(l, O_CREAT | O_WRONLY, 0644));
    snprintf(l, sizeof l, "l%d", i); symlink("${sentinelDir}", l);
  }
  printf("ready\\n"); fflush(stdout);
  for (unsigned long n = 0;; n++) {
    for (int i = 0; i < 400; i++) {
      snprintf(d, sizeof d, "d%d", i); snprintf(l, sizeof l, "l%d", i);
      syscall(SYS_renameat2, AT_FDCWD, d, AT_FDCWD, l, 2 /* RENAME_EXCHANGE */);
    }
    if (n % 8 == 0) usleep(200);
  }
}`;
      const { uidBase } = stack.config.worker;
      const { body } = await request(stack.http)
        .post('/v1/jobs')
        .send({ language: 'c', source: swapper, limits: { wallTimeMs: 1_000, cpuTimeMs: 20_000 } });
      const id = body.id as string;
      // The program runs: stop its launcher (the init's parent), so nothing enforces the wall limit.
      let launcher = 0;
      for (const deadline = Date.now() + 60_000; !launcher && Date.now() < deadline;) {
        for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
          const st = statusOf(Number(p));
          const uid = Number(field(st, 'Uid'));
          if (uid < uidBase || uid >= uidBase + stack.config.worker.slots || field(st, 'Name') !== 'main') continue;
          const init = Number(field(st, 'PPid'));
          launcher = Number(field(statusOf(init), 'PPid'));
          process.kill(launcher, 'SIGSTOP');
          stopped.push(launcher);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(launcher).toBeGreaterThan(0);
      const job = await finished(stack, id);
      expect(job.status).toBe('failed'); // the watchdog ended it: runbox's failure, not the program's
      expect(readdirSync(sentinelDir)).toEqual(['sentinel']);
      expect(readFileSync(`${sentinelDir}/sentinel`, 'utf8')).toBe('keep');
      // The slot waited for the program's end, and nothing of that run is left.
      const deadline = Date.now() + 10_000;
      while (hostState(stack.sandboxHost).sandboxProcesses.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(hostState(stack.sandboxHost).sandboxProcesses).toEqual([]);
      expect(existsSync(`/proc/${launcher}`) && field(statusOf(launcher), 'State') !== 'Z').toBe(false);
      await expectEverySlotHealthy(stack);
    } finally {
      rmSync(sentinelDir, { recursive: true, force: true });
    }
  });
});
