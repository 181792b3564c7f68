/**
 * A Judge0 submission request → the one job contract, checked as Judge0 CE v1.13.1 checks it
 * (judge0/judge0 v1.13.1 app/models/submission.rb: presence, numericality and length rules,
 * `set_defaults`; app/controllers/submissions_controller.rb: permitted keys, base64 decoding).
 * Errors come out as Judge0's 422 body, `{ field: [messages] }`, with Rails' message texts.
 * Pure: the same body and configuration always give the same job.
 */
import type { JobRequest, RunLimits } from '@runbox/contract';
import type { Config } from '@runbox/config';
import type { LanguageRegistry } from '@runbox/languages';
import { judge0Limits, OPTIONS_MAX_CHARS, type Judge0Limits, type LimitName } from './judge0-limits';
import { judge0Language } from './languages';
import { judge0Words, ShellWordsError } from './shell-words';

/** What runbox keeps of a submission besides its job: the attributes as Judge0 would store them (text as base64 of its bytes). */
export interface Judge0Submission {
  language_id: number;
  source_code: string;
  stdin: string | null;
  expected_output: string | null;
  number_of_runs: number;
  cpu_time_limit: number;
  cpu_extra_time: number;
  wall_time_limit: number;
  memory_limit: number;
  stack_limit: number;
  max_processes_and_or_threads: number;
  enable_per_process_and_thread_time_limit: boolean;
  enable_per_process_and_thread_memory_limit: boolean;
  max_file_size: number;
  compiler_options: string | null;
  command_line_arguments: string | null;
  redirect_stderr_to_stdout: boolean;
  callback_url: string | null;
  additional_files: string | null;
  enable_network: boolean;
}

/** Judge0's 422 body: messages per attribute. */
export type Judge0Errors = Record<string, string[]>;

export type Parsed = { ok: true; request: JobRequest; submission: Judge0Submission } | { ok: false; errors: Judge0Errors };

export interface Judge0Context {
  config: Config;
  languages: LanguageRegistry;
}

type Obj = Record<string, unknown>;

/**
 * A permitted scalar as Rails' strong parameters pass it on: strings as they are, numbers and
 * booleans as given; anything else (an object, an array) is not permitted, so absent.
 */
const scalar = (v: unknown): string | number | boolean | undefined =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? v : undefined;

/** ActiveModel's boolean cast: "" and null are nil; false, 0, "0", "f", "false", "off" (any case) are false; the rest true. */
function toBool(v: unknown): boolean | undefined {
  const s = scalar(v);
  if (s === undefined || s === '') return undefined;
  if (typeof s === 'boolean') return s;
  return !['0', 'f', 'false', 'off'].includes(String(s).toLowerCase());
}

/** A number as Rails' numericality validation reads the value before type cast; NaN when it is not one. */
function toNumber(v: unknown): number | undefined {
  const s = scalar(v);
  if (s === undefined || s === '') return undefined;
  if (typeof s === 'boolean') return s ? 1 : 0;
  if (typeof s === 'number') return s;
  return /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(s) ? Number(s) : Number.NaN;
}

/** A text value: strings as they are, numbers and booleans in their JSON spelling. */
const toText = (v: unknown): string | undefined => {
  const s = scalar(v);
  return s === undefined ? undefined : String(s);
};

/** Rails prints a float maximum as `15.0`, an integer one as `512000`. */
const rubyNumber = (n: number, float: boolean): string => (float && Number.isInteger(n) ? `${n}.0` : String(n));

/** Ruby's `blank?` for a string: empty or whitespace only. */
const isBlank = (s: string | undefined | null): boolean => s === undefined || s === null || /^\s*$/.test(s);

/** Ruby's Base64.decode64: lenient, skips what is not in the alphabet. */
const decode64 = (s: string): Buffer => Buffer.from(s.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');

function checkLimit(name: LimitName, raw: unknown, limits: Judge0Limits, errors: Judge0Errors): number {
  const bound = limits[name];
  const n = toNumber(raw);
  if (n === undefined) return bound.default;
  const add = (m: string) => (errors[name] ??= []).push(m);
  if (Number.isNaN(n)) {
    add('is not a number');
    return bound.default;
  }
  if (bound.minExclusive ? n <= bound.min : n < bound.min)
    add(`must be greater than ${bound.minExclusive ? '' : 'or equal to '}${rubyNumber(bound.min, false)}`);
  if (n > bound.max) add(`must be less than or equal to ${rubyNumber(bound.max, bound.float)}`);
  return bound.float ? n : Math.trunc(n); // an integer column keeps the integer part
}

/** The runbox limits of a submission. cpu_time_limit 0 is isolate's "no limit": the largest Judge0 allows here. */
function runLimits(s: Judge0Submission, limits: Judge0Limits, config: Config): Partial<RunLimits> {
  const cpuS = s.cpu_time_limit === 0 ? limits.cpu_time_limit.max : s.cpu_time_limit;
  return {
    cpuTimeMs: Math.max(1, Math.round(cpuS * 1000)),
    wallTimeMs: Math.max(1, Math.round(s.wall_time_limit * 1000)),
    // Judge0's KB are isolate's (1024 bytes); runbox's floor is 8 MB.
    memoryMb: Math.max(8, Math.ceil(s.memory_limit / 1024)),
    processes: s.max_processes_and_or_threads,
    outputBytes: config.limits.defaults.outputBytes,
  };
}

/** The words of an option string, or an error message for it. */
function words(text: string | null, field: string, errors: Judge0Errors, max: { count: number; bytes: number }): string[] {
  if (text === null) return [];
  try {
    const list = judge0Words(text);
    if (list.length > max.count) (errors[field] ??= []).push(`has too many words (maximum is ${max.count})`);
    else if (list.some((w) => Buffer.byteLength(w) > max.bytes))
      (errors[field] ??= []).push(`has a word that is too long (maximum is ${max.bytes} bytes)`);
    return list;
  } catch (e) {
    if (!(e instanceof ShellWordsError)) throw e;
    (errors[field] ??= []).push(`cannot be split into words (${e.message})`);
    return [];
  }
}

/** Checks one submission body (`base64` says how source_code, stdin and expected_output are sent). */
export function parseSubmission(body: unknown, base64: boolean, ctx: Judge0Context): Parsed {
  const b: Obj = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Obj) : {};
  const errors: Judge0Errors = {};
  const add = (field: string, m: string) => (errors[field] ??= []).push(m);
  const limits = judge0Limits(ctx.config);
  const { maxFileBytes, maxStdinBytes, maxArgs, maxArgBytes } = ctx.config.requests;

  // Text arrives as given, or as base64 of its bytes; runbox keeps the bytes (as base64).
  const bytesOf = (field: string): Buffer | null => {
    const t = toText(b[field]);
    if (t === undefined) return null;
    return base64 ? decode64(t) : Buffer.from(t, 'utf8');
  };
  const source = bytesOf('source_code');
  const stdin = bytesOf('stdin');
  const expected = bytesOf('expected_output');

  if (source === null || isBlank(source.toString('utf8'))) add('source_code', "can't be blank");
  else if (source.length > maxFileBytes) add('source_code', `is too long (maximum is ${maxFileBytes} bytes)`);
  const archiveMax = maxFileBytes * ctx.config.requests.maxFiles;
  if (Buffer.byteLength(toText(b.additional_files) ?? '') * 0.75 > archiveMax)
    add('additional_files', `is too long (maximum is ${archiveMax} bytes)`);
  if (stdin && stdin.length > maxStdinBytes) add('stdin', `is too long (maximum is ${maxStdinBytes} bytes)`);

  // ActiveModel's integer cast: "4" is 4, "4.7" is 4, "abc" is 0.
  const rawId = scalar(b.language_id);
  const languageId =
    rawId === undefined || rawId === ''
      ? null
      : typeof rawId === 'boolean'
        ? Number(rawId)
        : Math.trunc(Number.parseFloat(String(rawId))) || 0;
  const j0 = languageId === null ? undefined : judge0Language(languageId);
  const lang = j0 ? ctx.languages.find(j0.runbox) : undefined;
  if (languageId === null) add('language_id', "can't be blank");
  if (!lang) add('language_id', `language with id ${languageId ?? ''} doesn't exist`);

  const num = (name: LimitName) => checkLimit(name, b[name], limits, errors);
  const submission: Judge0Submission = {
    language_id: languageId ?? 0,
    source_code: (source ?? Buffer.alloc(0)).toString('base64'),
    stdin: stdin?.toString('base64') ?? null,
    expected_output: expected?.toString('base64') ?? null,
    number_of_runs: num('number_of_runs'),
    cpu_time_limit: num('cpu_time_limit'),
    cpu_extra_time: num('cpu_extra_time'),
    wall_time_limit: num('wall_time_limit'),
    memory_limit: num('memory_limit'),
    stack_limit: num('stack_limit'),
    max_processes_and_or_threads: num('max_processes_and_or_threads'),
    enable_per_process_and_thread_time_limit: toBool(b.enable_per_process_and_thread_time_limit) ?? false,
    enable_per_process_and_thread_memory_limit: toBool(b.enable_per_process_and_thread_memory_limit) ?? false,
    max_file_size: num('max_file_size'),
    compiler_options: toText(b.compiler_options) ?? null,
    command_line_arguments: toText(b.command_line_arguments) ?? null,
    redirect_stderr_to_stdout: toBool(b.redirect_stderr_to_stdout) ?? false,
    callback_url: toText(b.callback_url) ?? null,
    // Always base64 (a zip), decoded leniently as Ruby does; kept as its bytes.
    additional_files: isBlank(toText(b.additional_files)) ? null : decode64(toText(b.additional_files)!).toString('base64'),
    enable_network: toBool(b.enable_network) ?? false,
  };

  // Limits for the whole process tree are all the sandbox has (ALLOW_ENABLE_PER_PROCESS_… is false).
  if (submission.enable_per_process_and_thread_time_limit) add('enable_per_process_and_thread_time_limit', 'this option cannot be enabled');
  if (submission.enable_per_process_and_thread_memory_limit)
    add('enable_per_process_and_thread_memory_limit', 'this option cannot be enabled');
  for (const f of ['compiler_options', 'command_line_arguments'] as const) {
    if ((submission[f]?.length ?? 0) > OPTIONS_MAX_CHARS) add(f, `is too long (maximum is ${OPTIONS_MAX_CHARS} characters)`);
  }
  if (!isBlank(submission.compiler_options) && lang && !lang.compile)
    add('compiler_options', 'setting compiler options is only allowed for compiled languages');
  if (!isBlank(submission.callback_url) && !/^https?:\/\/[^\s]+$/i.test(submission.callback_url!))
    add('callback_url', 'must be an http or https URL');
  // The sandbox has only its own loopback interface (ALLOW_ENABLE_NETWORK is false).
  if (submission.enable_network) add('enable_network', 'enabling network is not allowed');

  const max = { count: maxArgs, bytes: maxArgBytes };
  const compileArgs = isBlank(submission.compiler_options) ? [] : words(submission.compiler_options, 'compiler_options', errors, max);
  const args = words(submission.command_line_arguments, 'command_line_arguments', errors, max);

  if (Object.keys(errors).length > 0 || !lang || !source) return { ok: false, errors };

  const runs = submission.number_of_runs;
  const stdinText = stdin?.toString('utf8') ?? '';
  const request: JobRequest = {
    language: lang.id,
    files: [{ path: lang.sourceFile, content: source.toString('base64'), encoding: 'base64' }],
    stdin: stdinText,
    args,
    ...(compileArgs.length ? { compileArgs } : {}),
    ...(submission.additional_files ? { archive: submission.additional_files } : {}),
    limits: runLimits(submission, limits, ctx.config),
    // Judge0 answers in base64 or text as each read asks (`base64_encoded`): the job keeps the exact bytes for either.
    outputEncoding: 'base64',
    // number_of_runs: Judge0 compiles and runs N times and stops at the first run that is not
    // Accepted; runbox compiles once and runs N tests of the same input.
    ...(runs > 1
      ? { tests: Array.from({ length: runs }, (_, i) => ({ name: `run ${i + 1}`, stdin: stdinText })), stopOnFirstFailure: true }
      : {}),
  };
  return { ok: true, request, submission };
}
