/**
 * Builds the API application, initialised but not listening. main.ts and the end-to-end tests
 * (test/support/stack.ts) both call this, so the tests run what production runs.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { Config, loadConfig } from '@runbox/config';
import { AppModule } from './app.module';
import { setupDocs } from './http/docs';
import { ReplyingExpressAdapter } from './http/express.adapter';

export async function createApi(config: Config = loadConfig()): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new ReplyingExpressAdapter(), {
    bufferLogs: true,
    // Waiting requests (?wait=true) must not hold a shutdown open.
    forceCloseConnections: true,
    // JSON only, with our limit; no urlencoded parser, so a form post is not mistaken for a job.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.disable('x-powered-by');
  // Job views change under the same URL and are never cached: no ETag hashing of every body.
  app.set('etag', false);
  setupDocs(app);
  await app.init();
  return app;
}
