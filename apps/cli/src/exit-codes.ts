/**
 * What `runbox` exits with. CI scripts branch on these, so they are part of the CLI's contract:
 * add codes, never renumber. The help text and the README table are rendered from EXIT_TABLE.
 */
import type { JobView, Verdict } from '@runbox/contract';

/** One code per verdict; 0 only for `ok`. */
export const VERDICT_EXIT: Readonly<Record<Verdict, number>> = Object.freeze({
  ok: 0,
  wrong_answer: 1,
  compile_error: 2,
  runtime_error: 3,
  time_limit: 4,
  memory_limit: 5,
  output_limit: 6,
  internal_error: 7,
});

/** Codes that are not a verdict (the 64+ ones follow BSD sysexits). */
export const EXIT = Object.freeze({
  ok: 0,
  /** The job did not complete: runbox could not run it (`failed`) or it was cancelled. */
  jobNotCompleted: 8,
  usage: 64,
  /** The API refused the request (4xx other than 401/403): an unknown language, a limit too high, … */
  rejected: 65,
  unreachable: 69,
  /** A bug in the CLI itself (please report it). */
  internalCliError: 70,
  /** Gave up waiting (--timeout-ms); the job was cancelled. */
  gaveUp: 75,
  /** The API refused the API key (401/403). */
  unauthorized: 77,
  interrupted: 130,
});

export const EXIT_TABLE: readonly (readonly [number, string])[] = [
  [VERDICT_EXIT.ok, 'verdict ok (for `languages`: success)'],
  [VERDICT_EXIT.wrong_answer, 'wrong_answer'],
  [VERDICT_EXIT.compile_error, 'compile_error'],
  [VERDICT_EXIT.runtime_error, 'runtime_error'],
  [VERDICT_EXIT.time_limit, 'time_limit'],
  [VERDICT_EXIT.memory_limit, 'memory_limit'],
  [VERDICT_EXIT.output_limit, 'output_limit'],
  [VERDICT_EXIT.internal_error, 'internal_error (runbox or a custom checker could not judge)'],
  [EXIT.jobNotCompleted, 'the job failed (runbox could not run it) or was cancelled'],
  [EXIT.usage, 'usage error: bad arguments, unreadable files, unknown language extension'],
  [EXIT.rejected, 'the API refused the request (HTTP 4xx: validation, unknown language, limits)'],
  [EXIT.unreachable, 'cannot reach the API (connection failed, or HTTP 5xx)'],
  [EXIT.internalCliError, 'a bug in the runbox CLI itself'],
  [EXIT.gaveUp, 'gave up waiting (--timeout-ms); the job was cancelled'],
  [EXIT.unauthorized, 'the API refused the API key (HTTP 401/403)'],
  [EXIT.interrupted, 'interrupted (Ctrl-C); the job was cancelled'],
];

/** The exit code a finished job maps to. */
export function exitCodeFor(view: Pick<JobView, 'status' | 'result'>): number {
  if (view.status !== 'completed') return EXIT.jobNotCompleted;
  const verdict = view.result?.verdict;
  return verdict && verdict in VERDICT_EXIT ? VERDICT_EXIT[verdict] : VERDICT_EXIT.internal_error;
}
