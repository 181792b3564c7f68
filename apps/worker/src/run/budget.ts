/**
 * A job's budgets, over all its runs (compile, tests, checkers): the output kept of them
 * (JOB_OUTPUT_BUDGET_BYTES) and the wall time they take together (JOB_TIME_BUDGET_MS), so that no
 * job holds a slot, the worker's heap or Redis without bound. Pure bookkeeping: RunService asks it
 * for the next run's wall limit, charges each finished run, and hands it each run to keep.
 */
import type { Run } from '@runbox/contract';

export class JobBudget {
  private outputLeftBytes: number;
  private timeLeftMs: number;
  /** Some output was cut because the budget was spent. */
  outputSpent = false;

  constructor(
    outputBytes: number,
    readonly timeMs: number,
  ) {
    this.outputLeftBytes = outputBytes;
    this.timeLeftMs = timeMs;
  }

  /** The wall limit of the next run: its own, or what is left of the job's time if that is less. */
  wallTimeMs(limitMs: number): number {
    return Math.max(1, Math.min(limitMs, this.timeLeftMs));
  }

  /** Counts a finished run's wall time against the job's. */
  charge(run: Pick<Run, 'wallTimeMs'>): void {
    this.timeLeftMs -= run.wallTimeMs;
  }

  /** The job's time is spent: the run that got here crossed the line, and no further one starts. */
  get timeSpent(): boolean {
    return this.timeLeftMs <= 0;
  }

  /** `run` with its streams cut to what is left of the job's output budget (flagged where cut). Call once per run, after judging it. */
  keep(run: Run): Run {
    const stdout = this.take(run.stdout);
    const stderr = this.take(run.stderr);
    if (stdout === run.stdout && stderr === run.stderr) return run;
    this.outputSpent = true;
    return {
      ...run,
      stdout,
      stderr,
      stdoutTruncated: run.stdoutTruncated || stdout !== run.stdout,
      stderrTruncated: run.stderrTruncated || stderr !== run.stderr,
    };
  }

  /** The longest prefix of `text` that fits in what is left, cut at a character boundary. */
  private take(text: string): string {
    const size = Buffer.byteLength(text, 'utf8');
    if (size <= this.outputLeftBytes) {
      this.outputLeftBytes -= size;
      return text;
    }
    const bytes = Buffer.from(text, 'utf8');
    let n = Math.max(0, this.outputLeftBytes);
    while (n > 0 && (bytes[n]! & 0xc0) === 0x80) n--; // not inside a UTF-8 sequence
    this.outputLeftBytes = 0;
    return bytes.subarray(0, n).toString('utf8');
  }
}
