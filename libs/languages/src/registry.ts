/**
 * The language registry: reads languages.json, checks every entry once at start-up, and answers
 * "which language is this id or alias" and "which argv runs it". Languages are data; nothing
 * here knows about any particular one.
 */
import { readFileSync } from 'node:fs';
import type { RunLimits, SourceFile } from '@runbox/contract';

export interface LanguageLimits {
  /** Runtimes that need threads (JVM, V8) get at least this many processes. */
  processesAtLeast?: number;
  /** Memory added to the client's limit for the runtime's own overhead. */
  memoryMbExtra?: number;
}

export interface Language {
  id: string;
  name: string;
  aliases: string[];
  version: { argv: string[]; pattern: string };
  sourceFile: string;
  sourceExtensions: string[];
  compile?: { argv: string[]; limits: Omit<RunLimits, 'outputBytes'> };
  run: string[];
  env?: Record<string, string>;
  mounts?: string[];
  limits?: LanguageLimits;
}

export class LanguageTableError extends Error {}

/** The environment every program gets, before its language's own variables. */
export const BASE_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/box',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
});

const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function checkEntry(e: Record<string, unknown>, i: number): Language {
  const at = `languages[${i}]${typeof e.id === 'string' ? ` (${e.id})` : ''}`;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new LanguageTableError(`${at}: ${what}`);
  };
  need(typeof e.id === 'string' && /^[a-z][a-z0-9+_-]*$/.test(e.id), 'id must be a lowercase name');
  need(typeof e.name === 'string', 'name must be a string');
  need(isStrArray(e.aliases ?? []), 'aliases must be strings');
  const v = e.version as Record<string, unknown> | undefined;
  need(!!v && isStrArray(v.argv) && v.argv.length > 0 && typeof v.pattern === 'string', 'version needs argv and pattern');
  need(typeof e.sourceFile === 'string' && !e.sourceFile.includes('/'), 'sourceFile must be a file name');
  need(isStrArray(e.sourceExtensions), 'sourceExtensions must be strings');
  need(isStrArray(e.run) && e.run.length > 0, 'run must be a non-empty argv');
  if (e.compile !== undefined) {
    const c = e.compile as Record<string, unknown>;
    need(isStrArray(c.argv) && c.argv.length > 0, 'compile.argv must be a non-empty argv');
    const l = c.limits as Record<string, unknown> | undefined;
    need(
      !!l && ['cpuTimeMs', 'wallTimeMs', 'memoryMb', 'processes'].every((k) => Number.isInteger(l[k]) && (l[k] as number) > 0),
      'compile.limits needs cpuTimeMs, wallTimeMs, memoryMb, processes',
    );
  }
  need(
    e.env === undefined || (typeof e.env === 'object' && Object.values(e.env as object).every((x) => typeof x === 'string')),
    'env must map names to strings',
  );
  need(e.mounts === undefined || isStrArray(e.mounts), 'mounts must be strings');
  return { aliases: [], ...e } as unknown as Language;
}

export class LanguageRegistry {
  private readonly byName = new Map<string, Language>();

  constructor(readonly languages: readonly Language[]) {
    for (const lang of languages) {
      for (const name of [lang.id, ...lang.aliases]) {
        const key = name.toLowerCase();
        if (this.byName.has(key)) throw new LanguageTableError(`"${name}" names two languages`);
        this.byName.set(key, lang);
      }
    }
  }

  static fromFile(path: string): LanguageRegistry {
    const table = JSON.parse(readFileSync(path, 'utf8')) as { languages?: unknown };
    if (!Array.isArray(table.languages)) throw new LanguageTableError(`${path}: "languages" must be an array`);
    return new LanguageRegistry(table.languages.map((e, i) => checkEntry(e as Record<string, unknown>, i)));
  }

  /** The language an id or alias names (case-insensitive), or undefined. */
  find(name: string): Language | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Every host path some language needs bound into the sandbox, beyond the launcher's defaults. */
  allMounts(): string[] {
    return [...new Set(this.languages.flatMap((l) => l.mounts ?? []))];
  }
}

/** Replaces `{sources}` (one argument per source file) and `{memoryMb}` in an argv template. */
export function expandArgv(template: readonly string[], files: readonly SourceFile[], lang: Language, memoryMb: number): string[] {
  const sources = files.map((f) => f.path).filter((p) => lang.sourceExtensions.some((ext) => p.endsWith(ext)));
  return template.flatMap((arg) => (arg === '{sources}' ? sources : [arg.replaceAll('{memoryMb}', String(memoryMb))]));
}

/** The limits a run gets once its language's adjustments are applied. */
export function adjustLimits(lang: Language, limits: RunLimits): RunLimits {
  return {
    ...limits,
    processes: Math.max(limits.processes, lang.limits?.processesAtLeast ?? 0),
    memoryMb: limits.memoryMb + (lang.limits?.memoryMbExtra ?? 0),
  };
}

/** The environment of a run of this language. */
export function languageEnv(lang: Language): Record<string, string> {
  return { ...BASE_ENV, ...(lang.env ?? {}) };
}
