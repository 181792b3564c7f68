/**
 * BullMQ wiring both apps import: one connection setting, one prefix, the queues and their
 * default job options (retention and bounded attempts), and the shared Redis connections.
 */
import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS_QUEUE, WEBHOOKS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { bullConnection } from './connection';
import { connectRedis, REDIS, REDIS_SUBSCRIBER } from './redis';

/** At most one line per this long about a lost Redis connection. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * The shared command connection. While Redis is unreachable a command fails within about a second
 * (after one reconnect attempt, and those come at most 0.5 s apart), or 2 s after it was sent
 * without an answer (Redis died with it in flight, or the network dropped it): the API answers 503
 * promptly, not when the client gives up. Nothing on this connection blocks.
 *
 * With `autoPipelining`, commands issued in the same tick (a view's reads) go out in one write:
 * one loopback round trip instead of several. It costs ~12 µs of CPU per command where a tick
 * issues one (measured on this path: EVALSHA from two concurrent callers, 33 -> 21 µs a call),
 * which is all a worker does now that a job's start and end are one script each.
 */
function redisProvider(autoPipelining: boolean): Provider {
  return {
    provide: REDIS,
    inject: [Config],
    useFactory: (c: Config) =>
      connectRedis(c.redis.url, {
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt: number) => Math.min(attempt * 100, 500),
        commandTimeout: 2_000,
        enableAutoPipelining: autoPipelining,
      }),
  };
}

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [Config],
      useFactory: (config: Config) => ({
        // Producers (an API's submits and reads) fail at once while Redis is unreachable, so the
        // API answers 503; with an offline queue (and maxRetriesPerRequest null) a command, and
        // the HTTP request with it, would wait for as long as the outage lasts. Workers open
        // their own connections, which wait.
        connection: { ...bullConnection(config), enableOfflineQueue: false },
        prefix: config.redis.prefix,
        defaultJobOptions: {
          attempts: config.queue.attempts,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: { age: config.queue.resultRetentionS },
          removeOnFail: { age: config.queue.resultRetentionS },
        },
      }),
    }),
    BullModule.registerQueue({ name: JOBS_QUEUE }, { name: WEBHOOKS_QUEUE }),
  ],
  providers: [redisProvider(true), { provide: REDIS_SUBSCRIBER, inject: [Config], useFactory: (c: Config) => connectRedis(c.redis.url) }],
  exports: [BullModule, REDIS, REDIS_SUBSCRIBER],
})
export class QueueModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Queue');

  /** As imported plainly (the API's), but the command connection sends each command as it comes (see `redisProvider`). */
  static forWorker(): DynamicModule {
    return { module: QueueModule, providers: [redisProvider(false)] };
  }

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @InjectQueue(JOBS_QUEUE) jobs: Queue,
    @InjectQueue(WEBHOOKS_QUEUE) webhooks: Queue,
  ) {
    // A queue with no 'error' listener has BullMQ print a stack trace for every reconnect
    // attempt while Redis is down; the clients reconnect by themselves, so one line now and then
    // says enough (readiness reports the outage too).
    let lastLoggedAt = 0;
    const onError = (e: Error) => {
      if (Date.now() - lastLoggedAt < ERROR_LOG_INTERVAL_MS) return;
      lastLoggedAt = Date.now();
      this.logger.warn(`Redis: ${e.message} (retrying)`);
    };
    jobs.on('error', onError);
    webhooks.on('error', onError);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
