/**
 * The one parser of the launcher's report (native/README.md). Every field and unit is checked:
 * the launcher is ours, but a report we misread would turn into a wrong verdict for a client.
 * What ended the run is the report's to say (the precedence table in native/src/report.c); this
 * only checks that the report says it the way that table does.
 */
import { LAUNCHER_LIMITS, type LauncherReport } from '@runbox/contract';
import { SandboxError } from './sandbox.errors';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const SIGNAL_NAME = /^SIG[A-Z0-9+-]+$/;

export function parseReport(line: string): LauncherReport {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch (cause) {
    throw new SandboxError(`launcher report is not JSON: ${JSON.stringify(line.slice(0, 200))}`, { cause });
  }
  const bad = (field: string) => new SandboxError(`launcher report has a bad ${field}: ${JSON.stringify(line.slice(0, 300))}`);
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw bad('shape');
  // Row 1 of the table: runbox failed, whatever else the report says.
  if (r.error !== null && r.error !== undefined) {
    if (typeof r.error !== 'string') throw bad('error');
    throw new SandboxError(`launcher failed: ${r.error}`);
  }
  if (!(r.exitCode === null || (Number.isInteger(r.exitCode) && (r.exitCode as number) >= 0 && (r.exitCode as number) <= 255)))
    throw bad('exitCode');
  if (!(r.signal === null || (typeof r.signal === 'string' && SIGNAL_NAME.test(r.signal)))) throw bad('signal');
  // Every other row comes with the program's status: its own, or SIGKILL where a limit killed it.
  if (r.exitCode === null && r.signal === null) throw bad('outcome (no exit code or signal)');
  if (!(r.limit === null || LAUNCHER_LIMITS.includes(r.limit as never))) throw bad('limit');
  for (const f of ['cpuTimeMs', 'wallTimeMs', 'memoryKb', 'stdoutBytes', 'stderrBytes'] as const) if (!isCount(r[f])) throw bad(f);
  for (const f of ['stdoutTruncated', 'stderrTruncated', 'processesLimitHit'] as const) if (typeof r[f] !== 'boolean') throw bad(f);
  if (r.cgroupMode !== 'v1' && r.cgroupMode !== 'v2') throw bad('cgroupMode');
  return {
    exitCode: r.exitCode as number | null,
    signal: r.signal,
    limit: r.limit as LauncherReport['limit'],
    cpuTimeMs: r.cpuTimeMs as number,
    wallTimeMs: r.wallTimeMs as number,
    memoryKb: r.memoryKb as number,
    stdoutBytes: r.stdoutBytes as number,
    stderrBytes: r.stderrBytes as number,
    stdoutTruncated: r.stdoutTruncated as boolean,
    stderrTruncated: r.stderrTruncated as boolean,
    processesLimitHit: r.processesLimitHit as boolean,
    cgroupMode: r.cgroupMode,
    error: null,
  };
}
