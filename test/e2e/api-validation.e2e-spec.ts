/**
 * The API on its own (real Redis, the production bootstrap, no worker): every bad input to
 * POST /v1/jobs gets its 4xx naming the field and the rule, and an unknown route its 404 with the
 * problem body. Queued jobs, batches and the stand-in consumer: api-jobs.e2e-spec.ts; health,
 * languages, metrics and the OpenAPI document: api-health.e2e-spec.ts; no input gets a 5xx:
 * api-fuzz.e2e-spec.ts.
 */
import { GOOD_JOB, UNKNOWN_ID, useApiAlone } from '../support/api-alone';
import { bodies } from '../support/bodies';

jest.setTimeout(120_000);

describe('API without a worker', () => {
  const { http } = useApiAlone();

  describe('POST /v1/jobs', () => {
    it('queues a job: 202, Location, the job view; GET shows it queued', async () => {
      const res = await http().post('/v1/jobs').send(GOOD_JOB);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'queued',
        language: 'python',
        createdAt: expect.any(String),
        startedAt: null,
        finishedAt: null,
        result: null,
      });
      expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
      const got = await http().get(res.headers.location!);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: res.body.id, status: 'queued', language: 'python' });
    });

    it('answers with the canonical language id for an alias', async () => {
      const res = await http().post('/v1/jobs').send({ language: 'C++', source: 'int main(){}' });
      expect(res.status).toBe(202);
      expect(res.body.language).toBe('cpp');
    });

    it('?wait=true answers 202 with the queued job when the wait maximum passes first', async () => {
      const started = Date.now();
      const res = await http().post('/v1/jobs?wait=true').send(GOOD_JOB);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('queued');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(res.headers.location).toBe(`/v1/jobs/${res.body.id}`);
    });

    it.each([
      ['?wait=maybe', 'wait', 'isIn'],
      ['?wait=true&wait=false', 'wait', 'isIn'],
      ['?debug=1', 'debug', 'unknownField'],
    ])('rejects the query %s', async (query, field, rule) => {
      const res = await http().post(`/v1/jobs${query}`).send(GOOD_JOB);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.invalid(field, rule));
    });

    const file = (path: string, content = '', encoding?: string) => ({ path, content, ...(encoding ? { encoding } : {}) });
    it.each<[string, object, string, string]>([
      ['no language', { source: 'x' }, 'language', 'isDefined'],
      ['a numeric language', { language: 3, source: 'x' }, 'language', 'isString'],
      ['an empty language', { language: '', source: 'x' }, 'language', 'isNotEmpty'],
      ['neither source nor files', { language: 'python' }, 'source', 'exactlyOneOf'],
      ['both source and files', { language: 'python', source: 'x', files: [file('a.py')] }, 'source', 'exactlyOneOf'],
      ['a numeric source', { language: 'python', source: 42 }, 'source', 'isString'],
      ['an unknown field', { ...GOOD_JOB, evil: true }, 'evil', 'unknownField'],
      ['an unknown nested field', { ...GOOD_JOB, limits: { memoryMb: 64, swapMb: 1 } }, 'limits.swapMb', 'unknownField'],
      ['a limit below the minimum', { ...GOOD_JOB, limits: { memoryMb: 7 } }, 'limits.memoryMb', 'min'],
      ['a limit as a string', { ...GOOD_JOB, limits: { memoryMb: '256' } }, 'limits.memoryMb', 'isInt'],
      ['a fractional limit', { ...GOOD_JOB, limits: { cpuTimeMs: 1.5 } }, 'limits.cpuTimeMs', 'isInt'],
      ['limits as a string', { ...GOOD_JOB, limits: 'big' }, 'limits', 'isObject'],
      ['limits as an array', { ...GOOD_JOB, limits: [1] }, 'limits', 'isObject'],
      ['files as an object', { language: 'python', files: { path: 'a' } }, 'files', 'isArray'],
      ['an empty files array', { language: 'python', files: [] }, 'files', 'arrayMinSize'],
      ['a file that is a string', { language: 'python', files: ['main.py'] }, 'files', 'isObject'],
      ['a path escaping the box', { language: 'c', files: [file('../etc/passwd')] }, 'files[0].path', 'safePath'],
      ['an absolute path', { language: 'c', files: [file('main.c'), file('/etc/passwd')] }, 'files[1].path', 'safePath'],
      ['a path with a space', { language: 'c', files: [file('my file.c')] }, 'files[0].path', 'safePath'],
      ['duplicate paths', { language: 'c', files: [file('main.c'), file('main.c')] }, 'files', 'uniquePaths'],
      ['base64 that does not decode', { language: 'c', files: [file('main.c', '@@@', 'base64')] }, 'files[0].content', 'base64'],
      ['an unknown encoding', { language: 'c', files: [file('main.c', '00', 'hex')] }, 'files[0].encoding', 'isIn'],
      ['a file without content', { language: 'c', files: [{ path: 'main.c' }] }, 'files[0].content', 'isString'],
      ['stdin as a number', { ...GOOD_JOB, stdin: 1 }, 'stdin', 'isString'],
      ['args as a string', { ...GOOD_JOB, args: '--fast' }, 'args', 'isArray'],
      ['a numeric arg', { ...GOOD_JOB, args: ['a', 2] }, 'args', 'isString'],
      ['an empty tests array', { ...GOOD_JOB, tests: [] }, 'tests', 'arrayMinSize'],
      ['negative points', { ...GOOD_JOB, tests: [{ points: -1 }] }, 'tests[0].points', 'min'],
      ['a test that is a string', { ...GOOD_JOB, tests: ['t1'] }, 'tests', 'isObject'],
      ['an unknown checker', { ...GOOD_JOB, checker: { type: 'regex' } }, 'checker.type', 'isIn'],
      [
        'a tolerance on a lines checker',
        { ...GOOD_JOB, checker: { type: 'lines', absoluteTolerance: 0.1 } },
        'checker.absoluteTolerance',
        'onlyWhen',
      ],
      ['a negative tolerance', { ...GOOD_JOB, checker: { type: 'float', relativeTolerance: -1 } }, 'checker.relativeTolerance', 'min'],
      ['a custom checker without language', { ...GOOD_JOB, checker: { type: 'custom', source: 'x' } }, 'checker.language', 'isDefined'],
      ['a custom checker without program', { ...GOOD_JOB, checker: { type: 'custom', language: 'c' } }, 'checker.source', 'exactlyOneOf'],
      ['stopOnFirstFailure as a string', { ...GOOD_JOB, stopOnFirstFailure: 'yes' }, 'stopOnFirstFailure', 'isBoolean'],
      ['a file: callback', { ...GOOD_JOB, callbackUrl: 'file:///etc/passwd' }, 'callbackUrl', 'isUrl'],
      ['a callback that is no URL', { ...GOOD_JOB, callbackUrl: 'not a url' }, 'callbackUrl', 'isUrl'],
    ])('400 for %s', async (_, body, field, rule) => {
      const res = await http().post('/v1/jobs').send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.invalid(field, rule));
    });

    it.each<[string, object, string, 'maxItems' | 'maxBytes', number]>([
      ['too many files', { language: 'c', files: ['a.c', 'b.c', 'c.c', 'd.c'].map((p) => file(p)) }, 'files', 'maxItems', 3],
      ['a file too large', { language: 'c', files: [file('a.c', 'x'.repeat(1001))] }, 'files[0].content', 'maxBytes', 1000],
      [
        'a base64 file too large once decoded',
        { language: 'c', files: [file('a.c', Buffer.alloc(1001).toString('base64'), 'base64')] },
        'files[0].content',
        'maxBytes',
        1000,
      ],
      ['a source too large', { language: 'python', source: 'x'.repeat(1001) }, 'source', 'maxBytes', 1000],
      ['stdin too large', { ...GOOD_JOB, stdin: 'x'.repeat(101) }, 'stdin', 'maxBytes', 100],
      ['too many args', { ...GOOD_JOB, args: ['1', '2', '3', '4', '5'] }, 'args', 'maxItems', 4],
      ['an arg too large', { ...GOOD_JOB, args: ['12345678901'] }, 'args[0]', 'maxBytes', 10],
      ['too many tests', { ...GOOD_JOB, tests: [{}, {}, {}, {}] }, 'tests', 'maxItems', 3],
      ["a test's stdin too large", { ...GOOD_JOB, tests: [{}, { stdin: 'x'.repeat(101) }] }, 'tests[1].stdin', 'maxBytes', 100],
      [
        'a custom checker with too many files',
        { ...GOOD_JOB, checker: { type: 'custom', language: 'c', files: ['a.c', 'b.c', 'c.c', 'd.c'].map((p) => file(p)) } },
        'checker.files',
        'maxItems',
        3,
      ],
    ])('413 for %s, naming the field and the maximum', async (_, body, field, rule, max) => {
      const res = await http().post('/v1/jobs').send(body);
      expect(res.status).toBe(413);
      expect(res.body).toEqual(bodies.tooLarge(field, rule, max));
    });

    it.each([
      ['memoryMb', 10 ** 6, 512],
      ['memoryMb', 1e308, 512],
      ['cpuTimeMs', 20_001, 20_000],
      ['outputBytes', Number.MAX_SAFE_INTEGER, 4_194_304],
    ])('422 for limits.%s = %d above the maximum, naming it', async (field, value, max) => {
      const res = await http()
        .post('/v1/jobs')
        .send({ ...GOOD_JOB, limits: { [field]: value } });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.limitAboveMaximum(`limits.${field}`, max));
    });

    it('accepts a limit equal to the maximum', async () => {
      expect(
        (
          await http()
            .post('/v1/jobs')
            .send({ ...GOOD_JOB, limits: { memoryMb: 512 } })
        ).status,
      ).toBe(202);
    });

    it('422 for an unknown language, listing the known ones', async () => {
      const res = await http().post('/v1/jobs').send({ language: 'cobol', source: 'x' });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.unknownLanguage());
    });

    it("422 for a custom checker's unknown language", async () => {
      const res = await http()
        .post('/v1/jobs')
        .send({ ...GOOD_JOB, checker: { type: 'custom', language: 'cobol', source: 'x' } });
      expect(res.status).toBe(422);
      expect(res.body).toEqual(bodies.unknownLanguage('checker.language'));
    });

    it('400 for malformed JSON', async () => {
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send('{"language": "python",');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.malformedJson());
    });

    it.each([
      ['an array', '[]'],
      ['a string', '"x"'],
      ['null', 'null'],
      ['a number', '12'],
    ])('400 for a body that is %s', async (_, raw) => {
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'body' })]);
    });

    it('400 for a body that is not JSON at all', async () => {
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/x-www-form-urlencoded').send('language=python&source=x');
      expect(res.status).toBe(400);
      expect(res.body).toEqual(bodies.notAnObject());
    });

    it('400 for prototype keys, at any depth', async () => {
      for (const raw of [
        '{"__proto__":{"admin":true},"language":"python","source":"x"}',
        '{"language":"python","source":"x","limits":{"constructor":{"prototype":{}}}}',
      ]) {
        const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send(raw);
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'forbidden' })]));
      }
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });

    it('400 for nesting deeper than any job', async () => {
      const raw = `{"language":"python","source":"x","args":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const res = await http().post('/v1/jobs').set('Content-Type', 'application/json').send(raw);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].rule).toBe('maxDepth');
    });

    it('413 for a body above the configured limit', async () => {
      const res = await http()
        .post('/v1/jobs')
        .send({ ...GOOD_JOB, source: 'x'.repeat(25_000) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual(bodies.bodyTooLarge());
      expect(res.body.message).toContain('20000');
    });
  });

  describe('routing', () => {
    it.each([
      ['get', '/nope'],
      ['get', '/v1'],
      ['put', '/v1/jobs'],
      ['patch', `/v1/jobs/${UNKNOWN_ID}`],
      ['post', '/health/live'],
      ['delete', '/v1/languages'],
    ] as const)('%s %s is 404 with the problem body', async (method, path) => {
      const res = await http()[method](path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(bodies.notFound());
    });
  });
});
