/**
 * A folder of tests → the job's `tests`. A test is `NAME.in` + `NAME.out` (`.ans` also names
 * the answer), or a folder `NAME/` with `input` and `output`. Either half may be missing (no
 * input: empty stdin; no answer: the test only has to run). Tests are sorted naturally, so
 * `2` comes before `10`. Every test is worth one point.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCase } from '@runbox/contract';
import { UsageError } from './usage-error';

export interface TestFiles {
  name: string;
  input: string | undefined;
  answer: string | undefined;
}

const INPUT = ['.in'];
const ANSWER = ['.out', '.ans'];

/** `a2` < `a10` < `b1`: digit runs compare as numbers, the rest as text. */
export function naturalCompare(a: string, b: string): number {
  const split = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p === q) continue;
    const numeric = /^\d/.test(p) && /^\d/.test(q);
    if (numeric) {
      const d = BigInt(p) - BigInt(q);
      if (d !== 0n) return d < 0n ? -1 : 1;
      return p.length - q.length; // 01 after 1
    }
    return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** The tests found in `dir`, in natural order. */
export function discoverTests(dir: string): TestFiles[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new UsageError(`--tests: cannot read ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const tests = new Map<string, TestFiles>();
  const get = (name: string) => tests.get(name) ?? tests.set(name, { name, input: undefined, answer: undefined }).get(name)!;
  const claim = (name: string, field: 'input' | 'answer', path: string) => {
    const t = get(name);
    if (t[field] !== undefined) throw new UsageError(`--tests: test "${name}" has two ${field} files (${t[field]} and ${path})`);
    t[field] = path;
  };
  for (const entry of entries) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const input = join(path, 'input');
      const output = join(path, 'output');
      if (existsSync(input)) claim(entry, 'input', input);
      if (existsSync(output)) claim(entry, 'answer', output);
      continue;
    }
    const ext = INPUT.find((e) => entry.endsWith(e)) ?? ANSWER.find((e) => entry.endsWith(e));
    if (!ext || entry.length === ext.length) continue;
    claim(entry.slice(0, -ext.length), INPUT.includes(ext) ? 'input' : 'answer', path);
  }
  const found = [...tests.values()].sort((a, b) => naturalCompare(a.name, b.name));
  if (found.length === 0) throw new UsageError(`--tests: no tests in ${dir} (expected NAME.in + NAME.out, or NAME/input + NAME/output)`);
  return found;
}

/** The tests of `dir` as the job's `tests`, one point each. */
export function loadTests(dir: string): TestCase[] {
  return discoverTests(dir).map((t) => ({
    name: t.name,
    stdin: t.input === undefined ? '' : readFileSync(t.input, 'utf8'),
    ...(t.answer === undefined ? {} : { expectedOutput: readFileSync(t.answer, 'utf8') }),
    points: 1,
  }));
}
