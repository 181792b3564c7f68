/**
 * Jobs through the real stack, for the suites that run programs: one submission that waits for
 * the end (POST /v1/jobs?wait=true), checked to have answered 200 with a completed job.
 */
import type { Server } from 'node:http';
import request from 'supertest';

/** Submits `body` and waits for it: the answer must be 200 with the completed job, which it gives (the HTTP body). */
export async function runJob(http: Server, body: object): Promise<any> {
  const res = await request(http).post('/v1/jobs?wait=true').send(body);
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('completed');
  return res.body;
}
