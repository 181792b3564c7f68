/**
 * The serve-mode launcher's framing (native/README.md "serve"; native/src/serve.h), integers
 * little-endian. Requests: run `'R' id n args m stdin`, cancel `'C' id`, streamed run `'S'` as a
 * run, input `'I' id n bytes`. Responses: `id status` then the report, stdout and stderr, each
 * length-prefixed; a streamed run's `'O' id stream n bytes` per chunk, then `'A'` and its answer.
 * Pure code: nothing here does I/O.
 */

/** One answer of the server: the launcher's status (exit code, or -signal) and what it wrote. */
export interface ResponseFrame {
  id: number;
  status: number;
  report: string;
  stdout: Buffer;
  stderr: Buffer;
}

/** One chunk of a streamed run's output, as the server read it. */
export interface OutputFrame {
  id: number;
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/** A run request: the prepared mode's NUL-terminated arguments, then the program's stdin; `S` streams it. */
export function encodeRun(id: number, args: readonly string[], stdin: Buffer, type: 'R' | 'S' = 'R'): Buffer {
  const request = Buffer.from(args.map((a) => `${a}\0`).join(''));
  const head = Buffer.alloc(9);
  head.write(type, 0, 'latin1');
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

/** More stdin for streamed run `id`; an empty `data` closes it. */
export function encodeInput(id: number, data: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.write('I', 0, 'latin1');
  head.writeUInt32LE(id, 1);
  head.writeUInt32LE(data.length, 5);
  return Buffer.concat([head, data]);
}

/** Bytes of an output frame's head: tag, id, stream, length. */
const OUTPUT_HEAD = 10;

/**
 * Reassembles response frames from a byte stream cut anywhere. Bytes are joined only once enough
 * have arrived for the next length or part, so a large output costs a few copies, not one per chunk.
 */
export class ResponseReader {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes needed before parsing can get further. */
  private need = 12;
  /** The run being answered is streamed: its frames are tagged, and its output frames go to `onOutput`. Set only between runs. */
  private tagged = false;

  constructor(private readonly onOutput: (frame: OutputFrame) => void = () => undefined) {}

  /** The next run's frames are tagged (a streamed run) or not; called before its request goes out. */
  expectStreamed(streamed: boolean): void {
    this.tagged = streamed;
    this.need = streamed ? 1 : 12;
  }

  push(chunk: Buffer): ResponseFrame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const frames: ResponseFrame[] = [];
    while (this.size >= this.need) {
      const b = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.chunks = [b];
      const parsed = this.tagged ? parseTagged(b) : parse(b);
      if (typeof parsed === 'number') {
        this.need = parsed;
        continue;
      }
      if ('stream' in parsed.frame) {
        this.onOutput(parsed.frame);
      } else {
        frames.push(parsed.frame);
        this.tagged = false; // the run is answered: the next one says what it is
      }
      const rest = b.subarray(parsed.length);
      this.chunks = rest.length ? [rest] : [];
      this.size = rest.length;
      this.need = this.tagged ? 1 : 12;
    }
    return frames;
  }
}

/** A streamed run's frame ('O' output or 'A' answer) and its length, or how many bytes are needed. */
function parseTagged(b: Buffer): { frame: ResponseFrame | OutputFrame; length: number } | number {
  const tag = String.fromCharCode(b[0]!);
  if (tag === 'A') {
    const answer = parse(b.subarray(1));
    return typeof answer === 'number' ? answer + 1 : { frame: answer.frame, length: answer.length + 1 };
  }
  if (tag !== 'O') throw new Error(`serve frame tag ${JSON.stringify(tag)}`);
  if (b.length < OUTPUT_HEAD) return OUTPUT_HEAD;
  const length = OUTPUT_HEAD + b.readUInt32LE(6);
  if (b.length < length) return length;
  const stream = b[5] === 1 ? 'stdout' : b[5] === 2 ? 'stderr' : null;
  if (!stream) throw new Error(`serve output stream ${b[5]}`);
  return { frame: { id: b.readUInt32LE(1), stream, data: Buffer.from(b.subarray(OUTPUT_HEAD, length)) }, length };
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
