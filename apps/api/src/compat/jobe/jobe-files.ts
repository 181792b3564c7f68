/**
 * Jobe's support files (PUT and HEAD `files/{id}`): a client PUTs a file once under an id of its
 * own (CodeRunner uses an md5 of the contents) and names it in later runs' `file_list`. Jobe's
 * checks and messages here; the keeping is the jobs' SupportFiles store, for
 * JOBE_FILE_RETENTION_S, each file at most JOBE_FILE_MAX_BYTES (and never more than a run may
 * carry, MAX_FILE_BYTES), all together at most JOBE_FILES_MAX_TOTAL_BYTES, and each the
 * caller's own. A client that finds one gone (HEAD 404, or a run's 404) sends it again.
 */
import { Injectable } from '@nestjs/common';
import { Config } from '@runbox/config';
import type { Caller } from '../../auth/caller';
import { SupportFiles } from '../../jobs/support-files';
import { JobeError, jobeBadRequest } from './jobe.errors';

/** Longest file id accepted: ids are md5s in practice; a bound keeps Redis keys small. */
export const MAX_FILE_ID_LENGTH = 128;
/** Jobe's route takes `(:alphanum)` ids. */
const FILE_ID = /^[A-Za-z0-9]+$/;
/** PHP's base64_decode($s, true): the standard alphabet; line breaks are skipped. */
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

export const isFileId = (id: string): boolean => FILE_ID.test(id) && id.length <= MAX_FILE_ID_LENGTH;

@Injectable()
export class JobeFiles {
  constructor(
    private readonly config: Config,
    private readonly store: SupportFiles,
  ) {}

  /** The largest file kept: a run takes no file larger than MAX_FILE_BYTES. */
  get maxBytes(): number {
    return Math.min(this.config.jobe.fileMaxBytes, this.config.requests.maxFileBytes);
  }

  /** Stores `body.file_contents` (base64) as `caller`'s file `id`; Jobe's 400s for what it refuses. */
  async put(caller: Caller, id: string, body: unknown): Promise<void> {
    const contents = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).file_contents : undefined;
    if (typeof contents !== 'string') throw jobeBadRequest('put: missing file_contents parameter');
    if (!BASE64.test(contents) || contents.replace(/[\r\n]/g, '').length % 4 === 1)
      throw jobeBadRequest(`put: contents of file ${id} are not valid base-64`);
    const bytes = Buffer.from(contents, 'base64');
    if (bytes.length > this.maxBytes)
      throw jobeBadRequest(`put: file ${id} is larger than this server's maximum of ${this.maxBytes} bytes`);
    const { fileRetentionS, filesMaxTotalBytes } = this.config.jobe;
    const stored = await this.store.put(caller.quotaId, id, bytes, { retentionS: fileRetentionS, maxTotalBytes: filesMaxTotalBytes });
    if (!stored) throw new JobeError(503, 'put: the file store of this Jobe server is full; try again later');
  }

  exists(caller: Caller, id: string): Promise<boolean> {
    return this.store.exists(caller.quotaId, id);
  }

  /** `caller`'s files of `ids`, in order; undefined when any is missing. */
  load(caller: Caller, ids: readonly string[]): Promise<Buffer[] | undefined> {
    return this.store.load(caller.quotaId, ids);
  }
}
