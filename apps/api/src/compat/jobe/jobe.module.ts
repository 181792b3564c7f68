/** Jobe (the sandbox of Moodle CodeRunner) at `/jobe/index.php/restapi/…`: a translation onto the /v1 job path. */
import { Module } from '@nestjs/common';
import { JobsModule } from '../../jobs/jobs.module';
import { LanguagesModule } from '../../languages/languages.module';
import { SyncRunner } from '../sync-run';
import { JobeFiles } from './jobe-files';
import { JobeController } from './jobe.controller';
import { JobeService } from './jobe.service';

@Module({
  imports: [JobsModule, LanguagesModule],
  controllers: [JobeController],
  providers: [JobeService, JobeFiles, SyncRunner],
})
export class JobeModule {}
