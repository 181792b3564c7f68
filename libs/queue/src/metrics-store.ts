/**
 * Job metrics shared through Redis. Workers are separate processes (often on other hosts), so
 * what they observe is counted in a few Redis hashes under the queue prefix; every API process
 * reads the same hashes when Prometheus scrapes it. Counters only grow, so any API answers the
 * same totals and Prometheus' rate() works across API restarts.
 *
 *   <prefix>:metrics:jobs              "<status>|<verdict>"      → jobs finished
 *   <prefix>:metrics:queue_wait        "<language>|<bucket>"     → histogram of queue waits
 *   <prefix>:metrics:run_duration      "<language>|<bucket>"     → histogram of run times
 *   <prefix>:metrics:sandbox_failures  "<language>"              → runbox's own run failures
 *
 * A histogram hash holds one counter per bucket (not cumulative: a value counts in the first
 * bucket whose bound it does not exceed, or in `inf`), plus `<language>|sum` (ms) and
 * `<language>|count`. `readMetrics` returns them cumulative, as Prometheus expects.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { JOB_STATUSES, VERDICTS, type JobStatus, type Verdict } from '@runbox/contract';
import { metricsKeys } from './keys';

/** Upper bounds (ms) of the duration buckets; fixed, so every process counts alike. */
export const DURATION_BUCKETS_MS: readonly number[] = Object.freeze([
  5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000,
]);

export interface JobFinished {
  status: JobStatus;
  verdict: Verdict | null;
  language: string;
  /** Only counted for a completed job. */
  queueWaitMs?: number;
  runMs?: number;
}

export interface HistogramSnapshot {
  language: string;
  /** Cumulative counts, one per `DURATION_BUCKETS_MS` bound, then +Inf (= count). */
  buckets: number[];
  sumMs: number;
  count: number;
}

export interface MetricsSnapshot {
  jobsFinished: { status: JobStatus; verdict: Verdict | null; count: number }[];
  queueWait: HistogramSnapshot[];
  runDuration: HistogramSnapshot[];
  sandboxFailures: { language: string; count: number }[];
}

const NO_VERDICT = 'none';
const INF = 'inf';
const LANGUAGE = /^[a-z][a-z0-9+_-]{0,63}$/;

/** The bucket field a duration counts in: the first bound it does not exceed, or `inf`. */
export function bucketOf(ms: number): string {
  const i = DURATION_BUCKETS_MS.findIndex((le) => ms <= le);
  return i < 0 ? INF : String(DURATION_BUCKETS_MS[i]);
}

/** A language id safe as a hash field and a label (ids are lowercase names); anything else counts as `other`. */
const languageLabel = (language: string): string => (LANGUAGE.test(language) ? language : 'other');

const durationMs = (ms: number): number => (Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0);

/** One counter to add to: hash `key`, field `field`, by `by`. */
export type Increment = readonly [key: string, field: string, by: number];

/**
 * What a job that reached a final status adds to the counters. Durations only mean something for
 * jobs that ran to completion, so cancelled and failed jobs count in `jobs` but not in the
 * histograms.
 */
export function jobFinishedIncrements(prefix: string, e: JobFinished): Increment[] {
  const keys = metricsKeys(prefix);
  const lang = languageLabel(e.language);
  const out: Increment[] = [[keys.jobs, `${e.status}|${e.verdict ?? NO_VERDICT}`, 1]];
  if (e.status === 'completed') {
    for (const [key, ms] of [
      [keys.queueWait, durationMs(e.queueWaitMs ?? 0)],
      [keys.runDuration, durationMs(e.runMs ?? 0)],
    ] as const) {
      out.push([key, `${lang}|${bucketOf(ms)}`, 1], [key, `${lang}|sum`, ms], [key, `${lang}|count`, 1]);
    }
  }
  return out;
}

/** Counts a job that reached a final status (`jobFinishedIncrements`), as commands added to transaction `tx`. */
export function countJobFinished(tx: ChainableCommander, prefix: string, e: JobFinished): ChainableCommander {
  for (const [key, field, by] of jobFinishedIncrements(prefix, e)) tx.hincrby(key, field, by);
  return tx;
}

/** Counts a run that failed because of runbox (launcher or sandbox trouble), not the program. */
export async function recordSandboxFailure(redis: Redis, prefix: string, language: string): Promise<void> {
  await redis.hincrby(metricsKeys(prefix).sandboxFailures, languageLabel(language), 1);
}

const count = (raw: string | undefined): number => {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

/** Turns a histogram hash into cumulative per-language snapshots; unknown fields are ignored. */
export function parseHistogram(hash: Record<string, string>): HistogramSnapshot[] {
  const byLanguage = new Map<string, HistogramSnapshot & { perBucket: number[] }>();
  for (const [field, value] of Object.entries(hash)) {
    const sep = field.lastIndexOf('|');
    const language = field.slice(0, sep);
    const part = field.slice(sep + 1);
    if (sep < 0 || !LANGUAGE.test(language)) continue;
    let h = byLanguage.get(language);
    if (!h) {
      h = { language, buckets: [], sumMs: 0, count: 0, perBucket: new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0) };
      byLanguage.set(language, h);
    }
    if (part === 'sum') h.sumMs = count(value);
    else if (part === 'count') h.count = count(value);
    else if (part === INF) h.perBucket[DURATION_BUCKETS_MS.length]! += count(value);
    else {
      const i = DURATION_BUCKETS_MS.indexOf(Number(part));
      if (i >= 0 && String(DURATION_BUCKETS_MS[i]) === part) h.perBucket[i]! += count(value);
    }
  }
  return [...byLanguage.values()]
    .sort((a, b) => a.language.localeCompare(b.language))
    .map(({ language, perBucket, sumMs, count: total }) => {
      let running = 0;
      const buckets = perBucket.map((n) => (running += n));
      // +Inf must equal the count; trust the larger if a write was torn.
      const all = Math.max(total, running);
      buckets[buckets.length - 1] = all;
      return { language, buckets, sumMs, count: all };
    });
}

/** Everything the workers counted, as of now. */
export async function readMetrics(redis: Redis, prefix: string): Promise<MetricsSnapshot> {
  const keys = metricsKeys(prefix);
  const [jobs, queueWait, runDuration, failures] = await Promise.all([
    redis.hgetall(keys.jobs),
    redis.hgetall(keys.queueWait),
    redis.hgetall(keys.runDuration),
    redis.hgetall(keys.sandboxFailures),
  ]);
  const jobsFinished: MetricsSnapshot['jobsFinished'] = [];
  for (const [field, value] of Object.entries(jobs)) {
    const [status, verdict] = field.split('|');
    if (!JOB_STATUSES.includes(status as JobStatus)) continue;
    if (verdict !== NO_VERDICT && !VERDICTS.includes(verdict as Verdict)) continue;
    jobsFinished.push({ status: status as JobStatus, verdict: verdict === NO_VERDICT ? null : (verdict as Verdict), count: count(value) });
  }
  return {
    jobsFinished,
    queueWait: parseHistogram(queueWait),
    runDuration: parseHistogram(runDuration),
    sandboxFailures: Object.entries(failures)
      .filter(([language]) => LANGUAGE.test(language))
      .map(([language, value]) => ({ language, count: count(value) })),
  };
}
