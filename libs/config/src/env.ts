/**
 * Every setting runbox reads, as a table: name, default, parser, meaning. `loadConfig` reads the
 * environment through it and nothing else in the code base reads `process.env`. The README's
 * table of variables is generated from this list (`npm run config:doc`), so the two agree.
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { DEFAULT_LIMITS, DEFAULT_MAX_LIMITS, MAX_ARGS_REQUEST_BYTES, MIN_LIMITS } from '@runbox/contract';

export type Parser<T> = (raw: string) => T;

export interface Setting<T = unknown> {
  default: T | undefined;
  parse: Parser<T>;
  doc: string;
}

export class BadValue extends Error {}

export const int =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new BadValue('must be an integer');
    const n = Number(raw);
    if (n < min || n > max) throw new BadValue(`must be between ${min} and ${max}`);
    return n;
  };
export const bool: Parser<boolean> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new BadValue('must be true or false');
};
export const text: Parser<string> = (raw) => raw;
export const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw) => {
    if (!values.includes(raw as T)) throw new BadValue(`must be one of ${values.join(', ')}`);
    return raw as T;
  };
export const url =
  (...protocols: string[]): Parser<string> =>
  (raw) => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new BadValue('must be a URL');
    }
    if (!protocols.includes(u.protocol)) throw new BadValue(`must use ${protocols.join(' or ')}`);
    return raw;
  };
export const list: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** A comma-separated list whose every entry is one of `values` (each at most once); `none` is the empty list (an empty variable means the default). */
export const listOf =
  <T extends string>(values: readonly T[]): Parser<T[]> =>
  (raw) => {
    if (raw.trim() === 'none') return [];
    const items = list(raw);
    const bad = items.filter((v) => !values.includes(v as T));
    if (bad.length) throw new BadValue(`${bad.join(', ')}: not one of ${values.join(', ')}`);
    return [...new Set(items)] as T[];
  };

/** The peers' APIs runbox can answer besides /v1 (apps/api/src/compat). */
export const COMPAT_API_NAMES = ['judge0', 'piston', 'jobe'] as const;
export type CompatApiName = (typeof COMPAT_API_NAMES)[number];

/**
 * Which peers' X-Forwarded-For is believed, as proxy-addr (Express's and Fastify's) reads it:
 * false (the peer is the client), a number of proxy hops, true (any peer; only behind a proxy
 * that overwrites X-Forwarded-For), or the proxies' addresses/CIDRs and proxy-addr's names for
 * ranges (loopback, linklocal, uniquelocal).
 */
export type TrustProxy = boolean | number | string[];
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
export const trustProxy: Parser<TrustProxy> = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return true;
  if (/^\d+$/.test(v)) return int(1, 32)(v);
  const entries = list(v);
  for (const e of entries) {
    const [address, bits, ...rest] = e.split('/');
    const family = isIP(address!);
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!PROXY_RANGES.includes(e) && (rest.length > 0 || family === 0 || !bitsOk)) {
      throw new BadValue(`"${e}" is not an address, CIDR or one of ${PROXY_RANGES.join(', ')}; use false, true, a hop count or a list`);
    }
  }
  return entries;
};

/** A setting's value has its parser's type; one with a default is never undefined. */
function setting<T>(def: undefined, parse: Parser<T>, doc: string): Setting<T>;
function setting<T>(def: T, parse: Parser<T>, doc: string): Setting<T> & { default: T };
function setting<T>(def: T | undefined, parse: Parser<T>, doc: string): Setting<T> {
  return { default: def, parse, doc };
}

export const SETTINGS = {
  // HTTP
  PORT: setting(3000, int(1, 65535), 'API listening port'),
  HOST: setting('127.0.0.1', text, 'API listening address; anything but loopback needs API keys or ALLOW_OPEN'),
  ALLOW_OPEN: setting(false, bool, 'let an API without keys listen beyond loopback (open code execution for anyone who reaches it)'),
  TRUST_PROXY: setting(
    false as TrustProxy,
    trustProxy,
    'proxies whose X-Forwarded-For gives the client address (quota per address): false, hops, or addresses/CIDRs',
  ),
  BODY_LIMIT_BYTES: setting(2_097_152, int(1024), 'largest request body; larger ones get 413'),
  WAIT_MAX_MS: setting(30_000, int(0, 600_000), 'longest `?wait=true` hold before answering 202'),
  LOG_LEVEL: setting(
    'info',
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    'log level (`info` and below: one JSON line per HTTP request; `warn` drops them and their cost)',
  ),
  // Redis and queue
  REDIS_URL: setting('redis://127.0.0.1:6379', url('redis:', 'rediss:'), 'Redis to use (`npm start` starts a private one when unset)'),
  QUEUE_PREFIX: setting('runbox', text, 'prefix of every BullMQ key in Redis'),
  RESULT_RETENTION_S: setting(86_400, int(1), 'how long finished jobs (and their results) are kept'),
  JOB_ATTEMPTS: setting(2, int(1, 10), 'runs of a job whose worker or sandbox failed before it is marked failed'),
  LOCK_DURATION_MS: setting(30_000, int(1000), 'a job whose worker stops renewing its lock this long is re-queued'),
  // Request size limits
  MAX_FILES: setting(20, int(1, 1000), 'files per job'),
  MAX_FILE_BYTES: setting(262_144, int(1), 'bytes of one file (and of `source`)'),
  MAX_STDIN_BYTES: setting(1_048_576, int(0), 'bytes of stdin (per job and per test)'),
  MAX_ARGS: setting(64, int(0, 4096), `program arguments (MAX_ARGS × (MAX_ARG_BYTES + 1) must be ≤ ${MAX_ARGS_REQUEST_BYTES})`),
  MAX_ARG_BYTES: setting(4096, int(1), 'bytes of one argument'),
  MAX_TESTS: setting(100, int(1, 10_000), 'tests per job'),
  MAX_BATCH: setting(50, int(1, 1000), 'jobs per batch request'),
  // Limits: defaults and maxima
  DEFAULT_CPU_TIME_MS: setting(DEFAULT_LIMITS.cpuTimeMs, int(MIN_LIMITS.cpuTimeMs), 'default CPU time of a run'),
  DEFAULT_WALL_TIME_MS: setting(DEFAULT_LIMITS.wallTimeMs, int(MIN_LIMITS.wallTimeMs), 'default wall time of a run'),
  DEFAULT_MEMORY_MB: setting(DEFAULT_LIMITS.memoryMb, int(MIN_LIMITS.memoryMb), 'default memory of a run'),
  DEFAULT_PROCESSES: setting(DEFAULT_LIMITS.processes, int(MIN_LIMITS.processes), 'default processes+threads of a run'),
  DEFAULT_OUTPUT_BYTES: setting(DEFAULT_LIMITS.outputBytes, int(MIN_LIMITS.outputBytes), 'default bytes kept of stdout and of stderr'),
  MAX_CPU_TIME_MS: setting(DEFAULT_MAX_LIMITS.cpuTimeMs, int(MIN_LIMITS.cpuTimeMs), 'largest cpuTimeMs a client may ask for'),
  MAX_WALL_TIME_MS: setting(DEFAULT_MAX_LIMITS.wallTimeMs, int(MIN_LIMITS.wallTimeMs), 'largest wallTimeMs'),
  MAX_MEMORY_MB: setting(DEFAULT_MAX_LIMITS.memoryMb, int(MIN_LIMITS.memoryMb), 'largest memoryMb'),
  MAX_PROCESSES: setting(DEFAULT_MAX_LIMITS.processes, int(MIN_LIMITS.processes), 'largest processes'),
  MAX_OUTPUT_BYTES: setting(DEFAULT_MAX_LIMITS.outputBytes, int(MIN_LIMITS.outputBytes), 'largest outputBytes'),
  // Worker and sandbox
  WORKER_SLOTS: setting(availableParallelism(), int(1, 256), 'sandboxes run at once by one worker (default: CPU cores)'),
  WORKER_UID_BASE: setting(60_000, int(1000, 4_000_000_000), 'slot N runs as uid/gid BASE+N'),
  WORKSPACE_DIR: setting('/var/lib/runbox/slots', text, 'where each slot mounts its size-limited workspace'),
  BOX_DISK_MB: setting(64, int(1, 65_536), 'size of /box (the slot workspace tmpfs)'),
  TMP_DISK_MB: setting(64, int(1, 65_536), 'size of /tmp inside the sandbox'),
  LAUNCHER_PATH: setting(undefined, text, 'the native launcher (default: native/build/runbox-launcher of this checkout)'),
  SANDBOX_ROOTFS: setting(
    '/',
    text,
    "tree the sandboxes' read-only system binds (/usr, /lib, …) come from; the worker image keeps the runtimes in /opt/runbox/rootfs, apart from the files the root worker runs",
  ),
  CGROUP_PARENT: setting('runbox', text, 'cgroup folder (under each hierarchy) holding the runs'),
  SANDBOX_MODE: setting(
    'auto',
    oneOf('auto', 'root', 'rootless'),
    'rootless: the worker needs no host root: it runs in a user namespace of its own, with a delegated cgroup and subordinate ids (README "Rootless worker"), and every sandbox gets one too; auto: rootless when the worker is not root, or in a user namespace already',
  ),
  PREPARED_SANDBOXES: setting(
    true,
    bool,
    'each slot keeps a long-lived launcher (serve mode) that builds its next sandbox before the job arrives; false: one launcher per run',
  ),
  SHUTDOWN_GRACE_MS: setting(10_000, int(0), 'on SIGTERM, how long running jobs may finish before they are cancelled'),
  JOB_OUTPUT_BUDGET_BYTES: setting(
    8_388_608,
    int(0),
    'output kept of all the runs of a job together; beyond it the streams of each run are cut (flagged)',
  ),
  OUTPUT_FILES_MAX: setting(100, int(1, 10_000), 'output files (and skipped matches) a run returns; further matches are only counted'),
  OUTPUT_FILE_MAX_BYTES: setting(1_048_576, int(1, 1 << 30), 'bytes kept of one output file; a longer one is cut (flagged)'),
  OUTPUT_FILES_MAX_TOTAL_BYTES: setting(4_194_304, int(1, 2 ** 32), "bytes of all of one run's output files together"),
  JOB_TIME_BUDGET_MS: setting(
    300_000,
    int(1),
    'wall time of the compile, tests and checkers of a job together; the run that crosses it ends in time_limit, later tests are not run',
  ),
  MAX_RUNNING_JOBS_PER_KEY: setting(16, int(1), 'jobs of one key (or address) running at once across all workers; more wait in the queue'),
  LANGUAGES_FILE: setting(undefined, text, 'language table (default: libs/languages/languages.json)'),
  // Grading and webhooks
  WEBHOOK_SECRET: setting(undefined, text, 'Standard Webhooks secret (`whsec_…` base64) signing callbacks'),
  WEBHOOK_ALLOW: setting([], list, 'hosts/CIDRs callbacks may reach despite the SSRF guard (comma-separated)'),
  WEBHOOK_ATTEMPTS: setting(5, int(1, 20), 'deliveries tried per callback'),
  WEBHOOK_BACKOFF_MS: setting(1_000, int(1, 3_600_000), 'wait before the 2nd delivery try; doubles before each next one'),
  // Access control
  API_KEYS: setting(undefined, text, 'API keys: `id:scope:sha256hex` entries, comma-separated (scope submit or admin)'),
  API_KEYS_FILE: setting(undefined, text, 'file with one `id:scope:sha256hex` entry per line'),
  RATE_LIMIT_PER_MIN: setting(
    24_000,
    int(1),
    'submissions and cancels (POST/PUT/PATCH/DELETE) per minute per key, or per non-loopback address when open; reads and waits are free. Default: ~400/s, the most one 2-core host runs of the smallest job',
  ),
  MAX_ACTIVE_JOBS_PER_KEY: setting(200, int(1), 'queued+running jobs one key may have'),
  MAX_QUEUE_LENGTH: setting(10_000, int(1), 'queued jobs overall; beyond it submissions get 503'),
  // Compatibility APIs
  COMPAT_APIS: setting<CompatApiName[]>(
    [...COMPAT_API_NAMES],
    listOf(COMPAT_API_NAMES),
    'peer APIs answered at their native paths: comma-separated, any of `judge0,piston,jobe`, or `none`',
  ),
  JUDGE0_BASE64_DEFAULT: setting(
    false,
    bool,
    'Judge0: `base64_encoded` when a request does not say (false as in Judge0 CE v1.13.1; true as on its unreleased master)',
  ),
  JOBE_FILE_RETENTION_S: setting(
    86_400,
    int(1),
    'how long a Jobe support file (PUT /jobe/index.php/restapi/files/{id}) is kept; CodeRunner sends it again when it is gone',
  ),
  JOBE_FILE_MAX_BYTES: setting(
    262_144,
    int(1),
    'largest Jobe support file, decoded (never more than MAX_FILE_BYTES: a run takes no larger file)',
  ),
  JOBE_FILES_MAX_TOTAL_BYTES: setting(268_435_456, int(1), 'bytes of all Jobe support files together; a PUT beyond it gets 503'),
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;
