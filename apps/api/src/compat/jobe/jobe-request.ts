/**
 * A Jobe `POST runs` body checked as Jobe checks it (trampgeek/jobe app/Libraries/RunSpecifier.php,
 * with its messages) and turned into a runbox job. Pure, apart from the support files the caller
 * loads between `parseRunSpec` and `toJobRequest`.
 */
import type { JobRequest, RunLimits, SourceFile } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { javaEntryFiles, javaMainClass } from '../java-entry';
import { JOBE_DEFAULTS, JOBE_LANGUAGES, type JobeLanguage } from './jobe-languages';
import { jobeBadRequest } from './jobe.errors';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RunSpecifier's MIN_FILE_IDENTIFIER_SIZE. */
const MIN_FILE_ID_LENGTH = 8;

export interface RunSpec {
  languageId: string;
  language: JobeLanguage;
  sourcecode: string;
  sourcefilename: string | undefined;
  input: string;
  /** [fileid, filename] pairs. */
  files: [string, string][];
  parameters: Obj;
  limits: Partial<RunLimits>;
}

/** PHP's `print_r` of a file specifier, as Jobe puts it in its message. */
function printR(v: unknown): string {
  if (!Array.isArray(v)) return String(v);
  return `Array\n(\n${v.map((x, i) => `    [${i}] => ${Array.isArray(x) ? 'Array' : String(x)}\n`).join('')})\n`;
}

/** RunSpecifier::isValidSourceFilename: no reserved, control or URL-unsafe character, no leading '.' or '-'. */
const RESERVED = new Set('<>:"/\\|?*\x7F\xA0\xAD#[]@!$&\'()+,;={}^~`');
const isValidSourceFilename = (name: string): boolean =>
  name !== '' && !/^[.-]/.test(name) && ![...name].some((c) => c < ' ' || RESERVED.has(c));

/** RunSpecifier::isValidFilespec: an alphanumeric id of 8+ characters and a plain file name. */
const isValidFilespec = (f: unknown): f is [string, string] =>
  Array.isArray(f) &&
  (f.length === 2 || f.length === 3) &&
  typeof f[0] === 'string' &&
  typeof f[1] === 'string' &&
  f[0].length >= MIN_FILE_ID_LENGTH &&
  /^[A-Za-z0-9]+$/.test(f[0]) &&
  /^[A-Za-z0-9]+$/.test(f[1].replace(/[-_.]/g, ''));

/** `installed(runboxId)`: whether the workers have the language (Jobe knows only what it has). */
export function parseRunSpec(body: unknown, installed: (runboxId: string) => boolean, config: Config): RunSpec {
  if (!isObj(body)) throw jobeBadRequest('Non-JSON post data received');
  const run = body.run_spec;
  if (!isObj(run)) throw jobeBadRequest('No run_spec attribute found in post data');
  for (const attr of ['sourcecode', 'language_id']) {
    if (run[attr] === undefined || run[attr] === null) throw jobeBadRequest(`run_spec is missing the required attribute '${attr}'`);
  }
  const languageId = String(run.language_id).toLowerCase();
  const language = Object.hasOwn(JOBE_LANGUAGES, languageId) ? JOBE_LANGUAGES[languageId] : undefined;
  if (!language || !installed(language.runbox)) throw jobeBadRequest(`Language '${languageId}' is not known`);
  const parameters = isObj(run.parameters) ? run.parameters : {};
  const maxCpuS = Math.floor(config.limits.maxima.cpuTimeMs / 1000);
  if (Math.trunc(Number(parameters.cputime ?? 0)) > maxCpuS)
    throw jobeBadRequest(`cputime exceeds maximum allowed on this Jobe server (${maxCpuS} secs)`);
  let sourcefilename: string | undefined;
  if (run.sourcefilename !== undefined && run.sourcefilename !== null) {
    if (typeof run.sourcefilename !== 'string' || !isValidSourceFilename(run.sourcefilename))
      throw jobeBadRequest('The sourcefilename for the run_spec is illegal');
    if (run.sourcefilename !== 'prog.java') sourcefilename = run.sourcefilename; // Jobe: the name CodeRunner sends when it does not know the class
  }
  const fileList = Array.isArray(run.file_list) ? run.file_list : [];
  for (const f of fileList) if (!isValidFilespec(f)) throw jobeBadRequest(`Invalid file specifier: ${printR(f)}`);
  // the program is one of the job's files: checked before any support file is fetched
  if (fileList.length >= config.requests.maxFiles)
    throw jobeBadRequest(`file_list has more files than this server runs with a program (${config.requests.maxFiles - 1})`);
  return {
    languageId,
    language,
    sourcecode: String(run.sourcecode),
    sourcefilename,
    input: typeof run.input === 'string' ? run.input : '',
    files: (fileList as [string, string][]).map(([id, name]) => [id, name]),
    parameters,
    limits: limitsOf(language, parameters, config),
  };
}

/** A number parameter, or undefined; Jobe falls back to its default for a non-numeric one ("Prevent command injection attacks"). */
function num(p: Obj, key: string): number | undefined {
  const v = p[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const strList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map((x) => String(x)) : undefined);

/**
 * Jobe's parameters in runbox's units. CPU seconds; wall time twice the CPU time, as Jobe's
 * runguard kill time; memory in MB (0 or absent: Jobe's default for the language, or runbox's
 * for Java, which Jobe leaves to the JVM); output per stream from `streamsize` (MB), within
 * the server's maximum. A memory or process count above runbox's maximum is refused, as Jobe
 * refuses a CPU time above its own.
 */
function limitsOf(language: JobeLanguage, p: Obj, config: Config): Partial<RunLimits> {
  const { maxima, defaults } = config.limits;
  const cpuTimeMs = Math.max(1, Math.round((num(p, 'cputime') || JOBE_DEFAULTS.cputimeS) * 1000));
  const memoryMb = Math.ceil(num(p, 'memorylimit') || language.defaultMemoryMb || defaults.memoryMb);
  const processes = Math.ceil(num(p, 'numprocs') || JOBE_DEFAULTS.numprocs);
  if (memoryMb > maxima.memoryMb) throw jobeBadRequest(`memorylimit exceeds maximum allowed on this Jobe server (${maxima.memoryMb} MB)`);
  if (processes > maxima.processes) throw jobeBadRequest(`numprocs exceeds maximum allowed on this Jobe server (${maxima.processes})`);
  const streamBytes = Math.round((num(p, 'streamsize') || JOBE_DEFAULTS.streamsizeMb) * 1_000_000);
  return {
    cpuTimeMs: Math.min(cpuTimeMs, maxima.cpuTimeMs),
    wallTimeMs: Math.min(2 * cpuTimeMs, maxima.wallTimeMs),
    memoryMb: Math.max(memoryMb, 8),
    processes,
    outputBytes: Math.min(streamBytes, maxima.outputBytes),
  };
}

/** Jobe's warning when it cannot name a Java program's file (JavaTask::defaultFileName); Jobe answers it as a compile error. */
export const JAVA_NO_MAIN_CLASS =
  "WARNING: can't determine main class, so source file has been named 'prog.java', which probably won't compile.";

/**
 * The runbox job for `spec`, with the support files' contents in `file_list` order. The program
 * goes where runbox's language runs it (main.py, main.c…), a Java class in its own file;
 * undefined for a Java program whose class Jobe could not find.
 */
export function toJobRequest(spec: RunSpec, supportFiles: readonly Buffer[], entryFile: string): JobRequest | undefined {
  let program: SourceFile[];
  if (spec.language.runbox === 'java') {
    const className = spec.sourcefilename ? spec.sourcefilename.replace(/\..*$/, '') : javaMainClass(spec.sourcecode);
    if (!className) return undefined;
    program = javaEntryFiles(spec.sourcecode, className);
  } else {
    program = [{ path: entryFile, content: spec.sourcecode, encoding: 'utf8' }];
  }
  const support = supportFiles.map((contents, i): SourceFile => ({
    path: spec.files[i]?.[1] ?? '',
    content: contents.toString('base64'),
    encoding: 'base64',
  }));
  // Jobe writes the program, then the support files over it: a support file of the same name wins.
  const files = [...program.filter((f) => !support.some((s) => s.path === f.path)), ...support];
  // Jobe joins them into a shell command line, so an entry may hold several words ("-x c")
  const compileArgs = spec.language.compileParams
    .flatMap((k) => strList(spec.parameters[k]) ?? [])
    .flatMap((a) => a.split(/\s+/).filter(Boolean));
  return {
    language: spec.language.runbox,
    files,
    ...(compileArgs.length ? { compileArgs } : {}),
    stdin: spec.input,
    args: strList(spec.parameters.runargs) ?? [],
    limits: spec.limits,
  };
}
