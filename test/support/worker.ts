/**
 * A real worker process (apps/worker/dist/main.js: the same entry point production runs) for
 * end-to-end tests. It is a child process so tests can SIGKILL or SIGTERM it like an operator
 * or a crash would. Ready once its heartbeat is in Redis.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { asWorkerUser, type WorkerUser } from './rootless';

export interface WorkerProcess {
  /** The worker's own pid (a rootless worker's: inside its namespace, the heartbeat's). */
  pid: number;
  /** SIGTERM and wait for the drain to finish. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');

/** `as`: run it as that user inside its delegated cgroup (test/support/rootless.ts). */
export async function startWorker(env: Record<string, string>, as?: { user: WorkerUser; mode: 'v1' | 'v2' }): Promise<WorkerProcess> {
  const argv = [process.execPath, resolve(ROOT, 'apps/worker/dist/main.js')];
  const [cmd, args] = as ? asWorkerUser(argv, as.user, env.CGROUP_PARENT!, as.mode) : [argv[0]!, argv.slice(1)];
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

  const redis = new Redis(env.REDIS_URL!, { maxRetriesPerRequest: 1 });
  let pid: number;
  try {
    const deadline = Date.now() + 60_000;
    // A rootless worker heartbeats from its second process, inside its namespace: any pid then,
    // but only a heartbeat that was not there before it started.
    const pattern = `${env.QUEUE_PREFIX}:worker:*:${as ? '*' : child.pid}`;
    const before = new Set(await redis.keys(pattern));
    for (;;) {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${out}`);
      const fresh = (await redis.keys(pattern)).find((k) => !before.has(k));
      if (fresh) {
        pid = Number(fresh.split(':').pop());
        break;
      }
      if (Date.now() > deadline) throw new Error(`worker not ready after 60 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    redis.disconnect();
  }

  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { pid, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
