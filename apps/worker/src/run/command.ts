/** What one kind of run executes (a job's program, its checker, its interactor), fixed once per job. */
import type { RunLimits } from '@runbox/contract';
import type { RunSpec } from '../sandbox/launcher';

export interface Command {
  argv: readonly string[];
  env: Record<string, string>;
  /** What the sandbox enforces (adjusted for the language). */
  limits: RunLimits;
  /** What the run's limit messages report (the limits as asked). */
  shown: RunLimits;
}

/** The launcher's request for one run of `command` (plus `args`) in box `box`. */
export function specOf(
  command: Command,
  box: string,
  args: readonly string[],
  run: { stdin: string; wallTimeMs: number; fileSizeKb: number },
): RunSpec {
  const { limits } = command;
  return {
    argv: [...command.argv, ...args],
    env: command.env,
    box,
    stdin: run.stdin,
    cpuTimeMs: limits.cpuTimeMs,
    wallTimeMs: run.wallTimeMs,
    memoryKb: limits.memoryMb * 1024,
    processes: limits.processes,
    outputBytes: limits.outputBytes,
    fileSizeKb: run.fileSizeKb,
  };
}
