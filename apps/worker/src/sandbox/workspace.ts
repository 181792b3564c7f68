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
import {
  chownSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmdirSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { chmod, chown, copyFile, lchown, lstat, mkdir, open, readdir, rm } from 'node:fs/promises';
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

// Box work is asynchronous wherever its cost grows with what a job sent or a program made (a
// compiled binary of megabytes copied for every test, a large source, a tree to walk): done
// synchronously, it would stall the event loop that every slot's runs and the queue's lock
// renewals are served from (cpSync of a 2 MiB binary held it 2–4 ms). The usual job's box, a few
// small sources and a few entries to unlink, is made and unlinked synchronously: measured on
// tmpfs, that is ~50 µs of CPU per job against ~170 µs for the same calls through the thread
// pool, and it holds the loop for less time than the thread pool's round trips would take.
const SMALL_BOX_BYTES = 64 * 1024;
const SMALL_BOX_FILES = 16;
/** Entries a box may hold at its top level to be unlinked here rather than removed by the launcher. */
const DIRECT_REMOVE_ENTRIES = 64;
/** What tmpfs counts in a directory's size for each of its entries (BOGO_DIRENT_SIZE in the kernel's mm/shmem.c). */
const TMPFS_DIRENT_BYTES = 20;
/** O_EXCL|O_NOFOLLOW: never write through something already there. */
const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Bytes of randomness in a box name. */
const NAME_BYTES = 8;
/**
 * Random bytes for box names, drawn from the CSPRNG a page at a time: one call per 512 boxes
 * rather than one per box, which cost ~2.5 µs of the worker's CPU per box on this path.
 */
let namePool = Buffer.alloc(0);
let namePoolAt = 0;
function newName(): string {
  if (namePoolAt + NAME_BYTES > namePool.length) {
    namePool = randomBytes(512 * NAME_BYTES);
    namePoolAt = 0;
  }
  const name = `box-${namePool.toString('hex', namePoolAt, namePoolAt + NAME_BYTES)}`;
  namePoolAt += NAME_BYTES;
  return name;
}

function decode(file: SourceFile): Buffer {
  return file.encoding === 'base64' ? Buffer.from(file.content, 'base64') : Buffer.from(file.content, 'utf8');
}

/** Where `file` goes in the box. Its path was validated by the API and again by `parseJobData`; check once more here, where it matters. */
function targetOf(boxPath: string, file: SourceFile): string {
  const problem = filePathProblem(file.path);
  if (problem) throw new SandboxError(`file path ${JSON.stringify(file.path)} ${problem}`);
  const target = join(boxPath, file.path);
  if (!target.startsWith(boxPath + '/')) throw new SandboxError(`file path ${JSON.stringify(file.path)} leaves the box`);
  return target;
}

/**
 * Creates a fresh, empty box owned by the slot's uid, and writes `files` into it (root-owned,
 * read-only to the program: a program may add files, not rewrite its inputs).
 */
export async function createBox(home: BoxHome, files: readonly SourceFile[]): Promise<Box> {
  const name = newName();
  const path = join(home.workspaceDir, name);
  const contents = files.map((file) => ({ target: targetOf(path, file), bytes: decode(file) }));
  if (contents.length <= SMALL_BOX_FILES && contents.reduce((n, c) => n + c.bytes.length, 0) <= SMALL_BOX_BYTES) {
    mkdirSync(path, { mode: 0o755 });
    for (const { target, bytes } of contents) {
      if (dirname(target) !== path) mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      const fd = openSync(target, EXCLUSIVE, 0o644);
      try {
        writeSync(fd, bytes);
      } finally {
        closeSync(fd);
      }
    }
    chownSync(path, home.uid, home.gid);
  } else {
    await mkdir(path, { mode: 0o755 });
    await Promise.all(contents.map(({ target, bytes }) => writeExclusive(path, target, bytes)));
    await chown(path, home.uid, home.gid);
  }
  return { name, path, uid: home.uid, gid: home.gid };
}

/** Writes one file into a box nothing has run in yet. */
export function writeFileInBox(boxPath: string, file: SourceFile): Promise<void> {
  return writeExclusive(boxPath, targetOf(boxPath, file), decode(file));
}

async function writeExclusive(boxPath: string, target: string, bytes: Buffer): Promise<void> {
  if (dirname(target) !== boxPath) await mkdir(dirname(target), { recursive: true, mode: 0o755 });
  const fh = await open(target, EXCLUSIVE, 0o644);
  try {
    await fh.writeFile(bytes);
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
  let names: string[] | null = null;
  try {
    names = smallBoxNames(box.path);
    if (!names) {
      // Listed through the thread pool: how many names there are is the program's choice.
      const entries = await readdir(box.path, { withFileTypes: true });
      if (entries.length <= DIRECT_REMOVE_ENTRIES && entries.every((e) => !e.isDirectory())) names = entries.map((e) => e.name);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
  }
  if (names) {
    for (const name of names) unlinkSync(join(box.path, name));
    rmdirSync(box.path);
    return;
  }
  await removeBoxTree(launcherPath, dirname(box.path), box.name);
}

/**
 * The names in box `path` when its own inode says it is small, else null. On tmpfs (a slot's
 * workspace) a directory's size is TMPFS_DIRENT_BYTES per entry, itself and its parent included,
 * and its link count 2 plus its subdirectories: a box that says it holds no directory and at most
 * DIRECT_REMOVE_ENTRIES entries is listed here, a bounded read, without the thread pool's round
 * trip (two thread switches where the worker shares its CPU with its sandboxes). Elsewhere
 * (another filesystem's sizes) it says nothing, and the box is listed as any other.
 */
function smallBoxNames(path: string): string[] | null {
  const st = lstatSync(path);
  if (!st.isDirectory() || st.nlink !== 2 || st.size > TMPFS_DIRENT_BYTES * (DIRECT_REMOVE_ENTRIES + 2)) return null;
  const names = readdirSync(path);
  return names.length <= DIRECT_REMOVE_ENTRIES ? names : null;
}
