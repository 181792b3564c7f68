// drain.js — the e2e bench's `drain` phase (issue 13: a queue of 10,000 jobs drains at full
// speed with the API's and the worker's memory flat), used by bench.js: 10,000 bash `echo hi`
// jobs submitted as fast as POST /v1/jobs/batch takes them, then followed to the last one. The
// queue is first in, first out, so the 5,000th job's end marks the half. Prints jobs/s over each
// half (full speed throughout: the second half as fast as the first, with 5,000 fewer queued),
// and the resident memory of the API, the worker and Redis at the start, once all are queued, at
// 5,000 and at the end
// (Redis keeps every finished job for its retention period: its growth is the results').
'use strict';

const fs = require('node:fs');
const p = require('./processes');
const { f1 } = require('./measured');

const JOBS = 10_000;
/** Jobs per POST /v1/jobs/batch (the server's default MAX_BATCH). */
const BATCH = 50;
const PROGRAM = { language: 'bash', source: 'echo hi', stdout: 'hi\n' };

const rssMb = (pid) => {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** Resolves when job `id` has ended; throws if it did not complete with the program's output. */
async function ended(call, id) {
  for (;;) {
    const { body: job } = await call('GET', `/v1/jobs/${id}`);
    if (job.status === 'completed') {
      if (job.result.run.stdout !== PROGRAM.stdout) throw new Error(`drain: job ${id} printed ${JSON.stringify(job.result.run.stdout)}`);
      return Date.parse(job.finishedAt);
    }
    if (job.status !== 'queued' && job.status !== 'running') throw new Error(`drain: job ${id} ${JSON.stringify(job).slice(0, 300)}`);
    await p.sleep(100);
  }
}

/** `pids` = { api, worker, redis }. */
async function drainPhase(call, pids) {
  const sample = (at) => ({ at, ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, rssMb(pid)])) });
  const samples = [sample('start')];
  const ids = [];
  const started = Date.now();
  for (let n = 0; n < JOBS; n += BATCH) {
    const jobs = Array.from({ length: Math.min(BATCH, JOBS - n) }, () => ({ language: PROGRAM.language, source: PROGRAM.source }));
    const res = await call('POST', '/v1/jobs/batch', { jobs });
    if (res.status !== 202) throw new Error(`drain: batch answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    ids.push(...res.body.ids);
  }
  const submittedMs = Date.now() - started;
  samples.push(sample('queued'));
  const halfAt = await ended(call, ids[JOBS / 2 - 1]);
  samples.push(sample(`${JOBS / 2}`));
  const endAt = await ended(call, ids[JOBS - 1]);
  samples.push(sample('end'));
  // Every job, checked once drained (the last one ending does not prove the others did).
  let completed = 0;
  for (let i = 0; i < JOBS; i += BATCH) {
    const { body } = await call('GET', `/v1/jobs?ids=${ids.slice(i, i + BATCH).join(',')}`);
    completed += body.jobs.filter((j) => j.status === 'completed' && j.result.run.stdout === PROGRAM.stdout).length;
  }
  return {
    submittedMs,
    firstHalf: (JOBS / 2 / (halfAt - started)) * 1000,
    secondHalf: (JOBS / 2 / (endAt - halfAt)) * 1000,
    total: (JOBS / (endAt - started)) * 1000,
    completed,
    samples,
  };
}

function printDrain(r) {
  console.log(
    `\ndrain: ${JOBS} bash echo jobs submitted in batches of ${BATCH} (all queued after ${f1(r.submittedMs / 1000)} s), then drained`,
  );
  console.log(
    `  jobs/s: first ${JOBS / 2} ${f1(r.firstHalf)} · last ${JOBS / 2} ${f1(r.secondHalf)} · overall ${f1(r.total)}; completed with the right output: ${r.completed}/${JOBS}`,
  );
  console.log('  RSS, MB:');
  for (const s of r.samples) console.log(`    ${s.at.padEnd(6)} api ${f1(s.api)} · worker ${f1(s.worker)} · redis ${f1(s.redis)}`);
}

module.exports = { drainPhase, printDrain };
