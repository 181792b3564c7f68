import type { ConnectionOptions } from 'bullmq';
import type { Config } from '@runbox/config';

/** Longest pause between two attempts to reach Redis again. */
const RECONNECT_MAX_MS = 2_000;

/**
 * BullMQ connection settings from REDIS_URL. Workers block on Redis, so their connections keep
 * retrying (`maxRetriesPerRequest: null`, as BullMQ requires for them).
 */
export function bullConnection(config: Config): ConnectionOptions {
  const u = new URL(config.redis.url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
    // BullMQ's own back-off grows to 20 s between attempts, so after an outage of a minute
    // runbox would come back up to 20 s after Redis did.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, RECONNECT_MAX_MS),
  };
}
