/**
 * A finished job as JUnit XML, the report format CI systems render natively (GitHub Actions
 * reporters, GitLab `artifacts:reports:junit`, Jenkins, Azure). The shape follows the schema CI
 * tools share (Jenkins' junit-10.xsd): testsuites > testsuite > testcase, with `failure` for a
 * wrong answer or a limit, `error` for a crash, a compile error or runbox trouble, `skipped` for
 * tests that did not run (stopOnFirstFailure, a compile error). Pure: returns the document.
 */
import type { JobView, Run, TestResult, Verdict } from '@runbox/contract';
import { testDetail } from './report';

export interface JUnitOptions {
  /** Suite name: what was run (`main.py`). */
  name: string;
  /** Every test the job was given, in order: those without a result are reported as skipped. */
  testNames?: readonly string[];
  /** Where the job ran (the API's host): the schema's testsuite `hostname`. */
  hostname?: string;
}

/** Verdicts that are the program failing a test; the others are errors. */
const FAILURES: ReadonlySet<Verdict> = new Set(['wrong_answer', 'time_limit', 'memory_limit', 'output_limit']);
/** Text kept per element; CI pages choke on megabytes. */
const TEXT_CHARS = 16_384;

/** Escapes text for XML and drops characters XML 1.0 cannot carry at all (most control characters). */
export function xmlEscape(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- XML 1.0's Char production names the control characters it allows
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      .replace(/\r/g, '&#13;')
  );
}

const attr = (s: string) => xmlEscape(s).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
const seconds = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);
const cap = (s: string) => (s.length > TEXT_CHARS ? `${s.slice(0, TEXT_CHARS)}\n… (${s.length - TEXT_CHARS} more characters)` : s);

interface Case {
  name: string;
  timeMs: number;
  outcome: { kind: 'failure' | 'error' | 'skipped'; type: string; message: string; text: string } | null;
  stdout?: string;
}

function runText(run: Run | null): string {
  if (!run) return '';
  const parts = [
    `exit code: ${run.exitCode ?? '-'}${run.signal ? `, signal ${run.signal}` : ''}; wall ${run.wallTimeMs} ms, cpu ${run.cpuTimeMs} ms, memory ${run.memoryKb} KB`,
  ];
  if (run.stdout) parts.push(`--- stdout${run.stdoutTruncated ? ' (truncated)' : ''} ---\n${run.stdout}`);
  if (run.stderr) parts.push(`--- stderr${run.stderrTruncated ? ' (truncated)' : ''} ---\n${run.stderr}`);
  return parts.join('\n');
}

function testCase(t: TestResult): Case {
  if (t.verdict === 'ok') return { name: t.name, timeMs: t.run?.wallTimeMs ?? 0, outcome: null };
  const detail = testDetail(t);
  const text = [
    t.message && t.message !== detail ? t.message : '',
    t.expectedOutput !== undefined ? `--- expected ---\n${t.expectedOutput}` : '',
    runText(t.run),
  ]
    .filter(Boolean)
    .join('\n');
  return {
    name: t.name,
    timeMs: t.run?.wallTimeMs ?? 0,
    outcome: {
      kind: FAILURES.has(t.verdict) ? 'failure' : 'error',
      type: t.verdict,
      message: detail ? `${t.verdict}: ${detail}` : t.verdict,
      text,
    },
  };
}

function cases(view: JobView, opts: JUnitOptions): Case[] {
  const r = view.result;
  if (view.status !== 'completed' || !r) {
    const message = `job ${view.status}${view.error ? `: ${view.error}` : ''}`;
    return [{ name: 'job', timeMs: 0, outcome: { kind: 'error', type: view.status, message, text: message } }];
  }
  const out: Case[] = [];
  if (r.compile) {
    const c = r.compile;
    const failed = c.verdict !== 'ok';
    out.push({
      name: 'compile',
      timeMs: c.wallTimeMs,
      outcome: failed
        ? {
            kind: 'error',
            type: 'compile_error',
            message: `compile_error${c.message ? `: ${c.message}` : ''}`,
            text: `${c.stdout}${c.stderr}`,
          }
        : null,
    });
  }
  if (r.tests) {
    out.push(...r.tests.map(testCase));
    const why = r.verdict === 'compile_error' ? 'the program did not compile' : 'stopped at the first failure';
    for (const name of (opts.testNames ?? []).slice(r.tests.length)) {
      out.push({ name, timeMs: 0, outcome: { kind: 'skipped', type: 'skipped', message: `not run: ${why}`, text: '' } });
    }
  } else if (r.run) {
    const run = r.run;
    const c = testCase({ name: 'run', verdict: run.verdict, points: 0, run, ...(run.message ? { message: run.message } : {}) });
    out.push({ ...c, stdout: run.stdout });
  }
  return out;
}

function renderCase(c: Case, classname: string): string {
  const open = `    <testcase name="${attr(c.name)}" classname="${attr(classname)}" time="${seconds(c.timeMs)}"`;
  const body: string[] = [];
  if (c.outcome?.kind === 'skipped') body.push(`      <skipped message="${attr(c.outcome.message)}"/>`);
  else if (c.outcome) {
    const text = cap(c.outcome.text);
    body.push(
      `      <${c.outcome.kind} message="${attr(c.outcome.message)}" type="${attr(c.outcome.type)}">${xmlEscape(text)}</${c.outcome.kind}>`,
    );
  }
  if (c.stdout) body.push(`      <system-out>${xmlEscape(cap(c.stdout))}</system-out>`);
  return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
}

export function renderJUnit(view: JobView, opts: JUnitOptions): string {
  const all = cases(view, opts);
  const count = (kind: string) => all.filter((c) => c.outcome?.kind === kind).length;
  const failures = count('failure');
  const errors = count('error');
  const skipped = count('skipped');
  const timeMs = all.reduce((sum, c) => sum + c.timeMs, 0);
  const suite = `runbox: ${opts.name}`;
  const classname = `runbox.${opts.name.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
  const timestamp = (view.finishedAt ?? view.createdAt).slice(0, 19); // the schema's ISO 8601 form has no zone
  const counts = `tests="${all.length}" failures="${failures}" errors="${errors}"`;
  const props = [
    ['runbox.job', view.id],
    ['runbox.language', view.language],
    ['runbox.status', view.status],
    ...(view.result ? [['runbox.verdict', view.result.verdict]] : []),
    ...(view.result?.score ? [['runbox.score', `${view.result.score.points}/${view.result.score.maxPoints}`]] : []),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="runbox" ${counts} time="${seconds(timeMs)}">`,
    `  <testsuite name="${attr(suite)}" ${counts} skipped="${skipped}" time="${seconds(timeMs)}" timestamp="${timestamp}" hostname="${attr(opts.hostname ?? 'runbox')}">`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${attr(k!)}" value="${attr(v!)}"/>`),
    '    </properties>',
    ...all.map((c) => renderCase(c, classname)),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
