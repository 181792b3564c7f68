/**
 * Runs one job: compile once (in the sandbox, with the language's compile limits), then the
 * program once, or once per test, each in a fresh sandbox over the same compiled box, judged by
 * the job's checker. A crashing program is a result; only runbox's own trouble throws.
 */
import { Injectable } from '@nestjs/common';
import type { Checker, JobData, JobEventType, JobResult, Run, RunLimits, SourceFile, TestResult, Verdict } from '@runbox/contract';
import { Config } from '@runbox/config';
import { adjustLimits, expandArgv, languageEnv, LanguageRegistry, type Language } from '@runbox/languages';
import { Sandbox, type RunOutcome } from '../sandbox/launcher';
import { SandboxError } from '../sandbox/sandbox.errors';
import { SlotPool, type Slot } from '../sandbox/slots';
import { cloneBox, createBox, removeBox, writeFileInBox, type Box } from '../sandbox/workspace';
import { check } from './checkers';
import { overallVerdict, toRun } from './verdict';

export type EmitEvent = (type: JobEventType, data?: unknown) => void;

/** Output kept of a compiler or a checker: enough to read the error, not a flood. */
const TOOL_OUTPUT_BYTES = 65_536;
/** What a checker may use, whatever the job's limits. */
const CHECKER_LIMITS: RunLimits = { cpuTimeMs: 5_000, wallTimeMs: 10_000, memoryMb: 512, processes: 64, outputBytes: 4096 };

interface Program {
  lang: Language;
  box: Box;
  compile: Run | null;
}

@Injectable()
export class RunService {
  constructor(
    private readonly config: Config,
    private readonly languages: LanguageRegistry,
    private readonly slots: SlotPool,
  ) {}

  async run(data: JobData, signal: AbortSignal, emit: EmitEvent): Promise<JobResult> {
    const slot = await this.slots.acquire();
    const boxes: Box[] = [];
    try {
      const program = await this.build(slot, data.language, data.files, boxes, signal);
      if (program.compile) emit('compiled', program.compile);
      if (program.compile && program.compile.verdict !== 'ok') {
        return { verdict: 'compile_error', compile: program.compile, run: null, ...(data.tests ? { tests: [], score: { points: 0, maxPoints: maxPoints(data) } } : {}) };
      }
      if (!data.tests) {
        const run = await this.execute(slot, program, data.limits, data.stdin, data.args, signal);
        return { verdict: run.verdict, compile: program.compile, run };
      }
      let checker: Program | null = null;
      let checkerProblem: string | null = null;
      if (data.checker.type === 'custom') {
        try {
          checker = await this.buildChecker(slot, data.checker, boxes, signal);
        } catch (e) {
          if (!(e instanceof CheckerFailure)) throw e;
          checkerProblem = e.message;
        }
      }
      const tests: TestResult[] = [];
      for (const [i, test] of data.tests.entries()) {
        // Every test starts from the compiled workspace as it was: nothing one test writes
        // (a cache of answers, a patched binary) reaches the next.
        const box = cloneBox(program.box, slot.uid, slot.gid);
        let run: Run;
        try {
          run = await this.execute(slot, { ...program, box }, data.limits, test.stdin ?? '', test.args?.length ? test.args : data.args, signal);
        } finally {
          await removeBox(box);
        }
        const result: TestResult = { name: test.name ?? `test ${i + 1}`, verdict: run.verdict, points: 0, run };
        if (run.verdict === 'ok' && test.expectedOutput !== undefined) {
          const outcome = checkerProblem
            ? { verdict: 'internal_error' as Verdict, message: checkerProblem }
            : checker
            ? await this.runChecker(slot, checker, i, test.stdin ?? '', run.stdout, test.expectedOutput, signal)
            : check(data.checker as Exclude<Checker, { type: 'custom' }>, run.stdout, test.expectedOutput);
          result.verdict = outcome.verdict;
          if (outcome.message) result.message = outcome.message;
          if (outcome.verdict === 'wrong_answer') result.expectedOutput = capped(test.expectedOutput, data.limits.outputBytes);
        } else if (run.message) {
          result.message = run.message;
        }
        if (result.verdict === 'ok') result.points = test.points ?? 0;
        tests.push(result);
        emit('test', { index: i, ...result });
        if (data.stopOnFirstFailure && result.verdict !== 'ok') break;
      }
      const points = tests.reduce((sum, t) => sum + t.points, 0);
      return { verdict: overallVerdict(tests), compile: program.compile, run: null, tests, score: { points, maxPoints: maxPoints(data) } };
    } finally {
      // Off the job's critical path: the result goes out while the boxes are removed; the slot
      // takes its next job only once they are gone.
      this.slots.releaseAfter(slot, Promise.all(boxes.map((b) => removeBox(b))));
    }
  }

  /** Writes the files into a fresh box and compiles them when the language is compiled. */
  private async build(slot: Slot, language: string, files: readonly SourceFile[], boxes: Box[], signal: AbortSignal): Promise<Program> {
    const lang = this.languages.find(language);
    if (!lang) throw new SandboxError(`this worker has no language "${language}"`);
    const box = createBox(slot.workspaceDir, slot.uid, slot.gid, files);
    boxes.push(box);
    if (!lang.compile) return { lang, box, compile: null };
    const limits = { ...lang.compile.limits, outputBytes: TOOL_OUTPUT_BYTES };
    const compile = await this.sandboxed(slot, box, expandArgv(lang.compile.argv, files, lang, limits.memoryMb), languageEnv(lang), limits, '', signal);
    const run = toRun(compile.report, compile.stdout, compile.stderr, limits);
    if (run.verdict !== 'ok' && !run.message) run.message = 'compilation failed';
    return { lang, box, compile: run };
  }

  /** One run of the program with the job's limits, adjusted for its language. */
  private async execute(slot: Slot, p: Program, jobLimits: RunLimits, stdin: string, args: readonly string[], signal: AbortSignal): Promise<Run> {
    const limits = adjustLimits(p.lang, jobLimits);
    const argv = [...expandArgv(p.lang.run, [], p.lang, jobLimits.memoryMb), ...args];
    const out = await this.sandboxed(slot, p.box, argv, languageEnv(p.lang), limits, stdin, signal);
    return toRun(out.report, out.stdout, out.stderr, jobLimits);
  }

  private async buildChecker(slot: Slot, checker: Extract<Checker, { type: 'custom' }>, boxes: Box[], signal: AbortSignal): Promise<Program> {
    const lang = this.languages.find(checker.language);
    if (!lang) throw new SandboxError(`this worker has no checker language "${checker.language}"`);
    const files = checker.files ?? [{ path: lang.sourceFile, content: checker.source ?? '', encoding: 'utf8' as const }];
    const program = await this.build(slot, lang.id, files, boxes, signal);
    if (program.compile && program.compile.verdict !== 'ok') {
      throw new CheckerFailure(`the checker did not compile: ${program.compile.stderr.slice(0, 2000)}`);
    }
    return program;
  }

  /**
   * Runs the custom checker as `checker INPUT OUTPUT ANSWER` (testlib order). Exit 0 = ok,
   * 1 or 2 = wrong answer, anything else (a crash, a limit) = the checker failed.
   */
  private async runChecker(slot: Slot, checker: Program, index: number, input: string, output: string, answer: string, signal: AbortSignal) {
    const names = [`input.${index}`, `output.${index}`, `answer.${index}`];
    for (const [i, content] of [input, output, answer].entries()) {
      writeFileInBox(checker.box.path, { path: names[i]!, content, encoding: 'utf8' });
    }
    const limits = adjustLimits(checker.lang, CHECKER_LIMITS);
    const argv = [...expandArgv(checker.lang.run, [], checker.lang, CHECKER_LIMITS.memoryMb), ...names];
    const out = await this.sandboxed(slot, checker.box, argv, languageEnv(checker.lang), limits, '', signal);
    const run = toRun(out.report, out.stdout, out.stderr, CHECKER_LIMITS);
    const message = `${run.stdout}${run.stderr}`.trim().slice(0, 1000) || undefined;
    if (run.verdict === 'ok') return { verdict: 'ok' as Verdict, message };
    if (run.verdict === 'runtime_error' && (run.exitCode === 1 || run.exitCode === 2)) return { verdict: 'wrong_answer' as Verdict, message };
    return { verdict: 'internal_error' as Verdict, message: `checker failed (${run.message ?? (run.signal ?? `exit ${run.exitCode}`)})${message ? `: ${message}` : ''}` };
  }

  /** One sandboxed run on this slot: through its sandbox server (prepared mode), else a one-shot launch. */
  private async sandboxed(slot: Slot, box: Box, argv: string[], env: Record<string, string>, limits: RunLimits, stdin: string, signal: AbortSignal): Promise<RunOutcome> {
    if (signal.aborted) throw new SandboxError(`run aborted: ${String(signal.reason)}`);
    const spec = {
      argv,
      env,
      box: box.name,
      stdin,
      cpuTimeMs: limits.cpuTimeMs,
      wallTimeMs: limits.wallTimeMs,
      memoryKb: limits.memoryMb * 1024,
      processes: limits.processes,
      outputBytes: limits.outputBytes,
      fileSizeKb: this.config.worker.boxDiskMb * 1024,
    };
    const server = this.slots.serverOf(slot);
    return server ? server.run(spec, signal) : Sandbox.runOnce(slot.setup, spec, signal);
  }
}

/** A custom checker that cannot judge: the affected tests get `internal_error`. */
export class CheckerFailure extends Error {}

function maxPoints(data: JobData): number {
  return (data.tests ?? []).reduce((sum, t) => sum + (t.points ?? 0), 0);
}

function capped(s: string, bytes: number): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= bytes ? s : b.subarray(0, bytes).toString('utf8');
}
