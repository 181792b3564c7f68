import { Module } from '@nestjs/common';
import { AdmissionService } from './admission.service';

/** Whether a new job may be queued (queue length, the caller's active jobs); the jobs service asks. */
@Module({ providers: [AdmissionService], exports: [AdmissionService] })
export class AdmissionModule {}
