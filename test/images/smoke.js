#!/usr/bin/env node
// The image smoke suite: jobs through the API and worker containers (scripts/images/test-images.sh
// starts them). Every language of the table, a compile error, the time and memory limits, a
// cancel, and a job with tests. Usage: node test/images/smoke.js BASE_URL API_KEY
'use strict';
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const [base, key] = process.argv.slice(2);
if (!base || !key) {
  console.error('usage: smoke.js BASE_URL API_KEY');
  process.exit(64);
}
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

async function call(method, path, body) {
  const res = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Submits and waits for the final job. */
async function run(body) {
  const res = await call('POST', '/v1/jobs?wait=true', body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.status, 'completed', JSON.stringify(res.body));
  return res.body.result;
}

/** One program per language of the table, printing its arguments: no language goes untried. */
const HELLO = {
  python: 'import sys; print(",".join(sys.argv[1:]))',
  javascript: 'console.log(process.argv.slice(2).join(","))',
  bash: 'echo "$1,$2"',
  ruby: 'puts ARGV.join(",")',
  c: '#include <stdio.h>\nint main(int c,char**v){printf("%s,%s\\n",v[1],v[2]);}',
  cpp: '#include <iostream>\nint main(int c,char**v){std::cout<<v[1]<<","<<v[2]<<"\\n";}',
  java: 'public class Main { public static void main(String[] a) { System.out.println(a[0] + "," + a[1]); } }',
  lua: 'print(arg[1] .. "," .. arg[2])',
  perl: 'print join(",", @ARGV), "\\n";',
  typescript: 'const args: string[] = process.argv.slice(2);\nconsole.log(args.join(","));',
  go: 'package main\nimport ("fmt"; "os")\nfunc main() { fmt.Println(os.Args[1] + "," + os.Args[2]) }',
  rust: 'fn main() { let a: Vec<String> = std::env::args().collect(); println!("{},{}", a[1], a[2]); }',
  csharp: 'class Program { static void Main(string[] a) { System.Console.WriteLine(a[0] + "," + a[1]); } }',
  php: '<?php echo $argv[1] . "," . $argv[2] . "\\n";',
  pascal: "program Hello;\nbegin\n  writeln(ParamStr(1), ',', ParamStr(2));\nend.\n",
  octave: 'args = argv(); printf("%s,%s\\n", args{1}, args{2});',
};
/** setup.sh's optional heavy languages (and Octave): the worker image leaves them out (docker/worker.Dockerfile). */
const NOT_IN_IMAGE = ['go', 'rust', 'csharp', 'octave'];

const cases = [];
const test = (name, fn) => cases.push({ name, fn });

test('the worker offers every language of the table but the optional heavy ones', async () => {
  const table = JSON.parse(readFileSync(join(__dirname, '../../libs/languages/languages.json'), 'utf8'));
  assert.deepEqual(Object.keys(HELLO).sort(), table.languages.map((l) => l.id).sort(), 'HELLO covers the language table');
  const ids = table.languages
    .map((l) => l.id)
    .filter((id) => !NOT_IN_IMAGE.includes(id))
    .sort();
  let offered = [];
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
    const res = await call('GET', '/v1/languages');
    offered = (Array.isArray(res.body) ? res.body : []).map((l) => l.id).sort();
    if (offered.length === ids.length) break;
  }
  assert.deepEqual(offered, ids);
});

for (const [language, source] of Object.entries(HELLO).filter(([id]) => !NOT_IN_IMAGE.includes(id))) {
  test(`runs ${language}`, async () => {
    const result = await run({ language, source, args: ['a', 'b'] });
    assert.equal(result.run.verdict, 'ok', JSON.stringify(result));
    assert.equal(result.run.stdout, 'a,b\n');
  });
}

test('compile error carries the compiler output', async () => {
  const result = await run({ language: 'c', source: 'int main( { return 0; }' });
  assert.equal(result.verdict, 'compile_error');
  assert.match(result.compile.stderr, /error/);
  assert.equal(result.run, null);
});

test('time limit (CPU)', async () => {
  const result = await run({ language: 'python', source: 'while True: pass', limits: { cpuTimeMs: 300, wallTimeMs: 5000 } });
  assert.equal(result.run.verdict, 'time_limit');
});

test('memory limit', async () => {
  const result = await run({ language: 'python', source: 'x = bytearray(200 * 1024 * 1024)\nprint(len(x))', limits: { memoryMb: 64 } });
  assert.equal(result.run.verdict, 'memory_limit');
});

test('a background process ends with its run', async () => {
  // The sandbox's init kills what the program left behind (kill(-1) as pid 1: needs CAP_KILL,
  // the program runs as another uid); without it the run would last until its wall limit.
  const result = await run({ language: 'bash', source: 'sleep 60 & echo started', limits: { wallTimeMs: 10000 } });
  assert.equal(result.run.verdict, 'ok', JSON.stringify(result.run));
  assert.ok(result.run.wallTimeMs < 5000, `wall ${result.run.wallTimeMs} ms`);
});

test('cancel ends a running job', async () => {
  const res = await call('POST', '/v1/jobs', { language: 'bash', source: 'sleep 20', limits: { wallTimeMs: 30000 } });
  assert.equal(res.status, 202);
  const id = res.body.id;
  await until(async () => (await call('GET', `/v1/jobs/${id}`)).body.status === 'running', 30_000);
  const del = await call('DELETE', `/v1/jobs/${id}`);
  assert.ok(del.status < 300, `DELETE answered ${del.status}`);
  await until(async () => (await call('GET', `/v1/jobs/${id}`)).body.status === 'cancelled', 5_000);
});

test('a job with tests is judged per test', async () => {
  const result = await run({
    language: 'python',
    source: 'print(int(input()) * 2)',
    tests: [
      { name: 'two', stdin: '2\n', expectedOutput: '4\n' },
      { name: 'wrong', stdin: '3\n', expectedOutput: '7\n' },
    ],
  });
  assert.deepEqual(
    result.tests.map((t) => [t.name, t.verdict]),
    [
      ['two', 'ok'],
      ['wrong', 'wrong_answer'],
    ],
  );
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

(async () => {
  let failed = 0;
  const only = new RegExp(process.env.SMOKE_ONLY ?? '');
  for (const c of cases.filter((c) => only.test(c.name))) {
    const started = Date.now();
    try {
      await c.fn();
      console.log(`ok - ${c.name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`not ok - ${c.name}: ${e.message}`);
    }
  }
  console.log(failed ? `${failed} failed` : 'all passed');
  process.exit(failed ? 1 : 0);
})();
