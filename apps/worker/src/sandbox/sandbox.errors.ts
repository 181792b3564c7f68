/**
 * runbox's own failure to run something (as opposed to the program failing, which is data).
 * BullMQ retries these a bounded number of times, then marks the job failed with the message.
 */
export class SandboxError extends Error {
  constructor(message: string, options?: { cause?: unknown; stderrTail?: string }) {
    super(options?.stderrTail ? `${message} (launcher said: ${options.stderrTail.trim()})` : message, { cause: options?.cause });
    this.name = 'SandboxError';
  }
}
