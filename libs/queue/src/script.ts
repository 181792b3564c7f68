/**
 * A Lua script run by its SHA1 (EVALSHA): one command per call, and the script's text crosses
 * the connection only the first time a Redis sees it (after a restart, a failover, SCRIPT FLUSH,
 * EVALSHA answers NOSCRIPT and the call is sent once more as EVAL, which also caches it).
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

type Arg = string | number | Buffer;

export class LuaScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
