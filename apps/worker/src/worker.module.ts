import { Module } from '@nestjs/common';
import { Config, ConfigModule } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { QueueModule } from '@runbox/queue';
import { HeartbeatService } from './lifecycle/heartbeat.service';
import { RunProcessor } from './run/run.processor';
import { RunService } from './run/run.service';
import { SlotPool } from './sandbox/slots';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({
  imports: [ConfigModule, QueueModule, WebhooksModule],
  providers: [
    { provide: LanguageRegistry, inject: [Config], useFactory: (c: Config) => LanguageRegistry.fromFile(c.languagesFile) },
    SlotPool,
    RunService,
    RunProcessor,
    HeartbeatService,
  ],
})
export class WorkerModule {}
