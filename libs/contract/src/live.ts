/**
 * What a live job's worker publishes while the job runs (its own channel, `liveChannel` in
 * libs/queue keys.ts), and what an interactive session sends to the program (`sessionInputKey`).
 * Only jobs queued with `live` publish anything: a stage when a run of the program starts, its
 * output in chunks (at most one message per stream every LIVE_INTERVAL_MS, at most the run's
 * `outputBytes` of each stream), and its end.
 */
import type { OutputEncoding, Run } from './run';

/** The runs a live job publishes: the compile, and the program's runs (its single run, or each test). Never a checker's or an unpacking's. */
export const LIVE_STAGES = ['compile', 'run'] as const;
export type LiveStage = (typeof LIVE_STAGES)[number];
export type OutputStream = 'stdout' | 'stderr';

/** Chunks of one stream go out at most this often: a program writing a byte at a time costs one message per interval, not one per write. */
export const LIVE_INTERVAL_MS = 50;

interface LiveOf {
  stage: LiveStage;
  /** The test's index, for a run of a job with tests. */
  test?: number;
}

export type LiveMessage =
  | ({ type: 'stage' } & LiveOf)
  | ({ type: 'output'; stream: OutputStream; data: string; encoding: OutputEncoding } & LiveOf)
  | ({ type: 'exit'; code: number | null; signal: string | null; verdict: Run['verdict'] } & LiveOf);

/** A job's `output` event on its event stream (GET /v1/jobs/{id}/events). */
export type OutputEventData = Omit<Extract<LiveMessage, { type: 'output' }>, 'type'>;
