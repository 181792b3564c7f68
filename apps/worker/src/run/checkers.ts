/**
 * Built-in output checkers (README "HTTP API v1", Checkers: exact, lines, tokens, float). Pure functions; the custom checker, which
 * runs a client's program in its own sandbox, lives in run.service.ts.
 */
import { DEFAULT_FLOAT_TOLERANCE, type Checker } from '@runbox/contract';

export interface CheckOutcome {
  verdict: 'ok' | 'wrong_answer';
  message?: string;
}
const OK: CheckOutcome = { verdict: 'ok' };
const wrong = (message: string): CheckOutcome => ({ verdict: 'wrong_answer', message });

const trimLineEnds = (s: string) => s.split(/\r?\n/).map((l) => l.replace(/[ \t\r\f\v]+$/, ''));

function withoutTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  return lines.slice(0, end);
}

const tokens = (s: string) => s.split(/\s+/).filter(Boolean);
const shorten = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);

export function checkExact(actual: string, expected: string): CheckOutcome {
  if (actual === expected) return OK;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  return wrong(`output differs at byte ${i}`);
}

export function checkLines(actual: string, expected: string): CheckOutcome {
  const a = withoutTrailingBlank(trimLineEnds(actual));
  const e = withoutTrailingBlank(trimLineEnds(expected));
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) {
      if (a[i] === undefined) return wrong(`line ${i + 1}: expected ${JSON.stringify(shorten(e[i]!))}, output ended`);
      if (e[i] === undefined) return wrong(`line ${i + 1}: unexpected extra output ${JSON.stringify(shorten(a[i]!))}`);
      return wrong(`line ${i + 1}: expected ${JSON.stringify(shorten(e[i]!))}, got ${JSON.stringify(shorten(a[i]!))}`);
    }
  }
  return OK;
}

export function checkTokens(actual: string, expected: string): CheckOutcome {
  const a = tokens(actual);
  const e = tokens(expected);
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) {
      return wrong(
        `token ${i + 1}: expected ${e[i] === undefined ? 'end of output' : JSON.stringify(shorten(e[i]!))}, got ${a[i] === undefined ? 'end of output' : JSON.stringify(shorten(a[i]!))}`,
      );
    }
  }
  return OK;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;

/** Tokens must match; where both are numbers, they must agree within either tolerance. */
export function checkFloat(actual: string, expected: string, absoluteTolerance: number, relativeTolerance: number): CheckOutcome {
  const a = tokens(actual);
  const e = tokens(expected);
  if (a.length !== e.length) return wrong(`expected ${e.length} tokens, got ${a.length}`);
  for (let i = 0; i < e.length; i++) {
    if (NUMBER.test(e[i]!) && NUMBER.test(a[i]!)) {
      const x = Number(a[i]!.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
      const y = Number(e[i]!.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity'));
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      if (x === y) continue;
      const diff = Math.abs(x - y);
      if (diff <= absoluteTolerance || diff <= relativeTolerance * Math.abs(y)) continue;
      return wrong(`token ${i + 1}: expected ${e[i]}, got ${a[i]} (difference ${diff})`);
    }
    if (a[i] !== e[i]) return wrong(`token ${i + 1}: expected ${JSON.stringify(shorten(e[i]!))}, got ${JSON.stringify(shorten(a[i]!))}`);
  }
  return OK;
}

/** Judges `actual` against `expected` with a built-in checker. */
export function check(checker: Exclude<Checker, { type: 'custom' }>, actual: string, expected: string): CheckOutcome {
  switch (checker.type) {
    case 'exact':
      return checkExact(actual, expected);
    case 'lines':
      return checkLines(actual, expected);
    case 'tokens':
      return checkTokens(actual, expected);
    case 'float':
      return checkFloat(
        actual,
        expected,
        checker.absoluteTolerance ?? DEFAULT_FLOAT_TOLERANCE,
        checker.relativeTolerance ?? DEFAULT_FLOAT_TOLERANCE,
      );
  }
}
