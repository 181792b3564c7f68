/**
 * BullMQ wiring both apps import: one connection setting, one prefix, the queues and their
 * default job options (retention and bounded attempts), and the shared Redis connections.
 */
import { BullModule } from '@nestjs/bullmq';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { JOBS_QUEUE, WEBHOOKS_QUEUE } from '@runbox/contract';
import { Config } from '@runbox/config';
import { bullConnection } from './connection';
import { connectRedis, REDIS, REDIS_SUBSCRIBER } from './redis';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [Config],
      useFactory: (config: Config) => ({
        connection: bullConnection(config),
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
  providers: [
    { provide: REDIS, inject: [Config], useFactory: (c: Config) => connectRedis(c.redis.url, { maxRetriesPerRequest: 1 }) },
    { provide: REDIS_SUBSCRIBER, inject: [Config], useFactory: (c: Config) => connectRedis(c.redis.url) },
  ],
  exports: [BullModule, REDIS, REDIS_SUBSCRIBER],
})
export class QueueModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
