import { DEFAULT_CHECKER } from './checker';
import { DEFAULT_LIMITS, DEFAULT_MAX_LIMITS } from './limits';
import { filePathProblem, InvalidJobData, parseJobData, unrunnablePathProblem } from './job-data';

describe('filePathProblem', () => {
  it.each(['main.c', 'src/util.h', 'a-b.c', 'x/y-.c', 'META-INF/services/x.Y'])('accepts %s', (p) => expect(filePathProblem(p)).toBeNull());
  it.each([
    ['-fplugin.c', /"-"/],
    ['src/-o.c', /"-"/],
    ['-', /"-"/],
    ['a\0b.c', /NUL/],
    ['../x', /relative/],
    ['a b', /letters/],
  ])('refuses %j', (p, why) => expect(filePathProblem(p)).toMatch(why));
  it('leaves shape problems out of the launcher check', () => {
    expect(unrunnablePathProblem('../x')).toBeNull();
    expect(unrunnablePathProblem('ok/-x')).toMatch(/"-"/);
  });
});

describe('parseJobData', () => {
  const job = (over: Record<string, unknown> = {}) => ({
    v: 1,
    language: 'python',
    files: [{ path: 'main.py', content: 'print(1)\0', encoding: 'utf8' }],
    stdin: '\0',
    args: [],
    limits: { ...DEFAULT_LIMITS },
    tests: null,
    checker: { ...DEFAULT_CHECKER },
    stopOnFirstFailure: false,
    callbackUrl: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    owner: 'key:ci',
    ...over,
  });
  const refusal = (raw: unknown) => {
    try {
      parseJobData(raw, DEFAULT_MAX_LIMITS);
    } catch (e) {
      return e instanceof InvalidJobData ? `${e.field}: ${e.rule}` : String(e);
    }
    return 'accepted';
  };

  it('accepts NUL in stdin and file contents', () => expect(refusal(job())).toBe('accepted'));
  it.each([
    [{ args: ['a\0b'] }, /^args\[0\]: .*NUL/],
    [{ tests: [{ name: 't', args: ['\0'], stdin: '', points: 0 }] }, /^tests\[0\]\.args\[0\]: .*NUL/],
    [{ tests: [{ name: 't\0', stdin: '', points: 0 }] }, /^tests\[0\]\.name: .*NUL/],
    [{ files: [{ path: '-x.py', content: '' }] }, /^files\[0\]\.path: .*"-"/],
    [{ files: [{ path: 'x\0.py', content: '' }] }, /^files\[0\]\.path: .*NUL/],
    [{ outputFiles: ['../etc/shadow'] }, /^outputFiles\[0\]: .*relative/],
    [{ outputFiles: ['/etc/shadow'] }, /^outputFiles\[0\]: .*relative/],
    [{ outputFiles: ['a\0b'] }, /^outputFiles\[0\]: .*NUL/],
    [{ outputFiles: Array.from({ length: 17 }, () => 'x') }, /^outputFiles: .*16/],
    [{ outputEncoding: 'latin1' }, /^outputEncoding: /],
    [
      { interactor: { language: 'python', files: [{ path: 'i.py', content: '' }], limits: { ...DEFAULT_LIMITS } } },
      /^interactor: needs tests/,
    ],
    [
      {
        tests: [],
        interactor: { language: 'python', files: [{ path: 'i.py', content: '' }], limits: { ...DEFAULT_LIMITS, memoryMb: 1e6 } },
      },
      /^interactor\.limits\.memoryMb: /,
    ],
    [
      { tests: [], interactor: { language: 'python', files: [{ path: '-i.py', content: '' }], limits: { ...DEFAULT_LIMITS } } },
      /^interactor\.files\[0\]\.path: /,
    ],
  ])('refuses %j', (over, why) => expect(refusal(job(over))).toMatch(why));

  it('keeps an interactor with every limit, and none when absent', () => {
    const interactor = { language: 'python', files: [{ path: 'i.py', content: 'x', encoding: 'utf8' }], limits: { ...DEFAULT_LIMITS } };
    expect(parseJobData(job({ tests: [], interactor }), DEFAULT_MAX_LIMITS).interactor).toEqual(interactor);
    expect(parseJobData(job(), DEFAULT_MAX_LIMITS)).not.toHaveProperty('interactor');
  });

  it('keeps output patterns and the encoding; fills utf8 for a job queued before them', () => {
    expect(parseJobData(job({ outputFiles: ['plots/*.png'], outputEncoding: 'base64' }), DEFAULT_MAX_LIMITS)).toMatchObject({
      outputFiles: ['plots/*.png'],
      outputEncoding: 'base64',
    });
    expect(parseJobData(job(), DEFAULT_MAX_LIMITS)).toMatchObject({ outputEncoding: 'utf8' });
    expect(parseJobData(job(), DEFAULT_MAX_LIMITS)).not.toHaveProperty('outputFiles');
  });
});
