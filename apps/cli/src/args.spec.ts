import { DEFAULT_TIMEOUT_MS, DEFAULT_URL, parseChecker, parseCommand } from './args';
import { UsageError } from './usage-error';

const env = {};

describe('parseCommand', () => {
  it('parses run with every option', () => {
    const c = parseCommand(
      [
        'run',
        'main.c',
        'util.h',
        '-l',
        'c',
        '--tests',
        'tests',
        '--checker',
        'float:1e-6:1e-9',
        '--url',
        'https://rb.example/',
        '--api-key',
        'k',
        '--junit',
        'out.xml',
        '--json',
        '--timeout-ms',
        '5000',
      ],
      env,
    );
    expect(c).toEqual({
      name: 'run',
      options: {
        files: ['main.c', 'util.h'],
        language: 'c',
        stdin: undefined,
        tests: 'tests',
        checker: { type: 'float', absoluteTolerance: 1e-6, relativeTolerance: 1e-9 },
        url: 'https://rb.example',
        apiKey: 'k',
        junit: 'out.xml',
        json: true,
        timeoutMs: 5000,
      },
    });
  });

  it('takes the server and key from the environment, with defaults', () => {
    const c = parseCommand(['run', 'a.py'], {});
    expect(c).toMatchObject({
      name: 'run',
      options: { url: DEFAULT_URL, apiKey: undefined, json: false, timeoutMs: DEFAULT_TIMEOUT_MS, checker: undefined },
    });
    const e = parseCommand(['run', 'a.py'], { RUNBOX_URL: 'http://rb:8080', RUNBOX_API_KEY: 'secret' });
    expect(e).toMatchObject({ options: { url: 'http://rb:8080', apiKey: 'secret' } });
    expect(parseCommand(['run', 'a.py', '--url', 'http://other'], { RUNBOX_URL: 'http://rb:8080' })).toMatchObject({
      options: { url: 'http://other' },
    });
  });

  it('parses languages, help and version', () => {
    expect(parseCommand(['languages', '--json'], env)).toEqual({
      name: 'languages',
      options: { url: DEFAULT_URL, apiKey: undefined, json: true },
    });
    expect(parseCommand([], env)).toEqual({ name: 'help', topic: undefined });
    expect(parseCommand(['--help'], env)).toEqual({ name: 'help', topic: undefined });
    expect(parseCommand(['run', '--help'], env)).toEqual({ name: 'help', topic: 'run' });
    expect(parseCommand(['help', 'languages'], env)).toEqual({ name: 'help', topic: 'languages' });
    expect(parseCommand(['--version'], env)).toEqual({ name: 'version' });
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['run'], /at least one FILE/],
    [['run', 'a.py', '--bogus'], /Unknown option '--bogus'/],
    [['run', 'a.py', '--language'], /argument missing|requires? an argument|--language/],
    [['run', 'a.py', '--stdin', 'in', '--tests', 'dir'], /do not go together/],
    [['run', 'a.py', '--timeout-ms', 'soon'], /--timeout-ms/],
    [['run', 'a.py', '--timeout-ms', '0'], /--timeout-ms/],
    [['run', 'a.py', '--url', 'ftp://x'], /http or https/],
    [['run', 'a.py', '--url', 'nope'], /not a URL/],
    [['run', 'a.py', '--checker', 'fuzzy'], /--checker/],
    [['languages', '--tests', 'x'], /languages does not take --tests/],
    [['languages', 'extra'], /takes no arguments/],
  ])('refuses %j', (argv, why) => {
    expect(() => parseCommand(argv, env)).toThrow(UsageError);
    expect(() => parseCommand(argv, env)).toThrow(why);
  });
});

describe('parseChecker', () => {
  it.each([
    ['exact', { type: 'exact' }],
    ['lines', { type: 'lines' }],
    ['tokens', { type: 'tokens' }],
    ['float', { type: 'float' }],
    ['float:0.001', { type: 'float', absoluteTolerance: 0.001 }],
    ['float:1e-6:1e-9', { type: 'float', absoluteTolerance: 1e-6, relativeTolerance: 1e-9 }],
    ['float::1e-9', { type: 'float', relativeTolerance: 1e-9 }],
    ['custom:check.cpp', { type: 'custom', file: 'check.cpp' }],
    ['custom:C:/x/check.py', { type: 'custom', file: 'C:/x/check.py' }],
  ])('%s', (spec, checker) => {
    expect(parseChecker(spec)).toEqual(checker);
  });

  it.each(['float:-1', 'float:abc', 'float:1:2:3', 'exact:1', 'custom', 'custom:', 'Lines'])('refuses %s', (spec) => {
    expect(() => parseChecker(spec)).toThrow(UsageError);
  });
});
