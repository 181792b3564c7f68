import type { LauncherReport } from '@runbox/contract';
import { judgeInteraction } from './interactive';
import { reportOf } from '../sandbox/report.test-helper';
import { toRun } from './verdict';

const limits = { cpuTimeMs: 1000, wallTimeMs: 3000, memoryMb: 64, outputBytes: 1000 };
const run = (r: Partial<LauncherReport>, stderr = '') =>
  toRun(reportOf({ stderrBytes: stderr.length, ...r }), Buffer.alloc(0), Buffer.from(stderr), limits);
const killed = (signal: string, limit: LauncherReport['limit'] = null) => run({ exitCode: null, signal, limit });

describe('judgeInteraction', () => {
  it.each([
    ['the interactor accepts', run({}), run({}, 'ok 7 queries\n'), 'ok', /^ok 7 queries$/],
    [
      'exit 1 is a wrong answer, with what it said',
      run({}),
      run({ exitCode: 1 }, 'too many queries'),
      'wrong_answer',
      /^too many queries$/,
    ],
    [
      'exit 2 (presentation error) is a wrong answer',
      run({}),
      run({ exitCode: 2 }, 'not a number'),
      'wrong_answer',
      /presentation error: not a number/,
    ],
    ['exit 3 is the interactor failing', run({}), run({ exitCode: 3 }, 'bad test'), 'internal_error', /exit 3.*bad test/],
    ['another exit code is the interactor failing', run({}), run({ exitCode: 42 }), 'internal_error', /exit 42/],
    ['a crash of the interactor', run({}), killed('SIGSEGV'), 'internal_error', /SIGSEGV/],
    ['a limit of the interactor', run({}), killed('SIGKILL', 'cpu'), 'internal_error', /CPU time/],
    ["the program's limit comes first", killed('SIGKILL', 'wall'), run({ exitCode: 3 }), 'time_limit', /wall time/],
    ["the program's crash comes first", killed('SIGSEGV'), killed('SIGSEGV'), 'runtime_error', /SIGSEGV/],
    [
      'a program killed by SIGPIPE gets the verdict of the interactor',
      killed('SIGPIPE'),
      run({ exitCode: 1 }, 'wrong'),
      'wrong_answer',
      /wrong/,
    ],
    [
      'an interactor killed by SIGPIPE wrote to a program that stopped reading',
      run({}),
      killed('SIGPIPE'),
      'wrong_answer',
      /stopped reading/,
    ],
    [
      'a non-zero exit after a failed interactor is the interactor failing',
      run({ exitCode: 1 }),
      killed('SIGKILL', 'cpu'),
      'internal_error',
      /CPU/,
    ],
    ['a non-zero exit is judged by the interactor first', run({ exitCode: 1 }), run({ exitCode: 1 }, 'wa'), 'wrong_answer', /wa/],
    ['a non-zero exit the interactor accepted is a runtime error', run({ exitCode: 4 }), run({}), 'runtime_error', /exit code 4/],
  ])('%s', (_what, program, interactor, verdict, message) => {
    const judged = judgeInteraction(program, interactor);
    expect(judged.verdict).toBe(verdict);
    expect(judged.message).toMatch(message);
  });

  it('keeps at most 1000 characters of what the interactor said', () => {
    expect(judgeInteraction(run({}), run({ exitCode: 1 }, 'x'.repeat(5000))).message).toHaveLength(1000);
  });
});
