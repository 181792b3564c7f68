/**
 * What each worker writes, under a TTL'd key, while it lives (WORKER_HEARTBEAT_KEY in queue.ts).
 * The API reads it for readiness and for the list of installed languages, so it is data another
 * process wrote: the reader checks it before use.
 */
import type { LanguageInfo } from './language-info';

/** Seconds a heartbeat lives; workers refresh it at a third of that. */
export const WORKER_HEARTBEAT_TTL_S = 15;

/** What a worker announces in its heartbeat. */
export interface WorkerHeartbeat {
  id: string;
  host: string;
  pid: number;
  slots: number;
  startedAt: string;
  cgroupMode: string | null;
  languages: LanguageInfo[];
}
