/**
 * A slot's sandbox server (the launcher in serve mode) killed with SIGKILL in the middle of a
 * run: its run's launcher ends the run by itself (PDEATHSIG), the job ends with a reason or is run
 * again, nothing of the sandbox stays on the host, and the slot gets a new server for its next job.
 */
import { readdirSync, readFileSync } from 'node:fs';
import request from 'supertest';
import type { Stack } from '../support/stack';
import { expectCleanHost, hostState } from '../support/host-state';
import { allFinal, running, sleeper, startFaultStack, submit, until } from './fault-helpers';

jest.setTimeout(120_000);

/** Pids of the serve-mode launchers of this stack's slots. */
function servers(workspaceDir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return argv.includes('--serve') && argv.some((a) => a.startsWith(`--workspace=${workspaceDir}/`));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describe('a sandbox server killed mid-run', () => {
  let stack: Stack;
  let baselineMounts: number;

  beforeAll(async () => {
    stack = await startFaultStack();
    baselineMounts = hostState(stack.sandboxHost).mounts;
  });
  afterAll(() => stack?.stop());

  it('loses no job, leaves no sandbox, and the slot runs its next job on a new server', async () => {
    const before = servers(stack.sandboxHost.workspaceDir);
    expect(before).toHaveLength(stack.sandboxHost.slots);

    const id = await submit(stack.http, sleeper('s0', 3));
    await until(stack.http, [id], running(1), 10_000, 'the job running');
    for (const pid of before) process.kill(pid, 'SIGKILL');

    const [job] = await until(stack.http, [id], allFinal, 30_000, 'the job final');
    // Run again on a new server (its attempts allow it), or failed with runbox's reason: never lost.
    if (job!.status === 'completed') expect(job!.result?.run?.stdout).toBe('s0\n');
    else expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/sandbox server/) });

    const next = await request(stack.http).post('/v1/jobs?wait=true').send({ language: 'bash', source: 'echo next' });
    expect(next.body).toMatchObject({ status: 'completed', result: { run: { stdout: 'next\n' } } });
    const after = servers(stack.sandboxHost.workspaceDir);
    expect(after.some((pid) => before.includes(pid))).toBe(false);
    await expectCleanHost(stack.sandboxHost, baselineMounts);
  });
});
