import type { JobView, Run } from '@runbox/contract';
import { decimal, encode64, judge0Outcome, judge0Strip, renderSubmission } from './submission-view';
import type { Judge0Submission } from './submission-request';

const sub = (over: Partial<Judge0Submission> = {}): Judge0Submission => ({
  language_id: 71,
  source_code: Buffer.from('print(1)').toString('base64'),
  stdin: null,
  expected_output: null,
  number_of_runs: 1,
  cpu_time_limit: 5,
  cpu_extra_time: 1,
  wall_time_limit: 10,
  memory_limit: 128000,
  stack_limit: 64000,
  max_processes_and_or_threads: 60,
  enable_per_process_and_thread_time_limit: false,
  enable_per_process_and_thread_memory_limit: false,
  max_file_size: 1024,
  compiler_options: null,
  command_line_arguments: null,
  redirect_stderr_to_stdout: false,
  callback_url: null,
  additional_files: null,
  enable_network: false,
  ...over,
});

const run = (over: Partial<Run> = {}): Run => ({
  exitCode: 0,
  signal: null,
  stdout: '1\n',
  stderr: '',
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 12,
  wallTimeMs: 30,
  memoryKb: 3456,
  verdict: 'ok',
  ...over,
});

const done = (r: Partial<Run> | Run[], verdict = 'ok'): JobView => ({
  id: 't',
  status: 'completed',
  language: 'python',
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.100Z',
  finishedAt: '2026-01-01T00:00:00.200Z',
  result: Array.isArray(r)
    ? {
        verdict: verdict as never,
        compile: null,
        run: null,
        tests: r.map((x, i) => ({ name: `run ${i + 1}`, verdict: x.verdict, points: 0, run: x })),
      }
    : { verdict: verdict as never, compile: null, run: run(r) },
});

describe('judge0Strip', () => {
  it.each([
    ['a  \nb\t\n\n\n', 'a\nb'],
    [' a', ' a'],
    ['a\r\n\0', 'a'],
    ['', ''],
  ])('normalises %j to %j as Judge0 does', (text, out) => {
    expect(judge0Strip(text)).toBe(out);
  });
  it('keeps null null, so an empty expected output never matches empty stdout', () => {
    expect(judge0Strip(null)).toBeNull();
    expect(judge0Outcome(done({ stdout: '' }), sub({ expected_output: '' })).status_id).toBe(4);
  });
});

describe('judge0Outcome', () => {
  it.each([
    [{ verdict: 'time_limit', cpuTimeMs: 5000, wallTimeMs: 5100 }, 5, 'Time limit exceeded'],
    [{ verdict: 'time_limit', cpuTimeMs: 10, wallTimeMs: 10_000 }, 5, 'Time limit exceeded (wall clock)'],
    [{ verdict: 'runtime_error', exitCode: null, signal: 'SIGSEGV' }, 7, 'Caught fatal signal 11'],
    [{ verdict: 'runtime_error', exitCode: null, signal: 'SIGXFSZ' }, 8, 'Caught fatal signal 25'],
    [{ verdict: 'runtime_error', exitCode: null, signal: 'SIGFPE' }, 9, 'Caught fatal signal 8'],
    [{ verdict: 'runtime_error', exitCode: null, signal: 'SIGABRT' }, 10, 'Caught fatal signal 6'],
    [{ verdict: 'runtime_error', exitCode: 1 }, 11, 'Exited with error status 1'],
    [{ verdict: 'runtime_error', exitCode: null, signal: 'SIGTERM' }, 12, 'Caught fatal signal 15'],
    [
      { verdict: 'memory_limit', exitCode: null, signal: 'SIGKILL', message: 'memory limit exceeded (125 MB)' },
      12,
      'memory limit exceeded (125 MB)',
    ],
  ] as [Partial<Run>, number, string][])('%j → status %i', (r, status, message) => {
    const o = judge0Outcome(done(r, r.verdict), sub());
    expect(o).toMatchObject({ status_id: status, message });
    if (r.signal) expect(o.exit_code).toBe(0); // as isolate's meta without exitcode
  });

  it('shows the first run that is not Accepted, with the averages of the runs made', () => {
    const o = judge0Outcome(
      done([run({ cpuTimeMs: 10, memoryKb: 100 }), run({ stdout: '2\n', cpuTimeMs: 20, memoryKb: 201 }), run()]),
      sub({ expected_output: Buffer.from('1').toString('base64'), number_of_runs: 3 }),
    );
    expect(o).toMatchObject({ status_id: 4, stdout: Buffer.from('2\n'), timeMs: 15, memory: 150 });
  });

  it('maps queue states and runbox failures', () => {
    expect(judge0Outcome({ ...done({}), status: 'queued', result: null }, sub()).status_id).toBe(1);
    expect(judge0Outcome({ ...done({}), status: 'running', result: null }, sub()).status_id).toBe(2);
    expect(judge0Outcome({ ...done({}), status: 'failed', result: null, error: 'sandbox broke' }, sub())).toMatchObject({
      status_id: 13,
      message: 'sandbox broke',
    });
  });

  it('says "Compilation time limit exceeded." for a compiler that ran out of time', () => {
    const view = done({}, 'compile_error');
    view.result = { verdict: 'compile_error', compile: run({ verdict: 'time_limit', stdout: '', stderr: 'x' }), run: null };
    expect(judge0Outcome(view, sub())).toMatchObject({
      status_id: 6,
      compile_output: Buffer.from('Compilation time limit exceeded.'),
      stdout: null,
      timeMs: null,
      memory: null,
    });
  });
});

describe('rendering', () => {
  it('writes decimals as Rails does and base64 as Ruby does', () => {
    expect([decimal(0.012), decimal(5), decimal(1.5), decimal(0)]).toEqual(['0.012', '5.0', '1.5', '0.0']);
    const bytes = Buffer.alloc(50, 'a');
    const b64 = bytes.toString('base64'); // 68 characters
    expect(encode64(bytes)).toBe(`${b64.slice(0, 60)}\n${b64.slice(60)}\n`);
    expect(encode64(Buffer.alloc(0))).toBe('');
  });

  it('refuses text that is not UTF-8 without base64, only when it is asked for', () => {
    const view = done({ stdout: 'ok\uFFFD\n' });
    const opts = { base64: false, language: { id: 71, name: 'Python' } };
    expect(renderSubmission('t', view, sub(), { ...opts, fields: ['stdout'] })).toEqual({ conversionError: true });
    expect(renderSubmission('t', view, sub(), { ...opts, fields: ['status_id'] })).toEqual({ body: { status_id: 3 } });
  });

  it('gives the exact bytes of base64 output, and refuses them as text only when they are not UTF-8', () => {
    const bytes = Buffer.from([0x80, 0xff, 0x00]);
    const view = done({ stdout: bytes.toString('base64'), stdoutEncoding: 'base64' });
    const opts = { language: { id: 71, name: 'Python' }, fields: ['stdout'] as const };
    expect(renderSubmission('t', view, sub(), { ...opts, base64: true })).toEqual({ body: { stdout: encode64(bytes) } });
    expect(renderSubmission('t', view, sub(), { ...opts, base64: false })).toEqual({ conversionError: true });
    const text = done({ stdout: Buffer.from('é\n').toString('base64'), stdoutEncoding: 'base64' });
    expect(renderSubmission('t', text, sub(), { ...opts, base64: false })).toEqual({ body: { stdout: 'é\n' } });
  });

  it('takes a run that says it lost bytes as output that is not UTF-8', () => {
    const view = done({ stdout: 'ok', stdoutEncoding: 'utf8-lossy' });
    const opts = { base64: false, language: { id: 71, name: 'Python' }, fields: ['stdout'] as const };
    expect(renderSubmission('t', view, sub(), opts)).toEqual({ conversionError: true });
  });
});
