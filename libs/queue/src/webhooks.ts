/**
 * Announcing a finished job to its `callbackUrl`: one delivery job on the dedicated webhooks
 * queue, retried with exponential backoff by the worker's webhook sender, and a delivery record
 * that the job's view shows (`JobView.webhook`).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { WEBHOOKS_QUEUE, type WebhookDelivery } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { webhookKey } from './keys';

/** What one delivery job carries; the sender loads the job's view itself, when it sends, unless the delivery brings its own body. */
export interface WebhookJobData {
  jobId: string;
  callbackUrl: string;
  /** HTTP method of the delivery; POST when absent. */
  method?: WebhookMethod;
  /** The JSON body to send instead of the job's view (rendered by whoever queued the delivery, after the job ended). */
  payload?: string;
}

export const WEBHOOK_METHODS = ['POST', 'PUT'] as const;
export type WebhookMethod = (typeof WEBHOOK_METHODS)[number];

/** A delivery's own method and body (a compatibility API answering a peer's callback shape). */
export interface WebhookBody {
  method: WebhookMethod;
  payload: string;
}

/** BullMQ job name of a delivery (informational: the sender handles every job of its queue). */
const WEBHOOK_JOB_NAME = 'deliver';

/**
 * The delivery's id: the BullMQ job id on the webhooks queue and the `webhook-id` header, the
 * same on every retry so receivers can deduplicate. Fixed per job, so a job is announced once
 * however often it is enqueued. (BullMQ 6 refuses custom ids with one `:`, hence the dot.)
 */
export function webhookDeliveryId(jobId: string): string {
  return `${jobId}.final`;
}

/**
 * Queues the announcement of finished job `jobId` to `callbackUrl`. Call it once the job is
 * final in BullMQ (completed, failed for good, cancelled), so the view the sender loads is the
 * final one. Calling it again for the same job changes nothing.
 */
export async function enqueueWebhook(
  queue: Queue,
  config: Config,
  redis: Redis,
  jobId: string,
  callbackUrl: string,
  body?: WebhookBody,
): Promise<void> {
  if (queue.name !== WEBHOOKS_QUEUE) throw new Error(`enqueueWebhook needs the "${WEBHOOKS_QUEUE}" queue, got "${queue.name}"`);
  const retentionS = config.queue.resultRetentionS;
  // Only if absent: a repeated announcement must not reset the record of a delivery already under way or done.
  await saveDelivery(redis, config, jobId, { status: 'pending', attempts: 0 }, { onlyIfAbsent: true });
  const data: WebhookJobData = { jobId, callbackUrl, ...(body ? { method: body.method, payload: body.payload } : {}) };
  await queue.add(WEBHOOK_JOB_NAME, data, {
    jobId: webhookDeliveryId(jobId),
    attempts: config.webhooks.attempts,
    backoff: { type: 'exponential', delay: config.webhooks.backoffMs },
    removeOnComplete: { age: retentionS },
    removeOnFail: { age: retentionS },
  });
}

/** Writes job `jobId`'s delivery record (what its view shows), kept as long as the job's result. */
export async function saveDelivery(
  redis: Redis,
  config: Config,
  jobId: string,
  delivery: WebhookDelivery,
  opts: { onlyIfAbsent?: boolean } = {},
): Promise<void> {
  const key = webhookKey(config, jobId);
  const value = JSON.stringify(delivery);
  const ttlS = config.queue.resultRetentionS;
  if (opts.onlyIfAbsent) await redis.set(key, value, 'EX', ttlS, 'NX');
  else await redis.set(key, value, 'EX', ttlS);
}
