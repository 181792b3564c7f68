/**
 * No input gets a 5xx (property-based): any JSON, job-like or valid bodies, raw text under any
 * content type, any id, query and headers, on every route of the API without a worker. Each
 * error answer has the one problem shape.
 */
import fc from 'fast-check';
import request from 'supertest';
import { JOB_REQUEST_FIELDS, UNKNOWN_ID, useApiAlone } from '../support/api-alone';

jest.setTimeout(120_000);

describe('API without a worker', () => {
  const api = useApiAlone();

  describe('fuzz: no input gets a 5xx', () => {
    // POST routes take most inputs, so they appear more than once.
    const ROUTES: [string, string][] = [
      ['post', '/v1/jobs'],
      ['post', '/v1/jobs'],
      ['post', '/v1/jobs'],
      ['post', '/v1/jobs?wait=true'],
      ['post', '/v1/jobs/batch'],
      ['post', '/v1/jobs/batch'],
      ['get', '/v1/jobs'],
      ['get', '/v1/jobs/{id}'],
      ['delete', '/v1/jobs/{id}'],
      ['get', '/v1/languages'],
      ['get', '/health/live'],
      ['get', '/health/ready'],
      ['get', '/metrics'],
      ['put', '/v1/jobs/{id}'],
      ['patch', '/v1/jobs'],
      ['options', '/v1/jobs'],
      ['head', '/v1/jobs/{id}'],
    ];

    /** Any JSON value, biased towards the shapes and names a job has. */
    const FIELDS = [
      ...JOB_REQUEST_FIELDS,
      'jobs',
      'path',
      'content',
      'encoding',
      'type',
      'memoryMb',
      'cpuTimeMs',
      '__proto__',
      'constructor',
      'prototype',
    ];
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(
          null,
          true,
          false,
          0,
          -1,
          1e308,
          -1e308,
          2 ** 53 + 1,
          0.5,
          '',
          'python',
          'c',
          'base64',
          'utf8',
          'custom',
          'float',
          '../x',
          'main.py',
          'http://x',
          '=',
          UNKNOWN_ID,
        ),
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.array(tie('json'), { maxLength: 5 }),
        fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string()), tie('json'), { maxKeys: 6 }),
      ),
    }));
    const jobLike = fc.record(
      {
        language: json,
        source: json,
        files: fc.oneof(json, fc.array(fc.record({ path: json, content: json, encoding: json }, { requiredKeys: [] }), { maxLength: 4 })),
        stdin: json,
        args: json,
        limits: fc.oneof(
          json,
          fc.record({ cpuTimeMs: json, wallTimeMs: json, memoryMb: json, processes: json, outputBytes: json }, { requiredKeys: [] }),
        ),
        tests: json,
        checker: fc.oneof(
          json,
          fc.record({ type: json, language: json, source: json, files: json, absoluteTolerance: json }, { requiredKeys: [] }),
        ),
        stopOnFirstFailure: json,
        callbackUrl: json,
      },
      { requiredKeys: [] },
    );
    const validJob = fc.record({
      language: fc.constantFrom('python', 'PY', 'c++', 'bash'),
      source: fc.string({ maxLength: 50 }),
      stdin: fc.string({ maxLength: 20 }),
      limits: fc.record(
        { memoryMb: fc.integer({ min: 8, max: 600 }), cpuTimeMs: fc.integer({ min: 1, max: 30_000 }) },
        { requiredKeys: [] },
      ),
    });
    const asJson = (v: unknown) => ({ raw: JSON.stringify(v) ?? 'null', type: 'application/json' });
    const body = fc.oneof(
      { arbitrary: json.map(asJson), weight: 2 },
      { arbitrary: jobLike.map(asJson), weight: 3 },
      { arbitrary: validJob.map(asJson), weight: 3 },
      { arbitrary: fc.array(fc.oneof(jobLike, validJob, validJob), { maxLength: 5 }).map((jobs) => asJson({ jobs })), weight: 2 },
      fc.string({ maxLength: 200 }).map((raw) => ({ raw, type: 'application/json' })),
      fc
        .tuple(
          fc.string({ maxLength: 100 }),
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
            'multipart/form-data; boundary=x',
            'application/json; charset=latin1',
            'application/json; charset=utf-16',
            '',
            'garbage',
          ),
        )
        .map(([raw, type]) => ({
          raw,
          type,
        })),
      fc.constant(null),
    );
    const id = fc.oneof(
      fc.uuid(),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '.', 'batch', '%2F', 'a%00b'),
    );
    const query = fc.oneof(
      { arbitrary: fc.constant(''), weight: 4 },
      fc
        .dictionary(
          fc.constantFrom('wait', 'ids', 'x', '__proto__', 'wait[]', 'ids[a]'),
          fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('true', 'false', UNKNOWN_ID)),
          { maxKeys: 3 },
        )
        .map((q) =>
          Object.entries(q)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&'),
        ),
      fc.string({ maxLength: 30 }).map((s) => s.replace(/[#\s]/g, '')),
    );
    const headers = fc.oneof(
      { arbitrary: fc.constant({}), weight: 2 },
      fc.dictionary(
        fc.constantFrom(
          'Accept',
          'Accept-Encoding',
          'Content-Encoding',
          'X-Forwarded-For',
          'Authorization',
          'X-Api-Key',
          'If-None-Match',
          'Range',
        ),
        fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
        { maxKeys: 3 },
      ),
    );

    it('answers every request with a status below 500', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), id, query, body, headers, async ([method, path], anId, q, b, hs) => {
          const url = path.replace('{id}', anId) + (q ? (path.includes('?') ? '&' : '?') + q : '');
          let req = (request(api.stack.http) as unknown as Record<string, (u: string) => request.Test>)[method]!(url);
          for (const [k, v] of Object.entries(hs)) req = req.set(k, v);
          if (b && method !== 'get' && method !== 'head') {
            if (b.type) req = req.set('Content-Type', b.type);
            req = req.send(b.raw);
          }
          const res = await req.ok(() => true);
          // 503 from /health/ready is its answer (no worker here), not a failure.
          const notReady = path === '/health/ready' && res.status === 503;
          if (res.status >= 500 && !notReady) throw new Error(`${method.toUpperCase()} ${url} → ${res.status} ${res.text}`);
          if (method !== 'head' && res.status >= 400) {
            expect(res.body).toEqual(
              expect.objectContaining({ statusCode: res.status, error: expect.any(String), message: expect.any(String) }),
            );
          }
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 400) },
      );
    });
  });
});
