/**
 * Jobe's language ids and the runbox language behind each, with the per-language defaults Jobe
 * applies. Source: trampgeek/jobe `app/Libraries/<Lang>Task.php` (constructors and
 * `defaultFileName`) and `LanguageTask::$default_params`.
 */

export interface JobeLanguage {
  /** runbox's language id (languages.json). */
  runbox: string;
  /** Jobe's memory limit for the language when the run gives none (MB); 0 = Jobe leaves it to the runtime (Java). */
  defaultMemoryMb: number;
  /** The parameters Jobe puts on the compiler's command line (compileargs, then linkargs). */
  compileParams: readonly ('compileargs' | 'linkargs')[];
}

export const JOBE_LANGUAGES: Readonly<Record<string, JobeLanguage>> = {
  c: { runbox: 'c', defaultMemoryMb: 400, compileParams: ['compileargs', 'linkargs'] },
  cpp: { runbox: 'cpp', defaultMemoryMb: 400, compileParams: ['compileargs', 'linkargs'] },
  python3: { runbox: 'python', defaultMemoryMb: 1000, compileParams: [] },
  java: { runbox: 'java', defaultMemoryMb: 0, compileParams: ['compileargs'] },
  nodejs: { runbox: 'javascript', defaultMemoryMb: 400, compileParams: [] },
  php: { runbox: 'php', defaultMemoryMb: 400, compileParams: [] },
  pascal: { runbox: 'pascal', defaultMemoryMb: 400, compileParams: ['compileargs'] },
  octave: { runbox: 'octave', defaultMemoryMb: 500, compileParams: [] },
};

/** `LanguageTask::$default_params` (seconds, MB, count). */
export const JOBE_DEFAULTS = { cputimeS: 5, streamsizeMb: 2, numprocs: 30 } as const;
