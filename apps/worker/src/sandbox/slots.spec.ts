/**
 * A box that cannot be removed costs the slot nothing: its workspace is unmounted and mounted
 * afresh before it takes another job. The slots ask the launcher for the cgroup layout once and have
 * it sweep killed launchers' cgroups. The launcher is replaced at its process boundary by a script
 * that records its helper calls, answers the cgroup helpers and refuses --box-remove.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@runbox/config';
import type { LanguageRegistry } from '@runbox/languages';
import { SlotPool } from './slots';

const INFO = {
  mode: 'v2',
  parent: 'runbox-slots-spec',
  hierarchies: [{ path: '/sys/fs/cgroup/runbox-slots-spec', controllers: ['memory', 'pids'] }],
  runGroup: 'run-{pid}-{n}',
};
const SWEEP = { removed: ['/sys/fs/cgroup/runbox-slots-spec/run-7-0'], kept: [], failed: [] };

describe('SlotPool', () => {
  let dir: string;
  let log: string;
  let argsLog: string;
  let pool: SlotPool;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slots-spec-'));
    log = join(dir, 'calls');
    argsLog = join(dir, 'calls-with-arguments');
    const launcher = join(dir, 'launcher');
    writeFileSync(
      launcher,
      `#!/bin/sh\necho "$1" >> ${log}\necho "$@" >> ${argsLog}\ncase "$1" in\n` +
        `--box-remove=*) echo "cannot remove" >&2; exit 2;;\n` +
        `--cgroup-info) echo '${JSON.stringify(INFO)}';;\n` +
        `--cgroup-sweep) echo '${JSON.stringify(SWEEP)}';;\nesac\nexit 0\n`,
    );
    chmodSync(launcher, 0o755);
    const config = loadConfig({
      WORKER_SLOTS: '1',
      WORKSPACE_DIR: join(dir, 'slots'),
      LAUNCHER_PATH: launcher,
      PREPARED_SANDBOXES: 'false',
      CGROUP_PARENT: 'runbox-slots-spec',
    });
    pool = new SlotPool(config, { allMounts: () => [] } as unknown as LanguageRegistry);
    await pool.start();
  });
  afterEach(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the launcher for the cgroup layout once and has it sweep at start and after an abnormal run', async () => {
    expect(pool.cgroups).toEqual(INFO);
    const cgroupCalls = () =>
      readFileSync(argsLog, 'utf8')
        .trim()
        .split('\n')
        .filter((c) => c.startsWith('--cgroup-'));
    expect(cgroupCalls()).toEqual(['--cgroup-info --cgroup-parent=runbox-slots-spec', '--cgroup-sweep --cgroup-parent=runbox-slots-spec']);

    const slot = await pool.acquire();
    pool.abnormalEnd(slot);
    await slot.settling;

    expect(cgroupCalls()).toEqual([
      '--cgroup-info --cgroup-parent=runbox-slots-spec',
      '--cgroup-sweep --cgroup-parent=runbox-slots-spec',
      '--cgroup-sweep --cgroup-parent=runbox-slots-spec',
    ]);
  });

  it('mounts a fresh workspace before the next job when a box cannot be removed', async () => {
    const slot = await pool.acquire();
    const box = { name: 'box-1', path: join(slot.setup.workspaceDir, 'box-1'), uid: slot.setup.uid, gid: slot.setup.gid };
    mkdirSync(join(box.path, 'd'), { recursive: true }); // a directory: removed by the launcher
    writeFileSync(log, '');

    pool.releaseAfter(slot, [box]);
    const next = await pool.acquire();

    expect(next).toBe(slot);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      `--box-remove=box-1`,
      `--workspace-unmount=${slot.setup.workspaceDir}`,
      `--workspace-mount=${slot.setup.workspaceDir}`,
    ]);
    expect(slot.spoiled).toBe(false);
  });

  it('gives a freed slot to a job waiting for its first before one that could use another, and a spare only when none waits', async () => {
    const config = loadConfig({
      WORKER_SLOTS: '2',
      WORKSPACE_DIR: join(dir, 'two-slots'),
      LAUNCHER_PATH: join(dir, 'launcher'),
      PREPARED_SANDBOXES: 'false',
      CGROUP_PARENT: 'runbox-slots-spec',
    });
    const two = new SlotPool(config, { allMounts: () => [] } as unknown as LanguageRegistry);
    await two.start();
    const first = await two.acquire();
    const spares: number[] = [];
    two.offerSpare((s) => spares.push(s.index)); // free now: taken at once
    expect(spares).toEqual([1]);
    const order: string[] = [];
    two.offerSpare(() => order.push('spare'));
    const waiting = two.acquire().then(() => order.push('first'));
    expect(two.contended).toBe(true);
    two.giveBack(first);
    await waiting;
    expect(order).toEqual(['first']);
    two.releaseAfter(first, []);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(['first', 'spare']);
    await two.close();
  });
});
