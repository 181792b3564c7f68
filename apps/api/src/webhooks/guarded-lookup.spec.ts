/**
 * The resolver hook, with a fake resolver: no DNS, and no connection to any address. The only
 * sockets opened in this file are to receivers it starts itself on loopback.
 */
import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedLookup, resolveChecked, type Resolver } from './guarded-lookup';
import { postJson } from './post-json';
import { DESTINATION_REFUSED, parseAllowList } from './ssrf';

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

/** A resolver answering from a table, counting its calls. */
function fakeResolver(table: Record<string, LookupAddress[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const r = (async (host: string) => {
    calls.push(host);
    const a = table[host];
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return a;
  }) as Resolver & { calls: string[] };
  r.calls = calls;
  return r;
}

const resolver = fakeResolver({
  'private.test': [v4('10.0.0.1')],
  'metadata.test': [v4('169.254.169.254')],
  'mapped.test': [v6('::ffff:192.168.1.1')],
  'mapped-hex.test': [v6('::ffff:a9fe:a9fe')],
  'nat64.test': [v6('64:ff9b::a00:1')],
  'mixed.test': [v4('8.8.8.8'), v4('10.0.0.1')],
  'mixed6.test': [v6('2606:4700:4700::1111'), v6('fd00::1')],
  'public.test': [v4('8.8.8.8'), v6('2606:4700:4700::1111')],
  'loopback.test': [v4('127.0.0.1')],
  'empty.test': [],
});

/** Calls a lookup hook the way net.connect does. */
function callLookup(host: string, options: { all?: boolean; family?: number }, allow: string[] = []) {
  const lookup = guardedLookup(parseAllowList(allow), resolver);
  return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
    lookup(host, options, (err, address, family) => resolve({ err, address, family })),
  );
}

describe('resolveChecked', () => {
  it.each([
    ['private.test', /10\.0\.0\.1 is private/],
    ['metadata.test', /169\.254\.169\.254 is cloud metadata/],
    ['mapped.test', /::ffff:192\.168\.1\.1 is IPv4-mapped form of 192\.168\.1\.1: private/],
    ['mapped-hex.test', /metadata/],
    ['nat64.test', /NAT64 form of 10\.0\.0\.1/],
    ['mixed.test', /10\.0\.0\.1 is private/],
    ['mixed6.test', /fd00::1 is private/],
    ['loopback.test', /loopback/],
  ])('refuses %s', async (host, why) => {
    await expect(resolveChecked(host, [], resolver)).rejects.toMatchObject({
      code: DESTINATION_REFUSED,
      message: expect.stringMatching(why),
    });
  });

  it('passes every address of a public name', async () => {
    await expect(resolveChecked('public.test', [], resolver)).resolves.toEqual([v4('8.8.8.8'), v6('2606:4700:4700::1111')]);
  });

  it('lets an allowed address or host name through', async () => {
    await expect(resolveChecked('loopback.test', parseAllowList(['127.0.0.1']), resolver)).resolves.toEqual([v4('127.0.0.1')]);
    await expect(resolveChecked('private.test', parseAllowList(['private.test']), resolver)).resolves.toEqual([v4('10.0.0.1')]);
    await expect(resolveChecked('mixed.test', parseAllowList(['10.0.0.0/8']), resolver)).resolves.toHaveLength(2);
  });

  it('checks an address literal without resolving it', async () => {
    const r = fakeResolver({});
    await expect(resolveChecked('10.0.0.1', [], r)).rejects.toMatchObject({ code: DESTINATION_REFUSED });
    await expect(resolveChecked('[::1]', [], r)).rejects.toMatchObject({ code: DESTINATION_REFUSED });
    expect(r.calls).toEqual([]);
  });

  it('passes resolver errors and empty answers on as not found', async () => {
    await expect(resolveChecked('nowhere.test', [], resolver)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolveChecked('empty.test', [], resolver)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('guardedLookup', () => {
  it('answers all checked addresses when asked for all', async () => {
    const r = await callLookup('public.test', { all: true });
    expect(r.err).toBeNull();
    expect(r.address).toEqual([v4('8.8.8.8'), v6('2606:4700:4700::1111')]);
  });

  it('answers one address of the wanted family otherwise', async () => {
    expect(await callLookup('public.test', { family: 6 })).toMatchObject({ err: null, address: '2606:4700:4700::1111', family: 6 });
    expect(await callLookup('public.test', {})).toMatchObject({ err: null, address: '8.8.8.8', family: 4 });
    expect((await callLookup('private.test', { family: 6 }, ['10.0.0.0/8'])).err).toMatchObject({ code: 'ENOTFOUND' });
  });

  it.each(['private.test', 'metadata.test', 'mapped.test', 'mixed.test'])('hands no address of %s to connect', async (host) => {
    for (const options of [{ all: true }, {}]) {
      const r = await callLookup(host, options);
      expect(r.err).toMatchObject({ code: DESTINATION_REFUSED });
      expect(r.address === '' || (Array.isArray(r.address) && r.address.length === 0)).toBe(true);
    }
  });
});

describe('postJson through the guard (loopback receivers started here)', () => {
  let server: Server;
  let port: number;
  const received: { host?: string; body: string }[] = [];
  let connections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ host: req.headers.host, body });
        res.writeHead(req.url === '/fail' ? 500 : 204).end();
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    received.length = 0;
    connections = 0;
  });

  const opts = (allow: string[], resolve?: Resolver) => ({
    allow: parseAllowList(allow),
    headers: { 'content-type': 'application/json' },
    timeoutMs: 2000,
    resolve,
  });

  it('refuses a loopback receiver without the allow-list, before any connection', async () => {
    await expect(postJson(`http://127.0.0.1:${port}/hook`, '{}', opts([]))).rejects.toMatchObject({ code: DESTINATION_REFUSED });
    const r = fakeResolver({ 'hooks.test': [v4('127.0.0.1')] });
    await expect(postJson(`http://hooks.test:${port}/hook`, '{}', opts([], r))).rejects.toMatchObject({ code: DESTINATION_REFUSED });
    await new Promise((res) => setTimeout(res, 50));
    expect(connections).toBe(0);
    expect(received).toEqual([]);
  });

  it('delivers to an allowed loopback receiver by address', async () => {
    await expect(postJson(`http://127.0.0.1:${port}/hook`, '{"a":1}', opts(['127.0.0.1']))).resolves.toMatchObject({ statusCode: 204 });
    expect(received).toEqual([{ host: `127.0.0.1:${port}`, body: '{"a":1}' }]);
  });

  it('connects to the address it checked, resolving once, and keeps the URL host in Host', async () => {
    const r = fakeResolver({ 'hooks.test': [v4('127.0.0.1')] });
    await expect(postJson(`http://hooks.test:${port}/hook`, '{}', opts(['127.0.0.1'], r))).resolves.toMatchObject({ statusCode: 204 });
    expect(r.calls).toEqual(['hooks.test']);
    expect(received).toEqual([{ host: `hooks.test:${port}`, body: '{}' }]);
  });

  it('reports a non-2xx answer as an answer (the caller decides)', async () => {
    await expect(postJson(`http://127.0.0.1:${port}/fail`, '{}', opts(['127.0.0.1']))).resolves.toMatchObject({ statusCode: 500 });
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const p = (silent.address() as AddressInfo).port;
    try {
      await expect(postJson(`http://127.0.0.1:${p}/`, '{}', { ...opts(['127.0.0.1']), timeoutMs: 200 })).rejects.toThrow(/within 200 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
