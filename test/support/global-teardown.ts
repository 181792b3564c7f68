import type { RedisServer } from './redis';

export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as Record<string, unknown>).__RUNBOX_REDIS__ as RedisServer | undefined;
  await redis?.stop();
}
