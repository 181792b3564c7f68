/**
 * Boxes are made and removed here: a small box is unlinked in place, anything bigger or deeper
 * is handed to the launcher's `--box-remove`, however many entries a program made; on tmpfs (a
 * slot's workspace: /dev/shm here) and on another filesystem (the temporary directory) alike. The
 * launcher is replaced at its process boundary by a script that records its calls and removes the box.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBox, removeBox } from './workspace';

/** TMPFS_MAGIC (statfs(2)). */
const TMPFS = 0x01021994;
const places = [tmpdir(), ...(existsSync('/dev/shm') && statfsSync('/dev/shm').type === TMPFS ? ['/dev/shm'] : [])];

describe.each(places)('workspace boxes under %s', (place) => {
  let dir: string;
  let launcher: string;
  let log: string;
  const home = () => ({ workspaceDir: join(dir, 'ws'), uid: process.getuid!(), gid: process.getgid!() });
  const launcherCalls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  beforeEach(() => {
    dir = mkdtempSync(join(place, 'workspace-spec-'));
    mkdirSync(join(dir, 'ws'));
    log = join(dir, 'calls');
    launcher = join(dir, 'launcher');
    // --box-remove=NAME --workspace=DIR: records the call, then removes DIR/NAME.
    writeFileSync(launcher, `#!/bin/sh\necho "$1" >> ${log}\nrm -rf "\${2#--workspace=}/\${1#--box-remove=}"\n`);
    chmodSync(launcher, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names every box afresh', async () => {
    const boxes = await Promise.all(Array.from({ length: 600 }, () => createBox(home(), [])));
    const names = new Set(boxes.map((b) => b.name));
    expect(names.size).toBe(600);
    for (const name of names) expect(name).toMatch(/^box-[0-9a-f]{16}$/);
  });

  it('unlinks a small box itself, and a box that is gone already is no error', async () => {
    const box = await createBox(home(), [{ path: 'main.sh', content: 'echo hi', encoding: 'utf8' }]);
    writeFileSync(join(box.path, 'out.txt'), 'made by the program');
    await removeBox(box, launcher);
    expect(existsSync(box.path)).toBe(false);
    await removeBox(box, launcher);
    expect(launcherCalls()).toEqual([]);
  });

  it('hands a box with a directory, or with more entries than it lists, to the launcher', async () => {
    const deep = await createBox(home(), []);
    mkdirSync(join(deep.path, 'sub'));
    const many = await createBox(home(), []);
    for (let i = 0; i < 65; i++) writeFileSync(join(many.path, `f${i}`), '');
    const most = await createBox(home(), []);
    for (let i = 0; i < 64; i++) writeFileSync(join(most.path, `f${i}`), '');
    for (const box of [deep, many, most]) await removeBox(box, launcher);
    for (const box of [deep, many, most]) expect(existsSync(box.path)).toBe(false);
    expect(launcherCalls()).toEqual([`--box-remove=${deep.name}`, `--box-remove=${many.name}`]);
  });
});
