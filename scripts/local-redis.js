// local-redis.js — what `npm start` (scripts/start.js) and the benchmarks (test/bench/e2e/processes.js)
// share to run the service on one machine: the redis-server flags of a private Redis (loopback only,
// AOF everysec, no RDB snapshots, noeviction as BullMQ requires), a wait until something listens on a
// loopback port, the build outputs that must exist before the API and the worker can start, and the
// node options they run with.
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

/**
 * Node options the API and worker processes run with (`npm start`, the benchmarks; the same flag
 * is written out in package.json's start:api and start:worker, the docker images and the README's
 * production commands). A larger young generation means fewer
 * scavenges of the short-lived objects every job leaves: in bench:e2e's setting it cut the API's
 * and the worker's CPU per job by about 8%.
 */
const NODE_ARGS = Object.freeze(['--max-semi-space-size=32']);

/** Built files the API and worker processes run from (missing ones mean `npm run build` first). */
const BUILD_OUTPUTS = ['apps/api/dist/main.js', 'apps/worker/dist/main.js', 'native/build/runbox-launcher'];

/** Runs `npm run build` in `root` when a build output is missing (telling `say` why); its exit status, 0 if nothing was missing. */
function buildIfMissing(root, say) {
  const missing = BUILD_OUTPUTS.filter((f) => !existsSync(path.join(root, f)));
  if (missing.length === 0) return 0;
  say(`building (missing: ${missing.join(', ')})`);
  return spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status ?? 1;
}

/** redis-server arguments for a private Redis on 127.0.0.1:`port` keeping its AOF in `dir`. */
function redisServerArgs(port, dir) {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
}

/** Resolves once 127.0.0.1:`port` accepts a connection (tried every 100 ms); rejects after `timeoutMs`. */
function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      const attempt = () => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve()));
        s.once('error', () => {
          s.destroy();
          if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`));
          else setTimeout(attempt, 100);
        });
      };
      attempt();
    })
  );
}

module.exports = { buildIfMissing, NODE_ARGS, redisServerArgs, waitForPort };
