/**
 * Output files: runs the launcher's `--box-collect` helper (native/src/collect.c), which reads
 * what a program left in its box without following anything it planted, and parses its stream.
 * Nothing in that stream is trusted: it describes a hostile program's files. Every length is
 * checked against the caps asked for before it is used, the whole stream is bounded, and names
 * are bytes that may not be UTF-8 or may hold a newline.
 */
import { spawn } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import type { OutputFileSkip } from '@runbox/contract';
import type { SandboxSetup } from './launcher';
import { SandboxError } from './sandbox.errors';

export interface CollectCaps {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

/** One match as the helper reported it: its bytes, or why it was not read. */
export type CollectedEntry =
  | { kind: 'file'; path: Buffer; size: number; truncated: boolean; content: Buffer }
  | { kind: 'skipped'; path: Buffer; reason: OutputFileSkip };

export interface Collected {
  entries: CollectedEntry[];
  omitted: number;
}

/** collect.c's `enum skip_reason`, in order from 1. */
const SKIP_CODES: readonly OutputFileSkip[] = ['symlink', 'directory', 'not_regular', 'hardlink', 'total_bytes', 'unreadable'];
/** Longest path the helper can report: MAX_COMPONENTS names of NAME_MAX bytes and their slashes. */
const MAX_PATH_BYTES = 8 * 256;

/** Parses the helper's stream; throws on anything out of shape or beyond `caps`. */
export function parseCollected(b: Buffer, caps: CollectCaps): Collected {
  const entries: CollectedEntry[] = [];
  let off = 0;
  let total = 0;
  const bad = (what: string) => new SandboxError(`--box-collect: bad ${what} at byte ${off}`);
  const need = (n: number) => {
    if (off + n > b.length) throw bad('length');
  };
  const u32 = () => (need(4), (off += 4), b.readUInt32LE(off - 4));
  const bytes = (n: number, max: number, what: string) => {
    if (n > max) throw bad(what);
    need(n);
    off += n;
    return Buffer.from(b.subarray(off - n, off));
  };
  for (;;) {
    need(1);
    const kind = String.fromCharCode(b[off++]!);
    if (kind === 'E') {
      const omitted = u32();
      if (off !== b.length) throw bad('end');
      return { entries, omitted };
    }
    if (kind !== 'F' && kind !== 'S') throw bad('record');
    if (entries.length >= caps.maxFiles) throw bad('count');
    const path = bytes(u32(), MAX_PATH_BYTES, 'path');
    if (path.length === 0 || path.includes(0)) throw bad('path');
    if (kind === 'S') {
      need(1);
      const reason = SKIP_CODES[b[off++]! - 1];
      if (!reason) throw bad('reason');
      entries.push({ kind: 'skipped', path, reason });
      continue;
    }
    need(9);
    const size = Number(b.readBigUInt64LE(off));
    off += 8;
    const truncated = b[off++] === 1;
    const content = bytes(u32(), Math.min(caps.maxFileBytes, caps.maxTotalBytes - total), 'content length');
    total += content.length;
    if (!Number.isSafeInteger(size) || size < content.length || (!truncated && size !== content.length)) throw bad('size');
    entries.push({ kind: 'file', path, size, truncated, content });
  }
}

/**
 * Whether a reported name can be given to a client as the path it is: UTF-8, no control
 * characters (a newline would forge a line in a client's listing). Others are skipped as
 * `unsafe_name`, their path given lossily.
 */
export function safeName(path: Buffer): boolean {
  return isUtf8(path) && !path.some((byte) => byte < 0x20 || byte === 0x7f);
}

/**
 * The files of box `box` matching `patterns`. The caller guarantees that no process of the run
 * lives (a run with a valid report: the launcher removed its cgroup first).
 */
export function collectFiles(setup: SandboxSetup, box: string, patterns: readonly string[], caps: CollectCaps): Promise<Collected> {
  const args = [
    `--box-collect=${box}`,
    `--workspace=${setup.workspaceDir}`,
    `--uid=${setup.uid}`,
    `--gid=${setup.gid}`,
    `--max-files=${caps.maxFiles}`,
    `--file-bytes=${caps.maxFileBytes}`,
    `--total-bytes=${caps.maxTotalBytes}`,
    '--',
    ...patterns,
  ];
  // Records' heads and paths, the content caps, and the end record.
  const streamCap = caps.maxFiles * (1 + 4 + MAX_PATH_BYTES + 8 + 1 + 4) + caps.maxTotalBytes + 5;
  return new Promise((resolve, reject) => {
    const child = spawn(setup.launcherPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > streamCap) child.kill('SIGKILL');
      else chunks.push(c);
    });
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2048)));
    child.once('error', (e) => reject(new SandboxError(`cannot run ${setup.launcherPath}`, { cause: e })));
    child.once('close', (code) => {
      if (code !== 0 || size > streamCap)
        return reject(new SandboxError(`launcher --box-collect failed (exit ${code})`, { stderrTail: stderr }));
      try {
        resolve(parseCollected(Buffer.concat(chunks), caps));
      } catch (e) {
        reject(e instanceof Error ? e : new SandboxError(String(e)));
      }
    });
  });
}
