/**
 * Redis connections. BullMQ gets its own (blocking) connections; everything else (health,
 * pub/sub publishers, admission counters) shares one command connection, provided under the `REDIS` token; subscriptions get their own
 * (`REDIS_SUBSCRIBER`).
 */
import { Redis, type RedisOptions } from 'ioredis';

/** A connection to `url`; unless `extra` says otherwise, its commands wait for Redis however long (maxRetriesPerRequest null). */
export function connectRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
}

/** DI token of the shared command connection. */
export const REDIS = Symbol('REDIS');
/** DI token of the subscriber connection (a connection in subscribe mode can do nothing else). */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');
