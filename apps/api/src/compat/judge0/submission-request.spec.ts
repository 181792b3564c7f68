import { resolve } from 'node:path';
import { loadConfig } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { parseSubmission, type Judge0Context } from './submission-request';

const languages = LanguageRegistry.fromFile(resolve(__dirname, '../../../../../libs/languages/languages.json'));
const ctx = (env: Record<string, string> = {}): Judge0Context => ({ config: loadConfig(env), languages });

describe('parseSubmission', () => {
  it('maps Judge0 units onto a job: seconds to ms, KB to MB, options to argv words', () => {
    const p = parseSubmission(
      {
        language_id: '50',
        source_code: 'int main(){}',
        stdin: 'in',
        cpu_time_limit: '1.5',
        wall_time_limit: 3,
        memory_limit: 65536,
        max_processes_and_or_threads: 8,
        compiler_options: `-DX='a b' -O0`,
        command_line_arguments: ' 1  "2 3" ',
      },
      false,
      ctx(),
    );
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.request).toEqual({
      language: 'c',
      files: [{ path: 'main.c', content: Buffer.from('int main(){}').toString('base64'), encoding: 'base64' }],
      stdin: 'in',
      args: ['1', '2 3'],
      compileArgs: ['-DX=a b', '-O0'],
      limits: { cpuTimeMs: 1500, wallTimeMs: 3000, memoryMb: 64, processes: 8, outputBytes: 65_536 },
      outputEncoding: 'base64',
    });
    expect(p.submission).toMatchObject({
      language_id: 50,
      cpu_time_limit: 1.5,
      memory_limit: 65536,
      stack_limit: 64000,
      number_of_runs: 1,
    });
  });

  it('decodes base64 text leniently, as Ruby does, and keeps the bytes', () => {
    const p = parseSubmission({ language_id: 71, source_code: 'cHJp\nbnQoMSk=\n', stdin: '/w==' }, true, ctx());
    expect(p.ok && Buffer.from(p.submission.source_code, 'base64').toString()).toBe('print(1)');
    expect(p.ok && p.submission.stdin).toBe('/w==');
  });

  it('runs number_of_runs as tests of the same input, stopping at the first failure', () => {
    const p = parseSubmission({ language_id: 71, source_code: 'x', stdin: 's', number_of_runs: 2 }, false, ctx());
    expect(p.ok && p.request).toMatchObject({
      tests: [
        { name: 'run 1', stdin: 's' },
        { name: 'run 2', stdin: 's' },
      ],
      stopOnFirstFailure: true,
    });
  });

  it('answers every broken rule by attribute, with Rails’ words', () => {
    const p = parseSubmission(
      {
        language_id: 'abc',
        cpu_time_limit: 16,
        max_processes_and_or_threads: 0,
        enable_per_process_and_thread_time_limit: 'yes',
        command_line_arguments: `'open`,
      },
      false,
      ctx(),
    );
    expect(p).toEqual({
      ok: false,
      errors: {
        source_code: ["can't be blank"],
        language_id: ["language with id 0 doesn't exist"],
        cpu_time_limit: ['must be less than or equal to 15.0'],
        max_processes_and_or_threads: ['must be greater than 0'],
        enable_per_process_and_thread_time_limit: ['this option cannot be enabled'],
        command_line_arguments: ['cannot be split into words (unterminated single quote)'],
      },
    });
  });

  it('bounds Judge0’s maxima by the server’s own', () => {
    const p = parseSubmission(
      { language_id: 71, source_code: 'x', wall_time_limit: 15 },
      false,
      ctx({ MAX_WALL_TIME_MS: '12000', DEFAULT_WALL_TIME_MS: '5000' }),
    );
    expect(p).toEqual({ ok: false, errors: { wall_time_limit: ['must be less than or equal to 12.0'] } });
  });
});
