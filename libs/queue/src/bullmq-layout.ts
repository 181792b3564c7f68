/**
 * The parts of BullMQ's own Redis layout runbox reads directly, bypassing its API so that a read
 * can share one transaction with runbox's keys (job-view.ts, admission.service.ts). BullMQ does
 * not promise this layout: test/e2e/bullmq-layout.e2e-spec.ts checks it against the installed
 * BullMQ, so an upgrade that changes it fails there, loudly, not in production quietly.
 *
 *   <p>:<queue>:<job id>     hash        the job's record (fields below)
 *   <p>:<queue>:wait         list        waiting jobs
 *   <p>:<queue>:prioritized  sorted set  waiting jobs with a priority
 *   <p>:<queue>:delayed      sorted set  jobs waiting for their time
 *   <p>:<queue>:active       list        jobs a worker holds
 *   <p>:<queue>:completed    sorted set  completed jobs (until retention removes them)
 *   <p>:<queue>:failed       sorted set  failed jobs (likewise)
 */
import type { Job, Queue } from 'bullmq';
import type { JobData, JobResult } from '@runbox/contract';

/** The keys of `queue` runbox reads. */
export function bullmqKeys(queue: Pick<Queue, 'toKey'>) {
  return {
    job: (id: string) => queue.toKey(id),
    wait: queue.toKey('wait'),
    prioritized: queue.toKey('prioritized'),
    delayed: queue.toKey('delayed'),
    active: queue.toKey('active'),
    completed: queue.toKey('completed'),
    failed: queue.toKey('failed'),
  };
}

/** What a view is made of: a BullMQ job, or the same fields read from its record. */
export type JobRecord = Pick<
  Job<JobData, JobResult>,
  'id' | 'data' | 'timestamp' | 'processedOn' | 'finishedOn' | 'failedReason' | 'returnvalue'
>;

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text; // as BullMQ itself reads a return value that is not JSON
  }
};

/**
 * The fields of a job's Redis hash a view needs, as BullMQ stores them (numbers as decimal
 * strings, data and return value as JSON).
 */
export function fromRecord(id: string, r: Record<string, string>): JobRecord {
  const int = (v: string | undefined) => (v ? Number.parseInt(v, 10) : undefined);
  return {
    id,
    data: JSON.parse(r.data ?? '{}') as JobData,
    timestamp: int(r.timestamp) ?? 0,
    processedOn: int(r.processedOn),
    finishedOn: int(r.finishedOn),
    failedReason: r.failedReason ?? '',
    returnvalue: (r.returnvalue ? parseJson(r.returnvalue) : null) as JobResult,
  };
}

/**
 * A job's state, as far as the public status needs it, from its presence in the completed and
 * failed sets and the active list (`zscore`, `zscore`, `lpos` replies); anything else is waiting.
 */
export function stateOf(completed: unknown, failed: unknown, active: unknown): 'completed' | 'failed' | 'active' | 'waiting' {
  return completed !== null ? 'completed' : failed !== null ? 'failed' : active !== null ? 'active' : 'waiting';
}
