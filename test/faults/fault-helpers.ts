/**
 * What the fault tests share: submitting jobs and following them to their end through the
 * public API.
 */
import type { Server } from 'node:http';
import request from 'supertest';
import { FINAL_STATUSES, type JobView } from '@runbox/contract';
import { startStack, type Stack } from '../support/stack';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stack with a worker, its rate limit out of the way of `until`'s polling (10 reads a second). */
export const startFaultStack = (env: Record<string, string> = {}): Promise<Stack> =>
  startStack({ worker: true, env: { RATE_LIMIT_PER_MIN: '100000', ...env } });

/** A bash job that takes `seconds` and then prints its tag, so a re-run is told apart from a mix-up. */
export const sleeper = (tag: string, seconds: number) => ({
  language: 'bash',
  source: `sleep ${seconds}; echo ${tag}`,
  limits: { wallTimeMs: Math.max(5000, seconds * 1000 + 5000), cpuTimeMs: 1000 },
});

/** Queues a job (202) and returns its id. */
export async function submit(http: Server | string, body: object): Promise<string> {
  const res = await request(http).post('/v1/jobs').send(body);
  if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** The views of `ids`, read in one GET ?ids= (every id must be known). */
async function views(http: Server | string, ids: readonly string[]): Promise<JobView[]> {
  const res = await request(http).get(`/v1/jobs?ids=${ids.join(',')}`);
  if (res.status !== 200) throw new Error(`GET ?ids= answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.jobs as JobView[];
}

/** Polls until `pred` holds for the views of `ids`, or throws after `timeoutMs` with what it saw. */
export async function until(
  http: Server | string,
  ids: readonly string[],
  pred: (jobs: JobView[]) => boolean,
  timeoutMs: number,
  what: string,
): Promise<JobView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await views(http, ids);
    if (jobs.length === ids.length && pred(jobs)) return jobs;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not after ${timeoutMs} ms; saw ${JSON.stringify(jobs.map((j) => ({ id: j.id, status: j.status })))}`);
    }
    await sleep(100);
  }
}

export const allFinal = (jobs: JobView[]) => jobs.every((j) => FINAL_STATUSES.includes(j.status));
export const running = (n: number) => (jobs: JobView[]) => jobs.filter((j) => j.status === 'running').length >= n;
