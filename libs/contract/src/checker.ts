/** How a test's output is judged against its expected output. */

export const CHECKER_TYPES = ['exact', 'lines', 'tokens', 'float', 'custom'] as const;
export type CheckerType = (typeof CHECKER_TYPES)[number];

export interface SourceFile {
  /** Relative path inside the box: `main.c`, `src/util.h`. */
  path: string;
  content: string;
  encoding?: FileEncoding;
}
export const FILE_ENCODINGS = ['utf8', 'base64'] as const;
export type FileEncoding = (typeof FILE_ENCODINGS)[number];

export type Checker =
  | { type: 'exact' }
  | { type: 'lines' }
  | { type: 'tokens' }
  | { type: 'float'; absoluteTolerance?: number; relativeTolerance?: number }
  | { type: 'custom'; language: string; source?: string; files?: SourceFile[] };

export const DEFAULT_CHECKER = { type: 'lines' } as const satisfies Checker;
export const DEFAULT_FLOAT_TOLERANCE = 1e-6;
