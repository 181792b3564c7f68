/**
 * Jobe's error answers: an HTTP status and a JSON string (CodeIgniter's `respond($message, $status)`),
 * with Jobe's own wording (trampgeek/jobe app/Libraries/RunSpecifier.php, app/Controllers/*.php).
 */
export class JobeError extends Error {
  constructor(
    readonly status: 400 | 404 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'JobeError';
  }
}

export const jobeBadRequest = (message: string) => new JobeError(400, message);
