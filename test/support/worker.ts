/**
 * A real worker process (apps/worker/dist/main.js: the same entry point production runs) for
 * end-to-end tests. It is a child process so tests can SIGKILL or SIGTERM it like an operator
 * or a crash would. Ready once its heartbeat is in Redis.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';

export interface WorkerProcess {
  /** SIGTERM and wait for the drain to finish. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

const ROOT = resolve(__dirname, '../..');

export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [resolve(ROOT, 'apps/worker/dist/main.js')], {
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
  try {
    const deadline = Date.now() + 60_000;
    const pattern = `${env.QUEUE_PREFIX}:worker:*:${child.pid}`;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${out}`);
      if ((await redis.keys(pattern)).length > 0) break;
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
  return { stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}
