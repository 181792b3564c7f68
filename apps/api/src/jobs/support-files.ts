/**
 * Files a client stores once under an id of its own and names in later jobs (Jobe's support
 * files). Kept in Redis, each for a retention, all together within a byte cap, so no client can
 * fill Redis; each belongs to the quota identity that stored it, as jobs do, so another key can
 * neither see nor use it. Knows no peer: the caller checks ids and contents and words its answers.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Config } from '@runbox/config';
import { REDIS, supportFilePrefix, supportFileStoreKeys } from '@runbox/queue';

/**
 * Stores a file and keeps the total within the cap, atomically. Expired files are forgotten
 * first (their bytes leave the total), a replaced file's old size too.
 * KEYS: file, index (zset member → expiry ms), sizes (hash member → bytes), total.
 * ARGV: member, contents, now ms, retention s, cap bytes, file-key prefix. Returns 1 stored, 0 full.
 */
const PUT_SCRIPT = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
for _, m in ipairs(expired) do
  redis.call('DECRBY', KEYS[4], tonumber(redis.call('HGET', KEYS[3], m) or '0'))
  redis.call('HDEL', KEYS[3], m)
  redis.call('DEL', ARGV[6] .. m)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
local old = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
local size = string.len(ARGV[2])
local total = tonumber(redis.call('GET', KEYS[4]) or '0') - old
if total + size > tonumber(ARGV[5]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) + tonumber(ARGV[4]) * 1000, ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], size)
redis.call('SET', KEYS[4], total + size)
return 1
`;

export interface SupportFileLimits {
  retentionS: number;
  maxTotalBytes: number;
}

@Injectable()
export class SupportFiles {
  constructor(
    private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private member = (owner: string, id: string): string => `${owner}:${id}`;
  private prefix = (): string => supportFilePrefix(this.config);
  private key = (owner: string, id: string): string => this.prefix() + this.member(owner, id);

  /** Stores `contents` as `owner`'s file `id`; false when the store's total would pass the cap. */
  async put(owner: string, id: string, contents: Buffer, limits: SupportFileLimits): Promise<boolean> {
    const stored = await this.redis.eval(
      PUT_SCRIPT,
      4,
      this.key(owner, id),
      supportFileStoreKeys(this.config).expiry,
      supportFileStoreKeys(this.config).sizes,
      supportFileStoreKeys(this.config).bytes,
      this.member(owner, id),
      contents,
      Date.now(),
      limits.retentionS,
      limits.maxTotalBytes,
      this.prefix(),
    );
    return stored === 1;
  }

  async exists(owner: string, id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(owner, id))) === 1;
  }

  /** `owner`'s files of `ids`, in order; undefined when any is missing. */
  async load(owner: string, ids: readonly string[]): Promise<Buffer[] | undefined> {
    if (ids.length === 0) return [];
    const found = await this.redis.mgetBuffer(...ids.map((id) => this.key(owner, id)));
    return found.every((b): b is Buffer => b !== null) ? found : undefined;
  }
}
