import { resolve } from 'node:path';
import { loadConfig } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { fileBytes, toJobData, type RequestContext } from './job-request';
import { LimitAboveMaximum, RequestTooLarge, UnknownLanguage, UnprocessableJob } from './jobs.errors';

const languages = LanguageRegistry.fromFile(resolve(__dirname, '../../../../libs/languages/languages.json'));
const ctx = (env: Record<string, string> = {}): RequestContext => ({ config: loadConfig(env), languages });
const now = new Date('2026-01-02T03:04:05.000Z');

describe('toJobData', () => {
  it('turns source into the language source file and fills every default', () => {
    const c = ctx();
    expect(toJobData({ language: 'PY', source: 'print(1)' }, c, '', now)).toEqual({
      v: 1,
      language: 'python',
      files: [{ path: 'main.py', content: 'print(1)', encoding: 'utf8' }],
      stdin: '',
      args: [],
      compileArgs: [],
      archive: null,
      limits: c.config.limits.defaults,
      tests: null,
      checker: { type: 'lines' },
      stopOnFirstFailure: false,
      callbackUrl: null,
      outputEncoding: 'utf8',
      createdAt: '2026-01-02T03:04:05.000Z',
      owner: null,
    });
  });

  it('keeps given limits and fills the others from the defaults', () => {
    const c = ctx({ DEFAULT_MEMORY_MB: '128' });
    const data = toJobData({ language: 'bash', source: 'true', limits: { cpuTimeMs: 100 } }, c);
    expect(data.limits).toEqual({ ...c.config.limits.defaults, cpuTimeMs: 100, memoryMb: 128 });
  });

  it('keeps files with their encoding (utf8 when omitted) and names tests', () => {
    const data = toJobData(
      {
        language: 'c',
        files: [
          { path: 'main.c', content: 'int main(){}' },
          { path: 'a/b.h', content: 'AA==', encoding: 'base64' },
        ],
        tests: [
          { stdin: '1\n', expectedOutput: '1\n' },
          { name: 'big', points: 5, args: ['x'] },
        ],
        stopOnFirstFailure: true,
      },
      ctx(),
    );
    expect(data.files).toEqual([
      { path: 'main.c', content: 'int main(){}', encoding: 'utf8' },
      { path: 'a/b.h', content: 'AA==', encoding: 'base64' },
    ]);
    expect(data.tests).toEqual([
      { name: 'test 1', stdin: '1\n', args: [], expectedOutput: '1\n', points: 0 },
      { name: 'big', stdin: '', args: ['x'], points: 5 },
    ]);
    expect(data.stopOnFirstFailure).toBe(true);
  });

  it('resolves a custom checker to its canonical language and files', () => {
    const data = toJobData(
      { language: 'python', source: 'x', checker: { type: 'custom', language: 'c++', source: 'int main(){}' } },
      ctx(),
    );
    expect(data.checker).toEqual({
      type: 'custom',
      language: 'cpp',
      files: [{ path: 'main.cpp', content: 'int main(){}', encoding: 'utf8' }],
    });
  });

  it('keeps only the tolerances a float checker was given', () => {
    expect(toJobData({ language: 'python', source: 'x', checker: { type: 'float', relativeTolerance: 0.1 } }, ctx()).checker).toEqual({
      type: 'float',
      relativeTolerance: 0.1,
    });
  });

  it('rejects an unknown language, naming the known ones', () => {
    expect(() => toJobData({ language: 'cobol', source: 'x' }, ctx())).toThrow(UnknownLanguage);
    try {
      toJobData({ language: 'python', source: 'x', checker: { type: 'custom', language: 'cobol', source: 'x' } }, ctx(), 'jobs[2].');
    } catch (e) {
      expect((e as UnknownLanguage).errors).toEqual([
        { field: 'jobs[2].checker.language', rule: 'known', message: expect.stringContaining('bash, c, cpp') },
      ]);
    }
    expect.assertions(2);
  });

  it('rejects a limit above the maximum with the field and the maximum', () => {
    const c = ctx({ MAX_MEMORY_MB: '512' });
    expect(() => toJobData({ language: 'python', source: 'x', limits: { memoryMb: 513 } }, c, 'jobs[1].')).toThrow(
      expect.objectContaining({ field: 'jobs[1].limits.memoryMb', max: 512, constructor: LimitAboveMaximum }),
    );
    expect(toJobData({ language: 'python', source: 'x', limits: { memoryMb: 512 } }, c).limits.memoryMb).toBe(512);
  });

  it.each([
    [
      'files',
      {
        files: [
          { path: 'a.py', content: '' },
          { path: 'b.py', content: '' },
          { path: 'c.py', content: '' },
        ],
      },
      'maxItems',
      2,
    ],
    ['files[0].content', { files: [{ path: 'a.py', content: 'x'.repeat(11) }] }, 'maxBytes', 10],
    ['source', { source: 'é'.repeat(6) }, 'maxBytes', 10],
    ['stdin', { source: '', stdin: 'x'.repeat(9) }, 'maxBytes', 8],
    ['args', { source: '', args: ['a', 'b', 'c', 'd'] }, 'maxItems', 3],
    ['args[1]', { source: '', args: ['a', 'bbbbb'] }, 'maxBytes', 4],
    ['tests', { source: '', tests: [{}, {}, {}] }, 'maxItems', 2],
    ['tests[1].stdin', { source: '', tests: [{}, { stdin: 'x'.repeat(9) }] }, 'maxBytes', 8],
    ['tests[0].args[0]', { source: '', tests: [{ args: ['xxxxx'] }] }, 'maxBytes', 4],
    [
      'checker.files',
      {
        source: '',
        checker: {
          type: 'custom' as const,
          language: 'c',
          files: [
            { path: 'a', content: '' },
            { path: 'b', content: '' },
            { path: 'c', content: '' },
          ],
        },
      },
      'maxItems',
      2,
    ],
  ])('rejects %s above its cap with 413 data', (field, body, rule, max) => {
    const c = ctx({ MAX_FILES: '2', MAX_FILE_BYTES: '10', MAX_STDIN_BYTES: '8', MAX_ARGS: '3', MAX_ARG_BYTES: '4', MAX_TESTS: '2' });
    try {
      toJobData({ language: 'python', ...body }, c);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(RequestTooLarge);
      expect((e as RequestTooLarge).errors).toEqual([{ field, rule, message: expect.stringContaining(String(max)) }]);
    }
  });

  it('measures base64 files decoded', () => {
    expect(fileBytes({ path: 'a', content: Buffer.alloc(10).toString('base64'), encoding: 'base64' })).toBe(10);
    expect(fileBytes({ path: 'a', content: Buffer.alloc(11).toString('base64'), encoding: 'base64' })).toBe(11);
    expect(fileBytes({ path: 'a', content: Buffer.alloc(12).toString('base64'), encoding: 'base64' })).toBe(12);
    expect(fileBytes({ path: 'a', content: 'é' })).toBe(2);
  });

  it('refuses every string the launcher cannot take, naming each field, and keeps NUL in data', () => {
    const req = {
      language: 'c',
      files: [
        { path: 'main.c', content: 'x\0y' },
        { path: 'sub/-x.c', content: '' },
      ],
      stdin: '\0',
      args: ['ok', 'a\0b'],
      tests: [{ name: 't\0', args: ['\0'], stdin: '\0', expectedOutput: '\0' }],
    };
    let error: unknown;
    try {
      toJobData(req, ctx(), 'jobs[2].');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnprocessableJob);
    expect((error as UnprocessableJob).errors.map((e) => [e.field, e.rule])).toEqual([
      ['jobs[2].args[1]', 'noNul'],
      ['jobs[2].tests[0].name', 'noNul'],
      ['jobs[2].tests[0].args[0]', 'noNul'],
      ['jobs[2].files[1].path', 'noLeadingDash'],
    ]);
    expect(toJobData({ language: 'c', files: [{ path: 'main.c', content: 'x\0' }], stdin: 'a\0b' }, ctx()).stdin).toBe('a\0b');
  });

  it('keeps compile arguments for a compiled language and refuses them for an interpreted one', () => {
    const c = ctx();
    expect(toJobData({ language: 'c', source: 'int main(){}', compileArgs: ['-DX=1'] }, c).compileArgs).toEqual(['-DX=1']);
    expect(() => toJobData({ language: 'python', source: 'pass', compileArgs: ['-O'] }, c)).toThrow(
      /compileArgs needs a compiled language/,
    );
  });
});
