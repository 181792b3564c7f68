/**
 * What the CLI needs to know about languages without asking the server: which one a file
 * extension means, and the entry file name a language runs (`main.py`, `Main.java`) when several
 * files are sent. A copy of libs/languages/languages.json's fields, checked against it by
 * languages.spec.ts so the two cannot drift; the CLI ships without the server's table.
 */

export interface LanguageFiles {
  aliases: readonly string[];
  sourceFile: string;
  sourceExtensions: readonly string[];
}

export const LANGUAGE_FILES: Readonly<Record<string, LanguageFiles>> = Object.freeze({
  python: { aliases: ['py', 'python3'], sourceFile: 'main.py', sourceExtensions: ['.py'] },
  javascript: { aliases: ['js', 'node', 'nodejs'], sourceFile: 'main.js', sourceExtensions: ['.js', '.mjs', '.cjs'] },
  bash: { aliases: ['sh', 'shell'], sourceFile: 'main.sh', sourceExtensions: ['.sh'] },
  c: { aliases: ['gcc', 'c17'], sourceFile: 'main.c', sourceExtensions: ['.c'] },
  cpp: { aliases: ['c++', 'g++', 'cpp17'], sourceFile: 'main.cpp', sourceExtensions: ['.cpp', '.cc', '.cxx'] },
  java: { aliases: ['java17', 'jdk'], sourceFile: 'Main.java', sourceExtensions: ['.java'] },
  ruby: { aliases: ['rb'], sourceFile: 'main.rb', sourceExtensions: ['.rb'] },
  go: { aliases: ['golang'], sourceFile: 'main.go', sourceExtensions: ['.go'] },
  rust: { aliases: ['rs', 'rustc'], sourceFile: 'main.rs', sourceExtensions: ['.rs'] },
  lua: { aliases: ['lua5.4'], sourceFile: 'main.lua', sourceExtensions: ['.lua'] },
  perl: { aliases: ['pl', 'perl5'], sourceFile: 'main.pl', sourceExtensions: ['.pl', '.pm'] },
  typescript: { aliases: ['ts', 'tsc'], sourceFile: 'main.ts', sourceExtensions: ['.ts'] },
  csharp: { aliases: ['cs', 'c#', 'mono'], sourceFile: 'main.cs', sourceExtensions: ['.cs'] },
  php: { aliases: ['php8'], sourceFile: 'main.php', sourceExtensions: ['.php'] },
  pascal: { aliases: ['fpc', 'freepascal', 'pas'], sourceFile: 'main.pas', sourceExtensions: ['.pas', '.pp'] },
  octave: { aliases: ['matlab'], sourceFile: 'main.m', sourceExtensions: ['.m'] },
});

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
