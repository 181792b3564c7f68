/**
 * A finished runbox job as Piston's `/api/v2/execute` answers it. Pure. Source of the shapes and
 * codes: engineer-man/piston `api/src/job.js` (`safe_call`, `execute`) and `api/src/api/v2.js`,
 * whose statuses and messages are isolate's (`RE`, `SG`, `TO`, `XX` from its meta file) plus
 * Piston's own `OL`/`EL` for output caps.
 */
import { constants } from 'node:os';
import type { JobView, Run, Verdict } from '@runbox/contract';
import type { ResolvedRuntime } from './piston-runtimes';

export type PistonStatus = 'RE' | 'SG' | 'TO' | 'OL' | 'EL' | 'XX';

export interface PistonStage {
  stdout: string;
  stderr: string;
  /** stdout then stderr: runbox captures the two streams apart, so their interleaving is not known. */
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: PistonStatus | null;
  /** Milliseconds. */
  cpu_time: number | null;
  wall_time: number | null;
  /** Bytes (the run's peak, from its cgroup). */
  memory: number | null;
}

export interface PistonResult {
  language: string;
  version: string;
  compile?: PistonStage;
  run: PistonStage;
}

/**
 * runbox verdict → Piston status. A memory-limit kill is `SG` (SIGKILL), as isolate reports a
 * cgroup OOM kill; a crash is `SG` when a signal ended the program, else `RE`.
 */
function statusOf(run: Run): PistonStatus | null {
  const byVerdict: Record<Verdict, PistonStatus | null> = {
    ok: null,
    wrong_answer: null, // no expected output in Piston: not produced
    compile_error: run.signal ? 'SG' : 'RE',
    runtime_error: run.signal ? 'SG' : 'RE',
    time_limit: 'TO',
    memory_limit: 'SG',
    output_limit: run.stdoutTruncated ? 'OL' : 'EL',
    internal_error: 'XX',
  };
  return byVerdict[run.verdict];
}

const signalNumber = (name: string): number | undefined => (constants.signals as Record<string, number>)[name];

/** isolate's meta `message` for each status (Piston passes it through); OL/EL are Piston's own. */
function messageOf(status: PistonStatus | null, run: Run, signal: string | null): string | null {
  switch (status) {
    case null:
      return null;
    case 'RE':
      return `Exited with error status ${run.exitCode}`;
    case 'SG':
      return run.verdict === 'memory_limit'
        ? (run.message ?? 'Memory limit exceeded')
        : `Caught fatal signal ${signalNumber(signal ?? '') ?? signal}`;
    case 'TO':
      return run.message?.startsWith('wall') ? 'Time limit exceeded (wall clock)' : 'Time limit exceeded';
    case 'OL':
      return 'stdout length exceeded';
    case 'EL':
      return 'stderr length exceeded';
    case 'XX':
      return run.message ?? 'internal error';
  }
}

export function toStage(run: Run): PistonStage {
  const status = statusOf(run);
  // Piston forces SIGKILL for the limits it enforces by killing (job.js: TO, OL, EL).
  const signal = status === 'TO' || status === 'OL' || status === 'EL' || run.verdict === 'memory_limit' ? 'SIGKILL' : run.signal;
  return {
    stdout: run.stdout,
    stderr: run.stderr,
    output: run.stdout + run.stderr,
    code: signal ? null : run.exitCode,
    signal,
    message: messageOf(status, run, signal),
    status,
    cpu_time: run.cpuTimeMs,
    wall_time: run.wallTimeMs,
    memory: run.memoryKb * 1024,
  };
}

/** The stage Piston answers when runbox itself could not run the job. */
export function internalErrorStage(message: string): PistonStage {
  return {
    stdout: '',
    stderr: '',
    output: '',
    code: null,
    signal: null,
    message,
    status: 'XX',
    cpu_time: null,
    wall_time: null,
    memory: null,
  };
}

/**
 * The answer for a finished job. A compiled language has `compile`; when it failed, `run` is the
 * compile stage again (v2.js: "Backward compatibility when the run stage is not started").
 */
export function toPistonResult(rt: ResolvedRuntime, view: JobView): PistonResult {
  const head = { language: rt.language, version: rt.version };
  const result = view.result;
  if (view.status !== 'completed' || !result) {
    const stage = internalErrorStage(view.error ?? `the job ended as ${view.status}`);
    return rt.compiled ? { ...head, compile: stage, run: stage } : { ...head, run: stage };
  }
  const compile = result.compile ? toStage(result.compile) : undefined;
  const run = result.run ? toStage(result.run) : (compile ?? internalErrorStage('the job has no run'));
  return compile ? { ...head, compile, run } : { ...head, run };
}
