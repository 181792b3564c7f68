import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VERDICTS } from '@runbox/contract';
import { EXIT, EXIT_TABLE, exitCodeFor, VERDICT_EXIT } from './exit-codes';
import { exitCodeTable, helpText } from './help';

describe('exit codes', () => {
  it('maps every verdict to its own code, 0 only for ok', () => {
    const expected = {
      ok: 0,
      wrong_answer: 1,
      compile_error: 2,
      runtime_error: 3,
      time_limit: 4,
      memory_limit: 5,
      output_limit: 6,
      internal_error: 7,
    };
    for (const v of VERDICTS) {
      expect(exitCodeFor({ status: 'completed', result: { verdict: v, compile: null, run: null } })).toBe(expected[v]);
    }
  });

  it('maps a job that did not complete to 8', () => {
    expect(exitCodeFor({ status: 'failed', result: null })).toBe(8);
    expect(exitCodeFor({ status: 'cancelled', result: null })).toBe(8);
  });

  it('treats a completed job without a result as internal_error', () => {
    expect(exitCodeFor({ status: 'completed', result: null })).toBe(VERDICT_EXIT.internal_error);
  });

  it('has the documented codes for the rest', () => {
    expect(EXIT).toMatchObject({ jobNotCompleted: 8, usage: 64, unreachable: 69, gaveUp: 75, unauthorized: 77 });
  });

  it('never gives two meanings the same code', () => {
    const codes = EXIT_TABLE.map(([c]) => c);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of [...Object.values(VERDICT_EXIT), ...Object.values(EXIT)]) expect(codes).toContain(c);
  });

  it('prints the table in --help and in apps/cli/README.md', () => {
    expect(helpText(undefined, '0')).toContain(exitCodeTable());
    expect(helpText('run', '0')).toContain(exitCodeTable());
    const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');
    for (const [code, meaning] of EXIT_TABLE) expect(readme).toContain(`| ${code} | ${meaning} |`);
  });
});
