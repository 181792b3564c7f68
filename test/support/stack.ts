/**
 * The real stack for end-to-end tests: the API application exactly as main.ts builds it
 * (`createApi`), on the test Redis started by global-setup.ts, under a queue prefix of its own so
 * test files never see each other's jobs; optionally a real worker process on the same prefix.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Config, loadConfig } from '@runbox/config';
import { createApi } from '../../apps/api/src/bootstrap';
import { cgroupLayout, sweepCgroups, type SandboxHost } from './host-state';
import { delegateCgroup, workerUser } from './rootless';
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
  app: NestFastifyApplication;
  /** The environment both processes were given. */
  env: Record<string, string>;
  worker: WorkerProcess | null;
  /** Where the worker's sandboxes live on this host (uids, workspace, cgroup parent). */
  sandboxHost: SandboxHost;
  stop(): Promise<void>;
}

let stacks = 0;

/**
 * A worker unmounts its slots' workspaces when it drains; one killed by a test (SIGKILL) cannot,
 * and its successor on the same folder reuses them. When the test stack ends, nothing of it may
 * stay mounted on the host.
 */
function removeWorkspaces(config: Config): void {
  const dir = config.worker.workspaceDir;
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && m.startsWith(`${dir}/`));
  for (const m of mounted) execFileSync(config.worker.launcherPath, [`--workspace-unmount=${m}`]);
  rmSync(dirname(dir), { recursive: true, force: true });
  // a rootless v2 worker's leaf (native/README.md "Rootless worker"), empty once it has exited
  for (const { path } of cgroupLayout(config.worker).hierarchies) if (existsSync(`${path}/worker`)) rmdirSync(`${path}/worker`);
  // the (now empty) cgroup folder of the stack, in whichever hierarchies it was made
  sweepCgroups(config.worker, true);
}

/**
 * Worker settings of a test stack: its own workspace folder and its own uid range, so stacks
 * (and a developer's own `npm start`) never share a slot.
 */
function workerEnv(): Record<string, string> {
  const n = stacks++;
  // A rootless worker's slots take ids of its user's subordinate range.
  const base = workerUser()?.subFirst ?? 61_000;
  return {
    WORKER_SLOTS: '2',
    WORKER_UID_BASE: String(base + (((process.pid % 500) * 8 + n * 2) % 4000)),
    WORKSPACE_DIR: `/tmp/runbox-test-${process.pid}-${n}/slots`,
    // its own cgroup folder too, so host-state checks count only this stack's sandboxes
    CGROUP_PARENT: `runbox-test-${process.pid}-${n}`,
    LOCK_DURATION_MS: '5000',
    SHUTDOWN_GRACE_MS: '5000',
  };
}

export function testRedisUrl(): string {
  const url = process.env.RUNBOX_TEST_REDIS_URL;
  if (!url) throw new Error('RUNBOX_TEST_REDIS_URL is not set: run the e2e project (its globalSetup starts redis-server)');
  return url;
}

/** A prefix no other test file (or earlier run) uses. */
export const uniquePrefix = () => `test-${process.pid}-${randomBytes(4).toString('hex')}`;

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env: Record<string, string> = {
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: uniquePrefix(),
    LOG_LEVEL: 'silent',
    ...workerEnv(),
    ...opts.env,
  };
  const config = loadConfig(env);
  const app = await createApi(config);
  const user = opts.worker ? workerUser() : null;
  let worker: WorkerProcess | null = null;
  try {
    if (user) {
      delegateCgroup(config.worker.launcherPath, config.worker.cgroupParent, user);
      worker = await startWorker(env, { user, mode: cgroupLayout(config.worker).mode });
    } else if (opts.worker) worker = await startWorker(env);
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
    // a rootless worker's workspaces are mounted in its own namespace
    sandboxHost: user && worker ? { ...config.worker, mountView: worker.pid } : config.worker,
    async stop() {
      await worker?.stop();
      await app.close();
      if (opts.worker) removeWorkspaces(config);
    },
  };
}
