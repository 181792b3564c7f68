/**
 * Delivers callbacks from the webhooks queue: loads the finished job's view (or takes the body the
 * delivery brings, with its method), POSTs it signed per
 * Standard Webhooks to the job's `callbackUrl` through the SSRF guard, and records the outcome
 * of every attempt where the job's view shows it. A non-2xx answer or a network error is thrown
 * so BullMQ retries with backoff; a refused destination or a vanished job is not retried.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { DELIVERY_TIMEOUT_MS, FINAL_STATUSES, JOBS_QUEUE, WEBHOOKS_QUEUE, type WebhookDelivery } from '@runbox/contract';
import { Config } from '@runbox/config';
import { bullConnection, loadJobView, REDIS, saveDelivery, WEBHOOK_METHODS, type WebhookJobData } from '@runbox/queue';
import type { Resolver } from './guarded-lookup';
import { postJson } from './post-json';
import { DESTINATION_REFUSED, parseAllowList, type AllowEntry } from './ssrf';

export { DELIVERY_TIMEOUT_MS };
/** Deliveries in flight per API process: they wait on the network. */
const CONCURRENCY = 16;
const USER_AGENT = 'runbox-webhooks/1';

/** The headers of one delivery: Standard Webhooks' three when a signer is configured. */
export function deliveryHeaders(signer: Webhook | null, deliveryId: string, payload: string, now: Date): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
  if (!signer) return headers;
  return {
    ...headers,
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signer.sign(deliveryId, now, payload),
  };
}

/** A receiver that answered, but not with 2xx. */
class DeliveryRefusedByReceiver extends Error {
  constructor(
    readonly statusCode: number,
    bodyStart: string,
  ) {
    super(`receiver answered ${statusCode}${bodyStart.trim() ? `: ${bodyStart.trim().slice(0, 200)}` : ''}`);
  }
}

@Injectable()
export class WebhooksProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhooksProcessor.name);
  private worker: Worker<WebhookJobData, WebhookDelivery> | null = null;
  private readonly signer: Webhook | null;
  private readonly allow: AllowEntry[];
  /** Tests replace the system resolver to exercise the guard without real DNS. */
  resolver: Resolver | undefined;

  constructor(
    private readonly config: Config,
    @InjectQueue(JOBS_QUEUE) private readonly jobs: Queue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    // Bad settings stop the API at start-up, not at the first callback.
    this.allow = parseAllowList(config.webhooks.allow);
    try {
      this.signer = config.webhooks.secret ? new Webhook(config.webhooks.secret) : null;
    } catch (e) {
      throw new Error(`WEBHOOK_SECRET must be a base64 secret, optionally prefixed whsec_ (${(e as Error).message})`, { cause: e });
    }
  }

  onApplicationBootstrap(): void {
    if (!this.signer) this.logger.warn('WEBHOOK_SECRET is not set: callbacks are delivered unsigned');
    this.worker = new Worker<WebhookJobData, WebhookDelivery>(WEBHOOKS_QUEUE, (job) => this.deliver(job), {
      connection: bullConnection(this.config),
      prefix: this.config.redis.prefix,
      concurrency: CONCURRENCY,
    });
    this.worker.on('error', (err) => this.logger.error(`webhooks queue error: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close(); // lets deliveries in flight finish (each is bounded by DELIVERY_TIMEOUT_MS)
  }

  /** One attempt. Returns the delivery record on success, throws (and records why) otherwise. */
  async deliver(job: Job<WebhookJobData, WebhookDelivery>): Promise<WebhookDelivery> {
    const { jobId, callbackUrl, method = 'POST', payload: ownPayload } = job.data;
    const attempts = job.attemptsMade + 1;
    const lastAttempt = attempts >= (job.opts.attempts ?? 1);
    let statusCode: number | undefined;
    try {
      const view = await loadJobView(this.jobs, this.redis, this.config, jobId);
      if (!view) throw new UnrecoverableError(`job ${jobId} no longer exists`);
      if (!FINAL_STATUSES.includes(view.status)) throw new Error(`job ${jobId} is still ${view.status}`);
      if (!WEBHOOK_METHODS.includes(method) || (ownPayload !== undefined && typeof ownPayload !== 'string'))
        throw new UnrecoverableError(`delivery of job ${jobId} has a bad method or payload`);
      // The delivery record describes this very delivery: the receiver gets the job, and the same bytes on every retry.
      const { webhook: _record, ...finished } = view;
      const payload = ownPayload ?? JSON.stringify(finished);
      const headers = deliveryHeaders(this.signer, job.id!, payload, new Date());
      const answer = await postJson(callbackUrl, payload, {
        method,
        allow: this.allow,
        headers,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        resolve: this.resolver,
      });
      statusCode = answer.statusCode;
      if (statusCode < 200 || statusCode > 299) throw new DeliveryRefusedByReceiver(statusCode, answer.bodyStart);
      const delivered: WebhookDelivery = {
        status: 'delivered',
        attempts,
        lastStatusCode: statusCode,
        deliveredAt: new Date().toISOString(),
      };
      await this.record(jobId, delivered);
      return delivered;
    } catch (e) {
      const refused = (e as { code?: string }).code === DESTINATION_REFUSED;
      const final = lastAttempt || refused || e instanceof UnrecoverableError;
      const message = (e as Error).message;
      await this.record(jobId, {
        status: final ? 'failed' : 'pending',
        attempts,
        ...(statusCode === undefined ? {} : { lastStatusCode: statusCode }),
        lastError: message,
      });
      if (final) this.logger.warn(`callback of job ${jobId} failed after ${attempts} attempt(s): ${message}`);
      // Retrying a refused destination cannot help, and trying it again and again is what an attacker wants.
      if (refused) throw new UnrecoverableError(message);
      throw e;
    }
  }

  private async record(jobId: string, delivery: WebhookDelivery): Promise<void> {
    await saveDelivery(this.redis, this.config, jobId, delivery).catch((e: Error) =>
      this.logger.error(`cannot record the callback of job ${jobId}: ${e.message}`),
    );
  }
}
