/**
 * A real redis-server for tests: private loopback port, its own data folder, optional AOF
 * (the fault tests take it down and up again and check nothing was lost).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
  /** Stops the server (SIGTERM: a clean shutdown; SIGKILL: a crash), keeping its data folder. */
  down(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts a stopped server again on the same port and data folder. */
  up(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string, appendOnly: boolean): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        appendOnly ? 'yes' : 'no',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)));
  });
}

export async function startRedis(opts: { appendOnly?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'runbox-redis-'));
  let child = await launch(port, dir, opts.appendOnly ?? false);
  const stopChild = (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
    down: (signal) => stopChild(signal),
    async up() {
      child = await launch(port, dir, opts.appendOnly ?? false);
    },
  };
}
