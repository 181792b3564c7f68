/**
 * SIGTERM to a worker drains it as documented: it takes no new job, lets its running jobs finish
 * within SHUTDOWN_GRACE_MS, aborts those still running at the deadline (they are retried by
 * another worker), leaves no sandbox behind, and exits.
 */
import { startWorker, type WorkerProcess } from '../support/worker';
import type { Stack } from '../support/stack';
import { expectCleanHost, hostState } from '../support/host-state';
import { allFinal, running, sleeper, startFaultStack, submit, until } from './fault-helpers';

jest.setTimeout(120_000);

describe('SIGTERM to a worker', () => {
  let stack: Stack;
  let worker: WorkerProcess;
  let baselineMounts: number;

  beforeAll(async () => {
    stack = await startFaultStack({ SHUTDOWN_GRACE_MS: '5000' });
    worker = stack.worker!;
    baselineMounts = hostState(stack.sandboxHost).mounts;
  });
  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  /** SIGTERM, then how long the worker took to exit. */
  const terminate = async (w: WorkerProcess) => {
    const started = Date.now();
    await w.stop();
    return Date.now() - started;
  };

  it('finishes its running jobs within the grace period, takes no new one, and exits', async () => {
    const runningIds = [await submit(stack.http, sleeper('r0', 2)), await submit(stack.http, sleeper('r1', 2))];
    await until(stack.http, runningIds, running(2), 10_000, 'two jobs running');
    const queuedIds = [await submit(stack.http, sleeper('q0', 0)), await submit(stack.http, sleeper('q1', 0))];

    const exit = terminate(worker);
    const duringDrain = await submit(stack.http, sleeper('q2', 0));
    const tookMs = await exit;
    expect(tookMs).toBeLessThan(5000);

    const ran = await until(stack.http, runningIds, allFinal, 1000, 'running jobs final once the worker exited');
    expect(ran.map((j) => [j.status, j.result?.run?.stdout])).toEqual([
      ['completed', 'r0\n'],
      ['completed', 'r1\n'],
    ]);
    const waiting = await until(stack.http, [...queuedIds, duringDrain], () => true, 1000, 'queued jobs');
    expect(waiting.map((j) => [j.status, j.startedAt])).toEqual([
      ['queued', null],
      ['queued', null],
      ['queued', null],
    ]);
    await expectCleanHost(stack.sandboxHost, baselineMounts);
    expect(hostState(stack.sandboxHost).prepared).toBe(0);

    // The jobs it left are anybody's: the next worker runs them.
    worker = await startWorker(stack.env);
    const rest = await until(stack.http, [...queuedIds, duringDrain], allFinal, 20_000, 'queued jobs final');
    expect(rest.map((j) => [j.status, j.result?.run?.stdout])).toEqual([
      ['completed', 'q0\n'],
      ['completed', 'q1\n'],
      ['completed', 'q2\n'],
    ]);
    await terminate(worker);
  });

  it('aborts a job still running at the deadline; another worker runs it again', async () => {
    worker = await startWorker({ ...stack.env, SHUTDOWN_GRACE_MS: '1000' });
    const id = await submit(stack.http, sleeper('long', 4));
    await until(stack.http, [id], running(1), 10_000, 'job running');

    const tookMs = await terminate(worker);
    expect(tookMs).toBeLessThan(1000 + 3000); // the grace, then killing the sandbox and tearing down
    const [aborted] = await until(stack.http, [id], () => true, 1000, 'job');
    expect(aborted!.status).toBe('queued'); // back in the queue for another attempt, not lost or failed
    await expectCleanHost(stack.sandboxHost, baselineMounts);

    worker = await startWorker(stack.env);
    const [job] = await until(stack.http, [id], allFinal, 20_000, 'job final');
    expect([job!.status, job!.result?.run?.stdout]).toEqual(['completed', 'long\n']);
  });
});
