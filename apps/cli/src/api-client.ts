/**
 * The runbox HTTP API as the CLI uses it, over the global fetch. Every failure becomes an
 * ApiError carrying the exit code it means (unreachable 69, refused key 77, refused request 65).
 */
import type { JobRequest, JobView, LanguageInfo } from '@runbox/contract';
import type { Connection } from './args';
import { EXIT } from './exit-codes';
import { readEvents, type SseEvent } from './sse';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A single request may take this long (waiting for a job is many requests). */
const REQUEST_TIMEOUT_MS = 30_000;

interface Problem {
  message?: string | string[];
  errors?: { field?: string; rule?: string; message?: string }[];
}

function describeProblem(status: number, body: string): string {
  let p: Problem | undefined;
  try {
    p = JSON.parse(body) as Problem;
  } catch {
    /* not JSON: show the text */
  }
  const head = p?.message ? (Array.isArray(p.message) ? p.message.join('; ') : p.message) : body.trim().slice(0, 500) || 'no details';
  const lines = (p?.errors ?? []).map((e) => `  ${e.field ?? '?'}: ${e.message ?? e.rule ?? ''}`);
  return [`HTTP ${status}: ${head}`, ...lines].join('\n');
}

export class ApiClient {
  constructor(
    private readonly connection: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  submit(req: JobRequest): Promise<JobView> {
    return this.json('POST', '/v1/jobs', req);
  }

  job(id: string): Promise<JobView> {
    return this.json('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  async cancel(id: string): Promise<void> {
    await this.json('DELETE', `/v1/jobs/${encodeURIComponent(id)}`).catch(() => undefined);
  }

  async languages(): Promise<LanguageInfo[]> {
    const body = await this.json<LanguageInfo[] | { languages: LanguageInfo[] }>('GET', '/v1/languages');
    return Array.isArray(body) ? body : body.languages;
  }

  /**
   * The job's live events, or null when the server does not stream them (an older API answers
   * 404 or JSON): the caller then polls.
   */
  async events(id: string, signal: AbortSignal): Promise<AsyncGenerator<SseEvent> | null> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(`/v1/jobs/${encodeURIComponent(id)}/events`), {
        headers: this.headers({ accept: 'text/event-stream' }),
        signal,
      });
    } catch {
      return null;
    }
    if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await res.body?.cancel().catch(() => undefined);
      return null;
    }
    return readEvents(res.body);
  }

  private url(path: string): string {
    return `${this.connection.url}${path}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'user-agent': 'runbox-cli',
      ...(this.connection.apiKey ? { authorization: `Bearer ${this.connection.apiKey}` } : {}),
      ...extra,
    };
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path), {
        method,
        headers: this.headers({ accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new ApiError(`cannot reach the runbox API at ${this.connection.url} (${why})`, EXIT.unreachable);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new ApiError(`${describeProblem(res.status, text)}\n(check --api-key or RUNBOX_API_KEY)`, EXIT.unauthorized);
    }
    if (res.status >= 400 && res.status < 500) throw new ApiError(describeProblem(res.status, text), EXIT.rejected);
    if (!res.ok)
      throw new ApiError(`the runbox API at ${this.connection.url} failed: ${describeProblem(res.status, text)}`, EXIT.unreachable);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(
        `the runbox API at ${this.connection.url} answered ${method} ${path} with something that is not JSON`,
        EXIT.unreachable,
      );
    }
  }
}
