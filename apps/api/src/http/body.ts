/**
 * How request bodies are read: JSON, and plain text as a string, both within BODY_LIMIT_BYTES;
 * nothing else is read at all, so a form post or an upload reaches a handler as no body (400
 * "body must be a JSON object" on /v1) instead of being taken for a job. The two errors are ours,
 * so ProblemFilter words them (the limit in the message) and no parser's wording leaks out.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The body was larger than the server reads. */
export class BodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`the request body is larger than ${limitBytes} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** A body labelled JSON that is not JSON. */
export class BodyNotJson extends Error {
  constructor() {
    super('the request body is not valid JSON');
    this.name = 'BodyNotJson';
  }
}

type Payload = FastifyRequest['raw'];

/** The whole body as text, refused as soon as it (or its announced length) passes `limit`. */
export function readText(req: FastifyRequest, payload: Payload, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length']) > limit) return reject(new BodyTooLarge(limit));
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = (e?: Error) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', done);
      payload.removeListener('error', done);
      if (e) reject(e);
      else resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, bytes).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      // Fastify answers a parser's error with `Connection: close`, so the rest is never read.
      if (bytes > limit) done(new BodyTooLarge(limit));
      else chunks.push(chunk);
    };
    payload.on('data', onData);
    payload.on('end', done);
    payload.on('error', done);
  });
}

/**
 * JSON by the rules the API has always read it with (body-parser's): an empty body is `{}`, and
 * only an object or an array is JSON here (a bare `"x"` or `12` is refused as not JSON).
 * `__proto__` stays an own key (JSON.parse), for the validation pipe to refuse by name.
 */
export function parseJson(text: string): unknown {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[') throw new BodyNotJson();
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyNotJson();
  }
}

export function registerBodyParsers(fastify: FastifyInstance, limitBytes: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', async (req: FastifyRequest, payload: Payload) =>
    parseJson(await readText(req, payload, limitBytes)),
  );
  // Piston's JavaScript client labels its JSON text/plain (compat/piston parses the string).
  fastify.addContentTypeParser('text/plain', (req: FastifyRequest, payload: Payload) => readText(req, payload, limitBytes));
  // Anything else is left unread: the handler sees no body.
  fastify.addContentTypeParser('*', (_req: FastifyRequest, _payload: Payload, done: (e: Error | null, body?: unknown) => void) => {
    done(null, undefined);
  });
}
