/**
 * A box that cannot be removed costs the slot nothing: its workspace is unmounted and mounted
 * afresh before it takes another job. The launcher is replaced at its process boundary by a
 * script that records its helper calls and refuses --box-remove.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@runbox/config';
import type { LanguageRegistry } from '@runbox/languages';
import { SlotPool } from './slots';

describe('SlotPool', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'slots-spec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('mounts a fresh workspace before the next job when a box cannot be removed', async () => {
    const log = join(dir, 'calls');
    const launcher = join(dir, 'launcher');
    writeFileSync(
      launcher,
      `#!/bin/sh\necho "$1" >> ${log}\ncase "$1" in --box-remove=*) echo "cannot remove" >&2; exit 2;; esac\nexit 0\n`,
    );
    chmodSync(launcher, 0o755);
    const config = loadConfig({
      WORKER_SLOTS: '1',
      WORKSPACE_DIR: join(dir, 'slots'),
      LAUNCHER_PATH: launcher,
      PREPARED_SANDBOXES: 'false',
      CGROUP_PARENT: 'runbox-slots-spec',
    });
    const pool = new SlotPool(config, { allMounts: () => [] } as unknown as LanguageRegistry);
    await pool.start();
    const slot = await pool.acquire();
    const box = { name: 'box-1', path: join(slot.setup.workspaceDir, 'box-1') };
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
    await pool.close();
  });
});
