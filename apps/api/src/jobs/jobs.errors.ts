/**
 * What can go wrong with a job request or a job, as data. `ProblemFilter` alone decides the
 * HTTP status of each; the service only says what happened.
 */
import type { JobStatus } from '@runbox/contract';
import { summary, type FieldError } from '../http/validation';

/** No job with this id (never existed, or its retention ended). */
export class JobNotFound extends Error {
  constructor(readonly id: string) {
    super(`job ${JSON.stringify(id.slice(0, 100))} was not found`);
    this.name = 'JobNotFound';
  }
}

/** The job already ended, so it cannot be cancelled. */
export class JobAlreadyFinished extends Error {
  constructor(
    readonly id: string,
    readonly status: JobStatus,
  ) {
    super(`job ${id} is already ${status}`);
    this.name = 'JobAlreadyFinished';
  }
}

/** A request the server understood but will not run (unknown language, limit above a maximum). */
export class UnprocessableJob extends Error {
  constructor(readonly errors: FieldError[]) {
    super(summary(errors));
    this.name = new.target.name;
  }
}

/** A limit above the server's maximum: rejected, never clamped. */
export class LimitAboveMaximum extends UnprocessableJob {
  constructor(
    readonly field: string,
    readonly max: number,
  ) {
    super([{ field, rule: 'max', message: `${field} must not be greater than ${max} (the server's maximum)` }]);
  }
}

/** A language id or alias no entry of the language table has. */
export class UnknownLanguage extends UnprocessableJob {
  constructor(field: string, name: string, known: readonly string[]) {
    super([
      { field, rule: 'known', message: `${field} ${JSON.stringify(name.slice(0, 64))} is not known; use one of ${known.join(', ')}` },
    ]);
  }
}

/** Compiler arguments for a language that is not compiled. */
export class CompileArgsNotCompiled extends UnprocessableJob {
  constructor(field: string, language: string) {
    super([{ field, rule: 'compiled', message: `${field} needs a compiled language; ${language} is not one` }]);
  }
}

/** A part of the request larger (or more numerous) than the server accepts. */
export class RequestTooLarge extends Error {
  readonly errors: FieldError[];
  constructor(
    readonly field: string,
    readonly max: number,
    readonly unit: 'bytes' | 'items',
  ) {
    const message = unit === 'bytes' ? `${field} must be at most ${max} bytes` : `${field} must have at most ${max} items`;
    super(message);
    this.name = 'RequestTooLarge';
    this.errors = [{ field, rule: unit === 'bytes' ? 'maxBytes' : 'maxItems', message }];
  }
}
