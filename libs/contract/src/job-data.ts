/**
 * The worker's re-validation of a dequeued job. Whatever sits in Redis is treated as untrusted
 * input: a job written by an older API, by hand, or by someone who reached Redis must not make
 * the worker run with wrong limits or write outside the box.
 */
import { CHECKER_TYPES, FILE_ENCODINGS, type SourceFile } from './checker';
import { INTERACTOR_FILES, type QueuedInteractor } from './interactor';
import { LIVE_MODES, type JobData, type LiveMode, type QueuedChecker, type QueuedTest } from './job';
import { LIMIT_FIELDS, OUTPUT_ENCODINGS, type OutputEncoding, type RunLimits } from './run';
import { MIN_LIMITS } from './limits';

export class InvalidJobData extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`invalid job data: ${field} (${rule})`);
    this.name = 'InvalidJobData';
  }
}

/** Largest number of path components and bytes a file path may have. */
export const MAX_PATH_DEPTH = 8;
export const MAX_PATH_BYTES = 255;
/** Points a test may be worth; the API's TestCaseDto accepts the same range. */
export const MAX_TEST_POINTS = 1_000_000;
const PATH_COMPONENT = /^[A-Za-z0-9._+-]+$/;

/**
 * Why `s` cannot be handed to a program, or null. Arguments, paths and names reach the launcher
 * and then `execve` as C strings: a NUL would end one early (`"a\0b"` silently becomes `"a"`, or
 * splits into two arguments in a NUL-separated request). Data that travels through a pipe or a
 * file (stdin, source, expected output) may hold any byte and is not checked.
 */
export function nulProblem(s: string): string | null {
  return s.includes('\0') ? 'must not contain a NUL byte' : null;
}

/**
 * Why `path` cannot be given to a compiler, or null: a NUL, or a component that starts with "-".
 * Paths are expanded into compile argument lists (`{sources}`), where `-fplugin=x.c` would be an
 * option, not a file. Every component is checked, not only the first character: a compiler or a
 * build step run inside a directory of the box (a glob, a recursive walk) sees the bare name.
 */
export function unrunnablePathProblem(path: string): string | null {
  return (
    nulProblem(path) ??
    (path.split('/').some((part) => part.startsWith('-'))
      ? 'no component may start with "-" (a compiler would read it as an option)'
      : null)
  );
}

/**
 * Why `path` is not a safe relative path inside the box, or null when it is. A safe path is
 * relative, has no `.`/`..`/empty component, only portable file-name characters (so it can be
 * joined to the box directory without resolving anything), and passes `unrunnablePathProblem`.
 */
export function filePathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'must be a non-empty string';
  const unrunnable = unrunnablePathProblem(path);
  if (unrunnable) return unrunnable;
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `must be at most ${MAX_PATH_BYTES} bytes`;
  const parts = path.split('/');
  if (parts.length > MAX_PATH_DEPTH) return `must have at most ${MAX_PATH_DEPTH} components`;
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') return 'must be relative, without empty, "." or ".." components';
    if (!PATH_COMPONENT.test(part)) return 'may only contain letters, digits and . _ + -';
  }
  return null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new InvalidJobData(field, 'must be a string');
  return v;
}
/** A string that reaches the launcher as a C string (an argument, a name): no NUL. */
function cstr(v: unknown, field: string): string {
  const s = str(v, field);
  const problem = nulProblem(s);
  if (problem) throw new InvalidJobData(field, problem);
  return s;
}
function cstrArray(v: unknown, field: string): string[] {
  if (!Array.isArray(v)) throw new InvalidJobData(field, 'must be an array');
  return v.map((x, i) => cstr(x, `${field}[${i}]`));
}
function int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new InvalidJobData(field, 'must be an integer');
  if (v < min || v > max) throw new InvalidJobData(field, `must be between ${min} and ${max}`);
  return v;
}
function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new InvalidJobData(field, 'must be a finite number ≥ 0');
  return v;
}

function parseFiles(v: unknown, field: string): SourceFile[] {
  if (!Array.isArray(v) || v.length === 0) throw new InvalidJobData(field, 'must be a non-empty array');
  return v.map((f, i) => {
    const at = `${field}[${i}]`;
    if (!isObj(f)) throw new InvalidJobData(at, 'must be an object');
    const path = str(f.path, `${at}.path`);
    const problem = filePathProblem(path);
    if (problem) throw new InvalidJobData(`${at}.path`, problem);
    const encoding = f.encoding ?? 'utf8';
    if (!FILE_ENCODINGS.includes(encoding as never)) throw new InvalidJobData(`${at}.encoding`, 'must be utf8 or base64');
    return { path, content: str(f.content, `${at}.content`), encoding: encoding as SourceFile['encoding'] };
  });
}

function parseLimits(v: unknown, maxima: RunLimits, field = 'limits'): RunLimits {
  if (!isObj(v)) throw new InvalidJobData(field, 'must be an object');
  const out = {} as RunLimits;
  for (const f of LIMIT_FIELDS) out[f] = int(v[f], `${field}.${f}`, MIN_LIMITS[f], maxima[f]);
  return out;
}

function parseInteractor(v: unknown, maxima: RunLimits, tests: QueuedTest[] | null): QueuedInteractor {
  if (!isObj(v)) throw new InvalidJobData('interactor', 'must be an object');
  if (!tests) throw new InvalidJobData('interactor', 'needs tests');
  const files = parseFiles(v.files, 'interactor.files');
  const reserved = files.findIndex((f) => (INTERACTOR_FILES as readonly string[]).includes(f.path));
  if (reserved >= 0) throw new InvalidJobData(`interactor.files[${reserved}].path`, "is one of the test's files");
  return {
    language: cstr(v.language, 'interactor.language'),
    files,
    limits: parseLimits(v.limits, maxima, 'interactor.limits'),
  };
}

function parseChecker(v: unknown): QueuedChecker {
  if (!isObj(v) || !CHECKER_TYPES.includes(v.type as never))
    throw new InvalidJobData('checker.type', `must be one of ${CHECKER_TYPES.join(', ')}`);
  switch (v.type) {
    case 'float':
      return {
        type: 'float',
        absoluteTolerance: v.absoluteTolerance === undefined ? undefined : num(v.absoluteTolerance, 'checker.absoluteTolerance'),
        relativeTolerance: v.relativeTolerance === undefined ? undefined : num(v.relativeTolerance, 'checker.relativeTolerance'),
      };
    case 'custom':
      return { type: 'custom', language: cstr(v.language, 'checker.language'), files: parseFiles(v.files, 'checker.files') };
    default:
      return { type: v.type } as QueuedChecker;
  }
}

function parseTests(v: unknown): QueuedTest[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) throw new InvalidJobData('tests', 'must be an array or null');
  return v.map((t, i) => {
    const at = `tests[${i}]`;
    if (!isObj(t)) throw new InvalidJobData(at, 'must be an object');
    return {
      name: cstr(t.name, `${at}.name`),
      stdin: str(t.stdin ?? '', `${at}.stdin`),
      args: cstrArray(t.args ?? [], `${at}.args`),
      expectedOutput:
        t.expectedOutput === undefined || t.expectedOutput === null ? undefined : str(t.expectedOutput, `${at}.expectedOutput`),
      points: int(t.points ?? 0, `${at}.points`, 0, MAX_TEST_POINTS),
    };
  });
}

/** Patterns a job may give in `outputFiles`. */
export const MAX_OUTPUT_FILE_PATTERNS = 16;
const PATTERN_COMPONENT = /^[^/\0]+$/;

/**
 * Why `pattern` cannot name files inside the box, or null: relative, no empty, "." or ".."
 * component, no NUL, at most MAX_PATH_DEPTH components and MAX_PATH_BYTES bytes. Globs (`*`, `?`,
 * `[…]`) match within one component, never across a "/".
 */
export function outputPatternProblem(pattern: string): string | null {
  if (typeof pattern !== 'string' || pattern.length === 0) return 'must be a non-empty string';
  const nul = nulProblem(pattern);
  if (nul) return nul;
  if (pattern.startsWith('/')) return 'must be relative to /box';
  if (Buffer.byteLength(pattern) > MAX_PATH_BYTES) return `must be at most ${MAX_PATH_BYTES} bytes`;
  const parts = pattern.split('/');
  if (parts.length > MAX_PATH_DEPTH) return `must have at most ${MAX_PATH_DEPTH} components`;
  if (parts.some((p) => p === '' || p === '.' || p === '..' || !PATTERN_COMPONENT.test(p)))
    return 'must be relative, without empty, "." or ".." components';
  return null;
}

function parseOutputFiles(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_OUTPUT_FILE_PATTERNS)
    throw new InvalidJobData('outputFiles', `must be an array of 1 to ${MAX_OUTPUT_FILE_PATTERNS} patterns`);
  return v.map((p, i) => {
    const problem = outputPatternProblem(str(p, `outputFiles[${i}]`));
    if (problem) throw new InvalidJobData(`outputFiles[${i}]`, problem);
    return p as string;
  });
}

function parseOutputEncoding(v: unknown): OutputEncoding {
  if (v === undefined || v === null) return 'utf8'; // jobs queued before the field existed
  if (!OUTPUT_ENCODINGS.includes(v as never)) throw new InvalidJobData('outputEncoding', `must be one of ${OUTPUT_ENCODINGS.join(', ')}`);
  return v as OutputEncoding;
}

function parseLive(v: unknown): LiveMode {
  if (!LIVE_MODES.includes(v as never)) throw new InvalidJobData('live', `must be one of ${LIVE_MODES.join(', ')}`);
  return v as LiveMode;
}

/** Checks a dequeued job field by field and returns a clean copy, or throws `InvalidJobData`. */
export function parseJobData(raw: unknown, maxima: RunLimits): JobData {
  if (!isObj(raw)) throw new InvalidJobData('job', 'must be an object');
  if (raw.v !== 1) throw new InvalidJobData('v', 'must be 1');
  const tests = parseTests(raw.tests);
  return {
    v: 1,
    language: cstr(raw.language, 'language'),
    files: parseFiles(raw.files, 'files'),
    stdin: str(raw.stdin, 'stdin'),
    args: cstrArray(raw.args, 'args'),
    // Absent in jobs queued before the field existed.
    compileArgs: cstrArray(raw.compileArgs ?? [], 'compileArgs'),
    archive: raw.archive === null || raw.archive === undefined ? null : str(raw.archive, 'archive'),
    limits: parseLimits(raw.limits, maxima),
    tests,
    checker: parseChecker(raw.checker),
    ...(raw.interactor === undefined || raw.interactor === null ? {} : { interactor: parseInteractor(raw.interactor, maxima, tests) }),
    stopOnFirstFailure: raw.stopOnFirstFailure === true,
    callbackUrl: raw.callbackUrl === null || raw.callbackUrl === undefined ? null : str(raw.callbackUrl, 'callbackUrl'),
    outputEncoding: parseOutputEncoding(raw.outputEncoding),
    ...(raw.outputFiles === undefined || raw.outputFiles === null ? {} : { outputFiles: parseOutputFiles(raw.outputFiles) }),
    ...(raw.live === undefined || raw.live === null ? {} : { live: parseLive(raw.live) }),
    createdAt: str(raw.createdAt, 'createdAt'),
    owner: raw.owner === null || raw.owner === undefined ? null : str(raw.owner, 'owner'),
  };
}
