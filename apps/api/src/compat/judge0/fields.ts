/**
 * A submission's attributes as Judge0 CE v1.13.1 serializes them (judge0/judge0 v1.13.1:
 * app/serializers/submission_serializer.rb — the submissions table's columns in db/schema.rb
 * order, minus `id`, plus `status` and `language`), its default projection, and `?fields=`
 * parsing as app/services/fields/submission.rb does it.
 */

export const ATTRIBUTES = [
  'source_code',
  'language_id',
  'stdin',
  'expected_output',
  'stdout',
  'status_id',
  'created_at',
  'finished_at',
  'time',
  'memory',
  'stderr',
  'token',
  'number_of_runs',
  'cpu_time_limit',
  'cpu_extra_time',
  'wall_time_limit',
  'memory_limit',
  'stack_limit',
  'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit',
  'max_file_size',
  'compile_output',
  'exit_code',
  'exit_signal',
  'message',
  'wall_time',
  'compiler_options',
  'command_line_arguments',
  'redirect_stderr_to_stdout',
  'callback_url',
  'additional_files',
  'enable_network',
  'status',
  'language',
] as const;

export type Attribute = (typeof ATTRIBUTES)[number];

/** SubmissionSerializer.default_fields. */
export const DEFAULT_FIELDS: readonly Attribute[] = ['token', 'time', 'memory', 'stdout', 'stderr', 'compile_output', 'message', 'status'];

/** Text attributes that `base64_encoded=true` encodes (the serializer's object_decoder ones, and `message`). */
export const TEXT_ATTRIBUTES: readonly Attribute[] = [
  'source_code',
  'stdin',
  'expected_output',
  'stdout',
  'stderr',
  'compile_output',
  'message',
];

/**
 * `?fields=` → the attributes to answer with, in serializer order; or the names Judge0 refuses
 * (its 400 `invalid fields: [a, b]`). Split on commas and nothing else, as Ruby's `split(",")`
 * does (trailing empty names dropped); `*` is every attribute; none given is the default set.
 */
export function parseFields(raw: unknown): { fields: Attribute[] } | { invalid: string[] } {
  const names = typeof raw === 'string' ? raw.split(',') : [];
  while (names.length && names[names.length - 1] === '') names.pop();
  const invalid = names.filter((n) => n !== '*' && !(ATTRIBUTES as readonly string[]).includes(n));
  if (invalid.length) return { invalid };
  if (names.includes('*')) return { fields: [...ATTRIBUTES] };
  const wanted = names.length ? names : DEFAULT_FIELDS;
  return { fields: ATTRIBUTES.filter((a) => wanted.includes(a)) };
}
