import { Module } from '@nestjs/common';
import { AdmissionModule } from '../admission/admission.module';
import { LanguagesModule } from '../languages/languages.module';
import { JobAnnex } from './job-annex';
import { JobEvents } from './job-events';
import { JobStream } from './job-stream';
import { LiveEvents } from './live-events';
import { LiveSessions } from './live-session';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { SupportFiles } from './support-files';

@Module({
  imports: [AdmissionModule, LanguagesModule],
  controllers: [JobsController],
  providers: [JobsService, JobEvents, JobStream, LiveEvents, LiveSessions, JobAnnex, SupportFiles],
  // The compatibility APIs (apps/api/src/compat) queue and read jobs through these, as /v1 does.
  exports: [JobsService, JobEvents, LiveEvents, LiveSessions, JobAnnex, SupportFiles],
})
export class JobsModule {}
