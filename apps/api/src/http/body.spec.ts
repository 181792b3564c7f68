import { PassThrough } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { BodyNotJson, BodyTooLarge, parseJson, readText } from './body';

/** A request whose body arrives in `chunks`, with the Content-Length it announces. */
function request(chunks: string[], contentLength?: number) {
  const payload = new PassThrough();
  const req = { headers: contentLength === undefined ? {} : { 'content-length': String(contentLength) } } as FastifyRequest;
  setImmediate(() => {
    for (const c of chunks) payload.write(c);
    payload.end();
  });
  return { req, payload: payload as unknown as FastifyRequest['raw'] };
}

describe('parseJson', () => {
  it.each([
    ['{"a":1}', { a: 1 }],
    [' [1] ', [1]],
    ['', {}],
    ['  \n', {}],
  ])('%j → %j', (text, value) => expect(parseJson(text)).toEqual(value));

  it.each(['"x"', '12', 'null', '{"a":', 'language=python'])('refuses %j', (text) => expect(() => parseJson(text)).toThrow(BodyNotJson));

  it('keeps __proto__ as an own key, not as the prototype', () => {
    const body = parseJson('{"__proto__":{"admin":true}}') as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('readText', () => {
  it('joins the chunks', async () => {
    const { req, payload } = request(['{"a":', '"é"}']);
    await expect(readText(req, payload, 100)).resolves.toBe('{"a":"é"}');
  });

  it('refuses a body past the limit while it arrives', async () => {
    const { req, payload } = request(['x'.repeat(60), 'x'.repeat(60)]);
    await expect(readText(req, payload, 100)).rejects.toEqual(new BodyTooLarge(100));
  });

  it('refuses an announced length past the limit before reading', async () => {
    const { req, payload } = request([], 101);
    await expect(readText(req, payload, 100)).rejects.toThrow('larger than 100 bytes');
  });
});
