import { JobBudget } from './budget';
import type { RawRun } from './output';

const run = (stdout: string | Buffer, stderr = '', wallTimeMs = 10): RawRun => ({
  exitCode: 0,
  signal: null,
  stdout: stdout.toString(),
  stderr,
  stdoutTruncated: false,
  stderrTruncated: false,
  cpuTimeMs: 1,
  wallTimeMs,
  memoryKb: 1,
  verdict: 'ok',
  raw: { stdout: Buffer.from(stdout), stderr: Buffer.from(stderr) },
});
const view = (r: RawRun) => {
  const { raw: _raw, ...rest } = r;
  return rest;
};

describe('JobBudget', () => {
  it('keeps whole runs while the output budget lasts, then cuts and flags each stream', () => {
    const b = new JobBudget(10, 1000);
    expect(b.keep(run('abcd', 'ef'))).toEqual(view(run('abcd', 'ef')));
    expect(b.outputSpent).toBe(false);
    const cut = b.keep(run('ghijk', 'lmn'));
    expect(cut).toMatchObject({ stdout: 'ghij', stderr: '', stdoutTruncated: true, stderrTruncated: true, verdict: 'ok' });
    expect(b.keep(run('x'))).toMatchObject({ stdout: '', stdoutTruncated: true, stderrTruncated: false });
    expect(b.outputSpent).toBe(true);
  });

  it('cuts at a character boundary, never inside a UTF-8 sequence', () => {
    const b = new JobBudget(4, 1000); // 'ab€' is 5 bytes (€ takes 3): 4 would end inside the €
    expect(b.keep(run('ab€'))).toMatchObject({ stdout: 'ab', stdoutTruncated: true });
  });

  it('counts bytes, not base64 characters, and gives the exact bytes in base64', () => {
    const bytes = Buffer.from([0x80, 0xff, 0x00, 0x41]);
    const b = new JobBudget(3, 1000);
    expect(b.keep(run(bytes), 'base64')).toMatchObject({
      stdout: Buffer.from([0x80, 0xff, 0x00]).toString('base64'),
      stdoutEncoding: 'base64',
      stdoutTruncated: true,
    });
  });

  it('says when text was not UTF-8 (and only then)', () => {
    const b = new JobBudget(100, 1000);
    expect(b.keep(run(Buffer.from([0x6f, 0x6b, 0xff])))).toMatchObject({ stdout: 'ok\uFFFD', stdoutEncoding: 'utf8-lossy' });
    expect(b.keep(run('ok€'))).not.toHaveProperty('stdoutEncoding');
  });

  it('caps each wall limit at what is left of the job time and says when it is spent', () => {
    const b = new JobBudget(0, 1000);
    expect(b.wallTimeMs(5000)).toBe(1000);
    b.charge(run('', '', 700));
    expect(b.timeSpent).toBe(false);
    expect(b.wallTimeMs(5000)).toBe(300);
    expect(b.wallTimeMs(200)).toBe(200);
    b.charge(run('', '', 300));
    expect(b.timeSpent).toBe(true);
    expect(b.wallTimeMs(5000)).toBe(1);
  });

  it('holds the wall limits of runs side by side within what is left, the later one waiting', async () => {
    const b = new JobBudget(0, 2500);
    const job = new AbortController();
    const first = await b.hold(1000, job.signal);
    const second = await b.hold(1000, job.signal);
    expect([first, second]).toEqual([1000, 1000]);
    let third: number | undefined;
    const waiting = b.hold(1000, job.signal).then((ms) => (third = ms));
    await new Promise((r) => setImmediate(r));
    expect(third).toBeUndefined(); // only 500 ms are not held: it waits rather than run short
    b.charge(run('', '', 500));
    b.release(first);
    await waiting;
    expect(third).toBe(1000); // 2000 left, 1000 held by the second
    const cut = new AbortController();
    const fourth = b.hold(1000, cut.signal);
    cut.abort('cut');
    await expect(fourth).rejects.toThrow('run aborted: cut');
    b.charge(run('', '', 1000));
    b.release(second);
    b.charge(run('', '', 1000));
    b.release(third!);
    expect(b.timeSpent).toBe(true);
    expect(await b.hold(1000, job.signal)).toBe(1); // alone, with nothing left: as serially
  });

  it("holds no run's time before the job's start is confirmed, and none once the start is refused", async () => {
    let confirm!: () => void;
    const b = new JobBudget(0, 1000, new Promise<void>((resolve) => (confirm = resolve)));
    const job = new AbortController();
    let held: number | undefined;
    const waiting = b.hold(300, job.signal).then((ms) => (held = ms));
    await new Promise((r) => setImmediate(r));
    expect(held).toBeUndefined();
    confirm();
    await waiting;
    expect(held).toBe(300);

    const refused = new JobBudget(0, 1000, Promise.reject(new Error('the owner is at its running cap')));
    await expect(refused.hold(300, job.signal)).rejects.toThrow('the owner is at its running cap');
  });
});
