/**
 * Built-in defaults and maxima for run limits. Operators override both through configuration
 * (libs/config); these are the values used when they do not. A request above a maximum is
 * rejected with 422, never silently clamped.
 */
import type { RunLimits } from './run';

export const DEFAULT_LIMITS: Readonly<RunLimits> = Object.freeze({
  cpuTimeMs: 2_000,
  wallTimeMs: 5_000,
  memoryMb: 256,
  processes: 64,
  outputBytes: 65_536,
});

export const DEFAULT_MAX_LIMITS: Readonly<RunLimits> = Object.freeze({
  cpuTimeMs: 20_000,
  wallTimeMs: 60_000,
  memoryMb: 2_048,
  processes: 512,
  outputBytes: 4_194_304,
});

/** Lowest value each limit accepts: below these nothing useful can run. */
export const MIN_LIMITS: Readonly<RunLimits> = Object.freeze({
  cpuTimeMs: 1,
  wallTimeMs: 1,
  memoryMb: 8,
  processes: 1,
  outputBytes: 0,
});
