/**
 * Errors on Judge0's routes in Judge0's shapes: its own errors as they are; a missing or bad key
 * is 401 and a key without the scope 403, both with an empty body (SessionsController's `head`);
 * every other refusal runbox makes (rate limit, admission, Redis down) is `{ "error": message }`
 * with the status and headers /v1 would give it. The statuses themselves come from the one
 * mapping in http/problem.filter.ts.
 */
import { randomUUID } from 'node:crypto';
import { Catch, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Forbidden, Unauthenticated } from '../../auth/auth.errors';
import { toProblem } from '../../http/problem.filter';
import { Reply } from '../../http/reply';
import { RequestTooLarge, UnprocessableJob } from '../../jobs/jobs.errors';
import { Judge0Error } from './judge0.errors';

/** A runbox field error list as Judge0's `{ field: [messages] }`. */
const byField = (errors: readonly { field: string; message: string }[]) => {
  const out: Record<string, string[]> = {};
  for (const e of errors) (out[e.field] ??= []).push(e.message);
  return out;
};

export function judge0Answer(e: unknown): { status: number; body: unknown; headers?: Record<string, string>; unexpected?: boolean } {
  if (e instanceof Judge0Error) return { status: e.status, body: e.body };
  if (e instanceof Unauthenticated) return { status: HttpStatus.UNAUTHORIZED, body: undefined };
  if (e instanceof Forbidden) return { status: HttpStatus.FORBIDDEN, body: undefined };
  if (e instanceof UnprocessableJob || e instanceof RequestTooLarge)
    return { status: HttpStatus.UNPROCESSABLE_ENTITY, body: byField(e.errors) };
  const { body, headers, unexpected } = toProblem(e);
  return { status: body.statusCode, body: { error: body.message }, headers, unexpected };
}

@Catch()
export class Judge0Filter implements ExceptionFilter {
  private readonly logger = new Logger('Judge0');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const answer = judge0Answer(exception);
    if (answer.unexpected) {
      const errorId = randomUUID();
      answer.body = { error: `internal error (errorId ${errorId})` };
      this.logger.error({ errorId, err: exception }, `unexpected error ${errorId}`);
    }
    const res = host.switchToHttp().getResponse<unknown>();
    const { httpAdapter } = this.adapterHost;
    if (httpAdapter.isHeadersSent(res)) return;
    httpAdapter.reply(res, new Reply(answer.status, answer.body, answer.headers), answer.status);
  }
}
