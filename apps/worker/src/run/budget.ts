/**
 * A job's budgets, over all its runs (compile, tests, checkers): the output kept of them
 * (JOB_OUTPUT_BUDGET_BYTES) and the wall time they take together (JOB_TIME_BUDGET_MS), so that no
 * job holds a slot, the worker's heap or Redis without bound. Pure bookkeeping: RunService asks it
 * for the next run's wall limit, charges each finished run, and hands it each run to keep.
 */
import type { OutputEncoding, OutputFile, Run, SkippedFile } from '@runbox/contract';
import { safeName, type Collected } from '../sandbox/collect';
import { encodeOutput, utf8Prefix, type RawRun } from './output';

export class JobBudget {
  private outputLeftBytes: number;
  private timeLeftMs: number;
  /** The wall limits of the runs going on now (hold), not yet charged. */
  private heldMs = 0;
  private wake: (() => void)[] = [];
  /** Some output was cut because the budget was spent. */
  outputSpent = false;

  /**
   * `start`: the job's start as Redis confirms it (job-start.ts). No run's time is held before it
   * resolves, and none once it rejects, so the job's first box is built while it is on its way.
   */
  constructor(
    outputBytes: number,
    readonly timeMs: number,
    private readonly start: Promise<void> = Promise.resolve(),
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

  /**
   * The wall limit of a run that starts now beside others of the job (tests side by side,
   * lanes.ts), held until `release`: its own, or what is left of the job's time less what the
   * runs going on hold. So runs side by side never get more than is left between them. A run that
   * would get less than its own limit because of the others waits for them instead, and gets the
   * rest when it is alone, as it would have in a serial run. Waits for the job's start first.
   * Rejects once `signal` aborts, or with the start's error.
   */
  async hold(limitMs: number, signal: AbortSignal): Promise<number> {
    await this.start;
    while (this.heldMs > 0 && this.timeLeftMs - this.heldMs < limitMs) {
      if (signal.aborted) break;
      await new Promise<void>((resolve) => {
        this.wake.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    if (signal.aborted) throw new Error(`run aborted: ${String(signal.reason)}`);
    const ms = Math.max(1, Math.min(limitMs, this.timeLeftMs - this.heldMs));
    this.heldMs += ms;
    return ms;
  }

  /** The run that held `ms` has ended (charged, or failed): the runs waiting may start. */
  release(ms: number): void {
    this.heldMs -= ms;
    for (const resolve of this.wake.splice(0)) resolve();
  }

  /** The job's time is spent: the run that got here crossed the line, and no further one starts. */
  get timeSpent(): boolean {
    return this.timeLeftMs <= 0;
  }

  /**
   * The client's view of `run`: its streams cut to what is left of the job's output budget
   * (flagged where cut), counted in bytes, in the job's encoding. Call once per run, after judging it.
   */
  keep(run: RawRun, encoding: OutputEncoding = 'utf8'): Run {
    const { raw, collected, ...view } = run;
    const stdout = this.take(raw.stdout, encoding);
    const stderr = this.take(raw.stderr, encoding);
    if (stdout.length < raw.stdout.length || stderr.length < raw.stderr.length) this.outputSpent = true;
    const stdoutTruncated = run.stdoutTruncated || stdout.length < raw.stdout.length;
    const stderrTruncated = run.stderrTruncated || stderr.length < raw.stderr.length;
    const out = encodeOutput(stdout, stdoutTruncated, encoding);
    const err = encodeOutput(stderr, stderrTruncated, encoding);
    return {
      ...view,
      stdout: out.content,
      stderr: err.content,
      stdoutTruncated,
      stderrTruncated,
      ...(out.encoding ? { stdoutEncoding: out.encoding } : {}),
      ...(err.encoding ? { stderrEncoding: err.encoding } : {}),
      ...(collected ? this.files(collected, encoding) : {}),
    };
  }

  /** The run's output files within what is left of the budget; names a client could misread are skipped. */
  private files(collected: Collected, encoding: OutputEncoding): Pick<Run, 'files' | 'filesSkipped' | 'filesOmitted'> {
    const files: OutputFile[] = [];
    const filesSkipped: SkippedFile[] = [];
    for (const e of collected.entries) {
      const path = e.path.toString('utf8');
      if (!safeName(e.path)) filesSkipped.push({ path, reason: 'unsafe_name' });
      else if (e.kind === 'skipped') filesSkipped.push({ path, reason: e.reason });
      else {
        const kept = this.take(e.content, encoding);
        if (kept.length < e.content.length) this.outputSpent = true;
        const truncated = e.truncated || kept.length < e.content.length;
        const { content, encoding: how } = encodeOutput(kept, truncated, encoding);
        files.push({ path, size: e.size, encoding: how ?? 'utf8', content, ...(truncated ? { truncated: true as const } : {}) });
      }
    }
    return { files, filesSkipped, ...(collected.omitted ? { filesOmitted: collected.omitted } : {}) };
  }

  /** The longest prefix of `bytes` that fits in what is left (as text: cut at a character boundary). */
  private take(bytes: Buffer, encoding: OutputEncoding): Buffer {
    if (bytes.length <= this.outputLeftBytes) {
      this.outputLeftBytes -= bytes.length;
      return bytes;
    }
    const cut = bytes.subarray(0, Math.max(0, this.outputLeftBytes));
    this.outputLeftBytes = 0;
    return encoding === 'base64' ? cut : utf8Prefix(cut);
  }
}
