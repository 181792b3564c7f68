/**
 * Piston v2 at /api/v2 through the real stack (API, Redis, worker, launcher, compilers): every
 * status from a program that really produces it, the answer's shape field by field, Piston's
 * error bodies, and the npm `piston-client` driving the routes unchanged.
 */
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { piston } from 'piston-client';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

const STAGE_KEYS = ['code', 'cpu_time', 'memory', 'message', 'output', 'signal', 'status', 'stderr', 'stdout', 'wall_time'];

describe('Piston v2 compatibility', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  const execute = async (body: object) => {
    const res = await request(stack.http).post('/api/v2/execute').send(body);
    expect(res.status).toBe(200);
    return res.body;
  };
  const refused = async (body: object, message: string) => {
    const res = await request(stack.http).post('/api/v2/execute').send(body);
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: { message } });
  };
  const py = (content: string, extra: object = {}) => ({ language: 'python', version: '*', files: [{ content }], ...extra });

  it('GET /api/v2/runtimes lists what the workers have under Piston names, versions and aliases', async () => {
    const res = await request(stack.http).get('/api/v2/runtimes');
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.map((r: { language: string }) => [r.language, r]));
    expect(byName.python).toEqual({
      language: 'python',
      version: expect.stringMatching(/^3\.\d+\.\d+$/),
      aliases: ['py', 'py3', 'python3'],
    });
    expect(byName['c++']).toEqual({
      language: 'c++',
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      aliases: ['cpp', 'g++'],
      runtime: 'gcc',
    });
    expect(byName.javascript).toMatchObject({ runtime: 'node', aliases: expect.arrayContaining(['js']) });
    for (const name of ['bash', 'c', 'java', 'ruby', 'php', 'pascal']) expect(byName[name]).toBeDefined();
    expect(byName.bash.version).toMatch(/^\d+\.\d+\.\d+$/); // "5.2.15(1)-release" is not semver; Piston's selectors need it to be
  });

  it('runs a program and answers every run field as Piston does (no compile stage for an interpreter)', async () => {
    const body = await execute(py('import sys\nprint(input(), sys.argv[1:])', { stdin: 'hi', args: ['a', 'b'] }));
    expect(Object.keys(body).sort()).toEqual(['language', 'run', 'version']);
    expect(body.language).toBe('python');
    expect(body.version).toMatch(/^3\./);
    expect(Object.keys(body.run).sort()).toEqual(STAGE_KEYS);
    expect(body.run).toMatchObject({
      stdout: "hi ['a', 'b']\n",
      stderr: '',
      output: "hi ['a', 'b']\n",
      code: 0,
      signal: null,
      message: null,
      status: null,
    });
    expect(body.run.cpu_time).toBeGreaterThan(0);
    expect(body.run.wall_time).toBeGreaterThanOrEqual(body.run.cpu_time * 0.5);
    expect(body.run.memory).toBeGreaterThan(1_000_000); // bytes
  });

  it.each([
    ['py', '3'],
    ['python3', '3.x'],
    ['python', '*'],
  ])('selects a runtime by alias %s and version %s', async (language, version) => {
    const body = await execute({ language, version, files: [{ content: 'print(1)' }] });
    expect(body.language).toBe('python');
    expect(body.run.stdout).toBe('1\n');
  });

  it('selects by the exact version runtimes lists, and refuses one it does not have', async () => {
    const { body: runtimes } = await request(stack.http).get('/api/v2/runtimes');
    const version = runtimes.find((r: { language: string }) => r.language === 'python').version;
    expect((await execute({ language: 'python', version, files: [{ content: 'print(2)' }] })).run.stdout).toBe('2\n');
    await refused({ language: 'python', version: '9.9', files: [{ content: '' }] }, 'python-9.9 runtime is unknown');
    await refused({ language: 'cobol', version: '*', files: [{ content: '' }] }, 'cobol-* runtime is unknown');
  });

  it('RE: a non-zero exit', async () => {
    const { run } = await execute(py('import sys\nprint("x", file=sys.stderr)\nsys.exit(3)'));
    expect(run).toMatchObject({ status: 'RE', code: 3, signal: null, message: 'Exited with error status 3', stderr: 'x\n', output: 'x\n' });
  });

  it('SG: a crash by signal, with the compile stage of a compiled language', async () => {
    const body = await execute({
      language: 'c',
      version: '*',
      files: [{ name: 'crash.c', content: '#include <signal.h>\nint main(void){ raise(SIGSEGV); return 0; }' }],
    });
    expect(Object.keys(body).sort()).toEqual(['compile', 'language', 'run', 'version']);
    expect(Object.keys(body.compile).sort()).toEqual(STAGE_KEYS);
    expect(body.compile).toMatchObject({ code: 0, signal: null, status: null, message: null });
    expect(body.run).toMatchObject({ status: 'SG', code: null, signal: 'SIGSEGV', message: 'Caught fatal signal 11' });
  });

  it('TO: CPU time and wall time, each killed with SIGKILL', async () => {
    const cpu = await execute(py('while True: pass', { run_cpu_time: 300 }));
    expect(cpu.run).toMatchObject({ status: 'TO', signal: 'SIGKILL', code: null, message: 'Time limit exceeded' });
    const wall = await execute(py('import time\ntime.sleep(5)', { run_timeout: 400 }));
    expect(wall.run).toMatchObject({ status: 'TO', signal: 'SIGKILL', code: null, message: 'Time limit exceeded (wall clock)' });
  });

  it('OL and EL: stdout and stderr over the output cap', async () => {
    const ol = await execute(py('import sys\nsys.stdout.write("x" * 2_000_000)'));
    expect(ol.run).toMatchObject({ status: 'OL', signal: 'SIGKILL', message: 'stdout length exceeded' });
    const el = await execute(py('import sys\nsys.stderr.write("x" * 2_000_000)'));
    expect(el.run).toMatchObject({ status: 'EL', signal: 'SIGKILL', message: 'stderr length exceeded' });
  });

  it('a run over run_memory_limit (bytes) is killed: SG with SIGKILL', async () => {
    const { run } = await execute(py('x = bytearray(300 * 1024 * 1024)\nprint(len(x))', { run_memory_limit: 64 * 1024 * 1024 }));
    expect(run).toMatchObject({ status: 'SG', signal: 'SIGKILL', code: null, stdout: '' });
    expect(run.message).toMatch(/memory limit/i);
  });

  it('a failed compile is answered as Piston does: run is the compile stage', async () => {
    const body = await execute({ language: 'c++', version: '*', files: [{ content: 'int main() { return x; }' }] });
    expect(body.compile).toMatchObject({ status: 'RE', code: 1, signal: null, message: 'Exited with error status 1' });
    expect(body.compile.stderr).toMatch(/error/);
    expect(body.compile.output).toBe(body.compile.stdout + body.compile.stderr);
    expect(body.run).toEqual(body.compile);
  });

  it('decodes base64 and hex files; the first utf8 file is the one run', async () => {
    const data = Buffer.from('\x00\x01binary\xff', 'latin1');
    const body = await execute({
      language: 'python',
      version: '3',
      files: [
        { name: 'data.bin', content: data.toString('hex'), encoding: 'hex' },
        { name: 'prog.py', content: 'import helper\nprint(open("data.bin","rb").read().hex(), helper.X)' },
        { name: 'helper.py', content: Buffer.from('X = 42\n').toString('base64'), encoding: 'base64' },
      ],
    });
    expect(body.run).toMatchObject({ stdout: `${data.toString('hex')} 42\n`, status: null });
  });

  it('runs a Java class of any name, and PHP and Pascal', async () => {
    const java = await execute({
      language: 'java',
      version: '*',
      files: [{ content: 'public class Hello { public static void main(String[] a) { System.out.println("hello " + a.length); } }' }],
      args: ['x'],
    });
    expect(java.run).toMatchObject({ stdout: 'hello 1\n', status: null });
    const php = await execute({
      language: 'php',
      version: '*',
      files: [{ content: '<?php echo strtoupper(trim(fgets(STDIN))), "\\n";' }],
      stdin: 'abc',
    });
    expect(php.run).toMatchObject({ stdout: 'ABC\n', status: null });
    const pascal = await execute({ language: 'pascal', version: '*', files: [{ content: "program p; begin writeln('pas'); end." }] });
    expect(pascal.compile).toMatchObject({ code: 0 });
    expect(pascal.run).toMatchObject({ stdout: 'pas\n', status: null });
  });

  it("answers Piston's 400 messages, in Piston's order", async () => {
    await refused({ version: '*', files: [] }, 'language is required as a string');
    await refused({ language: 'python', files: [] }, 'version is required as a string');
    await refused({ language: 'python', version: '*', files: 'x' }, 'files is required as an array');
    await refused(
      { language: 'python', version: '*', files: [{ content: 'a' }, { name: 'b' }] },
      'files[1].content is required as a string',
    );
    await refused(
      { language: 'python', version: '*', files: [{ content: 'AA==', encoding: 'base64' }] },
      'files must include at least one utf8 encoded file',
    );
    await refused(py('', { run_timeout: 'soon' }), 'If specified, run_timeout must be a number');
    await refused(
      py('', { run_timeout: 10 ** 9 }),
      `run_timeout cannot exceed the configured limit of ${stack.config.limits.maxima.wallTimeMs}`,
    );
    await refused(py('', { run_cpu_time: -5 }), 'run_cpu_time must be non-negative');
    await refused(
      { language: 'c', version: '*', files: [{ content: '' }], compile_timeout: 10 ** 9 },
      'compile_timeout cannot exceed the configured limit of 20000',
    );
    const slip = await request(stack.http)
      .post('/api/v2/execute')
      .send({ language: 'python', version: '*', files: [{ content: '' }, { name: '../x.py', content: '' }] });
    expect(slip.status).toBe(400);
    expect(slip.body.message).toMatch(/files\[1\]\.path/);
  });

  it('415 for a body that is neither JSON nor text', async () => {
    const res = await request(stack.http).post('/api/v2/execute').set('Content-Type', 'application/xml').send('<x/>');
    expect({ status: res.status, body: res.body }).toEqual({ status: 415, body: { message: 'requests must be of type application/json' } });
  });

  it('lists packages as installed and refuses to install or remove one', async () => {
    const list = await request(stack.http).get('/api/v2/packages');
    expect(list.status).toBe(200);
    expect(list.body).toEqual(
      expect.arrayContaining([
        { language: 'gcc', language_version: expect.any(String), installed: true },
        { language: 'node', language_version: expect.any(String), installed: true },
      ]),
    );
    for (const method of ['post', 'delete'] as const) {
      const res = await request(stack.http)[method]('/api/v2/packages').send({ language: 'python', version: '3.12.0' });
      expect(res.status).toBe(501);
      expect(res.body.message).toMatch(/installed by the operator/);
    }
  });

  it('/docs documents the Piston routes', async () => {
    const { body } = await request(stack.http).get('/docs-json');
    for (const path of ['execute', 'runtimes', 'packages']) expect(Object.keys(body.paths)).toContain(`/api/v2/${path}`);
  });

  it('piston-client, unchanged, drives runtimes and execute (text/plain JSON, default args 1 2 3)', async () => {
    const server = stack.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = piston({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const runtimes = await client.runtimes();
      expect(runtimes.some((r: { language: string }) => r.language === 'python')).toBe(true);
      const result = await client.execute('python', 'import sys\nprint(sys.argv[1:])');
      expect(result.language).toBe('python');
      expect(result.run).toMatchObject({ stdout: "['1', '2', '3']\n", code: 0, status: null });
      const failed = await client.execute('c', 'int main( {');
      expect(failed.compile.status).toBe('RE');
      expect(failed.run).toEqual(failed.compile);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
