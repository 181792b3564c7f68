import { HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { JobAlreadyFinished, JobNotFound, LimitAboveMaximum, RequestTooLarge, UnknownLanguage } from '../jobs/jobs.errors';
import { BodyNotJson, BodyTooLarge } from './body';
import { toProblem } from './problem.filter';
import { InvalidRequest } from './validation';

/** An error as Fastify raises it for a request it refuses itself. */
const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(`${code} raised`), { code, statusCode });

describe('toProblem', () => {
  it('answers validation errors with 400 and every field error', () => {
    const errors = [{ field: 'limits.memoryMb', rule: 'min', message: 'limits.memoryMb must not be less than 8' }];
    expect(toProblem(new InvalidRequest(errors))).toEqual({
      body: { statusCode: 400, error: 'Bad Request', message: 'limits.memoryMb must not be less than 8', errors },
      unexpected: false,
    });
  });

  it.each([
    [new JobNotFound('abc'), 404, 'Not Found'],
    [new JobAlreadyFinished('abc', 'completed'), 409, 'Conflict'],
    [new LimitAboveMaximum('limits.memoryMb', 2048), 422, 'Unprocessable Entity'],
    [new UnknownLanguage('language', 'cobol', ['python']), 422, 'Unprocessable Entity'],
    [new RequestTooLarge('files', 20, 'items'), 413, 'Payload Too Large'],
    [new NotFoundException('Cannot GET /nope'), 404, 'Not Found'],
    [
      new ServiceUnavailableException({ status: 'error', error: { workers: { status: 'down', message: 'no live worker heartbeat' } } }),
      503,
      'Service Unavailable',
    ],
  ])('%s → %i', (e, statusCode, error) => {
    expect(toProblem(e)).toMatchObject({ body: { statusCode, error }, unexpected: false });
  });

  it('names the field, rule and maximum of a limit above it', () => {
    expect(toProblem(new LimitAboveMaximum('limits.memoryMb', 2048)).body.errors).toEqual([
      { field: 'limits.memoryMb', rule: 'max', message: expect.stringMatching(/limits\.memoryMb.*2048/) },
    ]);
  });

  it("maps the body readers' errors and the 4xx Fastify raises itself", () => {
    expect(toProblem(new BodyNotJson()).body).toMatchObject({ statusCode: 400, errors: [{ field: 'body', rule: 'json' }] });
    expect(toProblem(new BodyTooLarge(1024)).body).toMatchObject({
      statusCode: 413,
      message: expect.stringContaining('1024'),
      errors: [{ field: 'body', rule: 'maxBytes' }],
    });
    expect(toProblem(fastifyError('FST_ERR_BAD_URL', 400)).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'FST_ERR_BAD_URL raised',
    });
  });

  it('names what is down when not ready', () => {
    const e = new ServiceUnavailableException({
      status: 'error',
      error: { workers: { status: 'down', message: 'no live worker heartbeat' } },
    });
    expect(toProblem(e).body.message).toContain('workers: no live worker heartbeat');
  });

  it('treats anything else as unexpected, without leaking it', () => {
    for (const e of [
      new Error('ECONNREFUSED 10.0.0.1:6379'),
      new HttpException('boom', 500),
      'a string',
      null,
      fastifyError('FST_ERR_SOMETHING', 500),
      Object.assign(new Error('not Fastify'), { code: 'EBADTHING', statusCode: 400 }),
    ]) {
      const { body, unexpected } = toProblem(e);
      expect(unexpected).toBe(true);
      expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
    }
  });
});
