/**
 * A worker killed with SIGKILL in the middle of jobs (a crash, the OOM killer, a node going
 * away): every accepted job still ends — re-run by a fresh worker, or `failed` with a reason once
 * it has stalled too often — and nothing of the dead worker's sandboxes remains on the host.
 */
import { Redis } from 'ioredis';
import request from 'supertest';
import type { JobEvent } from '@runbox/contract';
import { eventsChannel } from '@runbox/queue';
import { startWorker } from '../support/worker';
import { testRedisUrl, type Stack } from '../support/stack';
import { expectCleanHost, hostState } from '../support/host-state';
import { allFinal, running, sleep, sleeper, startFaultStack, submit, until } from './fault-helpers';

jest.setTimeout(120_000);

describe('a worker killed mid-job', () => {
  let stack: Stack;
  let baselineMounts: number;

  beforeAll(async () => {
    // Short locks so a dead worker's jobs are noticed within seconds (stalled check every 1.5 s).
    stack = await startFaultStack({ LOCK_DURATION_MS: '3000' });
    baselineMounts = hostState(stack.sandboxHost).mounts;
  });
  afterAll(async () => {
    await stack?.worker?.stop(); // the last fresh one; stop() below ends the stack's first
    await stack?.stop();
  });

  /** Replaces the stack's worker (dead or alive) with a fresh one on the same slots. */
  const freshWorker = async () => {
    stack.worker = await startWorker(stack.env);
  };

  it('re-runs the jobs it held, runs the queued ones, and leaves no sandbox behind', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await submit(stack.http, sleeper(`job-${i}`, 2)));
    await until(stack.http, ids, running(2), 10_000, 'two jobs running');

    await stack.worker!.kill();
    await freshWorker();

    const jobs = await until(stack.http, ids, allFinal, 60_000, 'every job final');
    // Each job ran to the end exactly as submitted: nothing lost, nothing mixed up.
    expect(jobs.map((j) => [j.status, j.result?.run?.stdout])).toEqual(ids.map((_, i) => ['completed', `job-${i}\n`]));
    await expectCleanHost(stack.sandboxHost, baselineMounts, 10_000);
  });

  it('fails a job with a reason once it has stalled more often than allowed, announces it, and stops its sandbox', async () => {
    // Long enough that only a kill ends it; the dead worker's launcher must not run on.
    const id = await submit(stack.http, sleeper('never', 50));
    // What waiting requests and SSE streams hear: the worker that fails the job (BullMQ fails a job
    // that stalled too often when a worker next takes it) announces it with its final view.
    const listener = new Redis(testRedisUrl());
    const events: JobEvent[] = [];
    listener.on('message', (_c: string, m: string) => events.push(JSON.parse(m) as JobEvent));
    try {
      await listener.subscribe(eventsChannel(stack.config));
      const [first] = await until(stack.http, [id], running(1), 10_000, 'job running');
      await stack.worker!.kill();
      await freshWorker(); // takes the job over once its lock has expired (1st stall: re-run)
      // A stalled job stays `running` until it is taken again; the new start time tells the re-run.
      await until(stack.http, [id], ([j]) => j!.status === 'running' && j!.startedAt !== first!.startedAt, 20_000, 'job re-run');
      await sleep(500);
      await stack.worker!.kill();
      await freshWorker(); // 2nd stall: more than maxStalledCount, so the job fails

      const [job] = await until(stack.http, [id], allFinal, 30_000, 'job final');
      expect(job!.status).toBe('failed');
      expect(job!.error).toMatch(/stalled/);
      for (let i = 0; i < 50 && !events.some((e) => e.jobId === id && e.type === 'failed'); i++) await sleep(100);
      expect(events.find((e) => e.jobId === id && e.type === 'failed')?.data).toMatchObject({
        id,
        status: 'failed',
        error: expect.stringMatching(/stalled/),
      });
    } finally {
      listener.disconnect();
    }
    await expectCleanHost(stack.sandboxHost, baselineMounts, 10_000);
  });

  // The launcher of a running sandbox is the worker's child. It asks the kernel for a SIGTERM when
  // its parent dies (PR_SET_PDEATHSIG) and ends the run as on any SIGTERM: kill, reap, remove the
  // cgroup. So a dead worker leaves nothing, even if no worker ever takes its slots again.
  it('a sandbox dies with its worker even when no worker replaces it', async () => {
    const id = await submit(stack.http, sleeper('orphan', 50));
    try {
      await until(stack.http, [id], running(1), 10_000, 'job running');
      await stack.worker!.kill();
      await sleep(2000);
      const state = hostState(stack.sandboxHost);
      expect(state.sandboxProcesses).toEqual([]);
      expect(state.prepared).toBe(0); // the prepared sandboxes went too
      expect(state.runCgroups).toEqual([]);
    } finally {
      await freshWorker(); // takes the slots over (and whatever the dead worker left in them)
      await request(stack.http).delete(`/v1/jobs/${id}`);
      await until(stack.http, [id], allFinal, 20_000, 'orphaned job final');
    }
  });

  it('the next job after the crashes runs normally', async () => {
    const id = await submit(stack.http, { language: 'python', source: 'print(6 * 7)' });
    const [job] = await until(stack.http, [id], allFinal, 20_000, 'job final');
    expect(job!.result?.run).toMatchObject({ verdict: 'ok', stdout: '42\n' });
    await expectCleanHost(stack.sandboxHost, baselineMounts);
  });
});
