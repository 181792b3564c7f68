/**
 * The workers alive right now, as they announce themselves: each refreshes a TTL'd key
 * `<prefix>:worker:<id>` holding its `WorkerHeartbeat`. Readiness needs one; the language list is
 * what they have installed. A heartbeat is data another process wrote, so it is checked before use.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { WorkerHeartbeat } from '@runbox/contract';
import { Config } from '@runbox/config';
import { heartbeatPattern, REDIS } from '@runbox/queue';

/** More workers than this is not a deployment we can list in one request. */
const MAX_WORKERS = 10_000;

const isStr = (v: unknown): v is string => typeof v === 'string';
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A heartbeat value, or undefined when it is not one (garbage, or an older format). */
export function parseHeartbeat(raw: string | null): WorkerHeartbeat | undefined {
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObj(v) || !isStr(v.id) || !Array.isArray(v.languages)) return undefined;
  const languages = v.languages
    .filter(isObj)
    .filter((l) => isStr(l.id) && isStr(l.name) && isStr(l.version) && typeof l.compiled === 'boolean')
    .map((l) => ({
      id: l.id as string,
      name: l.name as string,
      aliases: Array.isArray(l.aliases) ? l.aliases.filter(isStr) : [],
      version: l.version as string,
      compiled: l.compiled as boolean,
    }));
  return {
    id: v.id,
    host: isStr(v.host) ? v.host : '',
    pid: typeof v.pid === 'number' ? v.pid : 0,
    slots: typeof v.slots === 'number' ? v.slots : 0,
    startedAt: isStr(v.startedAt) ? v.startedAt : '',
    cgroupMode: isStr(v.cgroupMode) ? v.cgroupMode : null,
    languages,
  };
}

@Injectable()
export class WorkerHeartbeats {
  constructor(
    private readonly config: Config,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Keys of the live heartbeats (SCAN, never KEYS: Redis keeps serving while we look). */
  async keys(): Promise<string[]> {
    const match = heartbeatPattern(this.config);
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      for (const k of batch) found.add(k);
      cursor = next;
    } while (cursor !== '0' && found.size < MAX_WORKERS);
    return [...found].sort();
  }

  async list(): Promise<WorkerHeartbeat[]> {
    const keys = await this.keys();
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    return values.map(parseHeartbeat).filter((h): h is WorkerHeartbeat => h !== undefined);
  }
}
