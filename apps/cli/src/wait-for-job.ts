/**
 * Waits for a job to end. Listens to the job's SSE stream when the server offers one (a `test`
 * event per finished test drives the progress bar), and polls GET /v1/jobs/{id} otherwise, or
 * when the stream breaks. Either way the answer is the job as GET returns it once final.
 */
import type { JobStatus, JobView, TestResult } from '@runbox/contract';
import type { ApiClient } from './api-client';

export interface WaitHooks {
  onStatus?(status: JobStatus | 'compiled'): void;
  onTest?(index: number, test: TestResult): void;
}

export interface WaitOptions {
  timeoutMs: number;
  /** First delay between polls; it grows by half each time, up to MAX_POLL_MS. */
  pollMs?: number;
  hooks?: WaitHooks;
  /** Aborts the wait (Ctrl-C); the caller cancels the job. */
  signal?: AbortSignal;
  /** While following the stream, how often GET checks that the job has not ended unannounced. */
  watchdogMs?: number;
}

export class GaveUp extends Error {
  constructor(
    readonly jobId: string,
    timeoutMs: number,
  ) {
    super(`job ${jobId} did not finish within ${timeoutMs} ms`);
    this.name = 'GaveUp';
  }
}

/** Polls start fast (short jobs finish in a fraction of a second) and slow down for long ones. */
const MAX_POLL_MS = 1_000;

/** A stream that stays open but misses the final event must not hold the CLI until its timeout. */
const WATCHDOG_MS = 5_000;

/** The contract's FINAL_STATUSES (its values are not imported: the built CLI needs no runbox package at run time). */
const FINAL: ReadonlySet<string> = new Set<JobStatus>(['completed', 'failed', 'cancelled']);
const isFinal = (s: JobStatus) => FINAL.has(s);

/** The payload of an event: the event's `data` when the server sends the whole JobEvent envelope. */
function payload(raw: string): unknown {
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    return v && typeof v === 'object' && 'jobId' in v && 'type' in v ? v.data : v;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

export async function waitForJob(api: ApiClient, id: string, opts: WaitOptions): Promise<JobView> {
  const { hooks = {} } = opts;
  let pollMs = opts.pollMs ?? 100;
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const stop = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const check = () => {
    if (opts.signal?.aborted) throw opts.signal.reason;
    if (deadline.aborted) throw new GaveUp(id, opts.timeoutMs);
  };

  let lastStatus: JobStatus | undefined;
  const seen = new Set<number>();
  const streamEnd = new AbortController();
  const stream = await api.events(id, AbortSignal.any([stop, streamEnd.signal]));
  if (stream) {
    const watchdog = setInterval(() => {
      api.job(id).then(
        (v) => isFinal(v.status) && streamEnd.abort(),
        () => undefined,
      );
    }, opts.watchdogMs ?? WATCHDOG_MS);
    try {
      for await (const ev of stream) {
        const data = payload(ev.data) as (TestResult & { index?: number }) | undefined;
        if (ev.event === 'test' && data && typeof data.index === 'number' && !seen.has(data.index)) {
          seen.add(data.index);
          hooks.onTest?.(data.index, data);
        } else if (ev.event === 'queued' || ev.event === 'running') {
          if (ev.event !== lastStatus) hooks.onStatus?.((lastStatus = ev.event));
        } else if (ev.event === 'compiled') {
          hooks.onStatus?.('compiled');
        }
        if (FINAL.has(ev.event)) break;
      }
    } catch {
      /* the stream broke, or was aborted (Ctrl-C, timeout, watchdog): polling below decides */
    } finally {
      clearInterval(watchdog);
    }
  }

  // The final event can come a moment before BullMQ records the job as finished: poll until GET says so.
  for (;;) {
    check();
    const view = await api.job(id);
    if (view.status !== lastStatus) hooks.onStatus?.((lastStatus = view.status));
    if (isFinal(view.status)) return view;
    await sleep(pollMs, stop);
    pollMs = Math.min(MAX_POLL_MS, pollMs * 1.5);
  }
}
