/**
 * What "ready" means for an API process: Redis answers, and at least one worker is alive to run
 * what it queues. A load balancer sends traffic only to ready instances.
 */
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { REDIS } from '@runbox/queue';
import { WorkerHeartbeats } from '../fleet/worker-heartbeats';

/** A probe slower than this counts as down: the load balancer must not wait on us. */
export const PROBE_TIMEOUT_MS = 1_000;

@Injectable()
export class ReadinessIndicators {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly workers: WorkerHeartbeats,
  ) {}

  redisUp() {
    return this.health
      .check('redis')
      .attempt(async () => {
        const pong = await this.redis.ping();
        if (pong !== 'PONG') throw new Error(`unexpected PING answer ${JSON.stringify(pong)}`);
      })
      .withTimeout(PROBE_TIMEOUT_MS);
  }

  workersAlive() {
    return this.health
      .check('workers')
      .attempt(async () => {
        const alive = (await this.workers.keys()).length;
        if (alive === 0) throw new Error('no live worker heartbeat');
        return { alive };
      })
      .withTimeout(PROBE_TIMEOUT_MS);
  }
}
