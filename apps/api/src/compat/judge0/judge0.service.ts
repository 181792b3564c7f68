/**
 * Judge0 CE's submissions on runbox's jobs. Every job goes through JobsService (admission,
 * quotas, ownership, the queue), so a Judge0 client gets exactly what a /v1 client gets; this
 * service only translates, and keeps the submission's own attributes next to the job.
 */
import { HttpStatus, Injectable } from '@nestjs/common';
import { isFinalStatus, JOBS_QUEUE, type JobView } from '@runbox/contract';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import type { Caller } from '../../auth/caller';
import { WorkerHeartbeats } from '../../fleet/worker-heartbeats';
import { Reply } from '../../http/reply';
import { JobAnnex } from '../../jobs/job-annex';
import { JobEvents } from '../../jobs/job-events';
import { JobsService } from '../../jobs/jobs.service';
import { availableLanguages, type AvailableLanguage } from '../../languages/available-languages';
import { parseFields, type Attribute } from './fields';
import { badRequest, BATCH_CONVERSION_ERROR, CONVERSION_ERROR, Judge0Error, notFound } from './judge0.errors';
import { Judge0Callbacks } from './judge0.callbacks';
import { judge0BatchMax } from './judge0-limits';
import { findSubmission, Judge0Store, type Stored } from './judge0.store';
import { JUDGE0_LANGUAGES, judge0Language, judge0LanguageName } from './languages';
import { parseSubmission, type Judge0Errors } from './submission-request';
import { renderSubmission } from './submission-view';

/** Query parameters Judge0 reads (strings, or arrays when repeated). */
export type Judge0Query = Record<string, unknown>;

/** How long the installed-language list is reused: it changes when workers come and go, not per request. */
const LANGUAGES_TTL_MS = 5_000;

@Injectable()
export class Judge0Service {
  private installedCache: { at: number; list: Promise<AvailableLanguage[]> } | undefined;

  constructor(
    private readonly config: Config,
    private readonly languages: LanguageRegistry,
    private readonly jobs: JobsService,
    private readonly events: JobEvents,
    private readonly store: Judge0Store,
    private readonly workers_: WorkerHeartbeats,
    private readonly callbacks: Judge0Callbacks,
    private readonly annex: JobAnnex,
  ) {}

  /** `base64_encoded` as v1.13.1 reads it (`== "true"`), or, when absent, this server's default. */
  private base64(q: Judge0Query): boolean {
    const v = q.base64_encoded;
    if (v === undefined) return this.config.compat.judge0.base64Default;
    return v === 'true';
  }

  private fields(q: Judge0Query): Attribute[] {
    const parsed = parseFields(q.fields);
    if ('invalid' in parsed) throw badRequest(`invalid fields: [${parsed.invalid.join(', ')}]`);
    return parsed.fields;
  }

  /** POST /submissions: 201 with the token, or with the finished submission when `wait=true`. */
  async create(body: unknown, q: Judge0Query, caller: Caller): Promise<Reply<unknown>> {
    const wait = q.wait === 'true';
    const fields = this.fields(q);
    const base64 = this.base64(q);
    const parsed = parseSubmission(body, base64, { config: this.config, languages: this.languages });
    if (!parsed.ok) throw new Judge0Error(HttpStatus.UNPROCESSABLE_ENTITY, parsed.errors);
    const { view } = await this.jobs.submit(parsed.request, false, caller);
    const stored: Stored = { submission: parsed.submission, owner: caller.quotaId };
    await this.store.save([{ token: view.id, stored }]);
    if (stored.submission.callback_url) this.callbacks.follow([view.id]);
    if (!wait) return new Reply(HttpStatus.CREATED, { token: view.id });
    const finished = await this.waitFor(view.id, caller);
    const rendered = await this.render(view.id, finished, stored, base64, fields);
    return new Reply(HttpStatus.CREATED, 'conversionError' in rendered ? { token: view.id, error: CONVERSION_ERROR } : rendered.body);
  }

  /** Job `id` once it ends, or as it is when the server's wait maximum passes (as JobsService waits for /v1). */
  private async waitFor(id: string, caller: Caller): Promise<JobView> {
    const watch = this.events.watch(id); // before the read, so an end after it is not missed
    try {
      const view = await this.jobs.find(id, caller);
      if (isFinalStatus(view.status)) return view;
      return (await watch.until(this.config.http.waitMaxMs)) ?? (await this.jobs.find(id, caller));
    } finally {
      watch.stop();
    }
  }

  /** GET /submissions/:token. */
  async show(token: string, q: Judge0Query, caller: Caller): Promise<unknown> {
    const fields = this.fields(q);
    const base64 = this.base64(q);
    const found = await this.find(token, caller);
    if (!found) throw notFound();
    const rendered = await this.render(token, found.view, found.stored, base64, fields);
    if ('conversionError' in rendered) throw badRequest(CONVERSION_ERROR);
    return rendered.body;
  }

  private find(token: string, caller: Caller) {
    return findSubmission(this.jobs, this.store, token, caller);
  }

  /** POST /submissions/batch: every valid item queued, every invalid one answered with its errors, in order. */
  async createBatch(body: unknown, q: Judge0Query, caller: Caller): Promise<Reply<unknown>> {
    const items = typeof body === 'object' && body !== null ? (body as { submissions?: unknown }).submissions : undefined;
    const list = Array.isArray(items) ? items : [];
    const max = judge0BatchMax(this.config);
    if (list.length > max) throw badRequest(`number of submissions in a batch should be less than or equal to ${max}`);
    if (list.length === 0) throw badRequest('there should be at least one submission in a batch');
    const base64 = this.base64(q); // `fields` is ignored here, as Judge0 ignores it
    const parsed = list.map((item) => parseSubmission(item, base64, { config: this.config, languages: this.languages }));
    const valid = parsed.flatMap((p) => (p.ok ? [p] : []));
    if (valid.length === 0)
      return new Reply(
        HttpStatus.UNPROCESSABLE_ENTITY,
        parsed.map((p) => (p.ok ? {} : p.errors)),
      );
    const ids = await this.jobs.submitBatch(
      valid.map((p) => p.request),
      caller,
    );
    await this.store.save(valid.map((p, i) => ({ token: ids[i]!, stored: { submission: p.submission, owner: caller.quotaId } })));
    this.callbacks.follow(valid.flatMap((p, i) => (p.submission.callback_url ? [ids[i]!] : [])));
    let next = 0;
    const answer: ({ token: string } | Judge0Errors)[] = parsed.map((p) => (p.ok ? { token: ids[next++]! } : p.errors));
    return new Reply(HttpStatus.CREATED, answer);
  }

  /** GET /submissions/batch?tokens=a,b (or a `tokens` header): in token order, null for an unknown one. */
  async showBatch(tokensRaw: unknown, q: Judge0Query, caller: Caller): Promise<{ submissions: unknown[] }> {
    // Ruby's `to_s.strip.split(",")`: empty names between commas stay, trailing ones go.
    const tokens = (typeof tokensRaw === 'string' ? tokensRaw : '').trim().split(',');
    while (tokens.length && tokens[tokens.length - 1] === '') tokens.pop();
    const max = judge0BatchMax(this.config);
    if (tokens.length > max) throw badRequest(`number of submissions in a batch should be less than or equal to ${max}`);
    if (tokens.length === 0) throw badRequest('there should be at least one submission in a batch');
    const fields = this.fields(q);
    const base64 = this.base64(q);
    const found = await Promise.all(tokens.map((t) => this.find(t, caller)));
    const submissions: unknown[] = [];
    for (const [i, f] of found.entries()) {
      if (!f) {
        submissions.push(null);
        continue;
      }
      const rendered = await this.render(tokens[i]!, f.view, f.stored, base64, fields);
      if ('conversionError' in rendered) throw badRequest(BATCH_CONVERSION_ERROR);
      submissions.push(rendered.body);
    }
    return { submissions };
  }

  private async render(token: string, view: JobView, stored: Stored, base64: boolean, fields: readonly Attribute[]) {
    const language = fields.includes('language')
      ? await this.languageOf(stored.submission.language_id)
      : { id: stored.submission.language_id, name: '' };
    return renderSubmission(token, view, stored.submission, { base64, fields, language });
  }

  private async languageOf(id: number): Promise<{ id: number; name: string }> {
    const j0 = judge0Language(id);
    const installed = j0 ? (await this.installed()).find((l) => l.id === j0.runbox) : undefined;
    return { id, name: j0 ? judge0LanguageName(j0, installed?.version ?? 'unknown') : '' };
  }

  /** What the live workers have (GET /v1/languages' list), reused for a few seconds. */
  installed(): Promise<AvailableLanguage[]> {
    if (!this.installedCache || Date.now() - this.installedCache.at > LANGUAGES_TTL_MS) {
      const list = this.workers_.list().then(availableLanguages);
      list.catch(() => (this.installedCache = undefined));
      this.installedCache = { at: Date.now(), list };
    }
    return this.installedCache.list;
  }

  /**
   * GET /workers in Judge0's shape (HealthController#workers): one queue, runbox's, with its
   * waiting jobs; `available` counts sandbox slots (what Resque's workers are in Judge0).
   */
  async workers(): Promise<Record<string, unknown>[]> {
    const [heartbeats, counts] = await Promise.all([this.workers_.list(), this.annex.queueCounts()]);
    const slots = heartbeats.reduce((n, h) => n + h.slots, 0);
    const working = Math.min(slots, counts.active);
    return [
      {
        queue: JOBS_QUEUE,
        size: counts.waiting,
        available: slots,
        idle: slots - working,
        working,
        paused: 0,
        failed: counts.failed,
      },
    ];
  }

  /** GET /languages: Judge0's ids of the languages the workers have, by name as Judge0 sorts them. */
  async listLanguages(): Promise<{ id: number; name: string }[]> {
    const installed = await this.installed();
    return JUDGE0_LANGUAGES.flatMap((j0) => {
      const lang = installed.find((l) => l.id === j0.runbox);
      return lang ? [{ id: j0.id, name: judge0LanguageName(j0, lang.version) }] : [];
    }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** GET /languages/:id: the language with the commands runbox runs (argv joined for reading; no shell runs them). */
  async showLanguage(idRaw: string): Promise<Record<string, unknown>> {
    const id = /^\d+$/.test(idRaw) ? Number(idRaw) : Number.NaN;
    const j0 = judge0Language(id);
    const lang = j0 ? this.languages.find(j0.runbox) : undefined;
    const installed = j0 ? (await this.installed()).find((l) => l.id === j0.runbox) : undefined;
    if (!j0 || !lang || !installed) throw notFound();
    const argv = (a: readonly string[]) => a.map((x) => (x === '{sources}' ? lang.sourceFile : x)).join(' ');
    return {
      id,
      name: judge0LanguageName(j0, installed.version),
      is_archived: false,
      source_file: lang.sourceFile,
      // Judge0's %s is where compiler_options go; runbox appends them.
      compile_cmd: lang.compile ? `${argv(lang.compile.argv)} %s` : null,
      run_cmd: argv(lang.run),
    };
  }
}
