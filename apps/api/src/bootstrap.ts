/**
 * Builds the API application, initialised but not listening. main.ts and the end-to-end tests
 * (test/support/stack.ts) both call this, so the tests run what production runs.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { Config, loadConfig } from '@runbox/config';
import { AppModule } from './app.module';
import { loadApiKeys } from './auth/api-keys';
import { openListenProblem } from './auth/exposure';
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
  // Behind a load balancer the peer is the balancer: the per-address quota must count the client.
  app.set('trust proxy', config.http.trustProxy);
  // Job views change under the same URL and are never cached: no ETag hashing of every body.
  app.set('etag', false);
  setupDocs(app);
  await app.init();
  return app;
}

/**
 * Refuses a configuration that would open the API to anyone who reaches it (auth/exposure.ts).
 * main.ts calls it before anything connects, so the process stops at once with the reason.
 */
export function refuseOpenListen(config: Config): void {
  const keys = loadApiKeys(config.auth.keys, config.auth.keysFile);
  const problem = openListenProblem(config.http.host, keys.length, config.http.allowOpen);
  if (problem) throw new Error(problem);
}
