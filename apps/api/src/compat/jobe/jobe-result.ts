/**
 * A finished runbox job as Jobe's result object. Pure. Outcome codes: trampgeek/jobe
 * app/Libraries/LanguageTask.php (`RESULT_*`); the result's shape: app/Libraries/ResultObject.php.
 */
import type { JobView, Run, Verdict } from '@runbox/contract';

export const OUTCOME = {
  compilationError: 11,
  runtimeError: 12,
  timeLimit: 13,
  success: 15,
  memoryLimit: 17,
  illegalSyscall: 19,
  internalError: 20,
  serverOverload: 21,
} as const;
export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

export interface JobeResult {
  /** Jobe names a run only in debug mode, when it keeps the run's directory; runbox keeps none. */
  run_id: string | null;
  outcome: Outcome;
  cmpinfo: string;
  stdout: string;
  stderr: string;
}

/**
 * runbox verdict → Jobe outcome. Jobe reports an output overrun as a time limit (runguard kills
 * the program), and a program killed by seccomp (SIGSYS) as an illegal system call.
 */
const BY_VERDICT: Record<Verdict, Outcome> = {
  ok: OUTCOME.success,
  wrong_answer: OUTCOME.success, // Jobe has no expected output: not produced
  compile_error: OUTCOME.compilationError,
  runtime_error: OUTCOME.runtimeError,
  time_limit: OUTCOME.timeLimit,
  output_limit: OUTCOME.timeLimit,
  memory_limit: OUTCOME.memoryLimit,
  internal_error: OUTCOME.internalError,
};

export const jobeResult = (outcome: Outcome, fields: Partial<Omit<JobeResult, 'outcome'>> = {}): JobeResult => ({
  run_id: null,
  outcome,
  cmpinfo: '',
  stdout: '',
  stderr: '',
  ...fields,
});

function runOutcome(run: Run): Outcome {
  if (run.signal === 'SIGSYS') return OUTCOME.illegalSyscall;
  // LanguageTask::diagnoseResult: anything on stderr makes a run a runtime error, whatever its exit code
  if (run.verdict === 'ok' && run.stderr !== '') return OUTCOME.runtimeError;
  return BY_VERDICT[run.verdict];
}

/** The compiler's words for a failed compile, as Jobe's `cmpinfo` holds them (never empty: an empty cmpinfo means success). */
function cmpinfoOf(compile: Run): string {
  const text = `${compile.stdout}${compile.stderr}`;
  if (text.trim() !== '') return text;
  return compile.message ?? `compilation failed (exit code ${compile.exitCode ?? compile.signal})`;
}

export function toJobeResult(view: JobView): JobeResult {
  const result = view.result;
  if (view.status !== 'completed' || !result)
    return jobeResult(OUTCOME.internalError, { stderr: view.error ?? `the job ended as ${view.status}` });
  if (result.verdict === 'compile_error' && result.compile)
    return jobeResult(OUTCOME.compilationError, { cmpinfo: cmpinfoOf(result.compile) });
  const run = result.run;
  if (!run) return jobeResult(OUTCOME.internalError, { stderr: 'the job has no run' });
  return jobeResult(runOutcome(run), { stdout: run.stdout, stderr: run.stderr });
}
