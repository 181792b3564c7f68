/** Jobe over runbox: languages from the live workers, runs through the /v1 job path. */
import { Injectable } from '@nestjs/common';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { ServiceBusy, TooManyActiveJobs } from '../../admission/admission.errors';
import type { Caller } from '../../auth/caller';
import { InvalidRequest } from '../../http/validation';
import { RequestTooLarge, UnprocessableJob } from '../../jobs/jobs.errors';
import { LanguagesService } from '../../languages/languages.service';
import { RunNotFinished, SyncRunner } from '../sync-run';
import { JobeFiles } from './jobe-files';
import { JOBE_LANGUAGES } from './jobe-languages';
import { JAVA_NO_MAIN_CLASS, parseRunSpec, toJobRequest } from './jobe-request';
import { jobeResult, OUTCOME, toJobeResult, type JobeResult } from './jobe-result';
import { JobeError, jobeBadRequest } from './jobe.errors';

@Injectable()
export class JobeService {
  constructor(
    private readonly languages: LanguagesService,
    private readonly registry: LanguageRegistry,
    private readonly files: JobeFiles,
    private readonly runner: SyncRunner,
    private readonly config: Config,
  ) {}

  /** `[[id, version], …]` of the Jobe languages the workers have, in Jobe's order. */
  async list(): Promise<[string, string][]> {
    const installed = new Map((await this.languages.installed()).map((l) => [l.id, l.version]));
    return Object.entries(JOBE_LANGUAGES)
      .filter(([, l]) => installed.has(l.runbox))
      .map(([id, l]) => [id, installed.get(l.runbox)!]);
  }

  /**
   * Runs a run_spec. Jobe's refusals are `JobeError`s; what the program did, and a busy server
   * (Jobe's outcome 21), are results.
   */
  async run(body: unknown, caller: Caller): Promise<JobeResult> {
    const installed = new Set((await this.languages.installed()).map((l) => l.id));
    const spec = parseRunSpec(body, (id) => installed.has(id), this.config);
    const support = await this.files.load(
      caller,
      spec.files.map(([id]) => id),
    );
    if (!support) throw new JobeError(404, 'One or more of the specified files is missing/unavailable');
    const entry = this.registry.find(spec.language.runbox)!.sourceFile;
    const request = toJobRequest(spec, support, entry);
    if (!request) return jobeResult(OUTCOME.compilationError, { cmpinfo: JAVA_NO_MAIN_CLASS });
    try {
      return toJobeResult(await this.runner.run(request, caller));
    } catch (e) {
      if (e instanceof ServiceBusy || e instanceof TooManyActiveJobs || e instanceof RunNotFinished)
        return jobeResult(OUTCOME.serverOverload);
      // the /v1 rules a translated run can still break (sizes, file names): Jobe's 400, a message string
      if (e instanceof InvalidRequest || e instanceof UnprocessableJob || e instanceof RequestTooLarge) throw jobeBadRequest(e.message);
      throw e;
    }
  }
}
