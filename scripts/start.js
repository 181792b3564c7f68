#!/usr/bin/env node
// `npm start`: the whole service on one machine. Without REDIS_URL it starts a private
// redis-server (AOF on, data under .runbox/redis, port RUNBOX_REDIS_PORT or 6390, loopback only),
// then one API and one worker pointed at it. SIGINT/SIGTERM stop everything in order:
// API and worker first (the worker drains its jobs), Redis last.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const path = require('node:path');
const { buildIfMissing, NODE_ARGS, redisServerArgs, waitForPort } = require('./local-redis');

const root = path.resolve(__dirname, '..');
const say = (msg) => console.log(`[runbox] ${msg}`);
const children = [];
let stopping = false;

function ensureBuilt() {
  const status = buildIfMissing(root, say);
  if (status !== 0) process.exit(status);
}

function start(name, cmd, args, env) {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping the rest`);
      stop(1);
    }
  });
  children.push({ name, child });
  return child;
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.error('[runbox] redis-server is not installed: run `npm run setup`, or set REDIS_URL to an existing Redis');
    process.exit(1);
  }
  const port = Number(process.env.RUNBOX_REDIS_PORT || 6390);
  const dir = path.join(root, '.runbox', 'redis');
  mkdirSync(dir, { recursive: true });
  start('redis', 'redis-server', redisServerArgs(port, dir));
  await waitForPort(port, 15_000);
  say(`private Redis on 127.0.0.1:${port} (AOF in ${path.relative(root, dir)})`);
  return `redis://127.0.0.1:${port}`;
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  const redis = children.find((c) => c.name === 'redis');
  const rest = children.filter((c) => c !== redis);
  await Promise.all(rest.map(({ child }) => terminate(child)));
  if (redis) await terminate(redis.child);
  process.exit(code);
}

function terminate(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function main() {
  ensureBuilt();
  const redisUrl = process.env.REDIS_URL || (await startRedis());
  const env = { REDIS_URL: redisUrl };
  if (process.getuid && process.getuid() !== 0) {
    // Not root: the worker is rootless (README "Rootless worker"), its slots in this checkout.
    say('not root: the worker runs rootless (a delegated cgroup and subordinate ids: README "Rootless worker")');
    env.WORKSPACE_DIR = process.env.WORKSPACE_DIR || path.join(root, '.runbox', 'slots');
  }
  start('worker', process.execPath, [...NODE_ARGS, path.join(root, 'apps/worker/dist/main.js')], env);
  start('api', process.execPath, [...NODE_ARGS, path.join(root, 'apps/api/dist/main.js')], env);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stop(0));
}

main().catch((e) => {
  console.error(`[runbox] ${e.message}`);
  stop(1);
});
