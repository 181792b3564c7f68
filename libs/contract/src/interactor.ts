/**
 * Interactive problems: a job's `interactor` is a program run next to the client's program for
 * every test, each in its own sandbox, the program's stdout wired to the interactor's stdin and
 * the interactor's stdout to the program's stdin (two pipes, nothing else shared). The interactor
 * judges by its exit code, in testlib's convention.
 */
import type { SourceFile } from './checker';
import type { RunLimits } from './run';

export interface Interactor {
  language: string;
  /** The interactor as one file; exactly one of `source` and `files`. */
  source?: string;
  files?: SourceFile[];
  /** The interactor's own limits; each omitted one takes the job's (`limits`). */
  limits?: Partial<RunLimits>;
}

/** An interactor as queued: always `files`, every limit filled in. */
export interface QueuedInteractor {
  language: string;
  files: SourceFile[];
  limits: RunLimits;
}

/**
 * How the interactor is called, testlib's order for interactors: `interactor INPUT OUTPUT ANSWER`,
 * with the test's `stdin` in INPUT, `expectedOutput` in ANSWER, and OUTPUT a file it may write
 * (testlib's `tout`; runbox does not read it back).
 */
export const INTERACTOR_FILES = ['input.txt', 'output.txt', 'answer.txt'] as const;

/**
 * testlib's exit codes. 0 ok, 1 wrong answer, 2 presentation error (a wrong answer here), 3 the
 * interactor itself failed (`internal_error`), as is any other code, a signal or a limit of its own.
 */
export const INTERACTOR_EXIT = { ok: 0, wrongAnswer: 1, presentationError: 2, fail: 3 } as const;

/** The interactor's wall clock runs at least this much past the program's, so it sees the program's end. */
export const INTERACTOR_WALL_GRACE_MS = 1_000;
