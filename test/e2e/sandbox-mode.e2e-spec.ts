/**
 * SANDBOX_MODE through the real service (API, Redis, worker, launcher): with `rootless` every run
 * lives in a user namespace of its own, whose map holds two ids (root for the sandbox's init and
 * the slot's uid, the same number outside); with `root` (the default) in the host's, which maps
 * every id to itself. Either way the program is the slot's uid.
 */
import { runJob } from '../support/jobs';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const READ_MAP = 'import os\nprint(os.getuid(), *open("/proc/self/uid_map").read().split())';

describe.each([
  ['root', (uid: number) => `${uid} 0 0 4294967295`],
  ['rootless', (uid: number) => `${uid} 0 0 1 ${uid} ${uid} 1`],
])('SANDBOX_MODE=%s', (mode, expected) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true, env: { SANDBOX_MODE: mode, WORKER_SLOTS: '1' } });
  });
  afterAll(() => stack?.stop());

  it("runs the program as the slot's uid with that mode's uid map", async () => {
    const job = await runJob(stack.http, { language: 'python', source: READ_MAP });
    const stdout: string = job.result.run.stdout.trim();
    const uid = Number(stdout.split(' ')[0]); // the slot the worker claimed: BASE + its index
    expect(uid).toBeGreaterThan(stack.config.worker.uidBase - 1);
    expect({ verdict: job.result.verdict, stdout }).toEqual({ verdict: 'ok', stdout: expected(uid) });
  });
});
