/**
 * Data a caller of JobsService keeps next to a job, for as long as the job's result is kept: a
 * compatibility API's own attributes of a request (apps/api/src/compat), which the job contract
 * has no place for. Also the jobs whose end a caller still owes a callback in its own shape, so
 * no end is lost with an API process. Values are the caller's (JSON text); `kind` names whose.
 */
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS_QUEUE, WEBHOOKS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { annexKey, enqueueWebhook, owedCallbacksKey, REDIS, type WebhookBody } from '@runbox/queue';

export interface AnnexEntry {
  id: string;
  value: string;
  /** The job's end owes a callback (see `owed`). */
  owesCallback?: boolean;
}

@Injectable()
export class JobAnnex {
  constructor(
    private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooks: Queue,
    @InjectQueue(JOBS_QUEUE) private readonly jobs: Queue,
  ) {}

  private key = (kind: string, id: string) => annexKey(this.config, kind, id);
  private owedKey = (kind: string) => owedCallbacksKey(this.config, kind);

  /** Keeps `entries` of `kind` (and registers the callbacks they owe), in one round trip. */
  async save(kind: string, entries: readonly AnnexEntry[]): Promise<void> {
    const tx = this.redis.multi();
    const now = Date.now();
    for (const e of entries) {
      tx.set(this.key(kind, e.id), e.value, 'EX', this.config.queue.resultRetentionS);
      if (e.owesCallback) tx.zadd(this.owedKey(kind), now, e.id);
    }
    await tx.exec();
  }

  async load(kind: string, id: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(kind, id))) ?? undefined;
  }

  /** Up to `n` jobs of `kind` that still owe a callback, oldest first. */
  owed(kind: string, n: number): Promise<string[]> {
    return this.redis.zrange(this.owedKey(kind), '0', String(n - 1));
  }

  /**
   * Queues the callback of ended job `id` with the caller's own method and body, through the one
   * webhook sender (SSRF guard, signing, retries, delivery record), and settles what it owed.
   * Queuing the same job's callback again changes nothing.
   */
  async announce(kind: string, id: string, url: string, body: WebhookBody): Promise<void> {
    await enqueueWebhook(this.webhooks, this.config, this.redis, id, url, body);
    await this.settle(kind, id);
  }

  /** Job `id` owes no callback any more (announced, or gone). */
  async settle(kind: string, id: string): Promise<void> {
    await this.redis.zrem(this.owedKey(kind), id);
  }

  /** How many jobs wait, run and failed, for a peer's queue report. */
  async queueCounts(): Promise<{ waiting: number; active: number; failed: number }> {
    const c = await this.jobs.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0), active: c.active ?? 0, failed: c.failed ?? 0 };
  }
}
