/**
 * Builds the API application, initialised but not listening. main.ts and the end-to-end tests
 * (test/support/stack.ts) both call this, so the tests run what production runs.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { Logger } from 'nestjs-pino';
import { Config, loadConfig } from '@runbox/config';
import { AppModule } from './app.module';
import { loadApiKeys } from './auth/api-keys';
import { openListenProblem } from './auth/exposure';
import { registerBodyParsers } from './http/body';
import { setupDocs } from './http/docs';
import { ReplyingFastifyAdapter } from './http/fastify.adapter';

/** Longer than any URL Node accepts (16 KiB of headers): an unknown id of any length is a 404, not a 414. */
const MAX_PARAM_LENGTH = 16_384;

/**
 * TRUST_PROXY as Fastify takes it. A hop count keeps its meaning (trust the nearest `n` peers,
 * as Express and proxy-addr count them); Fastify alone would trust no hop for a number.
 */
const trustOf = (t: Config['http']['trustProxy']) => (typeof t === 'number' ? (_address: string, hop: number) => hop < t : t);

export async function createApi(config: Config = loadConfig()): Promise<NestFastifyApplication> {
  const adapter = new ReplyingFastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    // Behind a load balancer the peer is the balancer: the per-address quota must count the client.
    trustProxy: trustOf(config.http.trustProxy),
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Waiting requests (?wait=true) and event streams must not hold a shutdown open.
    forceCloseConnections: true,
    // Our parsers only (http/body.ts): no form parser, so a form post is not mistaken for a job.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  registerBodyParsers(app.getHttpAdapter().getInstance(), config.http.bodyLimitBytes);
  setupDocs(app);
  // WebSocket routes (Piston's /api/v2/connect) on the same HTTP server, through `ws`.
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
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
