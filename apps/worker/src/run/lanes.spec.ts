import { runLanes, type LanePlan, type SparePool } from './lanes';

/** A pool of named slots; `waiting` says a job waits for its first slot. */
class Pool implements SparePool<string> {
  free: string[];
  waiting = false;
  private offers: ((s: string) => void)[] = [];
  given: string[] = [];

  constructor(...free: string[]) {
    this.free = free;
  }

  offerSpare(take: (slot: string) => void): () => void {
    const slot = this.waiting ? undefined : this.free.shift();
    if (slot) {
      take(slot);
      return () => undefined;
    }
    this.offers.push(take);
    return () => (this.offers = this.offers.filter((o) => o !== take));
  }

  get contended(): boolean {
    return this.waiting;
  }

  giveBack(slot: string): void {
    this.given.push(slot);
    this.free.push(slot);
  }

  /** Another job's slot comes free. */
  freed(slot: string): void {
    const take = this.offers.shift();
    if (take) take(slot);
    else this.free.push(slot);
  }

  get offering(): number {
    return this.offers.length;
  }
}

/** A test run whose end the spec decides: `ends[i](value)` or `fails[i](error)`. */
function controlled() {
  const ends: ((r: string) => void)[] = [];
  const fails: ((e: Error) => void)[] = [];
  const started: { index: number; slot: string; signal: AbortSignal }[] = [];
  const run = (index: number, slot: string, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      started.push({ index, slot, signal });
      ends[index] = resolve;
      fails[index] = reject;
      signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
  return { run, ends, fails, started };
}

const tick = () => new Promise((r) => setImmediate(r));

/** `count` tests from home slot `a` over `pool`; nothing stops them and nothing is kept unless `plan` says. */
const lanes = (pool: Pool, run: LanePlan<string, string>['run'], count: number, plan: Partial<LanePlan<string, string>> = {}) =>
  runLanes<string, string>({
    count,
    home: 'a',
    pool,
    run,
    stopsAfter: () => false,
    settle: () => undefined,
    signal: new AbortController().signal,
    ...plan,
  });

describe('runLanes', () => {
  it('runs tests on every spare slot, at most one lane per test, and settles them in order', async () => {
    const pool = new Pool('b', 'c', 'd');
    const { run, ends, started } = controlled();
    const settled: [number, string][] = [];
    const done = lanes(pool, run, 3, { settle: (i, r) => settled.push([i, r]) });
    await tick();
    expect(started.map((s) => [s.index, s.slot])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(pool.free).toEqual(['d']); // three tests, three slots
    ends[2]!('r2');
    ends[1]!('r1');
    await tick();
    expect(settled).toEqual([]); // test 0 has not ended
    ends[0]!('r0');
    await done;
    expect(settled).toEqual([
      [0, 'r0'],
      [1, 'r1'],
      [2, 'r2'],
    ]);
    expect(pool.given.sort()).toEqual(['b', 'c']);
    expect(pool.offering).toBe(0);
  });

  it('takes a slot freed later while tests are left, and none once every test has started', async () => {
    const pool = new Pool();
    const { run, ends, started } = controlled();
    const done = lanes(pool, run, 3);
    await tick();
    expect(started).toHaveLength(1);
    expect(pool.offering).toBe(1);
    pool.freed('b');
    await tick();
    expect(started.map((s) => s.slot)).toEqual(['a', 'b']);
    ends[0]!('r0');
    await tick();
    expect(started.map((s) => [s.index, s.slot])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'a'],
    ]);
    expect(pool.offering).toBe(0); // nothing left to start
    ends[1]!('r1');
    ends[2]!('r2');
    await done;
  });

  it('gives a borrowed slot back after its test while a job waits for its first', async () => {
    const pool = new Pool('b');
    const { run, ends, started } = controlled();
    const done = lanes(pool, run, 4);
    await tick();
    pool.waiting = true;
    ends[1]!('r1'); // on b
    await tick();
    expect(pool.given).toEqual(['b']);
    for (let i = 0; i < 4; i++) {
      ends[i]?.('r');
      await tick();
    }
    await done;
    expect(started.map((s) => s.slot)).toEqual(['a', 'b', 'a', 'a']);
  });

  it('cuts after a stopping test: later ones in flight are cancelled and not settled, earlier ones are', async () => {
    const pool = new Pool('b', 'c');
    const { run, ends, started } = controlled();
    const settled: number[] = [];
    const done = lanes(pool, run, 5, { stopsAfter: (_i, r) => r === 'fail', settle: (i) => settled.push(i) });
    await tick();
    ends[1]!('fail');
    await tick();
    expect(started[2]!.signal.aborted).toBe(true);
    expect(started[0]!.signal.aborted).toBe(false);
    ends[0]!('ok');
    await done;
    expect(settled).toEqual([0, 1]);
    expect(started.map((s) => s.index)).toEqual([0, 1, 2]); // 3 and 4 never started
  });

  it("rejects with a run's failure once every run has ended, cancelling the others", async () => {
    const pool = new Pool('b');
    const { run, fails, started } = controlled();
    const done = lanes(pool, run, 3);
    await tick();
    fails[0]!(new Error('launcher died'));
    await expect(done).rejects.toThrow('launcher died');
    expect(started[1]!.signal.aborted).toBe(true);
    expect(started).toHaveLength(2);
    expect(pool.given).toEqual(['b']);
  });

  it("passes the job's abort to every run in flight", async () => {
    const pool = new Pool('b');
    const { run, started } = controlled();
    const job = new AbortController();
    const done = lanes(pool, run, 2, { signal: job.signal });
    await tick();
    job.abort('cancelled');
    await expect(done).rejects.toThrow('aborted');
    expect(started.every((s) => s.signal.aborted)).toBe(true);
  });
});
