/** Admission refusals, as data; ProblemFilter maps them to 429/503. */

/** The key already has its maximum of queued+running jobs. */
export class TooManyActiveJobs extends Error {
  constructor(readonly max: number) {
    super(`this key already has ${max} queued or running jobs (the maximum); wait for some to finish`);
    this.name = 'TooManyActiveJobs';
  }
}

/** The queue is full, or Redis cannot be reached: try again later. */
export class ServiceBusy extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
    this.name = 'ServiceBusy';
  }
}
