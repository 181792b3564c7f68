#!/usr/bin/env node
// load.js — 2,000 jobs from 32 concurrent clients, a mix of languages and verdicts, while the
// worker is killed (SIGKILL) twice and started again. Starts its own private redis-server (AOF),
// one API and one worker process from the built dist, like the e2e bench (../e2e/processes.js).
//
// Every job prints or compares something unique to it, so a result that belongs to another job,
// or a verdict other than the one its program must get, is caught. A client submits with
// POST /v1/jobs?wait=true and an Idempotency-Key (a refused or cut-off submit is retried with the
// same key, so it can never create a second job), and polls GET /v1/jobs/{id} when the wait ends
// first. At the end every accepted job is read back. Printed:
//   accepted, completed, failed (with reasons), lost (accepted but unknown, or never final: must be
//   0), duplicated (one submission answered with two job ids, or one id for two submissions:
//   must be 0), unexpected results (a completed job whose verdict or output is not its own: must
//   be 0), latency p50/p99 (submit → final), jobs/s, API and worker RSS before and after.
// Usage (root): npm run bench:load [-- --jobs N --clients N]
'use strict';

const os = require('node:os');
const p = require('../e2e/processes');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const JOBS = arg('jobs', 2000);
const CLIENTS = arg('clients', 32);
/** After this share of the jobs was accepted, the worker is killed (and started again). */
const KILL_AT = [0.3, 0.65];
/** Locks short enough that a killed worker's jobs are taken again within seconds (default 30 s). */
const LOCK_DURATION_MS = 5000;

// ---- the mix: what each job is, and what its result must be --------------------------------------

const C_MAIN = (body) => `#include <stdio.h>\n#include <stdlib.h>\nint main(void) {\n${body}\n}\n`;
const KINDS = [
  {
    kind: 'bash ok',
    weight: 26,
    job: (n) => ({ language: 'bash', source: `echo bash-${n}` }),
    expect: { verdict: 'ok', stdout: (n) => `bash-${n}\n` },
  },
  {
    kind: 'python ok',
    weight: 16,
    job: (n) => ({ language: 'python', source: `print("py-${n}")` }),
    expect: { verdict: 'ok', stdout: (n) => `py-${n}\n` },
  },
  {
    kind: 'python runtime_error',
    weight: 10,
    job: (n) => ({ language: 'python', source: `import sys\nprint("re-${n}")\nsys.exit(3)` }),
    expect: { verdict: 'runtime_error', stdout: (n) => `re-${n}\n`, exitCode: 3 },
  },
  {
    kind: 'javascript ok',
    weight: 10,
    job: (n) => ({ language: 'javascript', source: `console.log("js-${n}")` }),
    expect: { verdict: 'ok', stdout: (n) => `js-${n}\n` },
  },
  {
    kind: 'c ok',
    weight: 8,
    job: (n) => ({ language: 'c', source: C_MAIN(`printf("c-${n}\\n"); return 0;`) }),
    expect: { verdict: 'ok', stdout: (n) => `c-${n}\n` },
  },
  {
    kind: 'c compile_error',
    weight: 5,
    job: (n) => ({ language: 'c', source: `#error broken-${n}\nint main(void) { return 0; }\n` }),
    expect: { verdict: 'compile_error', compileStderr: (n) => `broken-${n}` },
  },
  {
    kind: 'bash wrong_answer (tests)',
    weight: 10,
    job: (n) => ({
      language: 'bash',
      source: 'read x; echo "wrong-$x"',
      tests: [{ name: 't', stdin: `${n}\n`, expectedOutput: `right-${n}\n` }],
    }),
    expect: { verdict: 'wrong_answer', testStdout: (n) => `wrong-${n}\n` },
  },
  {
    kind: 'python ok (tests)',
    weight: 10,
    job: (n) => ({
      language: 'python',
      source: 'print(int(input()) * 2)',
      tests: [
        { stdin: `${n}\n`, expectedOutput: `${2 * n}\n`, points: 1 },
        { stdin: `${n + 1}\n`, expectedOutput: `${2 * (n + 1)}\n`, points: 1 },
      ],
    }),
    expect: { verdict: 'ok', testStdout: (n) => `${2 * n}\n`, points: 2 },
  },
  {
    kind: 'python time_limit',
    weight: 3,
    job: (n) => ({
      language: 'python',
      source: `print("tl-${n}", flush=True)\nwhile True: pass`,
      limits: { cpuTimeMs: 200, wallTimeMs: 2000 },
    }),
    expect: { verdict: 'time_limit', stdout: (n) => `tl-${n}\n` },
  },
  {
    kind: 'c runtime_error (signal)',
    weight: 2,
    job: (n) => ({ language: 'c', source: C_MAIN(`printf("seg-${n}\\n"); fflush(stdout); int *p = 0; return *p;`) }),
    expect: { verdict: 'runtime_error', stdout: (n) => `seg-${n}\n`, signal: 'SIGSEGV' },
  },
];

function pickKind(n) {
  // Deterministic interleaving: job n gets the kind whose cumulative weight band holds n mod 100.
  const total = KINDS.reduce((a, k) => a + k.weight, 0);
  let r = (n * 37) % total;
  for (const k of KINDS) {
    if (r < k.weight) return k;
    r -= k.weight;
  }
  return KINDS[0];
}

/** Why a completed job's result is not the one its program must get, or null. */
function mismatch(kind, n, view) {
  const e = kind.expect;
  const r = view.result;
  if (!r) return 'no result';
  if (r.verdict !== e.verdict) return `verdict ${r.verdict}, expected ${e.verdict}`;
  if (e.stdout && r.run?.stdout !== e.stdout(n)) return `stdout ${JSON.stringify(r.run?.stdout)}, expected ${JSON.stringify(e.stdout(n))}`;
  if (e.exitCode !== undefined && r.run?.exitCode !== e.exitCode) return `exit code ${r.run?.exitCode}`;
  if (e.signal && r.run?.signal !== e.signal) return `signal ${r.run?.signal}`;
  if (e.compileStderr && !String(r.compile?.stderr).includes(e.compileStderr(n))) return "compiler output is not this job's";
  if (e.testStdout && r.tests?.[0]?.run?.stdout !== e.testStdout(n)) return `test output ${JSON.stringify(r.tests?.[0]?.run?.stdout)}`;
  if (e.points !== undefined && r.score?.points !== e.points) return `points ${r.score?.points}`;
  return null;
}

// ---- clients ------------------------------------------------------------------------------------

async function main() {
  p.ensureBuilt();
  const FINAL = new Set(require('@runbox/contract').FINAL_STATUSES);
  const runId = `${process.pid}-${Date.now()}`;
  const redis = await p.startRedis();
  const port = await p.freePort();
  const env = p.serviceEnv(redis.url, port, { LOCK_DURATION_MS: String(LOCK_DURATION_MS) });
  const workers = [p.startWorker(env)];
  const api = p.startApi(env);
  const call = p.client(`http://127.0.0.1:${port}`, CLIENTS * 2);
  let stopped = false;
  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all([api.stop(), workers[workers.length - 1].stop()]);
    await redis.stop();
    p.cleanupHost(env);
  };
  process.on('SIGINT', () => stopAll().then(() => process.exit(130)));

  try {
    await p.waitReady(call);
    // One of each kind first, so the runtimes are warm and the memory figures are after start-up.
    for (const k of KINDS) await call('POST', '/v1/jobs?wait=true', k.job(1_000_000));
    const rss = {
      apiBefore: api.rssKb(),
      workerAtStart: workers[0].rssKb(),
      workersAtKill: /** @type {number[]} */ ([]),
      apiAfter: 0,
      workerAfter: 0,
    };
    console.log(
      `runbox load — ${JOBS} jobs, ${CLIENTS} clients, ${os.availableParallelism()} worker slots, worker SIGKILLed after ${KILL_AT.map((k) => `${k * 100}%`).join(' and ')} of the jobs were accepted (LOCK_DURATION_MS=${LOCK_DURATION_MS})`,
    );

    /**
     * One job as this client tracks it, across retries of its submission (same Idempotency-Key).
     * @typedef {object} TrackedJob
     * @property {number} n
     * @property {(typeof KINDS)[number]} kind
     * @property {Set<string>} ids every id the service answered for it (more than one = duplicated)
     * @property {string | null} id
     * @property {any} view the last job view read (JSON from the service)
     * @property {number} submitMs
     * @property {number} doneMs
     * @property {number} retries
     * @property {string} [error] why it is counted as lost
     */
    /** @type {TrackedJob[]} */
    const jobs = Array.from({ length: JOBS }, (_, n) => ({
      n,
      kind: pickKind(n),
      ids: new Set(),
      id: null,
      view: null,
      submitMs: 0,
      doneMs: 0,
      retries: 0,
    }));
    let nextJob = 0;
    let accepted = 0;
    const kills = [];
    const started = Date.now();

    const killer = (async () => {
      for (const at of KILL_AT) {
        while (accepted < at * JOBS) await p.sleep(20);
        const w = workers[workers.length - 1];
        rss.workersAtKill.push(w.rssKb());
        const t = Date.now();
        await w.kill();
        await p.sleep(1000); // the worker is gone for a second; then a fresh one takes over
        const fresh = p.startWorker(env);
        workers.push(fresh);
        kills.push({ atAccepted: accepted, atS: (t - started) / 1000 });
      }
    })();

    const submitOne = async (job) => {
      const body = job.kind.job(job.n);
      const key = `load-${runId}-${job.n}`;
      job.submitMs = Date.now();
      for (;;) {
        const res = await call('POST', '/v1/jobs?wait=true', body, { 'idempotency-key': key }).catch(() => null);
        if (res && (res.status === 200 || res.status === 202)) {
          if (job.id === null) accepted++;
          job.ids.add(res.body.id);
          job.id = res.body.id;
          job.view = res.body;
          return;
        }
        if (res && res.status < 500 && res.status !== 429)
          throw new Error(`job ${job.n} (${job.kind.kind}) refused: ${res.status} ${JSON.stringify(res.body)}`);
        job.retries++;
        await p.sleep(200);
      }
    };

    const follow = async (job) => {
      while (!FINAL.has(job.view.status)) {
        await p.sleep(200);
        const res = await call('GET', `/v1/jobs/${job.id}`).catch(() => null);
        if (res && res.status === 200) job.view = res.body;
        else if (res && res.status === 404) throw new Error(`job ${job.n} (${job.id}) is unknown: lost`);
        if (Date.now() - job.submitMs > 10 * 60_000) return; // counted as lost below
      }
      job.doneMs = Date.now();
    };

    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (nextJob < JOBS) {
          const job = jobs[nextJob++];
          await submitOne(job);
          await follow(job).catch((e) => (job.error = e.message));
        }
      }),
    );
    await killer;
    const elapsedS = (Date.now() - started) / 1000;
    rss.apiAfter = api.rssKb();
    rss.workerAfter = workers[workers.length - 1].rssKb();

    // Read every accepted job back once more: it must still be there, final, and its own.
    const idOwners = new Map();
    for (const job of jobs) for (const id of job.ids) idOwners.set(id, [...(idOwners.get(id) ?? []), job.n]);
    let lost = 0;
    for (const job of jobs.filter((j) => j.id)) {
      const res = await call('GET', `/v1/jobs/${job.id}`);
      if (res.status !== 200 || !FINAL.has(res.body.status)) {
        lost++;
        job.error = job.error ?? `read back: ${res.status} ${res.body?.status}`;
      } else {
        job.view = res.body;
      }
    }
    const duplicated = jobs.filter((j) => j.ids.size > 1).length + [...idOwners.values()].filter((owners) => owners.length > 1).length;
    const completed = jobs.filter((j) => j.view?.status === 'completed');
    const failed = jobs.filter((j) => j.view?.status === 'failed');
    const unexpected = completed.map((j) => ({ j, why: mismatch(j.kind, j.n, j.view) })).filter((x) => x.why);
    const unexpectedJobs = new Set(unexpected.map((x) => x.j));
    const latencies = jobs
      .filter((j) => j.doneMs)
      .map((j) => j.doneMs - j.submitMs)
      .sort((a, b) => a - b);
    /** @type {Record<string, number>} */
    const reasons = {};
    for (const j of failed) reasons[j.view.error] = (reasons[j.view.error] ?? 0) + 1;

    const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
    console.log(`\nkills: ${kills.map((k) => `at ${k.atS.toFixed(1)} s (${k.atAccepted} accepted)`).join(', ')}`);
    console.log('\nby kind (expected verdict → completed as expected / completed otherwise / failed)');
    for (const k of KINDS) {
      const of = jobs.filter((j) => j.kind === k);
      const ok = of.filter((j) => j.view?.status === 'completed' && !unexpectedJobs.has(j)).length;
      const other = of.filter((j) => unexpectedJobs.has(j)).length;
      console.log(
        `  ${k.kind.padEnd(26)} ${String(of.length).padStart(5)} jobs → ${ok} / ${other} / ${of.filter((j) => j.view?.status === 'failed').length}`,
      );
    }
    console.log('\nresult');
    console.log(
      `  accepted            ${accepted} of ${JOBS} (submits retried after a 5xx or a cut connection: ${jobs.reduce((a, j) => a + j.retries, 0)})`,
    );
    console.log(`  completed           ${completed.length}`);
    console.log(
      `  failed              ${failed.length}${
        failed.length
          ? `  (${Object.entries(reasons)
              .map(([r, c]) => `${c}× ${r}`)
              .join('; ')})`
          : ''
      }`,
    );
    console.log(`  cancelled           ${jobs.filter((j) => j.view?.status === 'cancelled').length}`);
    console.log(`  lost                ${lost}   (must be 0)`);
    console.log(`  duplicated          ${duplicated}   (must be 0)`);
    console.log(`  unexpected results  ${unexpected.length}   (must be 0)`);
    for (const { j, why } of unexpected.slice(0, 10)) console.log(`    job ${j.n} (${j.kind.kind}, ${j.id}): ${why}`);
    console.log(
      `  latency             p50 ${p.percentile(latencies, 50)} ms, p99 ${p.percentile(latencies, 99)} ms, max ${latencies[latencies.length - 1]} ms (submit → final, as the client saw it)`,
    );
    console.log(
      `  throughput          ${(latencies.length / elapsedS).toFixed(1)} jobs/s (${latencies.length} final jobs in ${elapsedS.toFixed(1)} s)`,
    );
    console.log(`  API RSS             ${mb(rss.apiBefore)} before → ${mb(rss.apiAfter)} after`);
    console.log(
      `  worker RSS          ${mb(rss.workerAtStart)} at start; ${rss.workersAtKill.map(mb).join(', ')} when killed; last worker ${mb(rss.workerAfter)} after`,
    );
    const pass = lost === 0 && duplicated === 0 && unexpected.length === 0;
    console.log(`\n${pass ? 'PASS' : 'FAIL'}: lost ${lost}, duplicated ${duplicated}, unexpected ${unexpected.length}`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    await stopAll();
  }
}

main().catch((e) => {
  console.error(`load: ${e.stack || e.message}`);
  process.exit(1);
});
