/**
 * Judge0 CE's defaults and maxima for a submission's limits (judge0/judge0 v1.13.1
 * app/helpers/config.rb, units as there: seconds, KB), bounded by this server's own maxima:
 * a Judge0 client is never promised more than runbox will run. Also `/config_info`, every key
 * v1.13.1 answers, with the values this server really has.
 */
import type { Config } from '@runbox/config';

interface Bound {
  default: number;
  min: number;
  /** `greater_than` rather than `greater_than_or_equal_to`. */
  minExclusive?: boolean;
  max: number;
  /** Judge0 reads the maximum with `to_f`, so Rails prints it as "15.0". */
  float: boolean;
}

export type LimitName =
  | 'cpu_time_limit'
  | 'cpu_extra_time'
  | 'wall_time_limit'
  | 'memory_limit'
  | 'stack_limit'
  | 'max_processes_and_or_threads'
  | 'max_file_size'
  | 'number_of_runs';

export type Judge0Limits = Readonly<Record<LimitName, Readonly<Bound>>>;

/** Judge0's value, or this server's maximum (in Judge0's unit) when that is lower. */
const capped = (judge0: number, runbox: number) => Math.min(judge0, runbox);

export function judge0Limits(config: Config): Judge0Limits {
  const max = config.limits.maxima;
  const bound = (def: number, min: number, top: number, float: boolean, minExclusive = false): Bound => ({
    default: Math.min(def, top),
    min,
    max: top,
    float,
    ...(minExclusive ? { minExclusive } : {}),
  });
  return {
    cpu_time_limit: bound(5, 0, capped(15, max.cpuTimeMs / 1000), true),
    cpu_extra_time: bound(1, 0, 5, true),
    wall_time_limit: bound(10, 1, capped(20, max.wallTimeMs / 1000), true),
    memory_limit: bound(128_000, 2048, capped(512_000, max.memoryMb * 1024), false),
    stack_limit: bound(64_000, 0, 128_000, false),
    max_processes_and_or_threads: bound(60, 0, capped(120, max.processes), false, true),
    max_file_size: bound(1024, 0, 4096, false),
    number_of_runs: bound(1, 0, capped(20, config.requests.maxTests), false, true),
  };
}

/** Judge0's MAX_SUBMISSION_BATCH_SIZE (20), or this server's MAX_BATCH when lower. */
export const judge0BatchMax = (config: Config): number => Math.min(20, config.requests.maxBatch);

/** Judge0's limit on compiler_options and command_line_arguments (Submission validates `length: { maximum: 512 }`). */
export const OPTIONS_MAX_CHARS = 512;

/**
 * GET /config_info: every key Judge0 CE v1.13.1 answers (Config.config_info), in its order,
 * with this server's values. Options runbox does not offer say so: network and per-process
 * limits are never allowed (the sandbox has only loopback, and limits hold for the whole tree).
 */
export function configInfo(config: Config, callbackTimeoutS: number): Record<string, unknown> {
  const l = judge0Limits(config);
  return {
    maintenance_mode: false,
    enable_wait_result: true,
    enable_compiler_options: true,
    allowed_languages_for_compile_options: [],
    enable_command_line_arguments: true,
    enable_submission_delete: false,
    enable_callbacks: true,
    callbacks_max_tries: config.webhooks.attempts,
    callbacks_timeout: callbackTimeoutS,
    enable_additional_files: true,
    max_queue_size: config.auth.maxQueueLength,
    cpu_time_limit: l.cpu_time_limit.default,
    max_cpu_time_limit: l.cpu_time_limit.max,
    cpu_extra_time: l.cpu_extra_time.default,
    max_cpu_extra_time: l.cpu_extra_time.max,
    wall_time_limit: l.wall_time_limit.default,
    max_wall_time_limit: l.wall_time_limit.max,
    memory_limit: l.memory_limit.default,
    max_memory_limit: l.memory_limit.max,
    stack_limit: l.stack_limit.default,
    max_stack_limit: l.stack_limit.max,
    max_processes_and_or_threads: l.max_processes_and_or_threads.default,
    max_max_processes_and_or_threads: l.max_processes_and_or_threads.max,
    enable_per_process_and_thread_time_limit: false,
    allow_enable_per_process_and_thread_time_limit: false,
    enable_per_process_and_thread_memory_limit: false,
    allow_enable_per_process_and_thread_memory_limit: false,
    max_file_size: l.max_file_size.default,
    max_max_file_size: l.max_file_size.max,
    number_of_runs: l.number_of_runs.default,
    max_number_of_runs: l.number_of_runs.max,
    redirect_stderr_to_stdout: false,
    max_extract_size: 10_240,
    enable_batched_submissions: true,
    max_submission_batch_size: judge0BatchMax(config),
    submission_cache_duration: 0,
    use_docs_as_homepage: false,
    allow_enable_network: false,
    enable_network: false,
  };
}
