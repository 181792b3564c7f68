/**
 * Judge0 CE's language ids, mapped onto runbox's language table. Ids and names are Judge0 CE
 * v1.13.1's own (judge0/judge0 tag v1.13.1, db/languages/active.rb); a client keeps the ids it
 * has. Judge0 pins one toolchain version per id; runbox runs what its workers have installed,
 * so the name shown carries the version the workers report ("C (GCC 12.2.0)"), and the older
 * ids of a language (C 48/49 for GCC 7/8) run on the same toolchain as its newest one.
 * A row only shows in GET /languages when a live worker has its runbox language.
 */

export interface Judge0Language {
  /** Judge0 CE's id. */
  id: number;
  /** runbox's language id (libs/languages/languages.json). */
  runbox: string;
  /** Judge0's name before the parenthesis: "C", "Python". */
  label: string;
  /** What Judge0 puts before the version in the parenthesis: "GCC" in "C (GCC 9.2.0)"; empty for "Python (3.8.1)". */
  tool: string;
  /** Older Judge0 ids of the same language, answered with this row's toolchain (not listed by GET /languages). */
  olderIds?: number[];
}

export const JUDGE0_LANGUAGES: readonly Judge0Language[] = [
  { id: 46, runbox: 'bash', label: 'Bash', tool: '' },
  { id: 50, runbox: 'c', label: 'C', tool: 'GCC', olderIds: [48, 49] },
  { id: 51, runbox: 'csharp', label: 'C#', tool: 'Mono' },
  { id: 54, runbox: 'cpp', label: 'C++', tool: 'GCC', olderIds: [52, 53] },
  { id: 60, runbox: 'go', label: 'Go', tool: '' },
  { id: 62, runbox: 'java', label: 'Java', tool: 'OpenJDK' },
  { id: 63, runbox: 'javascript', label: 'JavaScript', tool: 'Node.js' },
  { id: 64, runbox: 'lua', label: 'Lua', tool: '' },
  { id: 66, runbox: 'octave', label: 'Octave', tool: '' },
  { id: 67, runbox: 'pascal', label: 'Pascal', tool: 'FPC' },
  { id: 68, runbox: 'php', label: 'PHP', tool: '' },
  { id: 71, runbox: 'python', label: 'Python', tool: '' },
  { id: 72, runbox: 'ruby', label: 'Ruby', tool: '' },
  { id: 73, runbox: 'rust', label: 'Rust', tool: '' },
  { id: 74, runbox: 'typescript', label: 'TypeScript', tool: '' },
  { id: 85, runbox: 'perl', label: 'Perl', tool: '' },
];

/** The row a Judge0 id names (its own or an older one), or undefined. */
export function judge0Language(id: number): Judge0Language | undefined {
  return JUDGE0_LANGUAGES.find((l) => l.id === id || l.olderIds?.includes(id));
}

/** Judge0's display name with the version the workers have: "C (GCC 12.2.0)", "Python (3.11.2)". */
export function judge0LanguageName(lang: Judge0Language, version: string): string {
  return `${lang.label} (${lang.tool ? `${lang.tool} ${version}` : version})`;
}
