/**
 * A finished job as text for a person: a summary line, the compiler's complaint when it failed,
 * one line per test (verdict, time, memory, what differed), or the program's output when the
 * job had no tests. Pure: returns a string.
 */
import type { JobView, Run, TestResult } from '@runbox/contract';

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatKb(kb: number): string {
  return kb < 1024 ? `${kb} KB` : `${(kb / 1024).toFixed(1)} MB`;
}

const visible = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** Where `actual` first departs from `expected`, in words; null when they are equal. */
export function firstDifference(expected: string, actual: string): string | null {
  if (expected === actual) return null;
  const e = expected.split('\n');
  const a = actual.split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] === a[i]) continue;
    if (a[i] === undefined) return `line ${i + 1}: expected ${visible(e[i]!)}, the output ended`;
    if (e[i] === undefined) return `line ${i + 1}: expected the end of output, got ${visible(a[i]!)}`;
    return `line ${i + 1}: expected ${visible(e[i]!)}, got ${visible(a[i]!)}`;
  }
  return null;
}

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
}

export const PLAIN: Style = { ok: (s) => s, bad: (s) => s, dim: (s) => s };
export const COLOR: Style = {
  ok: (s) => `\x1b[32m${s}\x1b[0m`,
  bad: (s) => `\x1b[31m${s}\x1b[0m`,
  dim: (s) => `\x1b[2m${s}\x1b[0m`,
};

const indent = (s: string, by = '    ') =>
  s
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => by + l)
    .join('\n');

function runFigures(run: Run | null): string {
  return run ? `${formatMs(run.wallTimeMs).padStart(8)}  ${formatKb(run.memoryKb).padStart(9)}` : ''.padStart(19);
}

/** Why a test failed, in one line: the checker's message, or the first difference, or how it ended. */
export function testDetail(t: TestResult): string {
  if (t.verdict === 'ok') return '';
  if (t.verdict === 'wrong_answer' && t.expectedOutput !== undefined && t.run) {
    return firstDifference(t.expectedOutput, t.run.stdout) ?? t.message ?? '';
  }
  if (t.message) return t.message;
  if (t.run?.signal) return `killed by ${t.run.signal}`;
  if (t.run && t.run.exitCode !== null && t.run.exitCode !== 0) return `exit code ${t.run.exitCode}`;
  return '';
}

function testLines(tests: readonly TestResult[], style: Style): string[] {
  const nameWidth = Math.min(24, Math.max(4, ...tests.map((t) => t.name.length)));
  return tests.map((t) => {
    const mark = t.verdict === 'ok' ? style.ok('✓') : style.bad('✗');
    const verdict = t.verdict === 'ok' ? style.ok(t.verdict.padEnd(14)) : style.bad(t.verdict.padEnd(14));
    const detail = testDetail(t);
    return `  ${mark} ${t.name.padEnd(nameWidth)}  ${verdict}${runFigures(t.run)}${detail ? `  ${style.dim(detail)}` : ''}`.trimEnd();
  });
}

function stream(label: string, text: string, truncated: boolean): string[] {
  if (!text) return [];
  return [`--- ${label}${truncated ? ' (truncated)' : ''} ---`, text.replace(/\n$/, '')];
}

export function renderReport(view: JobView, style: Style = PLAIN, notRun: readonly string[] = []): string {
  const out: string[] = [];
  const r = view.result;
  const took = view.startedAt && view.finishedAt ? ` in ${formatMs(Date.parse(view.finishedAt) - Date.parse(view.startedAt))}` : '';
  if (view.status !== 'completed' || !r) {
    out.push(style.bad(`job ${view.id} ${view.status}${view.error ? `: ${view.error}` : ''}`));
    return `${out.join('\n')}\n`;
  }
  const verdict = r.verdict === 'ok' ? style.ok(r.verdict) : style.bad(r.verdict);
  const score = r.score ? `, score ${r.score.points}/${r.score.maxPoints}` : '';
  out.push(`job ${view.id} (${view.language}) completed${took}: ${verdict}${score}`);

  if (r.compile) {
    const c = r.compile;
    out.push(`compile: ${c.verdict === 'ok' ? style.ok('ok') : style.bad(c.verdict)} ${style.dim(`(${formatMs(c.wallTimeMs)})`)}`);
    if (c.verdict !== 'ok') {
      const text = `${c.stdout}${c.stderr}`.trim() || c.message || '';
      if (text) out.push(indent(text));
    }
  }
  if (r.tests) {
    if (r.tests.length) out.push(`tests:`, ...testLines(r.tests, style));
    if (notRun.length) out.push(style.dim(`  not run: ${notRun.join(', ')}`));
  } else if (r.run) {
    const run = r.run;
    const ended = run.signal ? `killed by ${run.signal}` : `exit code ${run.exitCode}`;
    out.push(
      `run: ${run.verdict === 'ok' ? style.ok(run.verdict) : style.bad(run.verdict)}, ${ended}, ${formatMs(run.wallTimeMs)} wall, ${formatMs(run.cpuTimeMs)} CPU, ${formatKb(run.memoryKb)}${run.message ? ` (${run.message})` : ''}`,
    );
    out.push(...stream('stdout', run.stdout, run.stdoutTruncated), ...stream('stderr', run.stderr, run.stderrTruncated));
  }
  return `${out.join('\n')}\n`;
}
