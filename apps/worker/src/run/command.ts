/** What one kind of run executes (a job's program, its checker, its interactor), fixed once per job. */
import type { RunLimits } from '@runbox/contract';

export interface Command {
  argv: readonly string[];
  env: Record<string, string>;
  /** What the sandbox enforces (adjusted for the language). */
  limits: RunLimits;
  /** What the run's limit messages report (the limits as asked). */
  shown: RunLimits;
}
