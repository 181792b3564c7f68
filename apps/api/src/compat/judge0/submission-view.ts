/**
 * A runbox job, and what was kept of its Judge0 submission, → the submission as Judge0 CE
 * v1.13.1 serializes it (app/serializers/submission_serializer.rb; types as there: decimals as
 * strings of seconds, memory as integer KB, empty output as null). The status comes from what
 * the sandbox really saw, not from a bash wrapper's exit code: the real signal decides 7–10 and
 * 12, a non-zero exit 11, a CPU or wall limit 5; Accepted and Wrong Answer use Judge0's own
 * comparison (app/jobs/isolate_job.rb `strip`). Pure.
 */
import { constants } from 'node:os';
import type { JobView, Run } from '@runbox/contract';
import { ATTRIBUTES, TEXT_ATTRIBUTES, type Attribute } from './fields';
import { SIGNAL_STATUS, STATUS, statusOf, type Judge0StatusId } from './statuses';
import type { Judge0Submission } from './submission-request';

/** What the run decided, in Judge0's attributes. */
export interface Judge0Outcome {
  status_id: Judge0StatusId;
  /** The bytes the program wrote (or their UTF-8 text, for a job queued before runs came as base64). */
  stdout: Buffer | null;
  stderr: Buffer | null;
  compile_output: Buffer | null;
  /** Some text attribute lost bytes that were not UTF-8 (U+FFFD stands for them). */
  lossy: boolean;
  message: string | null;
  exit_code: number | null;
  exit_signal: number | null;
  /** Milliseconds; rendered as Judge0's decimal seconds. */
  timeMs: number | null;
  wallTimeMs: number | null;
  memory: number | null;
}

const nonEmpty = (b: Buffer): Buffer | null => (b.length ? b : null);

/** A stream of `run` as bytes: exact when it came as base64 (the layer asks for that), else its text. */
const streamBytes = (run: Run, stream: 'stdout' | 'stderr'): Buffer =>
  Buffer.from(run[stream], run[`${stream}Encoding`] === 'base64' ? 'base64' : 'utf8');
/**
 * Whether text of `run` stands for bytes that were not UTF-8: said by the run, or, in a run from
 * before runs said so, guessed from a U+FFFD.
 */
const lossyRun = (run: Run): boolean =>
  (['stdout', 'stderr'] as const).some((f) =>
    run[`${f}Encoding`] === undefined ? run[f].includes('\uFFFD') : run[`${f}Encoding`] === 'utf8-lossy',
  );
const signalNumber = (name: string | null): number | null => (name ? ((constants.signals as Record<string, number>)[name] ?? null) : null);

/** Ruby's `rstrip`: trailing whitespace and NULs. */
const rstrip = (s: string) => s.replace(/[\0\t\n\v\f\r ]+$/, '');

/**
 * Judge0's normalisation before comparing output: `text.split("\n").collect(&:rstrip).join("\n").rstrip`
 * (Ruby's split drops trailing empty fields; the final rstrip makes that moot). null stays null,
 * so an empty expected output never matches an empty stdout, which Judge0 stores as null.
 */
export function judge0Strip(text: string | null): string | null {
  if (text === null) return null;
  return rstrip(text.split('\n').map(rstrip).join('\n'));
}

const NO_RUN: Omit<Judge0Outcome, 'status_id' | 'message' | 'compile_output' | 'lossy'> = {
  stdout: null,
  stderr: null,
  exit_code: null,
  exit_signal: null,
  timeMs: null,
  wallTimeMs: null,
  memory: null,
};

/** stdout and stderr as the submission shows them (stderr after stdout when redirected: runbox keeps the streams apart). */
function streams(run: Run, s: Judge0Submission): { stdout: Buffer | null; stderr: Buffer | null } {
  const [stdout, stderr] = [streamBytes(run, 'stdout'), streamBytes(run, 'stderr')];
  if (s.redirect_stderr_to_stdout) return { stdout: nonEmpty(Buffer.concat([stdout, stderr])), stderr: null };
  return { stdout: nonEmpty(stdout), stderr: nonEmpty(stderr) };
}

/** Bytes as a string of one character per byte: Judge0 compares bytes, and its strip touches ASCII only. */
const latin1 = (b: Buffer | null): string | null => (b === null ? null : b.toString('latin1'));

/** The status of one run, and isolate's words for it (its meta `message`). */
function runStatus(run: Run, s: Judge0Submission, expected: string | null): { id: Judge0StatusId; message: string | null } {
  const signal = signalNumber(run.signal);
  switch (run.verdict) {
    case 'time_limit':
      return {
        id: STATUS.timeLimit,
        message: run.wallTimeMs >= s.wall_time_limit * 1000 ? 'Time limit exceeded (wall clock)' : 'Time limit exceeded',
      };
    case 'memory_limit':
    case 'output_limit':
      // The sandbox killed the tree (SIGKILL) at the limit; Judge0 has no status of its own for either.
      return { id: STATUS.runtimeErrorOther, message: run.message ?? null };
    case 'internal_error':
      return { id: STATUS.internalError, message: run.message ?? 'internal error' };
    case 'runtime_error':
      if (signal !== null) return { id: SIGNAL_STATUS[signal] ?? STATUS.runtimeErrorOther, message: `Caught fatal signal ${signal}` };
      return { id: STATUS.nzec, message: `Exited with error status ${run.exitCode}` };
    default: {
      if (expected === null) return { id: STATUS.accepted, message: null };
      const same = judge0Strip(expected) === judge0Strip(latin1(streams(run, s).stdout));
      return { id: same ? STATUS.accepted : STATUS.wrongAnswer, message: null };
    }
  }
}

/** What job `view` says in Judge0's terms. */
export function judge0Outcome(view: JobView, s: Judge0Submission): Judge0Outcome {
  const blank = { ...NO_RUN, compile_output: null, lossy: false };
  if (view.status === 'queued') return { ...blank, status_id: STATUS.inQueue, message: null };
  if (view.status === 'running') return { ...blank, status_id: STATUS.processing, message: null };
  const r = view.result;
  if (view.status !== 'completed' || !r) {
    return {
      ...blank,
      status_id: STATUS.internalError,
      message: view.error ?? (view.status === 'cancelled' ? 'cancelled' : 'internal error'),
    };
  }
  const compile = r.compile;
  const compileOutput = compile ? nonEmpty(Buffer.concat([streamBytes(compile, 'stdout'), streamBytes(compile, 'stderr')])) : null;
  const compileLossy = compile !== null && lossyRun(compile);
  if (r.verdict === 'compile_error') {
    const timedOut = compile?.verdict === 'time_limit';
    return {
      ...NO_RUN,
      status_id: STATUS.compilationError,
      message: null,
      compile_output: timedOut ? Buffer.from('Compilation time limit exceeded.') : compileOutput,
      lossy: !timedOut && compileLossy,
    };
  }
  const runs = (r.tests ? r.tests.map((t) => t.run) : [r.run]).filter((x): x is Run => x !== null);
  if (runs.length === 0)
    return { ...blank, status_id: STATUS.internalError, compile_output: compileOutput, lossy: compileLossy, message: 'the job has no run' };

  // Judge0 stops at the first run that is not Accepted and shows it; time and memory are the averages of the runs made.
  const expected = s.expected_output === null ? null : Buffer.from(s.expected_output, 'base64').toString('latin1');
  const judged = runs.map((run) => ({ run, ...runStatus(run, s, expected) }));
  const shownAt = judged.findIndex((j) => j.id !== STATUS.accepted);
  const made = shownAt < 0 ? judged : judged.slice(0, shownAt + 1);
  const shown = made[made.length - 1]!;
  const avg = (f: (run: Run) => number) => made.reduce((sum, j) => sum + f(j.run), 0) / made.length;
  return {
    status_id: shown.id,
    ...streams(shown.run, s),
    compile_output: compileOutput,
    lossy: compileLossy || lossyRun(shown.run),
    message: shown.message,
    exit_code: shown.run.exitCode ?? 0, // isolate's meta has no exitcode after a signal; Judge0 then says 0
    exit_signal: signalNumber(shown.run.signal),
    timeMs: avg((run) => run.cpuTimeMs),
    wallTimeMs: shown.run.wallTimeMs,
    memory: Math.trunc(avg((run) => run.memoryKb)),
  };
}

/** A decimal column as Rails serializes it: a string of seconds, "0.012", "5.0". */
export const decimal = (seconds: number): string => {
  const s = String(Math.round(seconds * 1e6) / 1e6);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
};
const seconds = (ms: number | null) => (ms === null ? null : decimal(ms / 1000));

/** Ruby's Base64.encode64: RFC 2045 lines of 60 characters, each ending in "\n". */
export function encode64(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 60) out += `${b64.slice(i, i + 60)}\n`;
  return out;
}

const bytes64 = (b64: string | null) => (b64 === null ? null : Buffer.from(b64, 'base64'));
const isUtf8 = (b: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

export interface RenderOptions {
  base64: boolean;
  fields: readonly Attribute[];
  /** Judge0's `language` attribute: its id and the name with the workers' version. */
  language: { id: number; name: string };
}

/**
 * Judge0's answer for a submission, projected to `fields`; or `conversionError` when a text
 * attribute asked for without base64 is not UTF-8. The layer asks its jobs for output in base64,
 * so what the program wrote is here byte for byte; a job's run that still says it lost bytes
 * (`utf8-lossy`) is taken as output that was not UTF-8.
 */
export function renderSubmission(
  token: string,
  view: JobView,
  s: Judge0Submission,
  opts: RenderOptions,
): { body: Record<string, unknown> } | { conversionError: true } {
  const o = judge0Outcome(view, s);
  // Text attributes as bytes, so base64 encodes what the program wrote.
  const text: Record<string, Buffer | null> = {
    source_code: bytes64(s.source_code),
    stdin: bytes64(s.stdin),
    expected_output: bytes64(s.expected_output),
    stdout: o.stdout,
    stderr: o.stderr,
    compile_output: o.compile_output,
    message: o.message === null ? null : Buffer.from(o.message, 'utf8'),
  };
  const lossy = (a: Attribute) => o.lossy && ['stdout', 'stderr', 'compile_output'].includes(a);
  if (!opts.base64 && opts.fields.some((a) => TEXT_ATTRIBUTES.includes(a) && text[a] && (!isUtf8(text[a]) || lossy(a))))
    return { conversionError: true };

  const all: Record<Attribute, unknown> = {
    source_code: null,
    language_id: s.language_id,
    stdin: null,
    expected_output: null,
    stdout: null,
    status_id: o.status_id,
    created_at: view.createdAt,
    finished_at: view.finishedAt,
    time: seconds(o.timeMs),
    memory: o.memory,
    stderr: null,
    token,
    number_of_runs: s.number_of_runs,
    cpu_time_limit: decimal(s.cpu_time_limit),
    cpu_extra_time: decimal(s.cpu_extra_time),
    wall_time_limit: decimal(s.wall_time_limit),
    memory_limit: s.memory_limit,
    stack_limit: s.stack_limit,
    max_processes_and_or_threads: s.max_processes_and_or_threads,
    enable_per_process_and_thread_time_limit: s.enable_per_process_and_thread_time_limit,
    enable_per_process_and_thread_memory_limit: s.enable_per_process_and_thread_memory_limit,
    max_file_size: s.max_file_size,
    compile_output: null,
    exit_code: o.exit_code,
    exit_signal: o.exit_signal,
    message: null,
    wall_time: seconds(o.wallTimeMs),
    compiler_options: s.compiler_options,
    command_line_arguments: s.command_line_arguments,
    redirect_stderr_to_stdout: s.redirect_stderr_to_stdout,
    callback_url: s.callback_url,
    additional_files: s.additional_files === null ? null : encode64(Buffer.from(s.additional_files, 'base64')),
    enable_network: s.enable_network,
    status: statusOf(o.status_id),
    language: opts.language,
  };
  for (const a of TEXT_ATTRIBUTES) {
    const b = text[a] ?? null;
    all[a] = b === null ? null : opts.base64 ? encode64(b) : b.toString('utf8');
  }
  const body: Record<string, unknown> = {};
  for (const a of ATTRIBUTES) if (opts.fields.includes(a)) body[a] = all[a]; // the serializer's order
  return { body };
}
