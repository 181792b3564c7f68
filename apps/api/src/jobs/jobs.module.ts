import { Module } from '@nestjs/common';
import { LanguagesModule } from '../languages/languages.module';
import { JobAnnex } from './job-annex';
import { JobEvents } from './job-events';
import { JobStream } from './job-stream';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

@Module({
  imports: [LanguagesModule],
  controllers: [JobsController],
  providers: [JobsService, JobEvents, JobStream, JobAnnex],
  // The compatibility APIs (apps/api/src/compat) queue and read jobs through these, as /v1 does.
  exports: [JobsService, JobEvents, JobAnnex],
})
export class JobsModule {}
