/**
 * A Piston `/api/v2/execute` body checked the way Piston checks it (engineer-man/piston
 * `api/src/api/v2.js` `get_job`, `api/src/job.js`), with Piston's own messages, and turned into a
 * runbox job. Pure.
 */
import type { JobRequest, RunLimits, SourceFile } from '@runbox/contract';
import type { Config } from '@runbox/config';
import type { Language } from '@runbox/languages';
import { javaEntryFiles } from '../java-entry';
import { PistonBadRequest } from './piston.errors';
import { resolveRuntime, type ResolvedRuntime } from './piston-runtimes';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Piston's per-request limits, in its units, and where each lands in runbox's. */
const CONSTRAINTS = ['memory_limit', 'timeout', 'cpu_time'] as const;
const STAGES = ['compile', 'run'] as const;
type Constraint = (typeof CONSTRAINTS)[number];
type Stage = (typeof STAGES)[number];

const MIB = 1024 * 1024;
/** Piston's unit (ms, or bytes for memory) → the runbox limit it sets. */
const TO_RUNBOX: Record<
  Constraint,
  { field: 'memoryMb' | 'wallTimeMs' | 'cpuTimeMs'; toRunbox: (v: number) => number; fromRunbox: (v: number) => number }
> = {
  memory_limit: { field: 'memoryMb', toRunbox: (bytes) => Math.ceil(bytes / MIB), fromRunbox: (mb) => mb * MIB },
  timeout: { field: 'wallTimeMs', toRunbox: Math.ceil, fromRunbox: (ms) => ms },
  cpu_time: { field: 'cpuTimeMs', toRunbox: Math.ceil, fromRunbox: (ms) => ms },
};

export interface PistonJob {
  runtime: ResolvedRuntime;
  request: JobRequest;
}

/** The configured limit of a constraint (Piston's `rt[constraint + 's'][type]`): the server maximum, or the language's compile limit. */
function configuredLimit(constraint: Constraint, stage: Stage, lang: Language, config: Config): number {
  const { field, fromRunbox } = TO_RUNBOX[constraint];
  if (stage === 'run') return fromRunbox(config.limits.maxima[field]);
  const compile = lang.compile?.limits;
  return fromRunbox(compile ? compile[field] : config.limits.maxima[field]);
}

/**
 * The run's limits. Piston skips a constraint that is absent or 0 (`if (!constraint_value)`);
 * -1, which Piston means as "no limit" and piston-client sends by default, is the server's
 * default here. Compile limits are checked as Piston checks them, then the language's own apply.
 */
function limitsOf(body: Obj, lang: Language, config: Config): Partial<RunLimits> {
  const limits: Partial<RunLimits> = {};
  for (const constraint of CONSTRAINTS) {
    for (const stage of STAGES) {
      const name = `${stage}_${constraint}`;
      const value = body[name];
      if (!value || value === -1) continue;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new PistonBadRequest(`If specified, ${name} must be a number`);
      const limit = configuredLimit(constraint, stage, lang, config);
      if (value > limit) throw new PistonBadRequest(`${name} cannot exceed the configured limit of ${limit}`);
      if (value < 0) throw new PistonBadRequest(`${name} must be non-negative`);
      if (stage === 'run') limits[TO_RUNBOX[constraint].field] = TO_RUNBOX[constraint].toRunbox(value);
    }
  }
  return limits;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Piston's files as runbox files. The first utf8 file is the one Piston runs: it becomes the
 * language's entry file (runbox runs `main.py`, compiles `{sources}`), a Java class keeps its
 * own file name. Piston decodes unknown encodings as utf8; hex is sent on as base64.
 */
function filesOf(files: Obj[], lang: Language): SourceFile[] {
  const out = files.map((f, i): SourceFile => {
    const name = typeof f.name === 'string' && f.name !== '' ? f.name : `file${i}.code`;
    const content = f.content as string;
    if (f.encoding === 'base64') return { path: name, content, encoding: 'base64' };
    if (f.encoding === 'hex') {
      if (!HEX.test(content)) throw new PistonBadRequest(`files[${i}].content is not valid hex`);
      return { path: name, content: Buffer.from(content, 'hex').toString('base64'), encoding: 'base64' };
    }
    return { path: name, content, encoding: 'utf8' };
  });
  // the caller checked that one file is utf8 (an unknown encoding is utf8 too)
  const entry = out.findIndex((f) => f.encoding === 'utf8');
  const program = out[entry] ?? { path: lang.sourceFile, content: '', encoding: 'utf8' };
  const rest = out.filter((_, i) => i !== entry);
  const main: SourceFile[] = lang.id === 'java' ? javaEntryFiles(program.content) : [{ ...program, path: lang.sourceFile }];
  for (const f of rest) {
    if (main.some((m) => m.path === f.path))
      throw new PistonBadRequest(`File path "${f.path}" is the name runbox gives the entry file; rename it`);
  }
  return [...main, ...rest];
}

/** Checks `body` in Piston's order with Piston's messages; `runtimes` are what the workers have. */
export function toPistonJob(
  body: unknown,
  runtimes: readonly ResolvedRuntime[],
  languages: (id: string) => Language | undefined,
  config: Config,
): PistonJob {
  if (!isObj(body)) throw new PistonBadRequest('language is required as a string');
  const { language, version, files, args, stdin } = body;
  if (!language || typeof language !== 'string') throw new PistonBadRequest('language is required as a string');
  if (!version || typeof version !== 'string') throw new PistonBadRequest('version is required as a string');
  if (!files || !Array.isArray(files)) throw new PistonBadRequest('files is required as an array');
  for (const [i, file] of files.entries()) {
    if (!isObj(file) || typeof file.content !== 'string') throw new PistonBadRequest(`files[${i}].content is required as a string`);
  }
  const runtime = resolveRuntime(runtimes, language, version);
  const lang = runtime && languages(runtime.id);
  if (!runtime || !lang) throw new PistonBadRequest(`${language}-${version} runtime is unknown`);
  if (!(files as Obj[]).some((f) => !f.encoding || f.encoding === 'utf8'))
    throw new PistonBadRequest('files must include at least one utf8 encoded file');
  const limits = limitsOf(body, lang, config);
  if (args !== undefined && args !== null && !(Array.isArray(args) && args.every((a) => typeof a === 'string'))) {
    throw new PistonBadRequest('args must be an array of strings');
  }
  if (stdin !== undefined && stdin !== null && typeof stdin !== 'string') throw new PistonBadRequest('stdin must be a string');
  // job.js: "Add a trailing newline if it doesn't exist"
  const input = typeof stdin === 'string' ? stdin : '';
  return {
    runtime,
    request: {
      language: lang.id,
      files: filesOf(files as Obj[], lang),
      stdin: input.endsWith('\n') ? input : `${input}\n`,
      args: Array.isArray(args) ? args.map(String) : [],
      limits,
    },
  };
}
