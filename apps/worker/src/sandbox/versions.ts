/**
 * Which runtimes this worker really has: each language's version command (languages.json), run
 * once at start-up, and the version its output names. A runtime whose command cannot run is not
 * offered. Where the command runs is the caller's choice: on this host, or in a one-shot sandbox
 * (`versionInSandbox`, launcher.ts) when the runtimes live only in the sandboxes' tree.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LanguageInfo } from '@runbox/contract';
import { BASE_ENV, type Language, type LanguageRegistry } from '@runbox/languages';

/** Runs a version command and gives its output; rejects when it cannot run or fails. */
export type VersionRunner = (argv: readonly string[], env: Readonly<Record<string, string>>) => Promise<{ stdout: string; stderr: string }>;

const run = promisify(execFile);

/** On this host, as this process. */
export const runOnHost: VersionRunner = ([cmd, ...args], env) => run(cmd!, args, { timeout: 15_000, env: { ...env } }); // non-empty: the registry checks it

/** Runs the language's version command (on this host by default); undefined when the runtime is missing. */
export async function detectVersion(lang: Language, runner: VersionRunner = runOnHost): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await runner(lang.version.argv, BASE_ENV);
    return new RegExp(lang.version.pattern).exec(`${stdout}\n${stderr}`)?.[1] ?? 'unknown';
  } catch {
    return undefined;
  }
}

/** The registry's languages whose runtime is installed, as a heartbeat announces them. */
export async function detectInstalled(registry: LanguageRegistry, runner: VersionRunner = runOnHost): Promise<LanguageInfo[]> {
  const found = await Promise.all(registry.languages.map(async (l) => ({ l, version: await detectVersion(l, runner) })));
  return found
    .filter((x) => x.version !== undefined)
    .map(({ l, version }) => ({ id: l.id, name: l.name, aliases: l.aliases, version: version!, compiled: l.compile !== undefined }));
}
