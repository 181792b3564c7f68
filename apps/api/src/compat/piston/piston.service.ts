/** Piston v2 over runbox: runtimes from the live workers, execute through the /v1 job path. */
import { Injectable } from '@nestjs/common';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import type { Caller } from '../../auth/caller';
import { InvalidRequest } from '../../http/validation';
import { RequestTooLarge, UnprocessableJob } from '../../jobs/jobs.errors';
import { LanguagesService } from '../../languages/languages.service';
import { SyncRunner } from '../sync-run';
import { pistonJson } from './piston-body';
import { PistonBadRequest } from './piston.errors';
import { toPistonJob, type PistonJob } from './piston-request';
import { toPistonResult, type PistonResult } from './piston-result';
import { pistonRuntimes, runtimeView, type PistonRuntime, type ResolvedRuntime } from './piston-runtimes';

export interface PistonPackage {
  language: string;
  language_version: string;
  installed: boolean;
}

@Injectable()
export class PistonService {
  constructor(
    private readonly languages: LanguagesService,
    private readonly registry: LanguageRegistry,
    private readonly runner: SyncRunner,
    private readonly config: Config,
  ) {}

  private async resolved(): Promise<ResolvedRuntime[]> {
    return pistonRuntimes(await this.languages.installed());
  }

  async runtimes(): Promise<PistonRuntime[]> {
    return (await this.resolved()).map(runtimeView);
  }

  /** Piston's packages are what provides each runtime (`node` for javascript, `gcc` for c and c++), all installed. */
  async packages(): Promise<PistonPackage[]> {
    const seen = new Map<string, PistonPackage>();
    for (const rt of await this.resolved()) {
      const language = rt.runtime ?? rt.language;
      if (!seen.has(language)) seen.set(language, { language, language_version: rt.version, installed: true });
    }
    return [...seen.values()];
  }

  /** The job of a `/connect` init message, checked as an execute body; its stdin is what the session sends (Piston ignores the message's). */
  async connectJob(init: unknown): Promise<PistonJob> {
    const job = toPistonJob(init, await this.resolved(), (id) => this.registry.find(id), this.config);
    return { ...job, request: { ...job.request, stdin: '' } };
  }

  /** Throws `PistonBadRequest` for what Piston (or runbox's /v1 rules) would refuse. */
  async execute(body: unknown, caller: Caller): Promise<PistonResult> {
    const job = toPistonJob(pistonJson(body), await this.resolved(), (id) => this.registry.find(id), this.config);
    try {
      return toPistonResult(job.runtime, await this.runner.run(job.request, caller));
    } catch (e) {
      // the /v1 rules a translated body can still break (sizes, paths, maxima): Piston's 400 shape
      if (e instanceof InvalidRequest || e instanceof UnprocessableJob || e instanceof RequestTooLarge)
        throw new PistonBadRequest(e.message);
      throw e;
    }
  }
}
