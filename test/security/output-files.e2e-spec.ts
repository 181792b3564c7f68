/**
 * Output files through the real service: the root side reads what a hostile program left (the
 * Judge0 CVE class). Each program plants something (a symlink to /etc/shadow, a FIFO, hardlinks,
 * 10,000 files, a directory, names with a newline or bytes that are not UTF-8) and the job must
 * come back, promptly, with each match read or flagged, never followed, never silently dropped.
 */
import request from 'supertest';
import { startStack, type Stack } from '../support/stack';
import { bodies } from '../support/bodies';

jest.setTimeout(180_000);

const CAPS = { OUTPUT_FILES_MAX: '50', OUTPUT_FILE_MAX_BYTES: '65536', OUTPUT_FILES_MAX_TOTAL_BYTES: '262144' };
const LIMITS = { cpuTimeMs: 10_000, wallTimeMs: 20_000 };

describe.each([
  ['prepared sandboxes', 'true'],
  ['one-shot sandboxes', 'false'],
])('outputFiles (%s)', (_mode, prepared) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ worker: true, env: { ...CAPS, PREPARED_SANDBOXES: prepared } });
  });
  afterAll(() => stack?.stop());

  const run = async (source: string, outputFiles: string[], extra: object = {}) => {
    const res = await request(stack.http)
      .post('/v1/jobs?wait=true')
      .send({ language: 'bash', source, outputFiles, limits: LIMITS, ...extra });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    return res.body.result;
  };

  it('returns the files asked for, by name and by glob, as text or exact bytes', async () => {
    const source = 'echo hi > result.txt; mkdir plots; printf "\\x89PNG\\x00\\xff" > plots/a.png; echo no > other.txt';
    const text = await run(source, ['result.txt', 'plots/*.png']);
    expect(text.run.files).toEqual(
      expect.arrayContaining([
        { path: 'result.txt', size: 3, encoding: 'utf8', content: 'hi\n' },
        { path: 'plots/a.png', size: 6, encoding: 'utf8-lossy', content: '\uFFFDPNG\0\uFFFD' },
      ]),
    );
    expect(text.run.files).toHaveLength(2);
    expect(text.run.filesSkipped).toEqual([]);
    const bytes = await run(source, ['plots/*.png'], { outputEncoding: 'base64' });
    expect(bytes.run.files).toEqual([
      { path: 'plots/a.png', size: 6, encoding: 'base64', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]).toString('base64') },
    ]);
  });

  it('a symlink named like a wanted file, pointing at /etc/shadow, is flagged and never followed', async () => {
    const result = await run('ln -s /etc/shadow result.txt; ln -s /etc out', ['result.txt', 'out/shadow', 'out']);
    expect(result.run.files).toEqual([]);
    expect(result.run.filesSkipped).toEqual(
      expect.arrayContaining([
        { path: 'result.txt', reason: 'symlink' },
        { path: 'out', reason: 'symlink' },
      ]),
    );
    expect(result.run.filesSkipped).toHaveLength(2); // out/shadow: "out" is not entered
    expect(JSON.stringify(result)).not.toMatch(/root:/);
  });

  it('a hardlink to a file outside the box cannot be made (the box is its own tmpfs); one inside it is refused', async () => {
    const result = await run('ln /etc/passwd outside.txt 2>/dev/null || echo EXDEV; echo x > a.txt; ln a.txt b.txt', ['*.txt']);
    expect(result.run.stdout).toBe('EXDEV\n');
    expect(result.run.files).toEqual([]);
    expect(result.run.filesSkipped).toEqual(
      expect.arrayContaining([
        { path: 'a.txt', reason: 'hardlink' },
        { path: 'b.txt', reason: 'hardlink' },
      ]),
    );
  });

  it('a FIFO is flagged, never opened: the job does not hang', async () => {
    const started = Date.now();
    const result = await run('mkfifo result.txt', ['result.txt']);
    expect(result.run.filesSkipped).toEqual([{ path: 'result.txt', reason: 'not_regular' }]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a huge file is cut at the per-file cap, and a writer left in the background cannot grow it (it died with the run)', async () => {
    // The writer pauses between lines so that grow.txt stays under the per-file cap on any
    // machine: read whole, its content matching its size shows that nothing wrote to it any more.
    const source = 'head -c 3000000 /dev/zero > big.txt; (while :; do echo x >> grow.txt; sleep 0.005; done) & sleep 0.2';
    const result = await run(source, ['big.txt', 'grow.txt']);
    const big = result.run.files.find((f: { path: string }) => f.path === 'big.txt');
    expect(big).toMatchObject({ size: 3_000_000, truncated: true, encoding: 'utf8' });
    expect(big.content).toHaveLength(65_536);
    const grow = result.run.files.find((f: { path: string }) => f.path === 'grow.txt');
    expect(grow.size).toBeGreaterThan(0);
    expect(grow.content).toHaveLength(grow.size); // read whole: nothing wrote to it any more
    expect(grow).not.toHaveProperty('truncated');
  });

  it('the total cap: files past it are flagged total_bytes', async () => {
    const result = await run('for i in 1 2 3 4 5 6; do head -c 60000 /dev/zero > f$i.bin; done', ['*.bin']);
    const kept = result.run.files.reduce((n: number, f: { content: string }) => n + f.content.length, 0);
    expect(kept).toBeLessThanOrEqual(262_144);
    expect(result.run.files.length + result.run.filesSkipped.length).toBe(6);
    expect(result.run.filesSkipped).toContainEqual({ path: expect.stringMatching(/^f\d\.bin$/), reason: 'total_bytes' });
  });

  it('10,000 small files with a glob: OUTPUT_FILES_MAX returned, the rest counted', async () => {
    const result = await run('mkdir many; cd many; for i in $(seq 10000); do echo $i > $i.txt; done', ['many/*.txt']);
    expect(result.run.verdict).toBe('ok');
    expect(result.run.files).toHaveLength(50);
    expect(result.run.filesOmitted).toBe(9_950);
  });

  it('a directory where a file was expected is flagged', async () => {
    const result = await run('mkdir result.txt; echo x > result.txt/inner', ['result.txt']);
    expect(result.run.filesSkipped).toEqual([{ path: 'result.txt', reason: 'directory' }]);
  });

  it('names with a newline or bytes that are not UTF-8 are refused as unsafe_name, their path given lossily', async () => {
    const result = await run('echo a > "$(printf "x\\ny.txt")"; echo b > "$(printf "\\xff.txt")"; echo c > ok.txt', ['*.txt']);
    expect(result.run.files).toEqual([{ path: 'ok.txt', size: 2, encoding: 'utf8', content: 'c\n' }]);
    expect(result.run.filesSkipped).toEqual(
      expect.arrayContaining([
        { path: 'x\ny.txt', reason: 'unsafe_name' },
        { path: '\uFFFD.txt', reason: 'unsafe_name' },
      ]),
    );
  });

  it('each test returns its own files', async () => {
    const result = await run('echo "$1" > out.txt', ['out.txt'], {
      tests: [
        { name: 'a', args: ['one'] },
        { name: 'b', args: ['two'] },
      ],
    });
    expect(result.tests.map((t: { run: { files: unknown } }) => t.run.files)).toEqual([
      [{ path: 'out.txt', size: 4, encoding: 'utf8', content: 'one\n' }],
      [{ path: 'out.txt', size: 4, encoding: 'utf8', content: 'two\n' }],
    ]);
  });

  it.each([
    ['../etc/passwd', 'insideBox'],
    ['/etc/passwd', 'insideBox'],
    ['a//b', 'insideBox'],
    ['a\0b', 'noNul'],
  ])('422 for the pattern %j', async (pattern, rule) => {
    const res = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'bash', source: 'true', outputFiles: [pattern] });
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual({ field: 'outputFiles[0]', rule, message: expect.stringContaining('outputFiles[0]') });
  });

  it('400 for more than 16 patterns', async () => {
    const res = await request(stack.http)
      .post('/v1/jobs')
      .send({ language: 'bash', source: 'true', outputFiles: Array.from({ length: 17 }, (_, i) => `f${i}`) });
    expect(res.body).toEqual(bodies.invalid('outputFiles', 'arrayMaxSize'));
  });
});
