/** Jobe's error answers: the status and a JSON string. Anything else goes on to runbox's one filter. */
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { JobeError } from './jobe.errors';

@Catch(JobeError)
export class JobeErrorFilter implements ExceptionFilter {
  catch(e: JobeError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    res.status(e.status).json(e.message);
  }
}
