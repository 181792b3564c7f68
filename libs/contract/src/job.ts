/**
 * The job contract (HTTP API v1). `JobRequest` is what a client sends, `JobView` what it reads
 * back; `JobData` is what travels through the queue. There is no other definition of a job.
 */
import type { Checker, SourceFile } from './checker';
import type { Interactor, QueuedInteractor } from './interactor';
import type { OutputEncoding, Run, RunLimits, Verdict } from './run';

export interface TestCase {
  name?: string;
  stdin?: string;
  args?: string[];
  expectedOutput?: string;
  points?: number;
}

/** The body of `POST /v1/jobs`. Exactly one of `source` and `files`. */
export interface JobRequest {
  language: string;
  source?: string;
  files?: SourceFile[];
  stdin?: string;
  args?: string[];
  /** Appended to the language's compile command (compiled languages only): `["-DLOCAL", "-O0"]`. */
  compileArgs?: string[];
  /** A zip (base64) unpacked, inside the sandbox, next to the files before compiling: no links, no paths leaving the directory; existing files win. */
  archive?: string;
  limits?: Partial<RunLimits>;
  tests?: TestCase[];
  checker?: Checker;
  /** Makes every test interactive (needs `tests`, excludes `checker`): see interactor.ts. */
  interactor?: Interactor;
  stopOnFirstFailure?: boolean;
  callbackUrl?: string;
  /** How stdout, stderr and output files come back; default `utf8`. */
  outputEncoding?: OutputEncoding;
  /** Files the program writes to return with its run (each test's own): paths or globs (`*`, `?`, `[…]` within one component) relative to /box. */
  outputFiles?: string[];
  /** Send the program's stdout and stderr as `output` events on the job's event stream while it runs (default false: only the final job has them). */
  liveOutput?: boolean;
}

export const JOB_STATUSES = ['queued', 'running', 'completed', 'cancelled', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'cancelled', 'failed'];
/** Whether `status` (a job's, or a job event's type) is one a job ends in. */
export const isFinalStatus = (status: string): status is JobStatus => (FINAL_STATUSES as readonly string[]).includes(status);

export interface TestResult {
  name: string;
  verdict: Verdict;
  points: number;
  run: Run | null;
  /** The checker's message, or what differed. */
  message?: string;
  expectedOutput?: string;
}

export interface Score {
  points: number;
  maxPoints: number;
}

/**
 * Why a job ended before its last test (the tests after `test` were not run). `job_time_budget`:
 * the wall time of its compile, tests and checkers together reached the server's per-job budget
 * (JOB_TIME_BUDGET_MS); the run that crossed it was stopped there, and its test (or the job, if no
 * test was running) has verdict `time_limit`.
 */
export const JOB_STOP_REASONS = ['job_time_budget'] as const;
export type JobStopReason = (typeof JOB_STOP_REASONS)[number];

export interface JobStop {
  reason: JobStopReason;
  /** Index of the test during which the job stopped; absent when it stopped in the compile or the single run. */
  test?: number;
}

export interface JobResult {
  verdict: Verdict;
  compile: Run | null;
  /** The single run when the job has no tests. */
  run: Run | null;
  tests?: TestResult[];
  score?: Score;
  /** Present when the job stopped early for a reason of the server's (not `stopOnFirstFailure`). */
  stopped?: JobStop;
  /**
   * Present (true) when the output kept of all the job's runs reached the server's per-job budget
   * (JOB_OUTPUT_BUDGET_BYTES): from there on each run's streams are cut, with their
   * `stdoutTruncated`/`stderrTruncated` set. Verdicts were judged on the whole output.
   */
  outputBudgetSpent?: true;
}

export interface WebhookDelivery {
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
  deliveredAt?: string;
}

export interface JobView {
  id: string;
  status: JobStatus;
  language: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: JobResult | null;
  /** Why runbox could not run the job (status `failed`) or who cancelled it. */
  error?: string;
  webhook?: WebhookDelivery;
}

/** A test as queued: every field filled in, but `expectedOutput` (without it only the run itself is judged). */
export type QueuedTest = Required<Omit<TestCase, 'expectedOutput'>> & Pick<TestCase, 'expectedOutput'>;

/** A checker as queued: a custom checker's program is always given as `files`. */
export type QueuedChecker = Exclude<Checker, { type: 'custom' }> | { type: 'custom'; language: string; files: SourceFile[] };

/**
 * What the API puts on the queue: the request after validation, with the language resolved to
 * its canonical id, every file normalised and every limit filled in. The worker re-validates it
 * (`parseJobData`) before it runs anything.
 */
export interface JobData {
  v: 1;
  language: string;
  files: SourceFile[];
  stdin: string;
  args: string[];
  /** Appended to the compile command's argv; empty for an interpreted language. */
  compileArgs: string[];
  /** A zip (base64) to unpack in the box before compiling, or null. */
  archive: string | null;
  limits: RunLimits;
  tests: QueuedTest[] | null;
  checker: QueuedChecker;
  /** Absent: no interactor (every job queued before it existed). */
  interactor?: QueuedInteractor;
  stopOnFirstFailure: boolean;
  callbackUrl: string | null;
  /** Absent (as in jobs queued before it existed): `utf8`. */
  outputEncoding?: OutputEncoding;
  /** Absent: none. */
  outputFiles?: string[];
  /**
   * Absent: nothing live. `output`: the runs' output goes out as it comes (live.ts);
   * `session`: that, and the program's stdin is the job's `stdin` followed by what its
   * interactive session sends while it runs.
   */
  live?: LiveMode;
  createdAt: string;
  /** Quota identity of the submitter (`key:<id>`, or `ip:<address>` when the service runs open): its active-job quota counts the job. */
  owner: string | null;
}

export const LIVE_MODES = ['output', 'session'] as const;
export type LiveMode = (typeof LIVE_MODES)[number];

/** Live events of a job (`GET /v1/jobs/{id}/events`), in the order they happen. */
export const JOB_EVENT_TYPES = ['queued', 'running', 'compiled', 'test', 'output', 'completed', 'failed', 'cancelled'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];
/** The events between a job's start and its end, published on the progress channel (its end goes out with the job's record, libs/queue job-end.ts). */
export type JobProgressType = Extract<JobEventType, 'running' | 'compiled' | 'test'>;

export interface JobEvent {
  jobId: string;
  type: JobEventType;
  at: string;
  /** `compiled`: the compile run; `test`: the finished test and its index; final events: the job. */
  data?: unknown;
}
