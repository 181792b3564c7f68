/**
 * One sandboxed run: its limits, its verdict and what it produced. Plain data, no framework:
 * the API's DTOs implement these types, the worker produces them, the tests assert on them.
 */

export const VERDICTS = [
  'ok',
  'wrong_answer',
  'compile_error',
  'runtime_error',
  'time_limit',
  'memory_limit',
  'output_limit',
  'internal_error',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Limits of one run. The unit is part of every name. */
export interface RunLimits {
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryMb: number;
  processes: number;
  outputBytes: number;
}

export const LIMIT_FIELDS = ['cpuTimeMs', 'wallTimeMs', 'memoryMb', 'processes', 'outputBytes'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

/**
 * How a job's output (stdout, stderr, output files) reaches the client: as text, where bytes
 * that are not UTF-8 become U+FFFD, or as the exact bytes in base64.
 */
export const OUTPUT_ENCODINGS = ['utf8', 'base64'] as const;
export type OutputEncoding = (typeof OUTPUT_ENCODINGS)[number];
/**
 * How one stream or file is given. `utf8-lossy`: the program wrote bytes that are not UTF-8 and
 * they became U+FFFD; the exact bytes come back when the job asks for `outputEncoding: "base64"`.
 */
export const CONTENT_ENCODINGS = [...OUTPUT_ENCODINGS, 'utf8-lossy'] as const;
export type ContentEncoding = (typeof CONTENT_ENCODINGS)[number];

/** Why a file that matched `outputFiles` was not read: only a regular file with one link is. */
export const OUTPUT_FILE_SKIPS = ['symlink', 'directory', 'not_regular', 'hardlink', 'total_bytes', 'unreadable', 'unsafe_name'] as const;
export type OutputFileSkip = (typeof OUTPUT_FILE_SKIPS)[number];

/** A file the program wrote that the job asked for (`outputFiles`). */
export interface OutputFile {
  /** Relative to /box. */
  path: string;
  /** Its size on disk, in bytes (more than `content` holds when `truncated`). */
  size: number;
  encoding: ContentEncoding;
  content: string;
  /** Present when the file was cut at the per-file or total cap. */
  truncated?: true;
}

/** A match that was not read, and why. `path` is for information: text, bytes that were not UTF-8 as U+FFFD. */
export interface SkippedFile {
  path: string;
  reason: OutputFileSkip;
}

/** What one run of a program (or of the compiler) did. */
export interface Run {
  exitCode: number | null;
  /** Name of the signal that ended the program (`"SIGSEGV"`), when one did. */
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Present unless the stream is plain UTF-8 text: `base64` as asked, or `utf8-lossy`. */
  stdoutEncoding?: ContentEncoding;
  stderrEncoding?: ContentEncoding;
  /** With `outputFiles`: the matching files read, at most OUTPUT_FILES_MAX with `filesSkipped`. */
  files?: OutputFile[];
  filesSkipped?: SkippedFile[];
  /** Matches beyond OUTPUT_FILES_MAX, neither read nor listed. */
  filesOmitted?: number;
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  verdict: Verdict;
  /** Extra words for the client: which limit ended it, a checker's message. */
  message?: string;
}
