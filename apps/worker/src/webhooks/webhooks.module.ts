import { Module } from '@nestjs/common';
import { WebhooksProcessor } from './webhooks.processor';

/**
 * Callback delivery. Needs the global ConfigModule and QueueModule (Config, the jobs queue,
 * the shared Redis connection), which WorkerModule imports.
 */
@Module({
  providers: [WebhooksProcessor],
  exports: [WebhooksProcessor],
})
export class WebhooksModule {}
