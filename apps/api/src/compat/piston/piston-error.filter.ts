/**
 * Piston's error answers, `{"message": …}`, for Piston's routes. Everything else (auth, rate
 * limits, a full queue) goes on to runbox's one filter, as on /v1.
 */
import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Reply } from '../../http/reply';
import { RunNotFinished } from '../sync-run';
import { PistonBadRequest, PistonPackagesManaged } from './piston.errors';

const STATUS: [new (...args: never[]) => Error, number][] = [
  [PistonBadRequest, HttpStatus.BAD_REQUEST],
  [PistonPackagesManaged, HttpStatus.NOT_IMPLEMENTED],
  [RunNotFinished, HttpStatus.SERVICE_UNAVAILABLE],
];

@Catch(PistonBadRequest, PistonPackagesManaged, RunNotFinished)
export class PistonErrorFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(e: Error, host: ArgumentsHost): void {
    const status = STATUS.find(([type]) => e instanceof type)?.[1] ?? HttpStatus.BAD_REQUEST;
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), new Reply(status, { message: e.message }), status);
  }
}
