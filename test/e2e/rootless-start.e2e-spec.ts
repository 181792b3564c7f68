/**
 * A rootless worker refuses to start, and says what to fix, when what its mode needs is missing:
 * slot ids outside its user's subordinate range, a cgroup parent that is not delegated to it. Runs
 * with a worker user (RUNBOX_TEST_WORKER_USER, as test/rootless/run.sh sets it up); a root worker
 * has nothing of this to check.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@runbox/config';
import { cgroupLayout, sweepCgroups } from '../support/host-state';
import { delegateCgroup, workerUser } from '../support/rootless';
import { testRedisUrl, uniquePrefix } from '../support/stack';
import { startWorker } from '../support/worker';

jest.setTimeout(60_000);

const user = workerUser();
const suite = user ? describe : describe.skip;

suite('a rootless worker that cannot start says why', () => {
  const env = (over: Record<string, string>) => ({
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniquePrefix(),
    LOG_LEVEL: 'silent',
    WORKER_SLOTS: '2',
    WORKSPACE_DIR: `/tmp/runbox-rootless-start-${randomBytes(4).toString('hex')}/slots`,
    WORKER_UID_BASE: String(user!.subFirst + 3000),
    ...over,
  });
  const launcherPath = loadConfig({}).worker.launcherPath;
  const mode = cgroupLayout({ launcherPath, cgroupParent: 'runbox' }).mode;
  afterAll(() => {
    for (const parent of [`runbox-start-${process.pid}-ids`, `runbox-start-${process.pid}-cg`])
      sweepCgroups({ launcherPath, cgroupParent: parent }, true);
  });

  it('slot ids outside the subordinate range', async () => {
    const parent = `runbox-start-${process.pid}-ids`;
    delegateCgroup(launcherPath, parent, user!);
    await expect(startWorker(env({ CGROUP_PARENT: parent, WORKER_UID_BASE: '60000' }), { user: user!, mode })).rejects.toThrow(
      /worker exited with 1:[\s\S]*the slots' uids 60000-60001 \(WORKER_UID_BASE \+ slot\) are not in the worker user's subordinate range \(\/etc\/subuid: \d+-\d+\)/,
    );
  });

  it('a cgroup parent that is not delegated', async () => {
    // nothing chowned: the parent is root's (v1), or the worker is not inside it (v2)
    const parent = `runbox-start-${process.pid}-cg`;
    await expect(startWorker(env({ CGROUP_PARENT: parent }), { user: user!, mode: 'v1' })).rejects.toThrow(
      mode === 'v1'
        ? /the cgroup parent runbox-start-\d+-cg cannot be used: cgroup v1 parent .* is not usable by this user/
        : /the cgroup parent runbox-start-\d+-cg cannot be used: this process is in \/.*, outside \/sys\/fs\/cgroup\/runbox-start-\d+-cg: start the worker inside the delegated group/,
    );
  });
});
