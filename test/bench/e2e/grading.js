// grading.js — the e2e bench's `grading` phase (issue 13, graded jobs in parallel), used by
// bench.js: one 20-test Python job at a time, on an otherwise idle worker with 2 slots (its tests
// run on both: apps/worker/src/run/lanes.ts) against the same job on a worker with 1 slot (one
// test after another, the serial time), side by side in this process, round after round. Each
// stack (API + worker) has its own prefix, workspace, uids and cgroup folder on the bench's Redis.
// Prints the job's time on 2 slots as a ratio of its serial time (target ≤ 0.6 in every round)
// and the CPU time per test on each side (the kernel's figure, from the tests' runs).
'use strict';

const os = require('node:os');
const path = require('node:path');
const p = require('./processes');
const { f2, spread } = require('./measured');

const TESTS = 20;
const SOURCE = 'n = int(input())\nprint(sum(i * i for i in range(n)))';
/** Sizes that keep each test busy for some tens of ms, each with its own answer. */
const sizes = Array.from({ length: TESTS }, (_, i) => 300_000 + i);
const answer = (n) => `${((BigInt(n) - 1n) * BigInt(n) * (2n * BigInt(n) - 1n)) / 6n}\n`;
const JOB = {
  language: 'python',
  source: SOURCE,
  tests: sizes.map((n, i) => ({ name: `t${i}`, stdin: `${n}\n`, expectedOutput: answer(n), points: 1 })),
};

/** An API and a worker with `slots` slots, on the bench's Redis, under a prefix and host folders of their own. */
async function startStack(redisUrl, slots, n) {
  const tag = `bench-${process.pid}-grading-${slots}`;
  const port = await p.freePort();
  const env = p.serviceEnv(redisUrl, port, {
    WORKER_SLOTS: String(slots),
    QUEUE_PREFIX: tag,
    WORKSPACE_DIR: path.join(os.tmpdir(), `runbox-${tag}`, 'slots'),
    WORKER_UID_BASE: String(73000 + n * 8 + (process.pid % 500) * 16),
    CGROUP_PARENT: `runbox-${tag}`,
  });
  const worker = p.startWorker(env);
  const api = p.startApi(env);
  const call = p.client(`http://127.0.0.1:${port}`, 4);
  await p.waitReady(call);
  return {
    call,
    async stop() {
      await Promise.all([api.stop(), worker.stop()]);
      p.cleanupHost(env);
    },
  };
}

/** One job on `stack`, checked: its run time (the job's own timestamps) and its tests' CPU time. */
async function gradeOnce(stack) {
  const res = await stack.call('POST', '/v1/jobs?wait=true', JOB);
  const job = res.body;
  if (res.status !== 200 || job.status !== 'completed' || job.result.verdict !== 'ok' || job.result.tests.length !== TESTS)
    throw new Error(`grading: unexpected answer ${res.status} ${JSON.stringify(job).slice(0, 400)}`);
  if (job.result.tests.some((t, i) => t.name !== `t${i}`)) throw new Error('grading: tests out of order');
  const cpuMs = job.result.tests.map((t) => t.run.cpuTimeMs);
  return {
    runMs: Date.parse(job.finishedAt) - Date.parse(job.startedAt),
    cpuPerTestMs: cpuMs.reduce((a, b) => a + b, 0) / TESTS,
  };
}

async function gradingPhase(redisUrl, rounds) {
  const serial = await startStack(redisUrl, 1, 0);
  const parallel = await startStack(redisUrl, 2, 1);
  const results = [];
  try {
    for (const s of [serial, parallel]) await gradeOnce(s); // warm
    for (let r = 0; r < rounds; r++) {
      // Alternated, so the VM's drift within a round touches both alike.
      const one = await gradeOnce(serial);
      const two = await gradeOnce(parallel);
      results.push({ one, two });
    }
  } finally {
    await Promise.all([serial.stop(), parallel.stop()]);
  }
  return results;
}

function printGrading(results) {
  const ratios = results.map((x) => x.two.runMs / x.one.runMs);
  const cpu = results.map((x) => x.two.cpuPerTestMs / x.one.cpuPerTestMs);
  const worst = Math.max(...ratios);
  console.log(`\ngrading: a ${TESTS}-test Python job, one at a time, on an idle worker with 2 slots against 1 slot (serial), same process`);
  console.log(
    `  job run time (its own timestamps), ms: 1 slot ${spread(results.map((x) => x.one.runMs))} · 2 slots ${spread(results.map((x) => x.two.runMs))}`,
  );
  console.log(
    `  2 slots / serial ${spread(ratios, f2)}× (target ≤ 0.60: ${worst <= 0.6 ? 'met' : 'MISSED'} in its worst round, ${f2(worst)}×)`,
  );
  console.log(
    `  CPU per test, ms: 1 slot ${spread(results.map((x) => x.one.cpuPerTestMs))} · 2 slots ${spread(results.map((x) => x.two.cpuPerTestMs))} · ratio ${spread(cpu, f2)}×`,
  );
}

module.exports = { gradingPhase, printGrading };
