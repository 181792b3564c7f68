/** Judge0 CE v1.13.1's API (see COMPAT_APIS): a translation onto /v1's jobs, nothing more. */
import { Module } from '@nestjs/common';
import { FleetModule } from '../../fleet/fleet.module';
import { JobsModule } from '../../jobs/jobs.module';
import { LanguagesModule } from '../../languages/languages.module';
import { Judge0Callbacks } from './judge0.callbacks';
import { Judge0InfoController, Judge0SubmissionsController } from './judge0.controller';
import { Judge0Service } from './judge0.service';
import { Judge0Store } from './judge0.store';

@Module({
  imports: [JobsModule, LanguagesModule, FleetModule],
  controllers: [Judge0SubmissionsController, Judge0InfoController],
  providers: [Judge0Service, Judge0Store, Judge0Callbacks],
})
export class Judge0Module {}
