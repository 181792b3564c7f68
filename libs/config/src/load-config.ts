/**
 * Reads the environment through the SETTINGS table into one frozen, nested, typed `Config`.
 * Every bad variable is named in one error, so an operator fixes them in one go.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_ARGS_REQUEST_BYTES, type RunLimits } from '@runbox/contract';
import { BadValue, SETTINGS, type CompatApiName, type SettingName, type TrustProxy } from './env';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Raw = { [K in SettingName]: (typeof SETTINGS)[K]['default'] | ReturnType<(typeof SETTINGS)[K]['parse']> };

/** The repository root (where package.json lives), found from this file's location. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(resolve(dir, 'native')) || !existsSync(resolve(dir, 'package.json'))) {
    const up = resolve(dir, '..');
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** The one configuration object; injected under this class token. */
export class Config {
  readonly http!: { port: number; host: string; allowOpen: boolean; trustProxy: TrustProxy; bodyLimitBytes: number; waitMaxMs: number };
  readonly logLevel!: string;
  readonly redis!: { url: string; prefix: string };
  readonly queue!: { resultRetentionS: number; attempts: number; lockDurationMs: number };
  readonly requests!: {
    maxFiles: number;
    maxFileBytes: number;
    maxStdinBytes: number;
    maxArgs: number;
    maxArgBytes: number;
    maxTests: number;
    maxBatch: number;
  };
  readonly limits!: { defaults: RunLimits; maxima: RunLimits };
  readonly worker!: {
    slots: number;
    uidBase: number;
    workspaceDir: string;
    boxDiskMb: number;
    tmpDiskMb: number;
    launcherPath: string;
    cgroupParent: string;
    /** Where the sandboxes' read-only binds come from (SANDBOX_ROOTFS); `/` is the host's own tree. */
    sandboxRootfs: string;
    /** SANDBOX_MODE, `auto` resolved (sandboxModeOf): `rootless` is a worker without host root. */
    sandboxMode: 'root' | 'rootless';
    preparedSandboxes: boolean;
    shutdownGraceMs: number;
    jobOutputBudgetBytes: number;
    jobTimeBudgetMs: number;
    maxRunningJobsPerKey: number;
    outputFiles: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number };
  };
  readonly languagesFile!: string;
  readonly webhooks!: { secret: string | undefined; allow: string[]; attempts: number; backoffMs: number };
  readonly auth!: {
    keys: string | undefined;
    keysFile: string | undefined;
    ratePerMin: number;
    maxActiveJobsPerKey: number;
    maxQueueLength: number;
  };
  readonly compat!: { apis: CompatApiName[]; judge0: { base64Default: boolean } };
  readonly jobe!: { fileRetentionS: number; fileMaxBytes: number; filesMaxTotalBytes: number };
}

/**
 * `auto` is rootless where the process is not root, or is root only of a user namespace (a pod
 * with `hostUsers: false`, a worker already in its own): /proc/self/uid_map maps less than the
 * host's whole id space.
 */
export function sandboxModeOf(setting: 'auto' | 'root' | 'rootless'): 'root' | 'rootless' {
  if (setting !== 'auto') return setting;
  if (process.getuid?.() !== 0) return 'rootless';
  try {
    return /^\s*0\s+0\s+4294967295\s*$/.test(readFileSync('/proc/self/uid_map', 'utf8')) ? 'root' : 'rootless';
  } catch {
    return 'root';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const raw = {} as Record<SettingName, unknown>;
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = env[name];
    if (value === undefined || value === '') {
      raw[name] = s.default;
      continue;
    }
    try {
      raw[name] = (s.parse as (r: string) => unknown)(value);
    } catch (e) {
      problems.push(`${name}=${JSON.stringify(value)}: ${e instanceof BadValue ? e.message : String(e)}`);
    }
  }
  const r = raw as Raw;
  const defaults: RunLimits = {
    cpuTimeMs: r.DEFAULT_CPU_TIME_MS,
    wallTimeMs: r.DEFAULT_WALL_TIME_MS,
    memoryMb: r.DEFAULT_MEMORY_MB,
    processes: r.DEFAULT_PROCESSES,
    outputBytes: r.DEFAULT_OUTPUT_BYTES,
  };
  const maxima: RunLimits = {
    cpuTimeMs: r.MAX_CPU_TIME_MS,
    wallTimeMs: r.MAX_WALL_TIME_MS,
    memoryMb: r.MAX_MEMORY_MB,
    processes: r.MAX_PROCESSES,
    outputBytes: r.MAX_OUTPUT_BYTES,
  };
  for (const k of Object.keys(defaults) as (keyof RunLimits)[]) {
    if (defaults[k] > maxima[k]) problems.push(`default ${String(k)} (${defaults[k]}) is above its maximum (${maxima[k]})`);
  }
  // Every argument (and its NUL) goes to the launcher in one request of at most 1 MiB.
  const argsBytes = r.MAX_ARGS * (r.MAX_ARG_BYTES + 1);
  if (argsBytes > MAX_ARGS_REQUEST_BYTES) {
    problems.push(
      `MAX_ARGS × (MAX_ARG_BYTES + 1) = ${argsBytes} bytes is above ${MAX_ARGS_REQUEST_BYTES}: a run's arguments must fit in the launcher's request`,
    );
  }
  if (problems.length) throw new ConfigError(problems);

  const root = repoRoot();
  const config: Config = {
    http: {
      port: r.PORT,
      host: r.HOST,
      allowOpen: r.ALLOW_OPEN,
      trustProxy: r.TRUST_PROXY,
      bodyLimitBytes: r.BODY_LIMIT_BYTES,
      waitMaxMs: r.WAIT_MAX_MS,
    },
    logLevel: r.LOG_LEVEL,
    redis: { url: r.REDIS_URL, prefix: r.QUEUE_PREFIX },
    queue: {
      resultRetentionS: r.RESULT_RETENTION_S,
      attempts: r.JOB_ATTEMPTS,
      lockDurationMs: r.LOCK_DURATION_MS,
    },
    requests: {
      maxFiles: r.MAX_FILES,
      maxFileBytes: r.MAX_FILE_BYTES,
      maxStdinBytes: r.MAX_STDIN_BYTES,
      maxArgs: r.MAX_ARGS,
      maxArgBytes: r.MAX_ARG_BYTES,
      maxTests: r.MAX_TESTS,
      maxBatch: r.MAX_BATCH,
    },
    limits: { defaults, maxima },
    worker: {
      slots: r.WORKER_SLOTS,
      uidBase: r.WORKER_UID_BASE,
      workspaceDir: r.WORKSPACE_DIR,
      boxDiskMb: r.BOX_DISK_MB,
      tmpDiskMb: r.TMP_DISK_MB,
      launcherPath: r.LAUNCHER_PATH ?? resolve(root, 'native/build/runbox-launcher'),
      cgroupParent: r.CGROUP_PARENT,
      sandboxRootfs: r.SANDBOX_ROOTFS,
      sandboxMode: sandboxModeOf(r.SANDBOX_MODE),
      preparedSandboxes: r.PREPARED_SANDBOXES,
      shutdownGraceMs: r.SHUTDOWN_GRACE_MS,
      jobOutputBudgetBytes: r.JOB_OUTPUT_BUDGET_BYTES,
      jobTimeBudgetMs: r.JOB_TIME_BUDGET_MS,
      maxRunningJobsPerKey: r.MAX_RUNNING_JOBS_PER_KEY,
      outputFiles: { maxFiles: r.OUTPUT_FILES_MAX, maxFileBytes: r.OUTPUT_FILE_MAX_BYTES, maxTotalBytes: r.OUTPUT_FILES_MAX_TOTAL_BYTES },
    },
    languagesFile: r.LANGUAGES_FILE ?? resolve(root, 'libs/languages/languages.json'),
    webhooks: {
      secret: r.WEBHOOK_SECRET,
      allow: r.WEBHOOK_ALLOW,
      attempts: r.WEBHOOK_ATTEMPTS,
      backoffMs: r.WEBHOOK_BACKOFF_MS,
    },
    auth: {
      keys: r.API_KEYS,
      keysFile: r.API_KEYS_FILE,
      ratePerMin: r.RATE_LIMIT_PER_MIN,
      maxActiveJobsPerKey: r.MAX_ACTIVE_JOBS_PER_KEY,
      maxQueueLength: r.MAX_QUEUE_LENGTH,
    },
    compat: { apis: r.COMPAT_APIS, judge0: { base64Default: r.JUDGE0_BASE64_DEFAULT } },
    jobe: {
      fileRetentionS: r.JOBE_FILE_RETENTION_S,
      fileMaxBytes: r.JOBE_FILE_MAX_BYTES,
      filesMaxTotalBytes: r.JOBE_FILES_MAX_TOTAL_BYTES,
    },
  };
  return deepFreeze(Object.assign(new Config(), config));
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
}
