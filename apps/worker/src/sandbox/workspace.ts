/**
 * The only code that writes into a box or removes one. Boxes live on their slot's size-limited
 * tmpfs. The rule, for a root process next to programs it does not trust:
 * - Files are written only into a box nothing has run in yet: a fresh one (createBox), or a fresh
 *   copy (cloneBox) made before its run starts — each test and each custom-checker call gets one.
 * - Once a program has run in a box, the worker never writes, follows or chowns anything in it.
 *   It reads a compiled box only to copy it (cloneBox), after every process of the compile has
 *   ended, taking regular files and directories and following no link; the owners it sets are
 *   on the fresh copy's entries, which it has just made itself. A copy may go to another slot's
 *   workspace (a job's tests run on every slot it may use): the source slot's ids become that
 *   slot's, so no run ever owns a file of another slot's uid. Output files are read by the
 *   launcher as the slot's uid (collect.ts), never here.
 * - It removes a box only once no process of its run lives, which unlinks symlinks, hardlinks
 *   and FIFOs without following them (Judge0 CVE-2024-28185/28189).
 */
import { randomBytes } from 'node:crypto';
import { constants, type Dirent, type Stats } from 'node:fs';
import { chmod, chown, copyFile, lchown, lstat, mkdir, open, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { filePathProblem, type SourceFile } from '@runbox/contract';
import { removeBoxTree } from './launcher';
import { SandboxError } from './sandbox.errors';

export interface Box {
  /** Directory name inside the workspace (what the launcher binds at /box). */
  name: string;
  /** Host path of the box. */
  path: string;
  /** The slot ids the box was made for: what a program run in it owns. */
  uid: number;
  gid: number;
}

/** Where a box goes and whose it is: a slot's workspace and ids (SandboxSetup has them). */
export interface BoxHome {
  workspaceDir: string;
  uid: number;
  gid: number;
}

// Every call here is asynchronous: a slot's box work (a compiled binary of megabytes copied for
// each test) must not stall the event loop that every other slot's runs and the queue's lock
// renewals are served from.

const newName = () => `box-${randomBytes(8).toString('hex')}`;

function decode(file: SourceFile): Buffer {
  return file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8');
}

/**
 * Creates a fresh, empty box owned by the slot's uid, and writes `files` into it (root-owned,
 * read-only to the program: a program may add files, not rewrite its inputs).
 */
export async function createBox(home: BoxHome, files: readonly SourceFile[]): Promise<Box> {
  const name = newName();
  const path = join(home.workspaceDir, name);
  await mkdir(path, { mode: 0o755 });
  await Promise.all(files.map((file) => writeFileInBox(path, file)));
  await chown(path, home.uid, home.gid);
  return { name, path, uid: home.uid, gid: home.gid };
}

/** Writes one file. Its path was validated by the API and again by `parseJobData`; check once more here, where it matters. */
export async function writeFileInBox(boxPath: string, file: SourceFile): Promise<void> {
  const problem = filePathProblem(file.path);
  if (problem) throw new SandboxError(`file path ${JSON.stringify(file.path)} ${problem}`);
  const target = join(boxPath, file.path);
  if (!target.startsWith(boxPath + '/')) throw new SandboxError(`file path ${JSON.stringify(file.path)} leaves the box`);
  if (dirname(target) !== boxPath) await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  // O_EXCL|O_NOFOLLOW: never write through something already there.
  const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await fh.writeFile(decode(file));
  } finally {
    await fh.close();
  }
}

/**
 * A fresh copy of a compiled box for one test or checker call, in the workspace of the slot that
 * runs it (`into`: the box's own slot or another one the job uses). Only regular files and
 * directories are copied (a compiler may run code of the job's, so the source box may hold
 * anything): no symlink is followed or copied, no FIFO or device opened; each entry's type comes
 * from lstat, and the source box does not change meanwhile (no process of its compile lives).
 * Every copy keeps its original's mode and owner, the source slot's ids becoming `into`'s, so the
 * program gets what a single run gets: the box and what the compiler made are the slot's, the
 * inputs stay root's and read-only to it.
 */
export async function cloneBox(source: Box, into: BoxHome): Promise<Box> {
  const name = newName();
  const path = join(into.workspaceDir, name);
  const owner = (st: Stats): [number, number] => [st.uid === source.uid ? into.uid : st.uid, st.gid === source.gid ? into.gid : st.gid];
  // The copy is ours alone until its run starts: nothing a program made is written through.
  const copy = async (src: string, dst: string, st: Stats): Promise<void> => {
    if (st.isDirectory()) {
      await mkdir(dst, { mode: 0o700 });
      await Promise.all(
        (await readdir(src)).map(async (entry) => {
          const from = join(src, entry);
          const est = await lstat(from);
          if (est.isDirectory() || est.isFile()) await copy(from, join(dst, entry), est);
        }),
      );
      await chmod(dst, st.mode & 0o7777);
    } else {
      await copyFile(src, dst, constants.COPYFILE_EXCL);
    }
    await lchown(dst, ...owner(st));
  };
  try {
    await copy(source.path, path, await lstat(source.path));
  } catch (e) {
    // Nothing ran in the part made: it goes now, or it would hold the slot's disk for good.
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  return { name, path, uid: into.uid, gid: into.gid };
}

/** Entries a box may hold at its top level to be removed here rather than by the launcher. */
const DIRECT_REMOVE_ENTRIES = 64;

/**
 * Removes a box and everything a program left in it, following nothing; called only once no
 * process of its run lives (SlotPool). The usual box (the sources, a binary, a few outputs, no
 * directory) goes here: each entry is one name in the box, unlinked without being followed, some
 * tens of microseconds in all, where a launcher would cost a fork of this large process on every
 * job. Anything else — a directory, many entries — is removed by the launcher's `--box-remove`,
 * which walks the tree by directory descriptors, so no depth a program builds (past PATH_MAX) and
 * no symlink it plants can stop or redirect it. Rejects when something of the box cannot be
 * removed: the slot then gets a fresh workspace.
 */
export async function removeBox(box: Box, launcherPath: string): Promise<void> {
  let entries: Dirent[] | null = null;
  try {
    entries = await readdir(box.path, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
  }
  if (entries && entries.length <= DIRECT_REMOVE_ENTRIES && entries.every((e) => !e.isDirectory())) {
    await Promise.all(entries.map((e) => unlink(join(box.path, e.name))));
    await rmdir(box.path);
    return;
  }
  await removeBoxTree(launcherPath, dirname(box.path), box.name);
}
