/**
 * One POST (or PUT) of a callback, through the SSRF guard. node:http(s) rather than fetch because only
 * they take a `lookup` hook, which is what ties the connection to the checked address. No
 * redirects are followed (a 3xx is a failed attempt), no connection is reused, and the whole
 * exchange, connect to last byte, is bounded by one timer.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, systemResolver, type Resolver } from './guarded-lookup';
import { DestinationRefused, urlProblem, type AllowEntry } from './ssrf';

export interface PostOptions {
  /** POST unless given. */
  method?: 'POST' | 'PUT';
  allow: readonly AllowEntry[];
  headers: Record<string, string>;
  timeoutMs: number;
  resolve?: Resolver;
}

export interface PostAnswer {
  statusCode: number;
  /** The start of the receiver's answer, for the delivery record. */
  bodyStart: string;
}

/** Bytes of the answer kept; the rest is read and dropped. */
const BODY_START_BYTES = 512;

export function postJson(url: string, body: string, opts: PostOptions): Promise<PostAnswer> {
  const problem = urlProblem(url, opts.allow);
  if (problem) return Promise.reject(new DestinationRefused(`callback URL ${problem}`));
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostAnswer>((resolve, reject) => {
    const req = request({
      method: opts.method ?? 'POST',
      protocol: u.protocol,
      // An address literal never reaches `lookup` (Node connects to it directly): urlProblem checked it above.
      hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: u.port || undefined,
      path: `${u.pathname}${u.search}`,
      headers: { ...opts.headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: false,
      lookup: guardedLookup(opts.allow, opts.resolve ?? systemResolver),
    });
    const timer = setTimeout(() => {
      const err = new Error(`no complete answer within ${opts.timeoutMs} ms`);
      req.destroy(err);
      reject(err); // also when the answer had started: its stream may end without an event
    }, opts.timeoutMs);
    const done = (fn: () => void) => {
      clearTimeout(timer);
      fn();
    };
    req.once('error', (err) => done(() => reject(err)));
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (c: Buffer) => {
        if (kept < BODY_START_BYTES) chunks.push(c.subarray(0, BODY_START_BYTES - kept));
        kept += c.length;
      });
      res.once('end', () => done(() => resolve({ statusCode: res.statusCode ?? 0, bodyStart: Buffer.concat(chunks).toString('utf8') })));
      res.once('error', (err) => done(() => reject(err)));
    });
    req.end(body);
  });
}
