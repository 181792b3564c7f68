/**
 * Piston's request bodies. Piston itself refuses anything but `application/json` (415), yet
 * `piston-client`, the JavaScript client on npm, posts its JSON as a plain string, which
 * node-fetch labels `text/plain;charset=UTF-8`. Both are taken: the body readers (http/body.ts)
 * give a text/plain body as its string, which `pistonJson` reads as JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import { PistonBadRequest } from './piston.errors';

/** Piston's 415, before anything else looks at the request (as Piston's own middleware does). */
@Injectable()
export class PistonContentType implements NestMiddleware<IncomingMessage, ServerResponse> {
  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? '')) return next();
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('application/json') || type.startsWith('text/plain')) return next();
    res.writeHead(415, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ message: 'requests must be of type application/json' }));
  }
}

/** The body as JSON: a text/plain body arrives as its string. */
export function pistonJson(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new PistonBadRequest('the request body is not valid JSON');
  }
}
