#!/usr/bin/env node
// bench.js — what one hello world costs in each language, through the real service: a private
// redis-server, one API and one worker process (one slot, so runs never overlap), as the e2e bench
// starts them. Every installed language's hello fixture (test/fixtures/languages/ID/hello.*) is
// sent RUNS times as a job, the languages taking turns, and the medians of the sandbox's own
// figures are printed as a Markdown table: compile CPU and wall, run CPU and wall (each run is a
// fresh sandbox, so every job is a first run; the host's page cache is warm after the warm-up), and
// the job's end-to-end time at the client.
// Java is also measured without its javac class-data-sharing archive (the same entry with
// -XX:SharedArchiveFile dropped, "java (no AppCDS)"), side by side in the same run: the archive
// stays only while it pays.
// Usage (root): npm run bench:languages [-- --runs N] [-- --only go,rust]
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const p = require('../e2e/processes');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('--runs', '20'));
const ONLY = arg('--only', '').split(',').filter(Boolean);
const WARMUP = 2;
const FIXTURES = path.join(p.ROOT, 'test/fixtures/languages');
const NO_CDS = 'java-no-appcds';

/** The language table with a Java entry that does without the AppCDS archive, for the side-by-side. */
function benchTable() {
  const table = JSON.parse(fs.readFileSync(path.join(p.ROOT, 'libs/languages/languages.json'), 'utf8'));
  const java = table.languages.find((l) => l.id === 'java');
  if (java && JSON.stringify(java).includes('SharedArchiveFile')) {
    const drop = (argv) => argv.filter((a) => !a.includes('SharedArchiveFile'));
    table.languages.push({
      ...java,
      id: NO_CDS,
      name: `${java.name} without AppCDS`,
      aliases: [],
      compile: { ...java.compile, argv: drop(java.compile.argv) },
      run: drop(java.run),
    });
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'runbox-bench-languages-')), 'languages.json');
  fs.writeFileSync(file, JSON.stringify(table));
  return { file, languages: table.languages };
}

function hello(lang) {
  const id = lang.id === NO_CDS ? 'java' : lang.id;
  const ext = path.extname(lang.sourceFile);
  return fs.readFileSync(path.join(FIXTURES, id, `hello${ext}`), 'utf8');
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const fmt = (x) => (Number.isFinite(x) ? String(Math.round(x)) : '-');

async function main() {
  p.ensureBuilt();
  const table = benchTable();
  const redis = await p.startRedis();
  const port = await p.freePort();
  const env = p.serviceEnv(redis.url, port, { WORKER_SLOTS: '1', LANGUAGES_FILE: table.file });
  const worker = p.startWorker(env);
  const api = p.startApi(env);
  const call = p.client(`http://127.0.0.1:${port}`, 4);
  const stopAll = async () => {
    await Promise.all([api.stop(), worker.stop()]);
    await redis.stop();
    p.cleanupHost(env);
    fs.rmSync(path.dirname(table.file), { recursive: true, force: true });
  };
  process.on('SIGINT', () => stopAll().then(() => process.exit(130)));
  try {
    await p.waitReady(call);
    const listed = (await call('GET', '/v1/languages')).body;
    const installed = new Map(listed.map((l) => [l.id, l.version]));
    const langs = table.languages.filter(
      (l) => installed.has(l.id) && (!ONLY.length || ONLY.includes(l.id) || (l.id === NO_CDS && ONLY.includes('java'))),
    );
    const missing = table.languages.filter((l) => !installed.has(l.id)).map((l) => l.id);
    console.log(
      `runbox languages bench — ${os.cpus().length} CPUs (${os.cpus()[0].model.trim()}), 1 worker slot, median of ${RUNS} hello worlds each, node ${process.version}`,
    );
    if (missing.length) console.log(`not installed here (skipped): ${missing.join(', ')}`);

    const samples = new Map(langs.map((l) => [l.id, []]));
    const once = async (lang) => {
      const res = await call('POST', '/v1/jobs?wait=true', {
        language: lang.id,
        source: hello(lang),
        stdin: 'world\n',
        limits: { wallTimeMs: 20000 },
      });
      const result = res.body && res.body.result;
      if (res.status !== 200 || !result || result.verdict !== 'ok' || result.run.stdout !== 'hello, world\n') {
        throw new Error(`${lang.id}: unexpected answer ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`);
      }
      return { ms: res.ms, compile: result.compile, run: result.run };
    };
    for (let i = 0; i < WARMUP; i++) for (const lang of langs) await once(lang);
    // the languages take turns, so a drift of the host's speed spreads over all of them alike
    for (let i = 0; i < RUNS; i++) for (const lang of langs) samples.get(lang.id).push(await once(lang));

    console.log('');
    console.log('| language | version | compile CPU ms | compile wall ms | run CPU ms | run wall ms | job at the client ms |');
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
    for (const lang of langs) {
      const s = samples.get(lang.id);
      const m = (f) => (s[0].compile || !f.startsWith('compile') ? median(s.map((x) => pick(x, f))) : NaN);
      console.log(
        `| ${lang.name} | ${installed.get(lang.id)} | ${fmt(m('compile.cpuTimeMs'))} | ${fmt(m('compile.wallTimeMs'))} | ${fmt(m('run.cpuTimeMs'))} | ${fmt(m('run.wallTimeMs'))} | ${fmt(median(s.map((x) => x.ms)))} |`,
      );
    }
  } finally {
    await stopAll();
  }
}

function pick(x, field) {
  const [a, b] = field.split('.');
  return x[a][b];
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
