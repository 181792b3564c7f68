/**
 * Names shared by everything that touches Redis. Renaming a queue strands the jobs already in
 * it: treat these as persistent identifiers, not code. Every other key and channel is composed
 * under the configured prefix by libs/queue/src/keys.ts, the table of every key
 * (`cancelChannel(config)` → `runbox:cancel`).
 */
export const JOBS_QUEUE = 'jobs';
export const WEBHOOKS_QUEUE = 'webhooks';
/** How long one callback delivery attempt may take, connect to last byte. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Pub/sub channel on which an API asks the worker holding a job to kill its sandbox. */
export const CANCEL_CHANNEL = 'cancel';
/**
 * Pub/sub channel carrying the end of every job (completed, failed, cancelled, with the final
 * view) from the workers, and from an API that cancelled a queued job, to every API process.
 */
export const EVENTS_CHANNEL = 'events';
/**
 * Pub/sub channel carrying the events of a job between its start and its end (running, compiled,
 * each test). An API process subscribes to it only while it streams a job (SSE): the others,
 * which only wait for ends, are not woken for every job's progress.
 */
export const PROGRESS_CHANNEL = 'events:progress';
/** Pub/sub channel of one live job's stages, output and run ends (`<prefix>:live:<id>`, live.ts). */
export const LIVE_CHANNEL = 'live';
/** List of the stdin chunks an interactive session sent its job's program (`<prefix>:session-input:<id>`), read by the worker running it. */
export const SESSION_INPUT_KEY = 'session-input';
/** Key of a job cancelled while still queued: `<prefix>:cancelled:<id>`. */
export const CANCELLED_KEY = 'cancelled';
/**
 * Key marking a cancel request for a running job (`<prefix>:cancel-requested:<id>`, short TTL):
 * a worker that takes the job after the pub/sub message went out still sees it.
 */
export const CANCEL_REQUESTED_KEY = 'cancel-requested';
/** Key of a worker's heartbeat (`<prefix>:worker:<id>`, TTL'd: worker-heartbeat.ts); readiness needs one. */
export const WORKER_HEARTBEAT_KEY = 'worker';

/** The reason a cancelled job carries as BullMQ's `failedReason`. */
export const CANCELLED_REASON = 'cancelled';
