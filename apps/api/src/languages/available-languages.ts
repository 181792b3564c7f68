/** What `GET /v1/languages` lists: the union of what live workers have installed. */
import type { WorkerHeartbeat } from '@runbox/contract';

export type AvailableLanguage = WorkerHeartbeat['languages'][number];

/**
 * One entry per language id, sorted by id. Workers normally run the same image; when they
 * disagree on a version, the first worker (by heartbeat order) names it.
 */
export function availableLanguages(heartbeats: readonly WorkerHeartbeat[]): AvailableLanguage[] {
  const byId = new Map<string, AvailableLanguage>();
  for (const hb of heartbeats) {
    for (const l of hb.languages) {
      if (!byId.has(l.id)) byId.set(l.id, { id: l.id, name: l.name, aliases: [...l.aliases], version: l.version, compiled: l.compiled });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
