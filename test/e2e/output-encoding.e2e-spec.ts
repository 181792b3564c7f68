/**
 * Binary-safe output through the real stack (API, Redis, worker, launcher): a program that writes
 * bytes that are not UTF-8 gets them back exactly in base64, or as text flagged `utf8-lossy`.
 */
import request from 'supertest';
import { bodies } from '../support/bodies';
import { runJob } from '../support/jobs';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

/** Writes 0x80 0xff 0x00 to stdout and "é" then 0xfe to stderr. */
const BYTES_PROGRAM = 'import sys\nsys.stdout.buffer.write(b"\\x80\\xff\\x00")\nsys.stderr.buffer.write("é".encode() + b"\\xfe")';

describe('outputEncoding', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  const run = async (body: object) => (await runJob(stack.http, body)).result;

  it('base64: the exact bytes of both streams', async () => {
    const result = await run({ language: 'python', source: BYTES_PROGRAM, outputEncoding: 'base64' });
    expect(result.run).toMatchObject({ verdict: 'ok', stdoutEncoding: 'base64', stderrEncoding: 'base64' });
    expect(Buffer.from(result.run.stdout, 'base64')).toEqual(Buffer.from([0x80, 0xff, 0x00]));
    expect(Buffer.from(result.run.stderr, 'base64')).toEqual(Buffer.from([0xc3, 0xa9, 0xfe]));
  });

  it('utf8 (the default): U+FFFD for the bytes that are not UTF-8, and the run says so', async () => {
    const result = await run({ language: 'python', source: BYTES_PROGRAM });
    expect(result.run).toMatchObject({
      stdout: '\uFFFD\uFFFD\0',
      stdoutEncoding: 'utf8-lossy',
      stderr: 'é\uFFFD',
      stderrEncoding: 'utf8-lossy',
    });
  });

  it('utf8 output that is valid carries no encoding flag', async () => {
    const result = await run({ language: 'python', source: 'print("héllo")' });
    expect(result.run.stdout).toBe('héllo\n');
    expect(result.run).not.toHaveProperty('stdoutEncoding');
    expect(result.run).not.toHaveProperty('stderrEncoding');
  });

  it('base64 applies to every run of a job: its compile and each test, judged on the bytes', async () => {
    const result = await run({
      language: 'c',
      source: '#include <stdio.h>\nint main(void) { printf("ok\\n"); fputc(0xff, stderr); return 0; }',
      outputEncoding: 'base64',
      tests: [{ name: 'a', expectedOutput: 'ok\n' }],
    });
    expect(result.compile).toMatchObject({ verdict: 'ok', stdoutEncoding: 'base64' });
    expect(result.tests[0]).toMatchObject({ verdict: 'ok' });
    expect(result.tests[0].run).toMatchObject({
      stdout: Buffer.from('ok\n').toString('base64'),
      stderr: Buffer.from([0xff]).toString('base64'),
    });
  });

  it('400 naming the field and the rule for an outputEncoding that is neither utf8 nor base64', async () => {
    const res = await request(stack.http).post('/v1/jobs').send({ language: 'python', source: 'print(1)', outputEncoding: 'latin1' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(bodies.invalid('outputEncoding', 'isIn'));
  });
});
