import type { ConnectionOptions } from 'bullmq';
import type { Config } from '@runbox/config';

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
  };
}
