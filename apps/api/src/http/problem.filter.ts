/**
 * The one exception filter, and the only code that knows which error is which HTTP status.
 * Every error answer has one shape, `{ statusCode, error, message, errors? }`. Anything it does
 * not recognise is runbox's fault: 500 with an `errorId` that is also logged with the stack.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ServiceBusy, TooManyActiveJobs } from '../admission/admission.errors';
import { Forbidden, RateLimited, Unauthenticated } from '../auth/auth.errors';
import { JobAlreadyFinished, JobNotFound, RequestTooLarge, UnprocessableJob } from '../jobs/jobs.errors';
import { BodyNotJson, BodyTooLarge } from './body';
import { Reply } from './reply';
import { InvalidRequest, type FieldError } from './validation';

export interface Problem {
  statusCode: number;
  error: string;
  message: string;
  errors?: FieldError[];
  errorId?: string;
}

const problem = (statusCode: number, message: string, errors?: FieldError[]): Problem => ({
  statusCode,
  error: STATUS_CODES[statusCode] ?? 'Error',
  message,
  ...(errors ? { errors } : {}),
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;

/**
 * A request Fastify itself refused before any handler ran (a URL that does not decode, a bad
 * Content-Length): its errors carry an `FST_` code and a 4xx `statusCode`.
 */
function frameworkError(e: unknown): { status: number; message: string } | undefined {
  if (!(e instanceof Error) || !isObj(e) || typeof e.code !== 'string' || !e.code.startsWith('FST_')) return undefined;
  const status = Number(e.statusCode);
  return status >= 400 && status < 500 ? { status, message: e.message } : undefined;
}

/** A 4xx HttpException's message, without echoing framework objects. */
function httpMessage(e: HttpException): string {
  const response = e.getResponse();
  if (typeof response === 'string') return response;
  if (isObj(response)) {
    const m = response.message;
    if (typeof m === 'string') return m;
    if (Array.isArray(m)) return m.filter((x) => typeof x === 'string').join('; ');
    // @nestjs/terminus answers with its health report: name what is down.
    if (isObj(response.error)) {
      const down = Object.entries(response.error).map(
        ([name, v]) => `${name}: ${isObj(v) && typeof v.message === 'string' ? v.message : 'down'}`,
      );
      return `not ready (${down.join('; ')})`;
    }
  }
  return e.message;
}

/**
 * Redis could not be reached (down, restarting, network): the request may succeed later, so the
 * answer is 503 with Retry-After, not a 500.
 */
export function isRedisUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e.name === 'MaxRetriesPerRequestError') return true;
  const code = (e as NodeJS.ErrnoException).code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) return true;
  return /Connection is closed|enableOfflineQueue|Stream isn't writeable|Reached the max retries|connect ECONNREFUSED|Command timed out/.test(
    e.message,
  );
}

/** The answer for an exception, and whether it was unexpected (to be logged with an id). */
export function toProblem(e: unknown): { body: Problem; unexpected: boolean; headers?: Record<string, string> } {
  const expected = (body: Problem, headers?: Record<string, string>) => ({ body, unexpected: false, headers });
  if (e instanceof Unauthenticated)
    return expected(problem(HttpStatus.UNAUTHORIZED, e.message), { 'WWW-Authenticate': 'Bearer realm="runbox"' });
  if (e instanceof Forbidden) return expected(problem(HttpStatus.FORBIDDEN, e.message));
  if (e instanceof RateLimited) return expected(problem(HttpStatus.TOO_MANY_REQUESTS, e.message), e.headers);
  if (e instanceof TooManyActiveJobs) return expected(problem(HttpStatus.TOO_MANY_REQUESTS, e.message), { 'Retry-After': '5' });
  if (e instanceof ServiceBusy)
    return expected(problem(HttpStatus.SERVICE_UNAVAILABLE, e.message), { 'Retry-After': String(e.retryAfterS) });
  if (isRedisUnavailable(e))
    return expected(problem(HttpStatus.SERVICE_UNAVAILABLE, 'the job store (Redis) cannot be reached; try again shortly'), {
      'Retry-After': '5',
    });
  if (e instanceof InvalidRequest) return expected(problem(HttpStatus.BAD_REQUEST, e.message, e.errors));
  if (e instanceof JobNotFound) return expected(problem(HttpStatus.NOT_FOUND, e.message));
  if (e instanceof JobAlreadyFinished)
    return expected(problem(HttpStatus.CONFLICT, `${e.message}: only a queued or running job can be cancelled`));
  if (e instanceof UnprocessableJob) return expected(problem(HttpStatus.UNPROCESSABLE_ENTITY, e.message, e.errors));
  if (e instanceof RequestTooLarge) return expected(problem(HttpStatus.PAYLOAD_TOO_LARGE, e.message, e.errors));

  if (e instanceof BodyNotJson)
    return expected(problem(HttpStatus.BAD_REQUEST, e.message, [{ field: 'body', rule: 'json', message: 'body must be valid JSON' }]));
  if (e instanceof BodyTooLarge)
    return expected(problem(HttpStatus.PAYLOAD_TOO_LARGE, e.message, [{ field: 'body', rule: 'maxBytes', message: e.message }]));
  const refused = frameworkError(e);
  if (refused) return expected(problem(refused.status, refused.message));

  if (e instanceof HttpException) {
    const status: HttpStatus = e.getStatus();
    // 503 is deliberate (readiness); any other 5xx from the framework is a fault of ours.
    if (status < HttpStatus.INTERNAL_SERVER_ERROR || status === HttpStatus.SERVICE_UNAVAILABLE)
      return expected(problem(status, httpMessage(e)));
  }
  return { body: problem(HttpStatus.INTERNAL_SERVER_ERROR, 'internal error'), unexpected: true };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { body, unexpected, headers } = toProblem(exception);
    if (unexpected) {
      body.errorId = randomUUID();
      body.message = `internal error (errorId ${body.errorId})`;
      this.logger.error({ errorId: body.errorId, err: exception }, `unexpected error ${body.errorId}`);
    }
    const res = host.switchToHttp().getResponse<unknown>();
    const { httpAdapter } = this.adapterHost;
    if (httpAdapter.isHeadersSent(res)) return; // too late to answer; the log above has it
    httpAdapter.reply(res, new Reply(body.statusCode, body, headers), body.statusCode);
  }
}
