/**
 * Interactive tests (a job's `interactor`): the program and the interactor run at the same time,
 * each in a one-shot sandbox of its own with its own limits, wired by two channels the worker makes
 * and hands to both launchers: the program's stdout is the interactor's stdin, the interactor's
 * stdout the program's stdin (native/README.md `--stdio-pipes`). Nothing else joins them: two
 * boxes, two cgroups, two sets of namespaces. The interactor is called in testlib's order,
 * `interactor input.txt output.txt answer.txt`, and judges by its exit code.
 *
 * One-shot launchers, not the slot's sandbox server: a server takes the program's stdin as bytes
 * in a frame and returns its output at the end, where an interaction needs both live.
 */
import { INTERACTOR_EXIT, INTERACTOR_FILES, INTERACTOR_WALL_GRACE_MS, type QueuedTest, type Verdict } from '@runbox/contract';
import { startOnce, type RunOutcome, type RunSpec } from '../sandbox/launcher';
import { SandboxError } from '../sandbox/sandbox.errors';
import type { SlotPool, Slot } from '../sandbox/slots';
import { cloneBox, writeFileInBox, type Box } from '../sandbox/workspace';
import type { JobBudget } from './budget';
import { specOf, type Command } from './command';
import type { RawRun } from './output';
import { toRun } from './verdict';

/** What the client reads of the interactor: its stderr, this much of it. */
const MESSAGE_CHARS = 1000;

export interface Judged {
  verdict: Verdict;
  message?: string;
}

/** What ended the interactor without a verdict, or null when it gave one (exit 0, 1 or 2). */
function interactorFailure(run: RawRun): string | null {
  if (run.verdict !== 'ok' && run.verdict !== 'runtime_error') return run.message ?? run.verdict;
  if (run.signal !== null) return `killed by ${run.signal}`;
  if (run.exitCode === INTERACTOR_EXIT.fail) return 'exit 3: it reported its own failure';
  if (run.exitCode !== null && run.exitCode > INTERACTOR_EXIT.presentationError) return `exit ${run.exitCode}`;
  return null;
}

/**
 * The test's verdict from both runs. In order:
 * 1. The program's own limit or death by a signal (the Codeforces rule), but SIGPIPE: that is a
 *    write after the interactor stopped reading, which the interactor's verdict explains.
 * 2. The interactor's failure (exit 3, another code, a signal, a limit of its own): internal_error.
 *    It comes before the program's exit code, which an interactor that died can cause (EOF).
 * 3. The interactor's verdict: 1 wrong answer, 2 presentation error (a wrong answer). Killed by
 *    SIGPIPE, it was writing to a program that had stopped reading: a wrong answer too.
 * 4. Accepted by the interactor, a program that exited non-zero (or of SIGPIPE): runtime_error.
 */
export function judgeInteraction(program: RawRun, interactor: RawRun): Judged {
  const said = interactor.stderr.trim().slice(0, MESSAGE_CHARS);
  const withSaid = (m: string) => (said ? `${m}: ${said}` : m);
  const pipe = program.signal === 'SIGPIPE';
  if (program.verdict !== 'ok' && program.verdict !== 'runtime_error') return { verdict: program.verdict, message: program.message };
  if (program.signal !== null && !pipe) return { verdict: 'runtime_error', message: program.message ?? `killed by ${program.signal}` };
  if (interactor.signal === 'SIGPIPE' && interactor.verdict === 'runtime_error')
    return { verdict: 'wrong_answer', message: withSaid('the program stopped reading before the interactor was done') };
  const failure = interactorFailure(interactor);
  if (failure) return { verdict: 'internal_error', message: withSaid(`interactor failed (${failure})`) };
  if (interactor.exitCode === INTERACTOR_EXIT.wrongAnswer) return { verdict: 'wrong_answer', message: said || 'wrong answer' };
  if (interactor.exitCode === INTERACTOR_EXIT.presentationError)
    return { verdict: 'wrong_answer', message: withSaid('presentation error') };
  if (program.verdict === 'runtime_error')
    return { verdict: 'runtime_error', message: program.message ?? (pipe ? 'killed by SIGPIPE' : `exit code ${program.exitCode}`) };
  return said ? { verdict: 'ok', message: said } : { verdict: 'ok' };
}

/**
 * Starts both launchers, the interactor's first: its fds 0 and 1 are made for the program's
 * launcher to inherit (as its fds 1 and 0), then the worker closes its own copies, so each end is
 * held by one sandbox alone and each side sees EOF when the other closes or ends. Both are
 * started in one synchronous step: no event-loop turn lets the worker read from a channel.
 */
function interact(slot: Slot, program: RunSpec, interactor: RunSpec, signal: AbortSignal): Promise<PromiseSettledResult<RunOutcome>[]> {
  const other = startOnce(slot.setup, interactor, signal, ['pipe', 'pipe']);
  const toInteractor = other.child.stdin!;
  const fromInteractor = other.child.stdout!;
  let own: Promise<RunOutcome>;
  try {
    own = startOnce(slot.setup, program, signal, [fromInteractor, toInteractor]).outcome;
  } finally {
    toInteractor.destroy();
    fromInteractor.destroy();
  }
  return Promise.allSettled([own, other.outcome]);
}

/**
 * The interactive tests of one job: its compiled interactor (in the job's home slot). A test may
 * run on any slot the job holds (lanes.ts); both of its sandboxes then run on that slot.
 */
export class InteractiveTests {
  constructor(
    private readonly slots: SlotPool,
    private readonly interactor: { box: Box; command: Command },
    private readonly fileSizeKb: number,
  ) {}

  /**
   * Runs one test in `box` (the program's, a fresh copy) against a fresh copy of the compiled
   * interactor holding the test's files. The job's time is charged once, for the longer side.
   */
  async run(slot: Slot, box: Box, test: QueuedTest, program: Command, args: readonly string[], budget: JobBudget, signal: AbortSignal) {
    if (signal.aborted) throw new SandboxError(`run aborted: ${String(signal.reason)}`);
    const own = await cloneBox(this.interactor.box, slot.setup);
    try {
      // Written before anything runs in the copy: the root side never writes where a program ran.
      await writeFileInBox(own.path, { path: INTERACTOR_FILES[0], content: test.stdin, encoding: 'utf8' });
      await writeFileInBox(own.path, { path: INTERACTOR_FILES[2], content: test.expectedOutput ?? '', encoding: 'utf8' });
      // The interactor's clock is the longer one, and the job's time is held for it.
      const interactorWallMs = await budget
        .hold(Math.max(this.interactor.command.limits.wallTimeMs, program.limits.wallTimeMs + INTERACTOR_WALL_GRACE_MS), signal)
        .catch((e: Error) => Promise.reject(new SandboxError(e.message)));
      const wallTimeMs = Math.min(program.limits.wallTimeMs, interactorWallMs);
      let played;
      try {
        played = await interact(
          slot,
          specOf(program, box.name, args, { stdin: '', wallTimeMs, fileSizeKb: this.fileSizeKb }),
          specOf(this.interactor.command, own.name, INTERACTOR_FILES, {
            stdin: '',
            wallTimeMs: interactorWallMs,
            fileSizeKb: this.fileSizeKb,
          }),
          signal,
        );
      } finally {
        budget.release(interactorWallMs);
      }
      const [mine, theirs] = played;
      if (mine!.status === 'rejected' || theirs!.status === 'rejected') {
        // No valid report from one side: nothing says its processes are gone.
        this.slots.abnormalEnd(slot);
        throw mine!.status === 'rejected' ? mine!.reason : (theirs as PromiseRejectedResult).reason;
      }
      const run = toRun(mine!.value.report, mine!.value.stdout, mine!.value.stderr, program.shown);
      const other = toRun(theirs!.value.report, theirs!.value.stdout, theirs!.value.stderr, this.interactor.command.shown);
      budget.charge({ wallTimeMs: Math.max(run.wallTimeMs, other.wallTimeMs) });
      return { run, judged: judgeInteraction(run, other) };
    } finally {
      await this.slots.discard(slot, own);
    }
  }
}
