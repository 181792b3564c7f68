/**
 * From a validated request to the `JobData` the queue carries. The checks that depend on the
 * server's configuration live here (known language, limit maxima, size caps), then every default
 * is filled in, so the worker never has to guess. Pure: the same request and configuration
 * always give the same job.
 */
import {
  DEFAULT_CHECKER,
  INTERACTOR_FILES,
  LIMIT_FIELDS,
  nulProblem,
  outputPatternProblem,
  unrunnablePathProblem,
  type Checker,
  type Interactor,
  type JobData,
  type JobRequest,
  type QueuedChecker,
  type QueuedInteractor,
  type QueuedTest,
  type RunLimits,
  type SourceFile,
  type TestCase,
} from '@runbox/contract';
import type { Config } from '@runbox/config';
import type { Language, LanguageRegistry } from '@runbox/languages';
import type { FieldError } from '../http/validation';
import { CompileArgsNotCompiled, LimitAboveMaximum, RequestTooLarge, UnknownLanguage, UnprocessableJob } from './jobs.errors';

export interface RequestContext {
  config: Config;
  languages: LanguageRegistry;
}

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Bytes a file will have in the box: base64 is measured decoded, without decoding it. */
export function fileBytes(f: SourceFile): number {
  if (f.encoding !== 'base64') return utf8Bytes(f.content);
  const padding = f.content.endsWith('==') ? 2 : f.content.endsWith('=') ? 1 : 0;
  return (f.content.length / 4) * 3 - padding;
}

function resolveLanguage(name: string, field: string, languages: LanguageRegistry): Language {
  const lang = languages.find(name);
  if (!lang) throw new UnknownLanguage(field, name, languages.languages.map((l) => l.id).sort());
  return lang;
}

function checkCount(items: readonly unknown[] | undefined, field: string, max: number): void {
  if (items && items.length > max) throw new RequestTooLarge(field, max, 'items');
}

function checkBytes(bytes: number, field: string, max: number): void {
  if (bytes > max) throw new RequestTooLarge(field, max, 'bytes');
}

function checkProgram(source: string | undefined, files: readonly SourceFile[] | undefined, at: string, config: Config): void {
  const { maxFiles, maxFileBytes } = config.requests;
  if (source !== undefined && source !== null) checkBytes(utf8Bytes(source), `${at}source`, maxFileBytes);
  checkCount(files ?? undefined, `${at}files`, maxFiles);
  files?.forEach((f, i) => checkBytes(fileBytes(f), `${at}files[${i}].content`, maxFileBytes));
}

function checkArgs(args: readonly string[] | undefined, field: string, config: Config): void {
  const { maxArgs, maxArgBytes } = config.requests;
  checkCount(args ?? undefined, field, maxArgs);
  args?.forEach((a, i) => checkBytes(utf8Bytes(a), `${field}[${i}]`, maxArgBytes));
}

function checkRun(stdin: string | undefined, args: readonly string[] | undefined, at: string, config: Config): void {
  if (typeof stdin === 'string') checkBytes(utf8Bytes(stdin), `${at}stdin`, config.requests.maxStdinBytes);
  checkArgs(args, `${at}args`, config);
}

/**
 * Strings the launcher would receive as C strings (arguments, test names, file paths) that it
 * cannot take: a NUL byte, or a path a compiler would read as an option. Well-formed JSON the
 * server will not run, so 422 (like an unknown language), every such field named at once; the
 * worker refuses the same again (`parseJobData`). stdin and file contents may hold any byte.
 */
function unrunnableFields(req: JobRequest, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const text = (value: unknown, field: string) => {
    const problem = typeof value === 'string' ? nulProblem(value) : null;
    if (problem) errors.push({ field, rule: 'noNul', message: `${field} ${problem}` });
  };
  const paths = (files: readonly SourceFile[] | undefined, field: string) =>
    files?.forEach((f, i) => {
      const problem = typeof f.path === 'string' ? unrunnablePathProblem(f.path) : null;
      if (problem)
        errors.push({
          field: `${field}[${i}].path`,
          rule: nulProblem(f.path) ? 'noNul' : 'noLeadingDash',
          message: `${field}[${i}].path ${problem}`,
        });
    });
  req.args?.forEach((a, i) => text(a, `${at}args[${i}]`));
  req.compileArgs?.forEach((a, i) => text(a, `${at}compileArgs[${i}]`));
  req.tests?.forEach((t, i) => {
    text(t.name, `${at}tests[${i}].name`);
    t.args?.forEach((a, j) => text(a, `${at}tests[${i}].args[${j}]`));
  });
  req.outputFiles?.forEach((p, i) => {
    const problem = outputPatternProblem(p);
    if (problem)
      errors.push({
        field: `${at}outputFiles[${i}]`,
        rule: nulProblem(p) ? 'noNul' : 'insideBox',
        message: `${at}outputFiles[${i}] ${problem}`,
      });
  });
  paths(req.files ?? undefined, `${at}files`);
  if (req.checker?.type === 'custom') paths(req.checker.files ?? undefined, `${at}checker.files`);
  paths(req.interactor?.files ?? undefined, `${at}interactor.files`);
  return errors;
}

/** The request's limits, each checked against the server's maximum and filled from `defaults` (the server's). */
function limitsOf(requested: Partial<RunLimits> | undefined, at: string, config: Config, defaults = config.limits.defaults): RunLimits {
  const limits = { ...defaults };
  for (const f of LIMIT_FIELDS) {
    const v = requested?.[f];
    if (v === undefined || v === null) continue;
    if (v > config.limits.maxima[f]) throw new LimitAboveMaximum(`${at}limits.${f}`, config.limits.maxima[f]);
    limits[f] = v;
  }
  return limits;
}

const toFiles = (source: string | undefined, files: readonly SourceFile[] | undefined, lang: Language): SourceFile[] =>
  typeof source === 'string'
    ? [{ path: lang.sourceFile, content: source, encoding: 'utf8' }]
    : (files ?? []).map((f) => ({ path: f.path, content: f.content, encoding: f.encoding ?? 'utf8' }));

function toChecker(checker: Checker | undefined, at: string, ctx: RequestContext): QueuedChecker {
  if (!checker) return { ...DEFAULT_CHECKER };
  switch (checker.type) {
    case 'float': {
      const out: QueuedChecker & { type: 'float' } = { type: 'float' };
      if (typeof checker.absoluteTolerance === 'number') out.absoluteTolerance = checker.absoluteTolerance;
      if (typeof checker.relativeTolerance === 'number') out.relativeTolerance = checker.relativeTolerance;
      return out;
    }
    case 'custom': {
      const lang = resolveLanguage(checker.language, `${at}checker.language`, ctx.languages);
      checkProgram(checker.source, checker.files, `${at}checker.`, ctx.config);
      return { type: 'custom', language: lang.id, files: toFiles(checker.source, checker.files, lang) };
    }
    default:
      return { type: checker.type };
  }
}

/**
 * The job's interactor: only with tests (it judges them) and without a checker (it is the
 * checker). Its limits default to the job's.
 */
function toInteractor(
  req: JobRequest & { interactor: Interactor },
  jobLimits: RunLimits,
  at: string,
  ctx: RequestContext,
): QueuedInteractor {
  const field = `${at}interactor`;
  if (!req.tests) throw new UnprocessableJob([{ field, rule: 'needsTests', message: `${field} needs tests: it judges each one` }]);
  if (req.checker)
    throw new UnprocessableJob([
      { field: `${at}checker`, rule: 'notWithInteractor', message: `${at}checker must not be given with ${field}: the interactor judges` },
    ]);
  const { interactor } = req;
  const lang = resolveLanguage(interactor.language, `${field}.language`, ctx.languages);
  checkProgram(interactor.source, interactor.files, `${field}.`, ctx.config);
  const reserved = (interactor.files ?? []).flatMap((f, i) =>
    (INTERACTOR_FILES as readonly string[]).includes(f.path)
      ? [{ field: `${field}.files[${i}].path`, rule: 'reserved', message: `${field}.files[${i}].path ${f.path} is the test's file` }]
      : [],
  );
  if (reserved.length) throw new UnprocessableJob(reserved);
  return {
    language: lang.id,
    files: toFiles(interactor.source, interactor.files, lang),
    limits: limitsOf(interactor.limits ?? undefined, `${field}.`, ctx.config, jobLimits),
  };
}

const toTest = (t: TestCase, i: number): QueuedTest => ({
  name: t.name ?? `test ${i + 1}`,
  stdin: t.stdin ?? '',
  args: t.args ? [...t.args] : [],
  ...(typeof t.expectedOutput === 'string' ? { expectedOutput: t.expectedOutput } : {}),
  points: t.points ?? 0,
});

/**
 * Checks `req` against the server's configuration and returns the job to queue. `at` prefixes
 * every field named in an error (`jobs[3].` in a batch). Throws `UnknownLanguage`,
 * `LimitAboveMaximum`, `RequestTooLarge` or `UnprocessableJob` (a field the launcher cannot take).
 */
export function toJobData(req: JobRequest, ctx: RequestContext, at = '', now = new Date()): JobData {
  const { config } = ctx;
  const lang = resolveLanguage(req.language, `${at}language`, ctx.languages);
  const limits = limitsOf(req.limits ?? undefined, at, config);
  checkProgram(req.source, req.files, at, config);
  checkRun(req.stdin, req.args, at, config);
  checkArgs(req.compileArgs, `${at}compileArgs`, config);
  if (req.compileArgs?.length && !lang.compile) throw new CompileArgsNotCompiled(`${at}compileArgs`, lang.id);
  if (typeof req.archive === 'string')
    checkBytes(
      fileBytes({ path: 'archive', content: req.archive, encoding: 'base64' }),
      `${at}archive`,
      config.requests.maxFileBytes * config.requests.maxFiles,
    );
  checkCount(req.tests ?? undefined, `${at}tests`, config.requests.maxTests);
  req.tests?.forEach((t, i) => checkRun(t.stdin, t.args, `${at}tests[${i}].`, config));
  const unrunnable = unrunnableFields(req, at);
  if (unrunnable.length > 0) throw new UnprocessableJob(unrunnable);
  const interactor = req.interactor ? toInteractor({ ...req, interactor: req.interactor }, limits, at, ctx) : undefined;
  return {
    v: 1,
    language: lang.id,
    files: toFiles(req.source, req.files, lang),
    stdin: req.stdin ?? '',
    args: req.args ? [...req.args] : [],
    compileArgs: req.compileArgs ? [...req.compileArgs] : [],
    archive: req.archive ?? null,
    limits,
    tests: req.tests ? req.tests.map(toTest) : null,
    checker: toChecker(req.checker ?? undefined, at, ctx),
    ...(interactor ? { interactor } : {}),
    stopOnFirstFailure: req.stopOnFirstFailure ?? false,
    callbackUrl: req.callbackUrl ?? null,
    outputEncoding: req.outputEncoding ?? 'utf8',
    ...(req.outputFiles ? { outputFiles: [...req.outputFiles] } : {}),
    ...(req.liveOutput ? { live: 'output' as const } : {}),
    createdAt: now.toISOString(),
    owner: null,
  };
}
