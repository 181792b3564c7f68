/**
 * The real stack for end-to-end tests: the API application exactly as main.ts builds it
 * (`createApi`), on the test Redis started by global-setup.ts, under a queue prefix of its own so
 * test files never see each other's jobs; optionally a real worker process on the same prefix.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Config, loadConfig } from '@runbox/config';
import { createApi } from '../../apps/api/src/bootstrap';
import { startWorker, type WorkerProcess } from './worker';

export interface StackOptions {
  /** Settings on top of the test defaults (REDIS_URL, QUEUE_PREFIX, LOG_LEVEL=silent). */
  env?: Record<string, string>;
  /** Also start a worker process (needs `npm run build` and the launcher). */
  worker?: boolean;
}

export interface Stack {
  /** The API's HTTP server, for supertest: `request(stack.http)`. */
  http: Server;
  config: Config;
  app: NestExpressApplication;
  /** The environment both processes were given. */
  env: Record<string, string>;
  worker: WorkerProcess | null;
  stop(): Promise<void>;
}

export function testRedisUrl(): string {
  const url = process.env.RUNBOX_TEST_REDIS_URL;
  if (!url) throw new Error('RUNBOX_TEST_REDIS_URL is not set: run the e2e project (its globalSetup starts redis-server)');
  return url;
}

/** A prefix no other test file (or earlier run) uses. */
export const uniquePrefix = () => `test-${process.pid}-${randomBytes(4).toString('hex')}`;

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env: Record<string, string> = { REDIS_URL: testRedisUrl(), QUEUE_PREFIX: uniquePrefix(), LOG_LEVEL: 'silent', ...opts.env };
  const config = loadConfig(env);
  const app = await createApi(config);
  let worker: WorkerProcess | null = null;
  try {
    if (opts.worker) worker = await startWorker(env);
  } catch (e) {
    await app.close();
    throw e;
  }
  return {
    http: app.getHttpServer(),
    config,
    app,
    env,
    worker,
    async stop() {
      await worker?.stop();
      await app.close();
    },
  };
}
