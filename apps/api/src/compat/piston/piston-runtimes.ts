/**
 * Piston's names for runbox's languages, and the runtime a request's `language` + `version`
 * select. Piston lists what its installed packages provide; runbox lists what its live workers
 * have (GET /v1/languages), under Piston's names where Piston has the language.
 */
import { coerce, rcompare, satisfies } from 'semver';
import type { AvailableLanguage } from '../../languages/available-languages';

export interface PistonRuntime {
  language: string;
  version: string;
  aliases: string[];
  /** The package providing the language, when it is not the language itself (Piston: `node` for javascript). */
  runtime?: string;
}

/** A runbox language as Piston names it, and the runbox id behind it. */
export interface ResolvedRuntime extends PistonRuntime {
  id: string;
  compiled: boolean;
}

/**
 * runbox language id → Piston's language name, aliases and package. Source: engineer-man/piston
 * `packages/<package>/<version>/metadata.json` (python 3.12.0, node 20.11.1, bash 5.2.0,
 * gcc 10.2.0, java 15.0.2, ruby 3.0.1, php 8.2.3, pascal 3.2.2, octave 8.1.0). Version-specific
 * aliases (`python3.12`) are left out: runbox's version is whatever the workers have.
 */
export const PISTON_NAMES: Readonly<Record<string, Omit<PistonRuntime, 'version'>>> = {
  python: { language: 'python', aliases: ['py', 'py3', 'python3'] },
  javascript: { language: 'javascript', aliases: ['node-javascript', 'node-js', 'javascript', 'js'], runtime: 'node' },
  bash: { language: 'bash', aliases: ['sh'] },
  c: { language: 'c', aliases: ['gcc'], runtime: 'gcc' },
  cpp: { language: 'c++', aliases: ['cpp', 'g++'], runtime: 'gcc' },
  java: { language: 'java', aliases: [] },
  ruby: { language: 'ruby', aliases: ['ruby3', 'rb'] },
  php: { language: 'php', aliases: [] },
  pascal: { language: 'pascal', aliases: ['freepascal', 'pp', 'pas'] },
  octave: { language: 'octave', aliases: ['matlab', 'm'] },
};

/** A version as semver (`5.2.15(1)-release` → `5.2.15`), which Piston's selectors need. */
const semverOf = (version: string): string => coerce(version)?.version ?? '0.0.0';

/** Every installed language under its Piston name; languages Piston lacks keep runbox's id and aliases. */
export function pistonRuntimes(installed: readonly AvailableLanguage[]): ResolvedRuntime[] {
  return installed.map((l) => {
    const named = PISTON_NAMES[l.id] ?? { language: l.id, aliases: l.aliases };
    return { ...named, aliases: [...named.aliases], version: semverOf(l.version), id: l.id, compiled: l.compiled };
  });
}

/**
 * The runtime Piston would pick: language name or alias (exactly, as Piston compares), version
 * by semver selector (`*`, `3`, `3.x`, `>=3.10`, exact), the newest when several match.
 * Undefined when none does, or the selector is not one.
 */
export function resolveRuntime(runtimes: readonly ResolvedRuntime[], language: string, version: string): ResolvedRuntime | undefined {
  return runtimes
    .filter((rt) => (rt.language === language || rt.aliases.includes(language)) && safeSatisfies(rt.version, version))
    .sort((a, b) => rcompare(a.version, b.version))[0];
}

function safeSatisfies(version: string, range: string): boolean {
  try {
    return satisfies(version, range);
  } catch {
    return false; // not a selector at all: no runtime matches it
  }
}

/** What GET /api/v2/runtimes answers for one runtime: `runtime` only when a package provides the language. */
export const runtimeView = ({ language, version, aliases, runtime }: ResolvedRuntime): PistonRuntime =>
  runtime === undefined ? { language, version, aliases } : { language, version, aliases, runtime };
