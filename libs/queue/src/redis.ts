/**
 * Redis connections. BullMQ gets its own (blocking) connections; everything else (health,
 * pub/sub publishers, admission counters) shares one command connection, `RedisClient`.
 */
import { Redis, type RedisOptions } from 'ioredis';

/** Options for every connection runbox opens: BullMQ workers need maxRetriesPerRequest null. */
export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions & { url: string } {
  return { url, maxRetriesPerRequest: null, enableReadyCheck: true, ...extra };
}

export function connectRedis(url: string, extra: RedisOptions = {}): Redis {
  const { url: u, ...opts } = redisOptions(url, extra);
  return new Redis(u, opts);
}

/** DI token of the shared command connection. */
export const REDIS = Symbol('REDIS');
/** DI token of the subscriber connection (a connection in subscribe mode can do nothing else). */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');
