/**
 * Judge0 CE v1.13.1's API end to end: real Redis, the real API, a real worker with the launcher
 * and compilers. Every status is produced by a program that really does what it names (a null
 * dereference for SIGSEGV, a file past RLIMIT_FSIZE for SIGXFSZ, …); shapes are checked field by
 * field against what judge0/judge0 v1.13.1 serializes. Callbacks go to a receiver on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ATTRIBUTES, DEFAULT_FIELDS } from '../../apps/api/src/compat/judge0/fields';
import { startStack, type Stack } from '../support/stack';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
/** Ruby's Base64.encode64: lines of 60 characters, each ending in "\n". */
const encode64 = (s: string | Buffer) => (b64(s).match(/.{1,60}/g) ?? []).map((l) => `${l}\n`).join('');

/**
 * A zip made by python3's zipfile from `entries` ([name, content, unix mode?]), as base64. Test
 * data only: what the archive does is up to the sandboxed unpacker.
 */
function zip(entries: [name: string, content: string, mode?: number][]): string {
  const script = `
import base64, io, json, sys, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    for name, content, mode in json.load(sys.stdin):
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        if mode:
            info.external_attr = mode << 16
        z.writestr(info, content.encode() if not content.startswith("zeros:") else bytes(int(content[6:])))
sys.stdout.write(base64.b64encode(buf.getvalue()).decode())
`;
  return execFileSync('python3', ['-c', script], { input: JSON.stringify(entries.map(([n, c, m]) => [n, c, m ?? 0])) }).toString();
}

/** The default projection, in the serializer's order (not DEFAULT_FIELDS' own). */
const DEFAULT_IN_SERIALIZER_ORDER = ATTRIBUTES.filter((a) => DEFAULT_FIELDS.includes(a));

const PY = 71;
const C = 50;

const C_PROGRAMS = {
  segv: 'int main(void) { *(volatile int *)0 = 1; return 0; }',
  // both volatile: gcc turns 1 / x into compares, without the division that traps
  fpe: 'int main(void) { volatile int seven = 7, zero = 0; return seven / zero; }',
  abrt: '#include <stdlib.h>\nint main(void) { abort(); }',
  // The kernel sends SIGXFSZ when a write passes RLIMIT_FSIZE.
  xfsz: `#include <stdio.h>
#include <sys/resource.h>
int main(void) {
  struct rlimit r = { 1000, 1000 };
  setrlimit(RLIMIT_FSIZE, &r);
  FILE *f = fopen("big", "w");
  for (int i = 0; i < 100000; i++) fputc('x', f);
  fclose(f);
  return 0;
}`,
};

describe('Judge0 CE API', () => {
  let stack: Stack;
  let hook: { server: Server; hits: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[]; url: string };

  beforeAll(async () => {
    const hits: typeof hook.hits = [];
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        hits.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    hook = { server, hits, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/judge0` };
    stack = await startStack({ worker: true, env: { WEBHOOK_ALLOW: '127.0.0.1' } });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    hook?.server.close();
  });

  const submit = (body: object, query = 'wait=true') => request(stack.http).post(`/submissions?${query}`).send(body);
  const statusOf = async (body: object) => {
    const res = await submit(body, 'wait=true&fields=status,exit_code,exit_signal,message,stdout,stderr,compile_output');
    expect(res.status).toBe(201);
    return res.body;
  };

  describe('statuses, from what the program really did', () => {
    it('3 Accepted: output equal after Judge0 strips trailing whitespace per line and at the end', async () => {
      const body = await statusOf({ language_id: PY, source_code: 'print("a  ")\nprint("b")', expected_output: 'a\nb\n\n\n' });
      expect(body).toMatchObject({
        status: { id: 3, description: 'Accepted' },
        stdout: 'a  \nb\n',
        message: null,
        exit_code: 0,
        exit_signal: null,
      });
    });

    it('4 Wrong Answer: leading whitespace counts, as in Judge0', async () => {
      const body = await statusOf({ language_id: PY, source_code: 'print(" a")', expected_output: 'a' });
      expect(body.status).toEqual({ id: 4, description: 'Wrong Answer' });
    });

    it('5 Time Limit Exceeded on CPU, and on the wall clock', async () => {
      const cpu = await statusOf({ language_id: PY, source_code: 'while True: pass', cpu_time_limit: 0.5 });
      expect(cpu).toMatchObject({ status: { id: 5, description: 'Time Limit Exceeded' }, message: 'Time limit exceeded' });
      const wall = await statusOf({ language_id: PY, source_code: 'import time\ntime.sleep(30)', wall_time_limit: 1 });
      expect(wall).toMatchObject({ status: { id: 5, description: 'Time Limit Exceeded' }, message: 'Time limit exceeded (wall clock)' });
    });

    it('6 Compilation Error with the compiler output', async () => {
      const body = await statusOf({ language_id: C, source_code: 'int main( {' });
      expect(body).toMatchObject({ status: { id: 6, description: 'Compilation Error' }, stdout: null, exit_code: null });
      expect(body.compile_output).toMatch(/error/);
    });

    it.each([
      ['segv', 7, 'Runtime Error (SIGSEGV)', 11],
      ['xfsz', 8, 'Runtime Error (SIGXFSZ)', 25],
      ['fpe', 9, 'Runtime Error (SIGFPE)', 8],
      ['abrt', 10, 'Runtime Error (SIGABRT)', 6],
    ] as const)('%s: status %i from the real signal', async (name, id, description, signal) => {
      const body = await statusOf({ language_id: C, source_code: C_PROGRAMS[name] });
      expect(body).toMatchObject({ status: { id, description }, exit_signal: signal, message: `Caught fatal signal ${signal}` });
    });

    it('11 NZEC with the exit code', async () => {
      const body = await statusOf({ language_id: PY, source_code: 'import sys\nprint("x", file=sys.stderr)\nsys.exit(3)' });
      expect(body).toMatchObject({
        status: { id: 11, description: 'Runtime Error (NZEC)' },
        exit_code: 3,
        stderr: 'x\n',
        message: 'Exited with error status 3',
      });
    });

    it('12 Runtime Error (Other) for any other signal', async () => {
      const body = await statusOf({ language_id: PY, source_code: 'import os, signal\nos.kill(os.getpid(), signal.SIGUSR1)' });
      expect(body).toMatchObject({ status: { id: 12, description: 'Runtime Error (Other)' }, exit_signal: 10 });
    });

    it('13 Internal Error when runbox did not finish the job (cancelled through /v1)', async () => {
      const res = await submit({ language_id: PY, source_code: 'import time\ntime.sleep(30)' }, '');
      const { token } = res.body;
      // wait until it runs, then cancel it as a /v1 client would
      for (let i = 0; i < 100; i++) {
        const s = await request(stack.http).get(`/submissions/${token}?fields=status_id`);
        if (s.body.status_id === 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await request(stack.http).delete(`/v1/jobs/${token}`)).status).toBeLessThan(300);
      let body: { status: { id: number }; message: string } | undefined;
      for (let i = 0; i < 50; i++) {
        body = (await request(stack.http).get(`/submissions/${token}?fields=status,message`)).body;
        if (body!.status.id === 13) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toMatchObject({ status: { id: 13, description: 'Internal Error' }, message: expect.any(String) });
    });
  });

  describe('shapes', () => {
    it('POST answers 201 with only the token, and GET the default fields in the serializer order', async () => {
      const res = await submit({ language_id: PY, source_code: 'print("hello, Judge0")' }, '');
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual(['token']);
      expect(res.body.token).toMatch(/^[0-9a-f-]{36}$/);
      let body: Record<string, unknown> = {};
      for (let i = 0; i < 100; i++) {
        body = (await request(stack.http).get(`/submissions/${res.body.token}`)).body;
        if ((body.status as { id: number }).id > 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Object.keys(body)).toEqual(DEFAULT_IN_SERIALIZER_ORDER);
      expect(body).toEqual({
        stdout: 'hello, Judge0\n',
        time: expect.stringMatching(/^\d+\.\d+$/),
        memory: expect.any(Number),
        stderr: null,
        token: res.body.token,
        compile_output: null,
        message: null,
        status: { id: 3, description: 'Accepted' },
      });
    });

    it('fields=* gives every attribute v1.13.1 serializes, with its types and units', async () => {
      const res = await submit(
        {
          language_id: '71',
          source_code: 'import sys\nprint(sys.argv[1:])',
          stdin: 'in',
          command_line_arguments: `a "b c" 'd'`,
          cpu_time_limit: 2,
          memory_limit: 64000,
          callback_url: null,
        },
        'wait=true&fields=*',
      );
      expect(res.status).toBe(201);
      const s = res.body;
      expect(Object.keys(s)).toEqual(ATTRIBUTES);
      expect(s).toEqual({
        source_code: 'import sys\nprint(sys.argv[1:])',
        language_id: 71,
        stdin: 'in',
        expected_output: null,
        stdout: "['a', 'b c', 'd']\n",
        status_id: 3,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        finished_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        time: expect.stringMatching(/^\d+\.\d+$/),
        memory: expect.any(Number),
        stderr: null,
        token: expect.stringMatching(/^[0-9a-f-]{36}$/),
        number_of_runs: 1,
        cpu_time_limit: '2.0',
        cpu_extra_time: '1.0',
        wall_time_limit: '10.0',
        memory_limit: 64000,
        stack_limit: 64000,
        max_processes_and_or_threads: 60,
        enable_per_process_and_thread_time_limit: false,
        enable_per_process_and_thread_memory_limit: false,
        max_file_size: 1024,
        compile_output: null,
        exit_code: 0,
        exit_signal: null,
        message: null,
        wall_time: expect.stringMatching(/^\d+\.\d+$/),
        compiler_options: null,
        command_line_arguments: `a "b c" 'd'`,
        redirect_stderr_to_stdout: false,
        callback_url: null,
        additional_files: null,
        enable_network: false,
        status: { id: 3, description: 'Accepted' },
        language: { id: 71, name: expect.stringMatching(/^Python \(3\.\d+\.\d+\)$/) },
      });
      expect(s.memory).toBeGreaterThan(1000); // KB: a Python process takes megabytes
    });

    it('projects ?fields= in the serializer order, and refuses unknown ones with 400', async () => {
      const res = await submit({ language_id: PY, source_code: 'print(1)' }, 'wait=true&fields=status_id,stdout,language_id');
      expect(res.body).toEqual({ language_id: 71, stdout: '1\n', status_id: 3 });
      const bad = await request(stack.http).get(
        `/submissions/${res.body.token ?? '00000000-0000-4000-8000-000000000000'}?fields=stdout,foo,bar`,
      );
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'invalid fields: [foo, bar]' });
    });

    it('answers 404 for an unknown token', async () => {
      const res = await request(stack.http).get('/submissions/00000000-0000-4000-8000-000000000000');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 404, error: 'Not Found' });
    });

    it('passes compiler_options to the compiler as words, and redirects stderr when asked', async () => {
      const source = '#include <stdio.h>\nint main(void) { printf("%d %s\\n", N, S); fprintf(stderr, "err\\n"); return 0; }';
      const res = await submit(
        { language_id: C, source_code: source, compiler_options: `-DN=42 '-DS="two words"'`, redirect_stderr_to_stdout: true },
        'wait=true&fields=status_id,stdout,stderr',
      );
      expect(res.body).toEqual({ stdout: '42 two words\nerr\n', stderr: null, status_id: 3 });
    });

    it('runs number_of_runs times and reports the averages', async () => {
      const res = await submit(
        { language_id: PY, source_code: 'print(input())', stdin: 'x', number_of_runs: 3, expected_output: 'x' },
        'wait=true&fields=status_id,stdout,number_of_runs,time',
      );
      expect(res.body).toEqual({ stdout: 'x\n', status_id: 3, time: expect.stringMatching(/^\d+\.\d+$/), number_of_runs: 3 });
    });
  });

  describe('base64', () => {
    it('takes source, stdin and expected output in base64 and answers in base64 (60-character lines)', async () => {
      const source = 'print(input() * 40)';
      const res = await submit(
        { language_id: PY, source_code: b64(source), stdin: b64('ab'), expected_output: b64('ab'.repeat(40)) },
        'base64_encoded=true&wait=true&fields=source_code,stdin,stdout,status_id',
      );
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        source_code: encode64(source),
        stdin: encode64('ab'),
        stdout: encode64(`${'ab'.repeat(40)}\n`),
        status_id: 3,
      });
      expect(res.body.stdout.split('\n')[0]).toHaveLength(60);
    });

    it('answers Judge0’s conversion error for output that is not UTF-8 without base64, and base64 with it', async () => {
      const source = 'import sys\nsys.stdout.buffer.write(b"ok\\xff\\n")';
      const res = await submit({ language_id: PY, source_code: source }, 'wait=true');
      expect(res.status).toBe(201);
      const error = 'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter';
      expect(res.body).toEqual({ token: expect.any(String), error });
      const get = await request(stack.http).get(`/submissions/${res.body.token}`);
      expect(get.status).toBe(400);
      expect(get.body).toEqual({ error });
      const encoded = await request(stack.http).get(`/submissions/${res.body.token}?base64_encoded=true&fields=stdout,status_id`);
      expect(encoded.status).toBe(200);
      // The exact bytes the program wrote.
      expect(Buffer.from(encoded.body.stdout, 'base64')).toEqual(Buffer.from([0x6f, 0x6b, 0xff, 0x0a]));
    });
  });

  describe('binary output', () => {
    it('base64_encoded=true gives the bytes 0x80 0xff 0x00 exactly, and accepts them against the same expected output', async () => {
      const bytes = Buffer.from([0x80, 0xff, 0x00]);
      const source = 'import sys\nsys.stdout.buffer.write(b"\\x80\\xff\\x00")';
      const res = await submit(
        { language_id: PY, source_code: b64(source), expected_output: b64(bytes) },
        'base64_encoded=true&wait=true&fields=stdout,status_id',
      );
      expect(res.body).toEqual({ stdout: encode64(bytes), status_id: 3 });
    });
  });

  describe('batches', () => {
    it('queues the valid items, answers errors for the others, in order; reads them back in token order with null for unknown ones', async () => {
      const res = await request(stack.http)
        .post('/submissions/batch')
        .send({
          submissions: [{ language_id: PY, source_code: 'print(1)' }, { language_id: PY }, { language_id: PY, source_code: 'print(2)' }],
        });
      expect(res.status).toBe(201);
      expect(res.body).toEqual([{ token: expect.any(String) }, { source_code: ["can't be blank"] }, { token: expect.any(String) }]);
      const tokens = [res.body[2].token, '00000000-0000-4000-8000-000000000000', res.body[0].token];
      let got: { submissions: ({ stdout: string; status_id: number } | null)[] } = { submissions: [] };
      for (let i = 0; i < 100; i++) {
        got = (await request(stack.http).get(`/submissions/batch?tokens=${tokens.join(',')}&fields=stdout,status_id`)).body;
        if (got.submissions.every((s) => s === null || s.status_id > 2)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(got).toEqual({ submissions: [{ stdout: '2\n', status_id: 3 }, null, { stdout: '1\n', status_id: 3 }] });
      // the tokens may come in a header too
      const byHeader = await request(stack.http).get('/submissions/batch?fields=token').set('tokens', tokens[0]);
      expect(byHeader.body).toEqual({ submissions: [{ token: tokens[0] }] });
    });

    it('answers 422 when no item is valid, and 400 for an empty or too large batch', async () => {
      const none = await request(stack.http)
        .post('/submissions/batch')
        .send({ submissions: [{ source_code: 'x' }] });
      expect(none.status).toBe(422);
      expect(none.body).toEqual([{ language_id: ["can't be blank", "language with id  doesn't exist"] }]);
      const empty = await request(stack.http).post('/submissions/batch').send({ submissions: [] });
      expect(empty.status).toBe(400);
      expect(empty.body).toEqual({ error: 'there should be at least one submission in a batch' });
      const many = await request(stack.http)
        .post('/submissions/batch')
        .send({ submissions: Array(21).fill({ language_id: PY, source_code: 'print(1)' }) });
      expect(many.status).toBe(400);
      expect(many.body).toEqual({ error: 'number of submissions in a batch should be less than or equal to 20' });
      const noTokens = await request(stack.http).get('/submissions/batch');
      expect(noTokens.status).toBe(400);
    });
  });

  describe('422 bodies, keyed by attribute, with Judge0’s messages', () => {
    it.each([
      [{ language_id: 150000, source_code: 'x' }, { language_id: ["language with id 150000 doesn't exist"] }],
      [{ language_id: PY, source_code: 'x', wall_time_limit: 21 }, { wall_time_limit: ['must be less than or equal to 20.0'] }],
      [{ language_id: PY, source_code: '  ' }, { source_code: ["can't be blank"] }],
      [
        { language_id: PY, source_code: 'x', memory_limit: 1000, number_of_runs: 0 },
        { memory_limit: ['must be greater than or equal to 2048'], number_of_runs: ['must be greater than 0'] },
      ],
      [{ language_id: PY, source_code: 'x', cpu_time_limit: 'fast' }, { cpu_time_limit: ['is not a number'] }],
      [
        { language_id: PY, source_code: 'x', compiler_options: '-O2' },
        { compiler_options: ['setting compiler options is only allowed for compiled languages'] },
      ],
      [{ language_id: PY, source_code: 'x', enable_network: true }, { enable_network: ['enabling network is not allowed'] }],
      [
        { language_id: PY, source_code: 'x', command_line_arguments: 'x'.repeat(513) },
        { command_line_arguments: ['is too long (maximum is 512 characters)'] },
      ],
    ])('%j → %j', async (body, errors) => {
      const res = await submit(body, '');
      expect(res.status).toBe(422);
      expect(res.body).toEqual(errors);
    });
  });

  describe('additional_files, unpacked inside the sandbox', () => {
    it('puts the zip’s files next to the source before it runs', async () => {
      const files = zip([
        ['data.txt', 'from the zip\n'],
        ['sub/more.txt', 'and deeper\n'],
      ]);
      const res = await submit(
        { language_id: PY, source_code: 'print(open("data.txt").read() + open("sub/more.txt").read(), end="")', additional_files: files },
        'wait=true&fields=status_id,stdout,compile_output',
      );
      expect(res.body).toEqual({ stdout: 'from the zip\nand deeper\n', compile_output: null, status_id: 3 });
    });

    it.each([
      ['a zip bomb', [['bomb', 'zeros:50000000']], /bomb: inflates more than 200 times/],
      ['a zip-slip entry', [['../escaped.txt', 'x']], /\.\.\/escaped\.txt: the path leaves the directory/],
      ['an absolute path', [['/tmp/escaped.txt', 'x']], /the path leaves the directory/],
      ['a symlink entry', [['passwd', '/etc/passwd', 0o120777]], /passwd: links are not allowed/],
      ['something that is not a zip', null, /not a zip archive/],
    ] as const)('refuses %s, as a compilation error saying why', async (_name, entries, why) => {
      const files = entries ? zip(entries.map((e) => [...e])) : b64('not a zip');
      const res = await submit(
        { language_id: PY, source_code: 'print(1)', additional_files: files },
        'wait=true&fields=status_id,stdout,compile_output',
      );
      expect(res.body).toEqual({ status_id: 6, stdout: null, compile_output: expect.stringMatching(why) });
    });
  });

  describe('callback_url', () => {
    it('PUTs the finished submission, default fields in base64, through runbox’s webhook sender', async () => {
      const res = await submit({ language_id: PY, source_code: 'print("called back")', callback_url: hook.url }, '');
      expect(res.status).toBe(201);
      for (let i = 0; i < 100 && hook.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(hook.hits).toHaveLength(1);
      const hit = hook.hits[0]!;
      expect(hit).toMatchObject({
        method: 'PUT',
        url: '/judge0',
        headers: expect.objectContaining({ 'content-type': 'application/json' }),
      });
      const body = JSON.parse(hit.body);
      expect(Object.keys(body)).toEqual(DEFAULT_IN_SERIALIZER_ORDER);
      expect(body).toMatchObject({
        token: res.body.token,
        stdout: encode64('called back\n'),
        stderr: null,
        status: { id: 3, description: 'Accepted' },
      });
    });
  });

  describe('languages, statuses and the server', () => {
    it('lists only what the workers have, under Judge0 CE ids, with the installed versions', async () => {
      const res = await request(stack.http).get('/languages');
      expect(res.status).toBe(200);
      const byId = new Map((res.body as { id: number; name: string }[]).map((l) => [l.id, l.name]));
      expect(byId.get(71)).toMatch(/^Python \(3\.\d+/);
      expect(byId.get(50)).toMatch(/^C \(GCC \d+\.\d+\.\d+\)$/);
      expect(byId.get(54)).toMatch(/^C\+\+ \(GCC /);
      expect(byId.get(62)).toMatch(/^Java \(OpenJDK /);
      expect(byId.get(63)).toMatch(/^JavaScript \(Node\.js /);
      expect(byId.get(46)).toMatch(/^Bash \(/);
      expect(byId.has(45)).toBe(false); // Assembly: not a runbox language
      // exactly the installed languages that have a Judge0 CE id
      const installed = ((await request(stack.http).get('/v1/languages')).body as { id: string }[]).map((l) => l.id);
      const judge0Of: Record<string, number> = {
        bash: 46,
        c: 50,
        csharp: 51,
        cpp: 54,
        go: 60,
        java: 62,
        javascript: 63,
        lua: 64,
        octave: 66,
        pascal: 67,
        php: 68,
        python: 71,
        ruby: 72,
        rust: 73,
        typescript: 74,
        perl: 85,
      };
      expect([...byId.keys()].sort()).toEqual(installed.flatMap((id) => (judge0Of[id] ? [judge0Of[id]] : [])).sort());
      const c = await request(stack.http).get('/languages/50');
      expect(c.body).toEqual({
        id: 50,
        name: byId.get(50),
        is_archived: false,
        source_file: 'main.c',
        compile_cmd: expect.stringMatching(/gcc .*main\.c.* %s$/),
        run_cmd: './main',
      });
      expect((await request(stack.http).get('/languages/45')).status).toBe(404);
      const all = (await request(stack.http).get('/languages/all')).body as { id: number; is_archived: boolean }[];
      expect(all.map((l) => l.id).sort()).toEqual([...byId.keys()].sort());
      expect(all.every((l) => l.is_archived === false)).toBe(true);
    });

    it('lists the 14 statuses', async () => {
      const res = await request(stack.http).get('/statuses');
      expect(res.body).toHaveLength(14);
      expect(res.body[0]).toEqual({ id: 1, description: 'In Queue' });
      expect(res.body[13]).toEqual({ id: 14, description: 'Exec Format Error' });
    });

    it('answers /config_info with every key v1.13.1 has, /about and /workers', async () => {
      const info = (await request(stack.http).get('/config_info')).body;
      expect(Object.keys(info)).toEqual([
        'maintenance_mode',
        'enable_wait_result',
        'enable_compiler_options',
        'allowed_languages_for_compile_options',
        'enable_command_line_arguments',
        'enable_submission_delete',
        'enable_callbacks',
        'callbacks_max_tries',
        'callbacks_timeout',
        'enable_additional_files',
        'max_queue_size',
        'cpu_time_limit',
        'max_cpu_time_limit',
        'cpu_extra_time',
        'max_cpu_extra_time',
        'wall_time_limit',
        'max_wall_time_limit',
        'memory_limit',
        'max_memory_limit',
        'stack_limit',
        'max_stack_limit',
        'max_processes_and_or_threads',
        'max_max_processes_and_or_threads',
        'enable_per_process_and_thread_time_limit',
        'allow_enable_per_process_and_thread_time_limit',
        'enable_per_process_and_thread_memory_limit',
        'allow_enable_per_process_and_thread_memory_limit',
        'max_file_size',
        'max_max_file_size',
        'number_of_runs',
        'max_number_of_runs',
        'redirect_stderr_to_stdout',
        'max_extract_size',
        'enable_batched_submissions',
        'max_submission_batch_size',
        'submission_cache_duration',
        'use_docs_as_homepage',
        'allow_enable_network',
        'enable_network',
      ]);
      expect(info).toMatchObject({
        cpu_time_limit: 5,
        max_cpu_time_limit: 15,
        wall_time_limit: 10,
        max_wall_time_limit: 20,
        memory_limit: 128000,
        allow_enable_network: false,
      });
      expect((await request(stack.http).get('/about')).body).toMatchObject({ version: '1.13.1' });
      const workers = (await request(stack.http).get('/workers')).body;
      expect(workers).toEqual([
        {
          queue: expect.any(String),
          size: expect.any(Number),
          available: 2,
          idle: expect.any(Number),
          working: expect.any(Number),
          paused: 0,
          failed: expect.any(Number),
        },
      ]);
    });
  });
});

describe('Judge0 API access', () => {
  const sha = (k: string) => createHash('sha256').update(k).digest('hex');
  const KEY = 'judge0-client-secret-0123456789';
  const OTHER = 'judge0-other-tenant-0123456789';
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { API_KEYS: `grader:submit:${sha(KEY)},other:submit:${sha(OTHER)}` } });
  });
  afterAll(() => stack?.stop());

  it('takes the key in X-Auth-Token (or Bearer), and answers 401 with an empty body without one', async () => {
    expect((await request(stack.http).get('/statuses').set('X-Auth-Token', KEY)).status).toBe(200);
    expect((await request(stack.http).get('/statuses').set('Authorization', `Bearer ${KEY}`)).status).toBe(200);
    const none = await request(stack.http).post('/submissions').send({ language_id: PY, source_code: 'print(1)' });
    expect(none.status).toBe(401);
    expect(none.text).toBe('');
    expect((await request(stack.http).get('/statuses').set('X-Auth-Token', 'wrong')).status).toBe(401);
    const queued = await request(stack.http)
      .post('/submissions')
      .set('X-Auth-Token', KEY)
      .send({ language_id: PY, source_code: 'print(1)' });
    expect(queued.status).toBe(201);
    expect(queued.headers['ratelimit-limit']).toBeDefined(); // the same rate limit as /v1
  });

  it("answers another key's token as an unknown one, alone and in a batch", async () => {
    const { token } = (
      await request(stack.http).post('/submissions').set('X-Auth-Token', KEY).send({ language_id: PY, source_code: 'print(1)' })
    ).body;
    expect((await request(stack.http).get(`/submissions/${token}`).set('X-Auth-Token', KEY)).status).toBe(200);
    const foreign = await request(stack.http).get(`/submissions/${token}`).set('X-Auth-Token', OTHER);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ status: 404, error: 'Not Found' });
    const batch = await request(stack.http).get(`/submissions/batch?tokens=${token}`).set('X-Auth-Token', OTHER);
    expect(batch.body).toEqual({ submissions: [null] });
  });

  it('answers a body that is not JSON with 400 and no 5xx', async () => {
    const res = await request(stack.http)
      .post('/submissions')
      .set('X-Auth-Token', KEY)
      .set('content-type', 'application/json')
      .send('{"language_id": 71,');
    expect(res.status).toBe(400);
    // body-parser refuses it before any route: runbox's problem body, whose `error` is Rails' "Bad Request" too
    expect(res.body).toMatchObject({ error: 'Bad Request' });
  });

  it('documents its routes in /docs', async () => {
    const doc = (await request(stack.http).get('/docs-json').set('X-Auth-Token', KEY)).body as { paths: Record<string, object> };
    for (const path of [
      '/submissions',
      '/submissions/batch',
      '/submissions/{token}',
      '/languages',
      '/languages/{id}',
      '/statuses',
      '/about',
      '/config_info',
      '/workers',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    expect(doc.paths['/submissions']).toHaveProperty(['post', 'requestBody']);
  });

  it('is not mounted when COMPAT_APIS leaves it out', async () => {
    const off = await startStack({ env: { COMPAT_APIS: 'none' } });
    try {
      expect((await request(off.http).get('/statuses')).status).toBe(404);
      expect((await request(off.http).get('/v1/languages')).status).toBe(200);
    } finally {
      await off.stop();
    }
  });
});
