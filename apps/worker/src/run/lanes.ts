/**
 * A graded job's tests over every slot it may use, and the rule by which slots are shared.
 *
 * The rule: a job runs on its own slot (the one it compiled on) from start to end; while it has
 * tests not yet started and no job waits for a first slot, it also takes every slot that is or
 * becomes free, one test at a time on each (a "lane"). A lane takes the next test in order; so a
 * job never holds more slots than it has tests, and every test before one that runs has started.
 * After each test, a borrowed slot goes back as soon as any job waits for its first slot, and a
 * freed slot goes to such a job before any job that could use another: a 100-test job lends
 * nothing to a queue of single runs but its spare slots' current tests, and keeps only its own
 * while they wait.
 *
 * Results keep their test order whatever order the runs end in: each test is settled (counted,
 * its output kept within the job's budget, its event sent) in order, once every test before it
 * has been. A test after which nothing counts (`stopsAfter`: a failure under stopOnFirstFailure,
 * the job's time spent) cuts the job there: no later test starts, later ones in flight are
 * cancelled (their sandboxes killed) and none of them is reported. Earlier ones in flight finish
 * and are reported, so the result is the one a serial run gives.
 */

/** Where a job's extra slots come from (SlotPool). */
export interface SparePool<S> {
  /** `take` gets a spare slot now or later, until withdrawn (the returned function). */
  offerSpare(take: (slot: S) => void): () => void;
  /** A job waits for its first slot: borrowed slots go back. */
  readonly contended: boolean;
  /** A borrowed slot goes back. */
  giveBack(slot: S): void;
}

export interface LanePlan<S, R> {
  count: number;
  /** The job's own slot: never given back here. */
  home: S;
  pool: SparePool<S>;
  /** Runs test `index` on `slot`; `signal` aborts when the test is cut or the job failed. */
  run(index: number, slot: S, signal: AbortSignal): Promise<R>;
  /** Nothing after test `index` counts once it ended so. */
  stopsAfter(index: number, result: R): boolean;
  /** Test `index` counts, in order: called once per counted test, for 0, 1, 2, ... */
  settle(index: number, result: R): void;
  /** The job's own signal (a cancel, the shutdown): the runs see it through theirs. */
  signal: AbortSignal;
}

/**
 * Runs the plan's tests and settles the counted ones in order. Rejects with the first runbox
 * failure of a counted test, once every run of the job has ended (no sandbox of it lives on).
 */
export async function runLanes<S, R>(plan: LanePlan<S, R>): Promise<void> {
  /** Ended, not yet settled: dropped once settled, so the job holds a whole run only until it counts. */
  const ended = new Map<number, R>();
  const inFlight = new Map<number, AbortController>();
  const lanes = new Set<Promise<void>>();
  let next = 0; // the lowest test not started
  let limit = plan.count; // tests from here on do not count
  let settled = 0;
  let failure: { error: unknown } | null = null;
  const none = () => undefined;
  /** Leaves the line for a spare slot (none while not in it). */
  let withdraw: () => void = none;

  const cut = (end: number) => {
    limit = Math.min(limit, end);
    for (const i of ended.keys()) if (i >= limit) ended.delete(i);
    for (const [i, c] of inFlight) if (i >= limit || failure) c.abort(failure ? 'the job failed' : 'cut');
    if (next >= limit || failure) withdraw();
  };
  const flush = () => {
    for (let r = ended.get(settled); settled < limit && r !== undefined; r = ended.get(settled)) {
      ended.delete(settled);
      plan.settle(settled++, r);
    }
  };
  const lane = async (slot: S, borrowed: boolean): Promise<void> => {
    try {
      while (next < limit && !failure) {
        const i = next++;
        if (next >= limit) withdraw();
        const controller = new AbortController();
        const onJobAbort = () => controller.abort(plan.signal.reason);
        if (plan.signal.aborted) controller.abort(plan.signal.reason);
        plan.signal.addEventListener('abort', onJobAbort, { once: true });
        inFlight.set(i, controller);
        try {
          const r = await plan.run(i, slot, controller.signal);
          if (i < limit) {
            ended.set(i, r);
            if (plan.stopsAfter(i, r)) cut(i + 1);
            flush();
          }
        } catch (error) {
          // A test cut meanwhile does not count, nor does how its cancelled run ended.
          if (i < limit && !failure) {
            failure = { error };
            cut(limit);
          }
        } finally {
          inFlight.delete(i);
          plan.signal.removeEventListener('abort', onJobAbort);
        }
        if (borrowed && plan.pool.contended) break;
      }
    } finally {
      if (borrowed) plan.pool.giveBack(slot);
    }
  };
  const start = (slot: S, borrowed: boolean) => {
    const p: Promise<void> = lane(slot, borrowed).finally(() => lanes.delete(p));
    lanes.add(p);
  };
  /** Starts a lane on a spare slot while a test is left for it, else gives the slot back. */
  const accept = (slot: S): boolean => {
    if (next >= limit || failure) {
      plan.pool.giveBack(slot);
      return false;
    }
    start(slot, true);
    return true;
  };
  /** Takes the spare slots there are, and stays in line for the next one while tests are left. */
  const borrow = () => {
    while (next < limit && !failure) {
      let now: S | undefined;
      let offering = true;
      const w = plan.pool.offerSpare((slot) => {
        if (offering) return void (now = slot);
        withdraw = none;
        if (accept(slot)) borrow();
      });
      offering = false;
      if (now === undefined) return void (withdraw = w);
      if (!accept(now)) return;
    }
  };

  start(plan.home, false);
  borrow();
  while (lanes.size > 0) await Promise.all(lanes);
  withdraw();
  if (failure) throw (failure as { error: unknown }).error;
}
