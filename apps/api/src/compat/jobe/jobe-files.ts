/**
 * Jobe's support files: a client PUTs a file once under an id of its own (CodeRunner uses an md5
 * of the contents) and names it in later runs' `file_list`. Kept in Redis for
 * JOBE_FILE_RETENTION_S, each at most JOBE_FILE_MAX_BYTES; a client that finds one gone
 * (HEAD 404, or a run's 404) sends it again, as CodeRunner does.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Config } from '@runbox/config';
import { jobKey, REDIS } from '@runbox/queue';
import { jobeBadRequest } from './jobe.errors';

/** Longest file id accepted: ids are md5s in practice; a bound keeps Redis keys small. */
export const MAX_FILE_ID_LENGTH = 128;
/** Jobe's route takes `(:alphanum)` ids. */
const FILE_ID = /^[A-Za-z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export const isFileId = (id: string): boolean => FILE_ID.test(id) && id.length <= MAX_FILE_ID_LENGTH;

@Injectable()
export class JobeFiles {
  constructor(
    private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private key(id: string): string {
    return jobKey(this.config, 'jobe-file', id);
  }

  /** Stores `body.file_contents` (base64) as file `id`; Jobe's 400s for what it refuses. */
  async put(id: string, body: unknown): Promise<void> {
    const contents = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).file_contents : undefined;
    if (typeof contents !== 'string') throw jobeBadRequest('put: missing file_contents parameter');
    // PHP's base64_decode($s, true): the standard alphabet; line breaks are skipped
    if (!BASE64.test(contents) || contents.replace(/[\r\n]/g, '').length % 4 === 1) throw jobeBadRequest(`put: contents of file ${id} are not valid base-64`);
    const bytes = Buffer.from(contents, 'base64');
    if (bytes.length > this.config.jobe.fileMaxBytes) throw jobeBadRequest(`put: file ${id} is larger than this server's maximum of ${this.config.jobe.fileMaxBytes} bytes`);
    await this.redis.set(this.key(id), bytes, 'EX', this.config.jobe.fileRetentionS);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.key(id))) === 1;
  }

  /** The files of `ids`, in order; undefined when any is missing. */
  async load(ids: readonly string[]): Promise<Buffer[] | undefined> {
    if (ids.length === 0) return [];
    const found = await this.redis.mgetBuffer(...ids.map((id) => this.key(id)));
    return found.every((b): b is Buffer => b !== null) ? found : undefined;
  }
}
