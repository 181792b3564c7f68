/**
 * Judge0's statuses, ids and descriptions exactly as judge0/judge0 v1.13.1 defines them
 * (app/enumerations/status.rb), and the signal numbers its `find_runtime_error_by_status_code`
 * maps to 7–10 (every other signal is 12). Which status a runbox job gets is decided in
 * submission-view.ts from what the sandbox really saw.
 */

export const JUDGE0_STATUSES = [
  { id: 1, description: 'In Queue' },
  { id: 2, description: 'Processing' },
  { id: 3, description: 'Accepted' },
  { id: 4, description: 'Wrong Answer' },
  { id: 5, description: 'Time Limit Exceeded' },
  { id: 6, description: 'Compilation Error' },
  { id: 7, description: 'Runtime Error (SIGSEGV)' },
  { id: 8, description: 'Runtime Error (SIGXFSZ)' },
  { id: 9, description: 'Runtime Error (SIGFPE)' },
  { id: 10, description: 'Runtime Error (SIGABRT)' },
  { id: 11, description: 'Runtime Error (NZEC)' },
  { id: 12, description: 'Runtime Error (Other)' },
  { id: 13, description: 'Internal Error' },
  { id: 14, description: 'Exec Format Error' },
] as const;

export type Judge0StatusId = (typeof JUDGE0_STATUSES)[number]['id'];

export const STATUS = {
  inQueue: 1,
  processing: 2,
  accepted: 3,
  wrongAnswer: 4,
  timeLimit: 5,
  compilationError: 6,
  runtimeErrorOther: 12,
  nzec: 11,
  internalError: 13,
} as const satisfies Record<string, Judge0StatusId>;

/** Signal number → status (Status.find_runtime_error_by_status_code). */
export const SIGNAL_STATUS: Readonly<Record<number, Judge0StatusId>> = { 11: 7, 25: 8, 8: 9, 6: 10 };

export const statusOf = (id: Judge0StatusId): { id: number; description: string } => ({ ...JUDGE0_STATUSES.find((s) => s.id === id)! });
