/**
 * The API on its own, for the suites that test it without a worker (api-*.e2e-spec.ts): real
 * Redis and the production bootstrap, with caps small enough to reach in a request, so every
 * refusal can be provoked. Each suite gets a stack (and queue prefix) of its own.
 */
import { Redis } from 'ioredis';
import request from 'supertest';
import { startStack, testRedisUrl, type Stack } from './stack';

/** Caps small enough that a test can go one past each of them. */
export const CAPS = {
  MAX_FILES: '3',
  MAX_FILE_BYTES: '1000',
  MAX_STDIN_BYTES: '100',
  MAX_ARGS: '4',
  MAX_ARG_BYTES: '10',
  MAX_TESTS: '3',
  MAX_BATCH: '3',
  MAX_MEMORY_MB: '512',
  BODY_LIMIT_BYTES: '20000',
  WAIT_MAX_MS: '300',
};
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
/** A job every check accepts. */
export const GOOD_JOB = { language: 'python', source: 'print(input())', stdin: 'hi\n' };
/** The fields of a job request (POST /v1/jobs), as the OpenAPI document must list them. */
export const JOB_REQUEST_FIELDS = [
  'language',
  'source',
  'files',
  'stdin',
  'args',
  'limits',
  'tests',
  'checker',
  'stopOnFirstFailure',
  'callbackUrl',
];

export interface ApiAlone {
  /** The stack and a Redis client of the test's own: valid inside tests and hooks, once started. */
  readonly stack: Stack;
  readonly redis: Redis;
  http: () => ReturnType<typeof request>;
  /** runbox_jobs_finished_total{status, verdict} as /metrics shows it now (0 when absent). */
  finishedCount: (status: string, verdict: string) => Promise<number>;
}

/** Starts the API (settings `env` on top of CAPS) before the suite's tests and stops it after them. */
export function useApiAlone(env: Record<string, string> = {}): ApiAlone {
  let stack: Stack | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    stack = await startStack({ env: { ...CAPS, ...env } });
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the API is not started yet (use it inside tests and hooks)');
    return v;
  };
  const api: ApiAlone = {
    get stack() {
      return started(stack);
    },
    get redis() {
      return started(redis);
    },
    http: () => request(api.stack.http),
    finishedCount: async (status, verdict) => {
      const metrics = (await api.http().get('/metrics')).text;
      const m = new RegExp(`^runbox_jobs_finished_total\\{status="${status}",verdict="${verdict}"\\} (\\d+)$`, 'm').exec(metrics);
      return m ? Number(m[1]) : 0;
    },
  };
  return api;
}
