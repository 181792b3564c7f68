import { CreateBatchDto } from '../jobs/dto/batch.dto';
import { CreateJobDto } from '../jobs/dto/create-job.dto';
import { bodyShapeErrors, InvalidRequest, MAX_BODY_DEPTH, RequestValidationPipe, type FieldError } from './validation';

const pipe = new RequestValidationPipe();

async function errorsOf(body: unknown, metatype: new () => object = CreateJobDto): Promise<FieldError[]> {
  try {
    pipe.transform(body, { type: 'body', metatype });
  } catch (e) {
    if (e instanceof InvalidRequest) return e.errors;
    throw e;
  }
  return [];
}
const rules = async (body: unknown, metatype?: new () => object) => (await errorsOf(body, metatype)).map((e) => `${e.field}:${e.rule}`);

describe('RequestValidationPipe', () => {
  it('accepts a minimal job and passes it on as it came', () => {
    const body = { language: 'python', source: 'print(1)' };
    expect(pipe.transform(body, { type: 'body', metatype: CreateJobDto })).toBe(body);
  });

  it('passes what has no rules untouched: a path parameter, a header, an untyped body', () => {
    const odd = { anything: [1, { deep: true }] };
    expect(pipe.transform('x'.repeat(300), { type: 'param', metatype: String, data: 'id' })).toBe('x'.repeat(300));
    expect(pipe.transform(odd, { type: 'body', metatype: Object })).toBe(odd);
    expect(pipe.transform(odd, { type: 'custom', metatype: CreateJobDto })).toBe(odd);
  });

  it('names nested fields with their full path', async () => {
    expect(
      await rules({
        language: 'c',
        files: [
          { path: 'main.c', content: 'x' },
          { path: '../etc/passwd', content: 1 },
        ],
        limits: { memoryMb: 2.5, evil: 1 },
        tests: [{}, { points: -1 }],
      }),
    ).toEqual(
      expect.arrayContaining([
        'files[1].path:safePath',
        'files[1].content:isString',
        'limits.memoryMb:isInt',
        'limits.evil:unknownField',
        'tests[1].points:min',
      ]),
    );
  });

  it('prefixes the jobs of a batch with their index', async () => {
    expect(await rules({ jobs: [{ language: 'python', source: 'x' }, { source: 'x' }] }, CreateBatchDto)).toEqual([
      'jobs[1].language:isDefined',
    ]);
    expect(
      await rules(
        {
          jobs: [
            { language: 'python', source: 'x' },
            { language: '', source: 'x' },
          ],
        },
        CreateBatchDto,
      ),
    ).toEqual(['jobs[1].language:isNotEmpty']);
  });

  it('wants exactly one of source and files', async () => {
    expect(await rules({ language: 'python' })).toEqual(['source:exactlyOneOf']);
    expect(await rules({ language: 'python', source: 'x', files: [{ path: 'a.py', content: '' }] })).toEqual(['source:exactlyOneOf']);
  });

  it('rejects duplicate paths and base64 that does not decode', async () => {
    expect(
      await rules({
        language: 'c',
        files: [
          { path: 'a.c', content: '' },
          { path: 'a.c', content: '' },
        ],
      }),
    ).toEqual(['files:uniquePaths']);
    expect(await rules({ language: 'c', files: [{ path: 'a.c', content: 'not base64!', encoding: 'base64' }] })).toEqual([
      'files[0].content:base64',
    ]);
    expect(await rules({ language: 'c', files: [{ path: 'a.c', content: 'aGk=', encoding: 'base64' }] })).toEqual([]);
  });

  it('allows checker fields only for their type', async () => {
    expect(await rules({ language: 'python', source: 'x', checker: { type: 'lines', absoluteTolerance: 1 } })).toEqual([
      'checker.absoluteTolerance:onlyWhen',
    ]);
    expect(await rules({ language: 'python', source: 'x', checker: { type: 'custom', source: 'x' } })).toEqual([
      'checker.language:isDefined',
    ]);
    expect(await rules({ language: 'python', source: 'x', checker: { type: 'custom', language: 'c' } })).toEqual([
      'checker.source:exactlyOneOf',
    ]);
    expect(await rules({ language: 'python', source: 'x', checker: { type: 'float', absoluteTolerance: 1e-6 } })).toEqual([]);
    expect(await rules({ language: 'python', source: 'x', checker: { type: 'regex' } })).toEqual(['checker.type:isIn']);
  });

  it('checks types instead of coercing them', async () => {
    expect(await rules({ language: 'python', source: 'x', limits: { memoryMb: '256' }, stopOnFirstFailure: 'yes', args: [1] })).toEqual(
      expect.arrayContaining(['limits.memoryMb:isInt', 'stopOnFirstFailure:isBoolean', 'args:isString']),
    );
    expect(await rules({ language: 'python', source: 'x', limits: 'big', tests: {} })).toEqual(
      expect.arrayContaining(['limits:isObject', 'tests:isArray']),
    );
  });

  it('only takes http(s) callback URLs', async () => {
    expect(await rules({ language: 'python', source: 'x', callbackUrl: 'file:///etc/passwd' })).toEqual(['callbackUrl:isUrl']);
    expect(await rules({ language: 'python', source: 'x', callbackUrl: 'http://localhost:8080/hook' })).toEqual([]);
  });
});

describe('bodyShapeErrors', () => {
  it('wants a JSON object', () => {
    for (const body of [undefined, null, [], 'x', 1])
      expect(bodyShapeErrors(body)).toEqual([expect.objectContaining({ field: 'body', rule: 'isObject' })]);
  });

  it('refuses prototype keys wherever they are', () => {
    const body = JSON.parse('{"language":"c","limits":{"__proto__":{"x":1}},"files":[{"constructor":1}]}');
    expect(
      bodyShapeErrors(body)
        .map((e) => `${e.field}:${e.rule}`)
        .sort(),
    ).toEqual(['files[0].constructor:forbidden', 'limits.__proto__:forbidden']);
  });

  it('refuses nesting deeper than any job, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(bodyShapeErrors({ args: deep })).toEqual([expect.objectContaining({ rule: 'maxDepth' })]);
    let ok: unknown = 'x';
    for (let i = 0; i < MAX_BODY_DEPTH - 2; i++) ok = [ok];
    expect(bodyShapeErrors({ args: ok })).toEqual([]);
  });
});
