/**
 * Reads the environment through the SETTINGS table into one frozen, nested, typed `Config`.
 * Every bad variable is named in one error, so an operator fixes them in one go.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunLimits } from '@runbox/contract';
import { BadValue, SETTINGS, type SettingName } from './env';

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
  readonly http!: { port: number; host: string; bodyLimitBytes: number; waitMaxMs: number };
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
    preparedSandboxes: boolean;
    shutdownGraceMs: number;
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
    cpuTimeMs: r.DEFAULT_CPU_TIME_MS as number,
    wallTimeMs: r.DEFAULT_WALL_TIME_MS as number,
    memoryMb: r.DEFAULT_MEMORY_MB as number,
    processes: r.DEFAULT_PROCESSES as number,
    outputBytes: r.DEFAULT_OUTPUT_BYTES as number,
  };
  const maxima: RunLimits = {
    cpuTimeMs: r.MAX_CPU_TIME_MS as number,
    wallTimeMs: r.MAX_WALL_TIME_MS as number,
    memoryMb: r.MAX_MEMORY_MB as number,
    processes: r.MAX_PROCESSES as number,
    outputBytes: r.MAX_OUTPUT_BYTES as number,
  };
  for (const k of Object.keys(defaults) as (keyof RunLimits)[]) {
    if (defaults[k] > maxima[k]) problems.push(`default ${String(k)} (${defaults[k]}) is above its maximum (${maxima[k]})`);
  }
  if (problems.length) throw new ConfigError(problems);

  const root = repoRoot();
  const config: Config = {
    http: {
      port: r.PORT as number,
      host: r.HOST as string,
      bodyLimitBytes: r.BODY_LIMIT_BYTES as number,
      waitMaxMs: r.WAIT_MAX_MS as number,
    },
    logLevel: r.LOG_LEVEL as string,
    redis: { url: r.REDIS_URL as string, prefix: r.QUEUE_PREFIX as string },
    queue: {
      resultRetentionS: r.RESULT_RETENTION_S as number,
      attempts: r.JOB_ATTEMPTS as number,
      lockDurationMs: r.LOCK_DURATION_MS as number,
    },
    requests: {
      maxFiles: r.MAX_FILES as number,
      maxFileBytes: r.MAX_FILE_BYTES as number,
      maxStdinBytes: r.MAX_STDIN_BYTES as number,
      maxArgs: r.MAX_ARGS as number,
      maxArgBytes: r.MAX_ARG_BYTES as number,
      maxTests: r.MAX_TESTS as number,
      maxBatch: r.MAX_BATCH as number,
    },
    limits: { defaults, maxima },
    worker: {
      slots: r.WORKER_SLOTS as number,
      uidBase: r.WORKER_UID_BASE as number,
      workspaceDir: r.WORKSPACE_DIR as string,
      boxDiskMb: r.BOX_DISK_MB as number,
      tmpDiskMb: r.TMP_DISK_MB as number,
      launcherPath: (r.LAUNCHER_PATH as string | undefined) ?? resolve(root, 'native/build/runbox-launcher'),
      cgroupParent: r.CGROUP_PARENT as string,
      preparedSandboxes: r.PREPARED_SANDBOXES as boolean,
      shutdownGraceMs: r.SHUTDOWN_GRACE_MS as number,
    },
    languagesFile: (r.LANGUAGES_FILE as string | undefined) ?? resolve(root, 'libs/languages/languages.json'),
    webhooks: {
      secret: r.WEBHOOK_SECRET as string | undefined,
      allow: r.WEBHOOK_ALLOW as string[],
      attempts: r.WEBHOOK_ATTEMPTS as number,
      backoffMs: r.WEBHOOK_BACKOFF_MS as number,
    },
    auth: {
      keys: r.API_KEYS as string | undefined,
      keysFile: r.API_KEYS_FILE as string | undefined,
      ratePerMin: r.RATE_LIMIT_PER_MIN as number,
      maxActiveJobsPerKey: r.MAX_ACTIVE_JOBS_PER_KEY as number,
      maxQueueLength: r.MAX_QUEUE_LENGTH as number,
    },
  };
  return deepFreeze(Object.assign(new Config(), config));
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
}
