/**
 * Starts a real redis-server on a free loopback port for the whole e2e run (AOF off, noeviction
 * as BullMQ requires) and publishes its URL to the test files through the environment.
 */
import { startRedis } from './redis';

export default async function globalSetup(): Promise<void> {
  const redis = await startRedis();
  process.env.RUNBOX_TEST_REDIS_URL = redis.url;
  (globalThis as Record<string, unknown>).__RUNBOX_REDIS__ = redis;
}
