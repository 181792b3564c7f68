/**
 * The only code that writes into a box or removes one. Boxes live on their slot's size-limited
 * tmpfs. The rule, for a root process next to programs it does not trust:
 * - Files are written only into a box nothing has run in yet: a fresh one (createBox), or a fresh
 *   copy (cloneBox) made before its run starts — each test and each custom-checker call gets one.
 * - Once a program has run in a box, the worker never writes, follows or chowns anything in it.
 *   It reads a compiled box only to copy it (cloneBox), after every process of the compile has
 *   ended, taking regular files and directories and following no link; the owners it sets are
 *   on the fresh copy's entries, which it has just made itself. Output files are read by the
 *   launcher as the slot's uid (collect.ts), never here.
 * - It removes a box only once no process of its run lives, which unlinks symlinks, hardlinks
 *   and FIFOs without following them (Judge0 CVE-2024-28185/28189).
 */
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  closeSync,
  constants,
  cpSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { filePathProblem, type SourceFile } from '@runbox/contract';
import { removeBoxTree } from './launcher';
import { SandboxError } from './sandbox.errors';

export interface Box {
  /** Directory name inside the workspace (what the launcher binds at /box). */
  name: string;
  /** Host path of the box. */
  path: string;
}

function decode(file: SourceFile): Buffer {
  return file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8');
}

/**
 * Creates a fresh, empty box owned by the slot's uid, and writes `files` into it (root-owned,
 * read-only to the program: a program may add files, not rewrite its inputs).
 */
export function createBox(workspaceDir: string, uid: number, gid: number, files: readonly SourceFile[]): Box {
  const name = `box-${randomBytes(8).toString('hex')}`;
  const path = join(workspaceDir, name);
  // Synchronous on purpose: a few small writes to a tmpfs cost microseconds, while each await
  // would cost an event-loop turn on the job's critical path.
  mkdirSync(path, { mode: 0o755 });
  for (const file of files) writeFileInBox(path, file);
  chownSync(path, uid, gid);
  return { name, path };
}

/** Writes one file. Its path was validated by the API and again by `parseJobData`; check once more here, where it matters. */
export function writeFileInBox(boxPath: string, file: SourceFile): void {
  const problem = filePathProblem(file.path);
  if (problem) throw new SandboxError(`file path ${JSON.stringify(file.path)} ${problem}`);
  const target = join(boxPath, file.path);
  if (!target.startsWith(boxPath + '/')) throw new SandboxError(`file path ${JSON.stringify(file.path)} leaves the box`);
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  // O_EXCL|O_NOFOLLOW: never write through something already there.
  const fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeFileSync(fd, decode(file));
  } finally {
    closeSync(fd);
  }
}

/**
 * A fresh copy of a compiled box for one test, next to it on the slot's tmpfs. Only regular files
 * and directories are copied (a compiler may run code of the job's, so the source box may hold
 * anything): no symlink is followed or copied, no FIFO or device opened. Every copy keeps its
 * original's owner, so the test's program gets what a single run gets: the box and what the
 * compiler made are the slot's, the inputs stay root's and read-only to it.
 */
export function cloneBox(source: Box): Box {
  const name = `box-${randomBytes(8).toString('hex')}`;
  const path = join(dirname(source.path), name);
  cpSync(source.path, path, {
    recursive: true,
    dereference: false,
    errorOnExist: true,
    force: false,
    filter: (src) => {
      const st = lstatSync(src);
      return st.isDirectory() || st.isFile();
    },
  });
  // The copy holds only what the filter let through, and nothing has run in it yet.
  const sameOwner = (src: string, dst: string): void => {
    const st = lstatSync(src);
    lchownSync(dst, st.uid, st.gid);
    if (st.isDirectory()) for (const entry of readdirSync(dst)) sameOwner(join(src, entry), join(dst, entry));
  };
  sameOwner(source.path, path);
  return { name, path };
}

/** Entries a box may hold at its top level to be removed here, synchronously. */
const SYNC_REMOVE_ENTRIES = 64;

/**
 * Removes a box and everything a program left in it, following nothing; called only once no
 * process of its run lives (SlotPool). The usual box (the sources, a binary, a few outputs, no
 * directory) goes here and synchronously: each entry is one name in the box, unlinked without
 * being followed, some tens of microseconds in all, where a launcher would cost a fork of this
 * large process on every job. Anything else — a directory, many entries — is removed by the
 * launcher's `--box-remove`, which walks the tree by directory descriptors, so no depth a program
 * builds (past PATH_MAX) and no symlink it plants can stop or redirect it. Rejects when something
 * of the box cannot be removed: the slot then gets a fresh workspace.
 */
export async function removeBox(box: Box, launcherPath: string): Promise<void> {
  let entries: Dirent[] | null = null;
  try {
    entries = readdirSync(box.path, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
  }
  if (entries && entries.length <= SYNC_REMOVE_ENTRIES && entries.every((e) => !e.isDirectory())) {
    rmSync(box.path, { recursive: true, force: true });
    return;
  }
  await removeBoxTree(launcherPath, dirname(box.path), box.name);
}
