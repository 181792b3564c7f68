/**
 * A live job's side of its runs (JobData.live; libs/contract live.ts): each run of the compile or
 * of the program is a streamed run of the sandbox server, its stages, output chunks and end are
 * published on the job's own channel, and in a session the program's stdin is fed, while it
 * runs, from the list the session's API appends to.
 *
 * Bounded: a stream's chunks are joined and go out at most every LIVE_INTERVAL_MS, at most the
 * run's outputBytes of each (the launcher keeps no more either), and a session's input at most
 * MAX_STDIN_BYTES over the job. Fire-and-forget like every progress event: the final job is the
 * record, this is the view while it runs.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Redis } from 'ioredis';
import { LIVE_INTERVAL_MS, type JobData, type LiveMessage, type LiveStage, type OutputEncoding, type OutputStream } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { liveChannel, sessionInputKey } from '@runbox/queue';
import type { LiveIo } from '../sandbox/launcher';
import type { RawRun } from './output';

/** How long one wait for a session's input blocks before it looks again whether the run is still going. */
const INPUT_POLL_S = 1;

/** One run's live side: what the sandbox server calls while the run goes, and `end` once it has. */
export interface LiveRun extends LiveIo {
  end(run: RawRun | null): void;
}

/** One stream of a run: bytes since the last message, what has gone out, when. */
class Outlet {
  private pending: Buffer[] = [];
  private sent = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly capBytes: number,
    private readonly encoding: OutputEncoding,
    private readonly publish: (data: string) => void,
  ) {}

  push(chunk: Buffer): void {
    const room = this.capBytes - this.sent;
    if (room <= 0) return;
    const take = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.pending.push(take);
    this.sent += take.length;
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastAt + LIVE_INTERVAL_MS - Date.now()));
  }

  /** Sends what is pending now; `last`: the stream has ended (a character cut at its end goes out as U+FFFD). */
  flush(last = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    // UTF-8 chunks end on a whole character: the decoder keeps a cut one for the next chunk.
    const data = this.encoding === 'base64' ? bytes.toString('base64') : this.decoder.write(bytes) + (last ? this.decoder.end() : '');
    if (data === '') return;
    this.lastAt = Date.now();
    this.publish(data);
  }
}

export class LiveJob {
  private input: Redis | null = null;
  private inputBytes = 0;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly config: Config,
    private readonly jobId: string,
    private readonly data: Pick<JobData, 'live' | 'outputEncoding'>,
  ) {}

  /** The live side of a run of `stage` (of test `test`) keeping `outputBytes` of each stream; announces it now. */
  run(stage: LiveStage, outputBytes: number, test?: number): LiveRun {
    const of = test === undefined ? { stage } : { stage, test };
    this.send({ type: 'stage', ...of });
    const encoding = this.data.outputEncoding ?? 'utf8';
    const outlet = (stream: OutputStream) =>
      new Outlet(outputBytes, encoding, (data) => this.send({ type: 'output', ...of, stream, data, encoding }));
    const outlets = { stdout: outlet('stdout'), stderr: outlet('stderr') };
    const session = this.data.live === 'session' && stage === 'run';
    return {
      onOutput: (stream, chunk) => outlets[stream].push(chunk),
      ...(session ? { feed: (write: (chunk: Buffer | null) => void) => this.feed(write) } : {}),
      end: (run) => {
        outlets.stdout.flush(true);
        outlets.stderr.flush(true);
        if (run) this.send({ type: 'exit', ...of, code: run.exitCode, signal: run.signal, verdict: run.verdict });
      },
    };
  }

  /** Closes the session's input connection (the job is over). */
  close(): void {
    this.closed = true;
    this.input?.disconnect();
    this.input = null;
  }

  private send(message: LiveMessage): void {
    this.redis.publish(liveChannel(this.config, this.jobId), JSON.stringify(message)).catch(() => undefined);
  }

  /**
   * Feeds the session's input to `write` until the returned stop is called: a blocking pop on a
   * connection of its own (the shared one must never block). What is not a string, or goes past
   * the job's stdin maximum, ends the program's stdin.
   */
  private feed(write: (chunk: Buffer | null) => void): () => void {
    let stopped = false;
    const key = sessionInputKey(this.config, this.jobId);
    const conn = (this.input ??= this.redis.duplicate({ enableAutoPipelining: false, commandTimeout: (INPUT_POLL_S + 5) * 1000 }));
    conn.on('error', () => undefined); // reconnects by itself; a lost chunk is the session's loss
    void (async () => {
      while (!stopped && !this.closed) {
        let popped: [string, string] | null;
        try {
          popped = await conn.blpop(key, INPUT_POLL_S);
        } catch {
          if (stopped || this.closed) return;
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        if (stopped || !popped) continue;
        const chunk = Buffer.from(popped[1], 'utf8');
        this.inputBytes += chunk.length;
        if (this.inputBytes > this.config.requests.maxStdinBytes) return write(null);
        write(chunk);
      }
    })();
    return () => {
      stopped = true;
    };
  }
}
