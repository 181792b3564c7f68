import { Module } from '@nestjs/common';
import { Config, ConfigModule } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { QueueModule } from '@runbox/queue';
import { HeartbeatService } from './lifecycle/heartbeat.service';
import { RunProcessor } from './run/run.processor';
import { RunService } from './run/run.service';
import { SlotPool } from './sandbox/slots';

@Module({
  // No webhooks here: this process runs as root, so it speaks only to Redis and the launcher;
  // the API (as `node`) delivers callbacks (apps/api/src/webhooks).
  imports: [ConfigModule, QueueModule.forWorker()],
  providers: [
    { provide: LanguageRegistry, inject: [Config], useFactory: (c: Config) => LanguageRegistry.fromFile(c.languagesFile) },
    SlotPool,
    RunService,
    RunProcessor,
    HeartbeatService,
  ],
})
export class WorkerModule {}
