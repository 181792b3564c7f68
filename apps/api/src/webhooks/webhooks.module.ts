import { Module } from '@nestjs/common';
import { WebhooksProcessor } from './webhooks.processor';

/**
 * Callback delivery. Needs the global ConfigModule and QueueModule (Config, the jobs queue,
 * the shared Redis connection), which AppModule imports. It lives in the API, which runs
 * unprivileged: client-chosen URLs are never fetched by the root worker.
 */
@Module({
  providers: [WebhooksProcessor],
  exports: [WebhooksProcessor],
})
export class WebhooksModule {}
