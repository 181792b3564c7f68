/**
 * Jobe (Moodle CodeRunner's sandbox) at /jobe/index.php/restapi through the real stack: every
 * outcome from a program that really produces it, the result's shape, support files, Jobe's
 * error answers; and PHP, Pascal and pylint as CodeRunner's questions use them.
 */
import { createHash } from 'node:crypto';
import request from 'supertest';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(180_000);

const API = '/jobe/index.php/restapi';

describe('Jobe compatibility', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true });
  });
  afterAll(() => stack?.stop());

  const run = async (run_spec: object) => {
    const res = await request(stack.http).post(`${API}/runs`).send({ run_spec });
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Jobe answers its errors as a JSON string. */
  const refused = async (body: object, status: number, message: string | RegExp) => {
    const res = await request(stack.http).post(`${API}/runs`).send(body);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    if (typeof message === 'string') expect(res.body).toBe(message);
    else expect(res.body).toMatch(message);
  };

  it('GET languages answers [[id, version], …] for the Jobe languages the workers have', async () => {
    const res = await request(stack.http).get(`${API}/languages`);
    expect(res.status).toBe(200);
    const ids = res.body.map(([id]: [string]) => id);
    expect(ids).toEqual(expect.arrayContaining(['c', 'cpp', 'python3', 'java', 'nodejs', 'php', 'pascal']));
    for (const pair of res.body) expect(pair).toEqual([expect.any(String), expect.stringMatching(/^\d+\./)]);
  });

  it('15: a successful run, field by field', async () => {
    const body = await run({ language_id: 'python3', sourcecode: 'print(input()[::-1])', input: 'abc\n' });
    expect(body).toEqual({ run_id: null, outcome: 15, cmpinfo: '', stdout: 'cba\n', stderr: '' });
  });

  it('language ids are case-insensitive, and runargs are the argv', async () => {
    const body = await run({
      language_id: 'NodeJS',
      sourcecode: 'console.log(process.argv.slice(2).join("+"))',
      parameters: { runargs: ['a', 'b'] },
    });
    expect(body).toMatchObject({ outcome: 15, stdout: 'a+b\n' });
  });

  it('compileargs and linkargs reach the compiler', async () => {
    const source = '#include <stdio.h>\n#include <math.h>\nint main(void){ printf("%d %.0f\\n", GREETING, sqrt(16.0)); return 0; }';
    const body = await run({
      language_id: 'c',
      sourcecode: source,
      parameters: { compileargs: ['-DGREETING=42', '-Wall'], linkargs: ['-lm'] },
    });
    expect(body).toEqual({ run_id: null, outcome: 15, cmpinfo: '', stdout: '42 4\n', stderr: '' });
    const strict = await run({
      language_id: 'c',
      sourcecode: 'int main(void){ int unused; return 0; }',
      parameters: { compileargs: ['-Wall -Werror'] },
    });
    expect(strict).toMatchObject({ outcome: 11, cmpinfo: expect.stringMatching(/unused/) });
  });

  it('11: a compile error, with the compiler output in cmpinfo (C, C++, Pascal, PHP)', async () => {
    for (const [language_id, sourcecode] of [
      ['c', 'int main(void) { return x; }'],
      ['cpp', 'int main() { return x; }'],
      ['pascal', 'program p; begin writeln(x); end.'],
      ['php', '<?php echo "a"'],
    ]) {
      const body = await run({ language_id, sourcecode });
      expect({ language_id, outcome: body.outcome, stdout: body.stdout }).toEqual({ language_id, outcome: 11, stdout: '' });
      expect(body.cmpinfo).toMatch(/error/i);
    }
  });

  it('12: a runtime error, and output on stderr as Jobe judges it', async () => {
    const crash = await run({ language_id: 'python3', sourcecode: 'print("before")\nraise ValueError("boom")' });
    expect(crash).toMatchObject({ outcome: 12, stdout: 'before\n' });
    expect(crash.stderr).toMatch(/ValueError: boom/);
    // LanguageTask::diagnoseResult: anything on stderr is a runtime error, even with exit code 0
    const warned = await run({ language_id: 'python3', sourcecode: 'import sys\nprint("w", file=sys.stderr)' });
    expect(warned).toMatchObject({ outcome: 12, stderr: 'w\n' });
  });

  it('13: a time limit (cputime in seconds), and an output overrun reported as Jobe reports it', async () => {
    expect(await run({ language_id: 'c', sourcecode: 'int main(void){ for(;;); }', parameters: { cputime: 1 } })).toMatchObject({
      outcome: 13,
    });
    expect(await run({ language_id: 'python3', sourcecode: 'print("x" * 500000)', parameters: { streamsize: 0.05 } })).toMatchObject({
      outcome: 13,
    });
  });

  it('17: a memory limit (memorylimit in MB)', async () => {
    const body = await run({
      language_id: 'python3',
      sourcecode: 'x = bytearray(400 * 1024 * 1024)\nprint(len(x))',
      parameters: { memorylimit: 64 },
    });
    expect(body).toMatchObject({ outcome: 17, stdout: '' });
  });

  it('19: an illegal system call (a 32-bit syscall, killed by the seccomp filter)', async () => {
    const body = await run({ language_id: 'c', sourcecode: 'int main(void){ __asm__ volatile("int $0x80" :: "a"(20)); return 0; }' });
    expect(body).toMatchObject({ outcome: 19 });
  });

  it('Java: the class name is inferred from the source, or taken from sourcefilename; no main class is a compile error', async () => {
    const source =
      'public class Greeter {\n  public static void main(String[] args) {\n    System.out.println("hi " + new java.util.Scanner(System.in).nextLine());\n  }\n}';
    expect(await run({ language_id: 'java', sourcecode: source, input: 'there\n' })).toEqual({
      run_id: null,
      outcome: 15,
      cmpinfo: '',
      stdout: 'hi there\n',
      stderr: '',
    });
    expect(await run({ language_id: 'java', sourcecode: source, sourcefilename: 'Greeter.java', input: 'you\n' })).toMatchObject({
      outcome: 15,
      stdout: 'hi you\n',
    });
    const none = await run({ language_id: 'java', sourcecode: 'class A {}' });
    expect(none).toMatchObject({ outcome: 11, cmpinfo: expect.stringMatching(/can't determine main class/) });
  });

  it('support files: PUT (base64) → 204, HEAD → 204 or 404, then used by name in file_list', async () => {
    const id = 'a1b2c3d4e5f60718';
    const contents = 'line one\nline two\n';
    expect((await request(stack.http).head(`${API}/files/${id}`)).status).toBe(404);
    const put = await request(stack.http)
      .put(`${API}/files/${id}`)
      .send({ file_contents: Buffer.from(contents).toString('base64') });
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    expect((await request(stack.http).head(`${API}/files/${id}`)).status).toBe(204);
    const body = await run({
      language_id: 'python3',
      sourcecode: 'print(open("data.txt").read().upper(), end="")',
      file_list: [[id, 'data.txt']],
    });
    expect(body).toMatchObject({ outcome: 15, stdout: contents.toUpperCase() });
  });

  it("support files: Jobe's 400s and 404s", async () => {
    const put = (path: string, body: object) => request(stack.http).put(`${API}/${path}`).send(body);
    const noId = await put('files', { file_contents: '' });
    expect({ status: noId.status, body: noId.body }).toEqual({ status: 400, body: 'No file id in URL' });
    const missing = await put('files/abcdefgh12', {});
    expect({ status: missing.status, body: missing.body }).toEqual({ status: 400, body: 'put: missing file_contents parameter' });
    const bad = await put('files/abcdefgh12', { file_contents: 'not base64!' });
    expect({ status: bad.status, body: bad.body }).toEqual({ status: 400, body: 'put: contents of file abcdefgh12 are not valid base-64' });
    const big = await put('files/abcdefgh13', { file_contents: Buffer.alloc(stack.config.jobe.fileMaxBytes + 1).toString('base64') });
    expect(big.status).toBe(400);
    expect(big.body).toMatch(/larger than this server's maximum/);
    await refused(
      { run_spec: { language_id: 'python3', sourcecode: '', file_list: [['0123456789abcdef', 'gone.txt']] } },
      404,
      'One or more of the specified files is missing/unavailable',
    );
  });

  it("run_spec errors: Jobe's 400 messages", async () => {
    await refused({}, 400, 'No run_spec attribute found in post data');
    await refused({ run_spec: { language_id: 'c' } }, 400, "run_spec is missing the required attribute 'sourcecode'");
    await refused({ run_spec: { sourcecode: '' } }, 400, "run_spec is missing the required attribute 'language_id'");
    await refused({ run_spec: { language_id: 'COBOL', sourcecode: '' } }, 400, "Language 'cobol' is not known");
    const maxS = Math.floor(stack.config.limits.maxima.cpuTimeMs / 1000);
    await refused(
      { run_spec: { language_id: 'c', sourcecode: '', parameters: { cputime: maxS + 1 } } },
      400,
      `cputime exceeds maximum allowed on this Jobe server (${maxS} secs)`,
    );
    await refused(
      { run_spec: { language_id: 'c', sourcecode: '', sourcefilename: '../evil.c' } },
      400,
      'The sourcefilename for the run_spec is illegal',
    );
    await refused(
      { run_spec: { language_id: 'c', sourcecode: '', file_list: [['short', 'x.txt']] } },
      400,
      /^Invalid file specifier: Array\n/,
    );
    await refused({ run_spec: { language_id: 'c', sourcecode: '', file_list: [['abcdefgh12', '../x']] } }, 400, /^Invalid file specifier/);
  });

  it('pylint runs inside the sandbox, as CodeRunner Python questions run it', async () => {
    const source = [
      'import subprocess, sys',
      'open("student.py", "w").write("def f(x):\\n    y = 1\\n    return x\\n")',
      'r = subprocess.run([sys.executable, "-m", "pylint", "student.py"], capture_output=True, text=True)',
      // pylint's exit status is a bit mask: 1 fatal, 2 error, 4 warning, 8 refactor, 16 convention
      'print(r.returncode & 1, r.returncode & 4, "W0612" in r.stdout, "rated at" in r.stdout)',
    ].join('\n');
    const body = await run({ language_id: 'python3', sourcecode: source, parameters: { cputime: 10 } });
    expect(body).toMatchObject({ outcome: 15, stdout: '0 4 True True\n' });
  });

  it('octave runs where it is installed (optional: npm run setup does not install it)', async () => {
    const { body: languages } = await request(stack.http).get(`${API}/languages`);
    if (!languages.some(([id]: [string]) => id === 'octave')) return; // not on this host
    expect(await run({ language_id: 'octave', sourcecode: 'x = input("");\ndisp(x * 2)', input: '21\n' })).toMatchObject({
      outcome: 15,
      stdout: '42\n',
    });
  });

  it('/docs documents the Jobe routes', async () => {
    const { body } = await request(stack.http).get('/docs-json');
    for (const path of ['runs', 'languages', 'files/{id}']) expect(Object.keys(body.paths)).toContain(`${API}/${path}`);
  });

  describe('PHP and Pascal through /v1', () => {
    const job = async (language: string, source: string) => {
      const res = await request(stack.http).post('/v1/jobs?wait=true').send({ language, source });
      expect(res.status).toBe(200);
      return res.body.result;
    };
    it.each([
      ['php', '<?php echo "hello\\n";', '<?php echo "a"', '<?php throw new Exception("boom");', /boom/],
      [
        'pascal',
        "program p; begin writeln('hello'); end.",
        'program p; begin writeln(x); end.',
        'program p; var a: array of integer; begin a[5] := 1; end.',
        /./,
      ],
    ])('%s: hello, compile error, runtime error', async (language, hello, broken, crash, crashOutput) => {
      const ok = await job(language, hello);
      expect(ok.verdict).toBe('ok');
      expect(ok.run.stdout).toBe('hello\n');
      const ce = await job(language, broken);
      expect(ce.verdict).toBe('compile_error');
      expect(ce.compile.stdout + ce.compile.stderr).toMatch(/error/i);
      const re = await job(language, crash);
      expect(re.verdict).toBe('runtime_error');
      expect(re.run.exitCode !== 0 || re.run.signal !== null).toBe(true);
      expect(re.run.stdout + re.run.stderr).toMatch(crashOutput);
    });
  });
});

describe('Jobe compatibility with API keys, a small file store and a short wait maximum', () => {
  const tokens = { alice: 'alice-token-0123456789abcdef', bob: 'bob-token-0123456789abcdef' };
  const sha = (t: string) => createHash('sha256').update(t).digest('hex');
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      worker: true,
      env: {
        WAIT_MAX_MS: '1000',
        JOBE_FILES_MAX_TOTAL_BYTES: '1000',
        API_KEYS: `alice:submit:${sha(tokens.alice)},bob:submit:${sha(tokens.bob)}`,
      },
    });
  });
  afterAll(() => stack?.stop());

  // alice sends her key as CodeRunner does (X-API-KEY), bob as /v1 clients do
  const as = (who: keyof typeof tokens): Record<string, string> =>
    who === 'alice' ? { 'X-API-KEY': tokens.alice } : { Authorization: `Bearer ${tokens.bob}` };
  const putFile = (who: keyof typeof tokens, id: string, bytes: number) =>
    request(stack.http)
      .put(`${API}/files/${id}`)
      .set(as(who))
      .send({ file_contents: Buffer.alloc(bytes, 'a').toString('base64') });

  it('refuses a request without a key, and takes it in X-API-KEY as CodeRunner sends it', async () => {
    expect((await request(stack.http).get(`${API}/languages`)).status).toBe(401);
    expect((await request(stack.http).get(`${API}/languages`).set('X-API-KEY', 'wrong-key-0123456789')).status).toBe(401);
    expect((await request(stack.http).get(`${API}/languages`).set(as('alice'))).status).toBe(200);
  });

  it("a support file is its owner's: another key can neither see it nor run with it", async () => {
    expect((await putFile('alice', 'feedfacecafe0001', 10)).status).toBe(204);
    expect((await request(stack.http).head(`${API}/files/feedfacecafe0001`).set(as('alice'))).status).toBe(204);
    expect((await request(stack.http).head(`${API}/files/feedfacecafe0001`).set(as('bob'))).status).toBe(404);
    const run = await request(stack.http)
      .post(`${API}/runs`)
      .set(as('bob'))
      .send({
        run_spec: { language_id: 'python3', sourcecode: 'print(open("f.txt").read())', file_list: [['feedfacecafe0001', 'f.txt']] },
      });
    expect({ status: run.status, body: run.body }).toEqual({
      status: 404,
      body: 'One or more of the specified files is missing/unavailable',
    });
  });

  it('the file store keeps its total within JOBE_FILES_MAX_TOTAL_BYTES; replacing a file frees its old size', async () => {
    expect((await putFile('alice', 'feedfacecafe0002', 600)).status).toBe(204);
    const full = await putFile('bob', 'feedfacecafe0003', 600);
    expect({ status: full.status, body: full.body }).toEqual({
      status: 503,
      body: 'put: the file store of this Jobe server is full; try again later',
    });
    expect((await putFile('alice', 'feedfacecafe0002', 300)).status).toBe(204); // 10 + 300 now
    expect((await putFile('bob', 'feedfacecafe0003', 600)).status).toBe(204);
  });

  it('21: a run that cannot finish within the server wait maximum is answered as a server overload', async () => {
    const res = await request(stack.http)
      .post(`${API}/runs`)
      .set(as('alice'))
      .send({ run_spec: { language_id: 'python3', sourcecode: 'import time\ntime.sleep(4)', parameters: { cputime: 3 } } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ run_id: null, outcome: 21, cmpinfo: '', stdout: '', stderr: '' });
  });
});

describe('COMPAT_APIS', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { COMPAT_APIS: 'judge0' } });
  });
  afterAll(() => stack?.stop());

  it('mounts neither Piston nor Jobe when it does not name them', async () => {
    expect((await request(stack.http).get(`${API}/languages`)).status).toBe(404);
    expect((await request(stack.http).get('/api/v2/runtimes')).status).toBe(404);
    expect((await request(stack.http).get('/statuses')).status).toBe(200); // the one it names
  });
});
