/**
 * The serve-mode launcher's framing (native/README.md "serve"; native/src/serve.h), integers
 * little-endian. Requests: run `'R' id n args m stdin`, cancel `'C' id`. Responses: `id status`
 * then the report, stdout and stderr, each length-prefixed. Pure code: nothing here does I/O.
 */

/** One answer of the server: the launcher's status (exit code, or -signal) and what it wrote. */
export interface ResponseFrame {
  id: number;
  status: number;
  report: string;
  stdout: Buffer;
  stderr: Buffer;
}

/** A run request: the prepared mode's NUL-terminated arguments, then the program's stdin. */
export function encodeRun(id: number, args: readonly string[], stdin: Buffer): Buffer {
  const request = Buffer.from(args.map((a) => `${a}\0`).join(''));
  const head = Buffer.alloc(9);
  head.write('R', 0, 'latin1');
  head.writeUInt32LE(id, 1);
  head.writeUInt32LE(request.length, 5);
  const stdinLength = Buffer.alloc(4);
  stdinLength.writeUInt32LE(stdin.length);
  return Buffer.concat([head, request, stdinLength, stdin]);
}

export function encodeCancel(id: number): Buffer {
  const frame = Buffer.alloc(5);
  frame.write('C', 0, 'latin1');
  frame.writeUInt32LE(id, 1);
  return frame;
}

/**
 * Reassembles response frames from a byte stream cut anywhere. Bytes are joined only once enough
 * have arrived for the next length or part, so a large output costs a few copies, not one per chunk.
 */
export class ResponseReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes needed before parsing can get further. */
  private need = 12;

  push(chunk: Buffer): ResponseFrame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: ResponseFrame[] = [];
    while (this.size >= this.need) {
      const b = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [b];
      const parsed = parse(b);
      if (typeof parsed === 'number') {
        this.need = parsed;
        continue;
      }
      frames.push(parsed.frame);
      const rest = b.subarray(parsed.length);
      this.chunks = rest.length ? [rest] : [];
      this.size = rest.length;
      this.need = 12;
    }
    return frames;
  }
}

/** A frame and its length, or how many bytes are needed to get further. */
function parse(b: Buffer): { frame: ResponseFrame; length: number } | number {
  // The three parts' offsets first; nothing is copied until the whole frame is in.
  const starts: number[] = [];
  let off = 8;
  for (let i = 0; i < 3; i++) {
    if (b.length < off + 4) return off + 4;
    starts.push(off + 4);
    off += 4 + b.readUInt32LE(off);
    if (b.length < off) return off;
  }
  // Copies: a part must not pin the whole (possibly large) buffer it came in.
  const [report, stdout, stderr] = starts.map((start) => Buffer.from(b.subarray(start, start + b.readUInt32LE(start - 4)))) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  return { frame: { id: b.readUInt32LE(0), status: b.readInt32LE(4), report: report.toString('utf8'), stdout, stderr }, length: off };
}
