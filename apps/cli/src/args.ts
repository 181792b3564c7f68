/**
 * The command line → a command. Pure: the environment comes in as an argument, nothing is read
 * from disk here, every mistake is a UsageError naming the option.
 */
import { parseArgs } from 'node:util';
import type { Checker } from '@runbox/contract';
import { UsageError } from './usage-error';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
/** How long `run` waits for a job by default before it cancels it (exit 75). */
export const DEFAULT_TIMEOUT_MS = 600_000;

export interface Connection {
  url: string;
  apiKey: string | undefined;
}

/** `--checker`, before a custom checker's file is read. */
export type CheckerArg = Exclude<Checker, { type: 'custom' }> | { type: 'custom'; file: string };

export interface RunOptions extends Connection {
  files: string[];
  language: string | undefined;
  stdin: string | undefined;
  tests: string | undefined;
  checker: CheckerArg | undefined;
  junit: string | undefined;
  json: boolean;
  timeoutMs: number;
}

export type Command =
  | { name: 'run'; options: RunOptions }
  | { name: 'languages'; options: Connection & { json: boolean } }
  | { name: 'help'; topic: 'run' | 'languages' | undefined }
  | { name: 'version' };

const OPTIONS = {
  language: { type: 'string', short: 'l' },
  stdin: { type: 'string' },
  tests: { type: 'string', short: 't' },
  checker: { type: 'string', short: 'c' },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  junit: { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Options each command takes (help and version are taken everywhere). */
const ALLOWED: Record<'run' | 'languages', readonly (keyof typeof OPTIONS)[]> = {
  run: ['language', 'stdin', 'tests', 'checker', 'url', 'api-key', 'junit', 'json', 'timeout-ms'],
  languages: ['url', 'api-key', 'json'],
};

export function parseCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.version && !name) return { name: 'version' };
  if (name === 'help') return { name: 'help', topic: rest[0] === 'run' || rest[0] === 'languages' ? rest[0] : undefined };
  if (!name || values.help) return { name: 'help', topic: name === 'run' || name === 'languages' ? name : undefined };
  if (name !== 'run' && name !== 'languages') throw new UsageError(`unknown command "${name}" (commands: run, languages)`);

  for (const key of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    if (!ALLOWED[name].includes(key)) throw new UsageError(`${name} does not take --${key}`);
  }
  const connection: Connection = {
    url: parseUrl(values.url ?? env.RUNBOX_URL ?? DEFAULT_URL, values.url ? '--url' : 'RUNBOX_URL'),
    apiKey: values['api-key'] ?? (env.RUNBOX_API_KEY || undefined),
  };
  if (name === 'languages') {
    if (rest.length) throw new UsageError(`languages takes no arguments (got ${rest.join(' ')})`);
    return { name, options: { ...connection, json: values.json ?? false } };
  }

  if (rest.length === 0) throw new UsageError('run needs at least one FILE');
  if (values.stdin !== undefined && values.tests !== undefined)
    throw new UsageError('--stdin and --tests do not go together: each test has its own input');
  return {
    name,
    options: {
      ...connection,
      files: rest,
      language: values.language,
      stdin: values.stdin,
      tests: values.tests,
      checker: values.checker === undefined ? undefined : parseChecker(values.checker),
      junit: values.junit,
      json: values.json ?? false,
      timeoutMs: values['timeout-ms'] === undefined ? DEFAULT_TIMEOUT_MS : parseTimeout(values['timeout-ms']),
    },
  };
}

function parseUrl(raw: string, from: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${from}: "${raw}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`${from}: "${raw}" must be an http or https URL`);
  return raw.replace(/\/+$/, '');
}

function parseTimeout(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError(`--timeout-ms: "${raw}" must be a positive whole number of milliseconds`);
  return Number(raw);
}

function tolerance(raw: string | undefined, what: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--checker: ${what} tolerance "${raw}" must be a number ≥ 0`);
  return n;
}

/** `exact` | `lines` | `tokens` | `float[:ABS[:REL]]` | `custom:FILE`. */
export function parseChecker(spec: string): CheckerArg {
  const [type, ...params] = spec.split(':');
  switch (type) {
    case 'exact':
    case 'lines':
    case 'tokens':
      if (params.length) throw new UsageError(`--checker: ${type} takes no parameters`);
      return { type };
    case 'float': {
      if (params.length > 2) throw new UsageError('--checker: float takes at most ABS and REL tolerances (float:1e-6:1e-9)');
      const absoluteTolerance = tolerance(params[0], 'absolute');
      const relativeTolerance = tolerance(params[1], 'relative');
      return {
        type: 'float',
        ...(absoluteTolerance === undefined ? {} : { absoluteTolerance }),
        ...(relativeTolerance === undefined ? {} : { relativeTolerance }),
      };
    }
    case 'custom': {
      const file = params.join(':'); // a path may contain ':'
      if (!file) throw new UsageError('--checker: custom needs a file (custom:checker.cpp)');
      return { type: 'custom', file };
    }
    default:
      throw new UsageError(`--checker: "${spec}" is not one of exact, lines, tokens, float[:ABS[:REL]], custom:FILE`);
  }
}
