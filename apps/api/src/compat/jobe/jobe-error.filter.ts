/** Jobe's error answers: the status and a JSON string. Anything else goes on to runbox's one filter. */
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Reply } from '../../http/reply';
import { JobeError } from './jobe.errors';

@Catch(JobeError)
export class JobeErrorFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(e: JobeError, host: ArgumentsHost): void {
    // A string body would go out as text: Jobe's is the JSON encoding of the string.
    const reply = new Reply(e.status, JSON.stringify(e.message), { 'Content-Type': 'application/json; charset=utf-8' });
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), reply, e.status);
  }
}
