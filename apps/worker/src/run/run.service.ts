/**
 * Runs one job: compile once (in the sandbox, with the language's compile limits), then the
 * program once, or once per test, each in a fresh sandbox over a fresh copy of the compiled box,
 * judged by the job's checker. Tests run on every slot the job may use (lanes.ts says which),
 * and count in their order. A crashing program is a result; only runbox's own trouble throws.
 */
import { Injectable } from '@nestjs/common';
import type {
  JobData,
  JobProgressType,
  JobResult,
  QueuedChecker,
  QueuedInteractor,
  Run,
  RunLimits,
  SourceFile,
  TestResult,
  Verdict,
} from '@runbox/contract';
import { Config } from '@runbox/config';
import { adjustLimits, BASE_ENV, expandArgv, languageEnv, LanguageRegistry, type Language } from '@runbox/languages';
import { collectFiles } from '../sandbox/collect';
import { runOnce } from '../sandbox/launcher';
import { SandboxError } from '../sandbox/sandbox.errors';
import { SlotPool, type Slot } from '../sandbox/slots';
import { cloneBox, createBox, writeFileInBox, type Box } from '../sandbox/workspace';
import { JobBudget } from './budget';
import { runLanes } from './lanes';
import type { RawRun } from './output';
import { check } from './checkers';
import { specOf, type Command } from './command';
import { InteractiveTests, type Judged } from './interactive';
import type { LiveJob, LiveRun } from './live';
import { ARCHIVE_CAPS, ARCHIVE_FILE, UNPACK_LIMITS, unpackArgv } from './unpack';
import { overallVerdict, toRun } from './verdict';

export type EmitEvent = (type: JobProgressType, data?: unknown) => void;

/** Output kept of a compiler or a checker: enough to read the error, not a flood. */
const TOOL_OUTPUT_BYTES = 65_536;
/** What a checker may use, whatever the job's limits. */
const CHECKER_LIMITS: RunLimits = { cpuTimeMs: 5_000, wallTimeMs: 10_000, memoryMb: 512, processes: 64, outputBytes: 4096 };

interface Program {
  box: Box;
  compile: RawRun | null;
}

/** Running a program of `lang` under `limits`, adjusted for the language. */
function commandOf(lang: Language, limits: RunLimits): Command {
  return {
    argv: expandArgv(lang.run, [], lang, limits.memoryMb),
    env: languageEnv(lang),
    limits: adjustLimits(lang, limits),
    shown: limits,
  };
}

/** Judges one test's output, on the slot the test ran on: a built-in checker, the custom checker, or a checker that cannot judge. */
type Judge = (
  slot: Slot,
  index: number,
  input: string,
  output: string,
  answer: string,
  signal: AbortSignal,
) => Promise<{ verdict: Verdict; message?: string }>;

/** One test as it ended, before it counts: judged, its run still whole. */
interface TestEnd {
  result: Omit<TestResult, 'run'>;
  run: RawRun;
  /** The job's time was spent when its run ended: it is not judged, and nothing after it counts. */
  spent: boolean;
}

@Injectable()
export class RunService {
  constructor(
    private readonly config: Config,
    private readonly languages: LanguageRegistry,
    private readonly slots: SlotPool,
  ) {}

  /**
   * With `live`, the compile and the program's runs are streamed (live.ts). Nothing runs before
   * `start` resolves (JobBudget): the job's boxes are built meanwhile; if it rejects, so does this.
   */
  async run(data: JobData, signal: AbortSignal, emit: EmitEvent, live?: LiveJob, start?: Promise<void>): Promise<JobResult> {
    const slot = await this.slots.acquire();
    const boxes: Box[] = [];
    const budget = new JobBudget(this.config.worker.jobOutputBudgetBytes, this.config.worker.jobTimeBudgetMs, start);
    const ends = (result: JobResult): JobResult => (budget.outputSpent ? { ...result, outputBudgetSpent: true } : result);
    try {
      const lang = this.languages.find(data.language);
      if (!lang) throw new SandboxError(`this worker has no language "${data.language}"`);
      const built = await this.build(slot, lang, data.files, boxes, budget, signal, data.compileArgs, data.archive, live);
      const encoding = data.outputEncoding ?? 'utf8';
      const compile = built.compile && budget.keep(built.compile, encoding);
      if (compile) emit('compiled', compile);
      const noTests = data.tests ? { tests: [], score: { points: 0, maxPoints: maxPoints(data) } } : {};
      if (compile && budget.timeSpent) {
        return ends({
          verdict: 'time_limit',
          compile: spentRun(compile, budget),
          run: null,
          ...noTests,
          stopped: { reason: 'job_time_budget' },
        });
      }
      if (compile && compile.verdict !== 'ok') return ends({ verdict: 'compile_error', compile, run: null, ...noTests });
      const command = commandOf(lang, data.limits);
      if (!data.tests) {
        const run = budget.keep(
          await this.withFiles(
            slot,
            built.box,
            data,
            this.runIn(slot, built.box, command, data.args, data.stdin, budget, signal, live?.run('run', command.limits.outputBytes)),
          ),
          encoding,
        );
        if (budget.timeSpent)
          return ends({ verdict: 'time_limit', compile, run: spentRun(run, budget), stopped: { reason: 'job_time_budget' } });
        return ends({ verdict: run.verdict, compile, run });
      }
      const judge = await this.judgeFor(slot, data.checker, boxes, budget, signal);
      const interactive = data.interactor ? await this.interactiveFor(slot, data.interactor, boxes, budget, signal) : null;
      if (typeof interactive === 'string') {
        const failed = (t: { name: string }): TestResult => ({
          name: t.name,
          verdict: 'internal_error',
          points: 0,
          run: null,
          message: interactive,
        });
        return ends({
          verdict: 'internal_error',
          compile,
          run: null,
          tests: data.tests.map(failed),
          score: { points: 0, maxPoints: maxPoints(data) },
        });
      }
      const cases = data.tests;
      const tests: TestResult[] = [];
      let stopped: JobResult['stopped'];
      await runLanes<Slot, TestEnd>({
        count: cases.length,
        home: slot,
        pool: this.slots,
        signal,
        run: (i, on, testSignal) => this.runTest(on, built.box, data, i, command, judge, interactive, budget, testSignal, live),
        stopsAfter: (_i, end) => end.spent || (data.stopOnFirstFailure === true && end.result.verdict !== 'ok'),
        settle: (i, end) => {
          // Judged on the whole output; kept only within the job's output budget, in test order.
          const result: TestResult = { ...end.result, run: budget.keep(end.run, encoding) };
          if (end.spent) {
            result.verdict = 'time_limit';
            result.message = spentMessage(budget);
            stopped = { reason: 'job_time_budget', test: i };
          }
          if (result.verdict === 'ok') result.points = cases[i]!.points;
          tests.push(result);
          emit('test', { index: i, ...result });
        },
      });
      const points = tests.reduce((sum, t) => sum + t.points, 0);
      return ends({
        verdict: overallVerdict(tests),
        compile,
        run: null,
        tests,
        score: { points, maxPoints: maxPoints(data) },
        ...(stopped ? { stopped } : {}),
      });
    } finally {
      // The slot takes its next job only once the boxes are gone (or its workspace is new).
      this.slots.releaseAfter(slot, boxes);
    }
  }

  /**
   * Writes the files into a fresh box, unpacks the archive among them (in the sandbox), and
   * compiles them (with `compileArgs` after the table's argv) when the language is compiled. An
   * archive that cannot be unpacked fails the build as a compile error would, with the reason.
   */
  private async build(
    slot: Slot,
    lang: Language,
    files: readonly SourceFile[],
    boxes: Box[],
    budget: JobBudget,
    signal: AbortSignal,
    compileArgs: readonly string[] = [],
    archive: string | null = null,
    live?: LiveJob,
  ): Promise<Program> {
    const box = await createBox(
      slot.setup,
      archive === null ? files : [...files, { path: ARCHIVE_FILE, content: archive, encoding: 'base64' }],
    );
    boxes.push(box);
    if (archive !== null) {
      const caps = { ...ARCHIVE_CAPS, bytes: this.config.worker.boxDiskMb * 1024 * 1024 };
      const unpack = await this.runIn(
        slot,
        box,
        { argv: unpackArgv(caps), env: { ...BASE_ENV }, limits: UNPACK_LIMITS, shown: UNPACK_LIMITS },
        [],
        '',
        budget,
        signal,
      );
      if (unpack.verdict !== 'ok')
        return { box, compile: { ...unpack, verdict: 'runtime_error', message: unpack.message ?? 'the archive could not be unpacked' } };
    }
    if (!lang.compile) return { box, compile: null };
    const limits = { ...lang.compile.limits, outputBytes: TOOL_OUTPUT_BYTES };
    const command: Command = {
      argv: expandArgv(lang.compile.argv, files, lang, limits.memoryMb),
      env: languageEnv(lang),
      limits,
      shown: limits,
    };
    const run = await this.runIn(slot, box, command, compileArgs, '', budget, signal, live?.run('compile', limits.outputBytes));
    if (run.verdict !== 'ok' && !run.message) run.message = 'compilation failed';
    return { box, compile: run };
  }

  /** The job's judge. A custom checker is built now; one that does not compile fails every test it would judge. */
  private async judgeFor(slot: Slot, checker: QueuedChecker, boxes: Box[], budget: JobBudget, signal: AbortSignal): Promise<Judge> {
    if (checker.type !== 'custom') return (_slot, _index, _input, output, answer) => Promise.resolve(check(checker, output, answer));
    const lang = this.languages.find(checker.language);
    if (!lang) throw new SandboxError(`this worker has no checker language "${checker.language}"`);
    const program = await this.build(slot, lang, checker.files, boxes, budget, signal);
    if (program.compile && program.compile.verdict !== 'ok') {
      const problem = {
        verdict: 'internal_error' as Verdict,
        message: `the checker did not compile: ${program.compile.stderr.slice(0, 2000)}`,
      };
      return () => Promise.resolve(problem);
    }
    const command = commandOf(lang, CHECKER_LIMITS);
    return (on, index, input, output, answer, testSignal) =>
      this.runChecker(on, program.box, command, index, input, output, answer, budget, testSignal);
  }

  /**
   * The job's interactor, built now in its own box; for one that does not compile, why (each
   * test is then an internal_error, as with a checker that does not compile).
   */
  private async interactiveFor(
    slot: Slot,
    interactor: QueuedInteractor,
    boxes: Box[],
    budget: JobBudget,
    signal: AbortSignal,
  ): Promise<InteractiveTests | string> {
    const lang = this.languages.find(interactor.language);
    if (!lang) throw new SandboxError(`this worker has no interactor language "${interactor.language}"`);
    const program = await this.build(slot, lang, interactor.files, boxes, budget, signal);
    if (program.compile && program.compile.verdict !== 'ok')
      return `the interactor did not compile: ${program.compile.stderr.slice(0, 2000)}`;
    return new InteractiveTests(
      this.slots,
      { box: program.box, command: commandOf(lang, interactor.limits) },
      this.config.worker.boxDiskMb * 1024,
    );
  }

  /**
   * Runs the custom checker as `checker INPUT OUTPUT ANSWER` (testlib order). Exit 0 = ok,
   * 1 or 2 = wrong answer, anything else (a crash, a limit) = the checker failed.
   */
  private async runChecker(
    slot: Slot,
    box: Box,
    command: Command,
    index: number,
    input: string,
    output: string,
    answer: string,
    budget: JobBudget,
    signal: AbortSignal,
  ) {
    // A fresh copy of the compiled checker for every call, its inputs written before anything runs
    // in it: the root side never writes into a box a program (this checker's last call, fed the
    // contestant's output) has already run in.
    const call = await cloneBox(box, slot.setup);
    const names = [`input.${index}`, `output.${index}`, `answer.${index}`];
    let run: RawRun;
    try {
      await Promise.all(
        [input, output, answer].map((content, i) => writeFileInBox(call.path, { path: names[i]!, content, encoding: 'utf8' })),
      );
      run = await this.runIn(slot, call, command, names, '', budget, signal);
    } finally {
      await this.slots.discard(slot, call);
    }
    const message = `${run.stdout}${run.stderr}`.trim().slice(0, 1000) || undefined;
    if (run.verdict === 'ok') return { verdict: 'ok' as Verdict, message };
    if (run.verdict === 'runtime_error' && (run.exitCode === 1 || run.exitCode === 2))
      return { verdict: 'wrong_answer' as Verdict, message };
    return {
      verdict: 'internal_error' as Verdict,
      message: `checker failed (${run.message ?? run.signal ?? `exit ${run.exitCode}`})${message ? `: ${message}` : ''}`,
    };
  }

  /**
   * Test `index` on `slot` (the job's own or one it borrowed), judged there. Every test starts
   * from the compiled workspace as it was: nothing one test writes (a cache of answers, a patched
   * binary) reaches another.
   */
  private async runTest(
    slot: Slot,
    compiled: Box,
    data: JobData,
    index: number,
    command: Command,
    judge: Judge,
    interactive: InteractiveTests | null,
    budget: JobBudget,
    signal: AbortSignal,
    live?: LiveJob,
  ): Promise<TestEnd> {
    const test = data.tests![index]!;
    const box = await cloneBox(compiled, slot.setup);
    const args = test.args.length ? test.args : data.args;
    let run: RawRun;
    let judged: Judged | undefined;
    try {
      if (interactive) {
        const played = await interactive.run(slot, box, test, command, args, budget, signal);
        judged = played.judged;
        run = await this.withFiles(slot, box, data, Promise.resolve(played.run));
      } else {
        const streamed = live?.run('run', command.limits.outputBytes, index);
        run = await this.withFiles(slot, box, data, this.runIn(slot, box, command, args, test.stdin, budget, signal, streamed));
      }
    } finally {
      await this.slots.discard(slot, box);
    }
    const spent = budget.timeSpent;
    const result: TestEnd['result'] = { name: test.name, verdict: run.verdict, points: 0 };
    if (judged) {
      // The interactor judged the test while it ran (interactive.ts).
      result.verdict = judged.verdict;
      if (judged.message) result.message = judged.message;
    } else if (run.verdict === 'ok' && test.expectedOutput !== undefined && !spent) {
      const outcome = await judge(slot, index, test.stdin, run.stdout, test.expectedOutput, signal);
      result.verdict = outcome.verdict;
      if (outcome.message) result.message = outcome.message;
      if (outcome.verdict === 'wrong_answer') result.expectedOutput = capped(test.expectedOutput, data.limits.outputBytes);
    } else if (run.message) {
      result.message = run.message;
    }
    return { result, run, spent };
  }

  /**
   * `run` with the files the job asks for, read from `box` once the run has ended: its report
   * came, so the launcher removed the run's cgroup and no process of it lives.
   */
  private async withFiles(slot: Slot, box: Box, data: JobData, run: Promise<RawRun>): Promise<RawRun> {
    const done = await run;
    if (!data.outputFiles?.length) return done;
    if (slot.settling) await slot.settling;
    return { ...done, collected: await collectFiles(slot.setup, box.name, data.outputFiles, this.config.worker.outputFiles) };
  }

  /**
   * One sandboxed run of `command` (plus `args`) in `box`: through the slot's sandbox server
   * (prepared mode), else a one-shot launch. Its wall limit is at most what is left of the job's
   * time, and its wall time is charged to it. With `live`, a streamed run (one-shot: its output
   * goes out once it has ended).
   */
  private async runIn(
    slot: Slot,
    box: Box,
    command: Command,
    args: readonly string[],
    stdin: string,
    budget: JobBudget,
    signal: AbortSignal,
    live?: LiveRun,
  ): Promise<RawRun> {
    if (signal.aborted) {
      live?.end(null);
      throw new SandboxError(`run aborted: ${String(signal.reason)}`);
    }
    const { limits } = command;
    let held: number;
    try {
      held = await budget.hold(limits.wallTimeMs, signal);
    } catch (e) {
      live?.end(null);
      throw new SandboxError((e as Error).message);
    }
    const spec = specOf(command, box.name, args, { stdin, wallTimeMs: held, fileSizeKb: this.config.worker.boxDiskMb * 1024 });
    const server = this.slots.serverOf(slot);
    try {
      const out = await (server ? server.run(spec, signal, live) : runOnce(slot.setup, spec, signal));
      if (live && !server) for (const stream of ['stdout', 'stderr'] as const) live.onOutput(stream, out[stream]);
      const run = toRun(out.report, out.stdout, out.stderr, command.shown);
      budget.charge(run);
      live?.end(run);
      return run;
    } catch (e) {
      live?.end(null);
      // No valid report: nothing says the run's processes are gone (a report does: the launcher
      // writes it after removing the run's cgroup), so no box is touched until they are.
      this.slots.abnormalEnd(slot);
      throw e;
    } finally {
      budget.release(held);
    }
  }
}

function spentMessage(budget: JobBudget): string {
  return `the job's time budget (${budget.timeMs} ms over all its runs) is spent`;
}

/** The run during which the job's time ran out: a time limit, whatever it did before. */
function spentRun(run: Run, budget: JobBudget): Run {
  return { ...run, verdict: 'time_limit', message: spentMessage(budget) };
}

function maxPoints(data: JobData): number {
  return (data.tests ?? []).reduce((sum, t) => sum + t.points, 0);
}

function capped(s: string, bytes: number): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= bytes ? s : b.subarray(0, bytes).toString('utf8');
}
