/**
 * Piston's error answers, `{"message": …}`, for Piston's routes. Everything else (auth, rate
 * limits, a full queue) goes on to runbox's one filter, as on /v1.
 */
import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { RunNotFinished } from '../sync-run';
import { PistonBadRequest, PistonPackagesManaged } from './piston.errors';

const STATUS: [new (...args: never[]) => Error, number][] = [
  [PistonBadRequest, HttpStatus.BAD_REQUEST],
  [PistonPackagesManaged, HttpStatus.NOT_IMPLEMENTED],
  [RunNotFinished, HttpStatus.SERVICE_UNAVAILABLE],
];

@Catch(PistonBadRequest, PistonPackagesManaged, RunNotFinished)
export class PistonErrorFilter implements ExceptionFilter {
  catch(e: Error, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    res.status(STATUS.find(([type]) => e instanceof type)?.[1] ?? HttpStatus.BAD_REQUEST).json({ message: e.message });
  }
}
