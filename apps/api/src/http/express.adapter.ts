/**
 * Express, plus one thing: a handler's `Reply` is sent with its own status and headers.
 * Switching to Fastify means the same ten lines around FastifyAdapter#reply.
 */
import type { ServerResponse } from 'node:http';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Reply } from './reply';

export class ReplyingExpressAdapter extends ExpressAdapter {
  override reply(response: ServerResponse, body: unknown, statusCode?: number): unknown {
    if (body instanceof Reply) {
      for (const [name, value] of Object.entries(body.headers)) response.setHeader(name, value);
      return super.reply(response, body.body, body.status);
    }
    return super.reply(response, body, statusCode);
  }
}
