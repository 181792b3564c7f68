/**
 * Builds the worker application (no HTTP server). main.ts and the end-to-end tests both use
 * this, so tests run exactly what production runs.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { WorkerModule } from './worker.module';

export async function createWorker(opts: { logLevels?: LogLevel[] } = {}): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: opts.logLevels ?? ['log', 'warn', 'error', 'fatal'],
  });
  return app.init();
}
