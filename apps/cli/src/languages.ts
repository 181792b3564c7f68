/**
 * What the CLI needs to know about languages without asking the server: which one a file
 * extension means, and the entry file name a language runs (`main.py`, `Main.java`) when several
 * files are sent. The CLI ships without the server's table, so language-table.ts is generated
 * from libs/languages/languages.json (`npm run languages:cli`); languages.spec.ts fails when it
 * is stale.
 */
import { LANGUAGE_TABLE } from './language-table';

export interface LanguageFiles {
  aliases: readonly string[];
  sourceFile: string;
  sourceExtensions: readonly string[];
}

export const LANGUAGE_FILES: Readonly<Record<string, LanguageFiles>> = LANGUAGE_TABLE;

/** The language id a file's extension means, or undefined. */
export function inferLanguage(file: string): string | undefined {
  const name = file.toLowerCase();
  return Object.entries(LANGUAGE_FILES).find(([, l]) => l.sourceExtensions.some((ext) => name.endsWith(ext)))?.[0];
}

/** The table entry of a language id or alias (case-insensitive), or undefined for one the CLI does not know. */
export function languageFiles(name: string): LanguageFiles | undefined {
  const n = name.toLowerCase();
  return Object.entries(LANGUAGE_FILES).find(([id, l]) => id === n || l.aliases.includes(n))?.[1];
}
