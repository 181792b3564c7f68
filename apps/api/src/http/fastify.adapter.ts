/**
 * Fastify, plus one thing: a handler's `Reply` is sent with its own status and headers.
 */
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Reply } from './reply';

type Response = Parameters<FastifyAdapter['reply']>[0];

export class ReplyingFastifyAdapter extends FastifyAdapter {
  override reply(response: Response, body: unknown, statusCode?: number): ReturnType<FastifyAdapter['reply']> {
    if (body instanceof Reply) {
      for (const [name, value] of Object.entries(body.headers)) this.setHeader(response, name, value);
      return super.reply(response, body.body, body.status);
    }
    return super.reply(response, body, statusCode);
  }
}
