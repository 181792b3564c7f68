import { hostname } from 'node:os';

/** This worker process, as its heartbeat and its logs name it: `<host>:<pid>`. */
export const WORKER_ID = `${hostname()}:${process.pid}`;
