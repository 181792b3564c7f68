/**
 * Jobe's support files: a client PUTs a file once under an id of its own (CodeRunner uses an md5
 * of the contents) and names it in later runs' `file_list`. Kept in Redis for
 * JOBE_FILE_RETENTION_S, each at most JOBE_FILE_MAX_BYTES (and never more than a run may carry,
 * MAX_FILE_BYTES), all together at most JOBE_FILES_MAX_TOTAL_BYTES, so no client can fill Redis.
 * Files belong to the caller that PUT them (its quota identity, as jobs do): another key can
 * neither see nor use them. A client that finds one gone (HEAD 404, or a run's 404) sends it
 * again, as CodeRunner does.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Config } from '@runbox/config';
import { jobKey, REDIS } from '@runbox/queue';
import type { Caller } from '../../auth/caller';
import { JobeError, jobeBadRequest } from './jobe.errors';

/** Longest file id accepted: ids are md5s in practice; a bound keeps Redis keys small. */
export const MAX_FILE_ID_LENGTH = 128;
/** Jobe's route takes `(:alphanum)` ids. */
const FILE_ID = /^[A-Za-z0-9]+$/;
/** PHP's base64_decode($s, true): the standard alphabet; line breaks are skipped. */
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export const isFileId = (id: string): boolean => FILE_ID.test(id) && id.length <= MAX_FILE_ID_LENGTH;

/**
 * Stores a file and keeps the total within the cap, atomically. Expired files are forgotten
 * first (their bytes leave the total), a replaced file's old size too.
 * KEYS: file, index (zset id → expiry ms), sizes (hash id → bytes), total.
 * ARGV: id, contents, now ms, retention s, cap bytes, file-key prefix. Returns 1 stored, 0 full.
 */
const PUT_SCRIPT = `
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
for _, id in ipairs(expired) do
  redis.call('DECRBY', KEYS[4], tonumber(redis.call('HGET', KEYS[3], id) or '0'))
  redis.call('HDEL', KEYS[3], id)
  redis.call('DEL', ARGV[6] .. id)
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

@Injectable()
export class JobeFiles {
  constructor(
    private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** The store's member name of `caller`'s file `id`. */
  private member = (caller: Caller, id: string): string => `${caller.quotaId}:${id}`;
  private fileKeyPrefix = (): string => `${jobKey(this.config, 'jobe-file')}:`;
  private key = (caller: Caller, id: string): string => this.fileKeyPrefix() + this.member(caller, id);

  /** The largest file kept: a run takes no file larger than MAX_FILE_BYTES. */
  get maxBytes(): number {
    return Math.min(this.config.jobe.fileMaxBytes, this.config.requests.maxFileBytes);
  }

  /** Stores `body.file_contents` (base64) as `caller`'s file `id`; Jobe's 400s for what it refuses. */
  async put(caller: Caller, id: string, body: unknown): Promise<void> {
    const contents = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).file_contents : undefined;
    if (typeof contents !== 'string') throw jobeBadRequest('put: missing file_contents parameter');
    if (!BASE64.test(contents) || contents.replace(/[\r\n]/g, '').length % 4 === 1) throw jobeBadRequest(`put: contents of file ${id} are not valid base-64`);
    const bytes = Buffer.from(contents, 'base64');
    if (bytes.length > this.maxBytes) throw jobeBadRequest(`put: file ${id} is larger than this server's maximum of ${this.maxBytes} bytes`);
    const { fileRetentionS, filesMaxTotalBytes } = this.config.jobe;
    const stored = await this.redis.eval(
      PUT_SCRIPT,
      4,
      this.key(caller, id),
      jobKey(this.config, 'jobe-files', 'expiry'),
      jobKey(this.config, 'jobe-files', 'sizes'),
      jobKey(this.config, 'jobe-files', 'bytes'),
      this.member(caller, id),
      bytes,
      Date.now(),
      fileRetentionS,
      filesMaxTotalBytes,
      this.fileKeyPrefix(),
    );
    if (stored !== 1) throw new JobeError(503, 'put: the file store of this Jobe server is full; try again later');
  }

  async exists(caller: Caller, id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(caller, id))) === 1;
  }

  /** `caller`'s files of `ids`, in order; undefined when any is missing. */
  async load(caller: Caller, ids: readonly string[]): Promise<Buffer[] | undefined> {
    if (ids.length === 0) return [];
    const found = await this.redis.mgetBuffer(...ids.map((id) => this.key(caller, id)));
    return found.every((b): b is Buffer => b !== null) ? found : undefined;
  }
}
