/**
 * A run's output as bytes until its view is built: the checkers judge text, the job's budget
 * counts bytes, and the client gets either text or the exact bytes (`outputEncoding`). Pure.
 */
import { isUtf8 } from 'node:buffer';
import type { ContentEncoding, OutputEncoding, Run } from '@runbox/contract';
import type { Collected } from '../sandbox/collect';

/** A run as the worker holds it: the client's fields (stdout and stderr as text, for judging), the bytes they came from, and its output files. */
export interface RawRun extends Run {
  raw: { stdout: Buffer; stderr: Buffer };
  collected?: Collected;
}

/** The longest prefix of `b` that does not end inside a UTF-8 sequence: a cut stream's last character is dropped, not made U+FFFD. */
export function utf8Prefix(b: Buffer): Buffer {
  let start = b.length;
  // A sequence is at most 4 bytes: look back at most 3 continuation bytes for its lead byte.
  while (start > 0 && b.length - start < 4 && (b[start - 1]! & 0xc0) === 0x80) start--;
  if (start === 0) return b;
  const lead = b[start - 1]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return b.length - (start - 1) < need ? b.subarray(0, start - 1) : b;
}

/** `bytes` as text; a stream that was cut loses the incomplete character at its end. */
export function textOf(bytes: Buffer, truncated: boolean): string {
  return (truncated ? utf8Prefix(bytes) : bytes).toString('utf8');
}

/** `bytes` in the encoding the job asked for, and how the client should read it (absent for plain UTF-8). */
export function encodeOutput(
  bytes: Buffer,
  truncated: boolean,
  asked: OutputEncoding,
): { content: string; encoding: ContentEncoding | undefined } {
  if (asked === 'base64') return { content: bytes.toString('base64'), encoding: 'base64' };
  const text = truncated ? utf8Prefix(bytes) : bytes;
  return { content: text.toString('utf8'), encoding: isUtf8(text) ? undefined : 'utf8-lossy' };
}
