// floor.js — the least the service's architecture can cost, as a reference for bench.js: the
// same two processes and one Redis, with nothing of runbox's in them.
//   node floor.js api    — a bare node:http server: POST /run parses the JSON body, adds a BullMQ
//                          job and answers when the job's end is published (one pub/sub
//                          subscription per process, as the API's JobEvents); no NestJS, no
//                          validation, no auth, rate limit, admission, logging or metrics.
//   node floor.js worker — a bare BullMQ Worker (concurrency = slots) running each job in the
//                          bench's serve-mode slots (./slots.js: a fresh box per run, as the
//                          worker writes it) and publishing the job's end with its result.
// Settings come from the environment: REDIS_URL, QUEUE, PORT (api); LANGUAGE, STDOUT (what every
// run must print) and SLOTS (worker).
// Whatever the service spends above this floor is its own; what the floor spends above the
// launcher alone is the architecture's (HTTP, a queue hop, a second process).
'use strict';

const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { Queue, Worker } = require('bullmq');
const { Redis } = require('ioredis');

/** A setting bench.js passes (openFloor); the process is useless without it. */
const setting = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`floor.js: ${name} is not set (run by bench.js)`);
  return value;
};
const REDIS_URL = setting('REDIS_URL');
const QUEUE = setting('QUEUE');
const END_CHANNEL = `${QUEUE}:end`;
const u = new URL(REDIS_URL);
const connection = { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null };
const jobOptions = { removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } };

function api() {
  const queue = new Queue(QUEUE, { connection });
  const subscriber = new Redis(REDIS_URL);
  const waiting = new Map();
  subscriber.subscribe(END_CHANNEL);
  subscriber.on('message', (_channel, message) => {
    const space = message.indexOf(' ');
    const answer = waiting.get(message.slice(0, space));
    if (answer) answer(message.slice(space + 1));
  });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const id = randomUUID();
      waiting.set(id, (view) => {
        waiting.delete(id);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(view) });
        res.end(view);
      });
      queue.add('run', JSON.parse(Buffer.concat(chunks).toString()), { ...jobOptions, jobId: id }).catch((e) => {
        waiting.delete(id);
        res.writeHead(500).end(e.message);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

function worker() {
  const { openSlots } = require('./slots');
  const prog = { name: 'floor', language: setting('LANGUAGE'), stdout: setting('STDOUT') };
  const pool = openSlots(prog, Number(process.env.SLOTS), 'serve');
  const free = [...pool.slots];
  const publisher = new Redis(REDIS_URL);
  const w = new Worker(
    QUEUE,
    async (job) => {
      const slot = /** @type {(typeof free)[number]} */ (free.shift()); // never empty: concurrency = slots
      try {
        await pool.run(slot, job.data.source); // throws unless it exited 0 printing prog.stdout
        return { exitCode: 0, stdout: prog.stdout };
      } finally {
        free.push(slot);
      }
    },
    { connection, concurrency: free.length },
  );
  w.on('completed', (job) => {
    const view = JSON.stringify({ id: job.id, status: 'completed', result: { run: job.returnvalue } });
    publisher.publish(END_CHANNEL, `${job.id} ${view}`);
  });
  process.on('SIGTERM', async () => {
    await w.close();
    await pool.close();
    process.exit(0);
  });
}

if (process.argv[2] === 'api') api();
else if (process.argv[2] === 'worker') worker();
else throw new Error('usage: node floor.js api|worker');
