import { Module } from '@nestjs/common';
import { WorkerHeartbeats } from './worker-heartbeats';

@Module({ providers: [WorkerHeartbeats], exports: [WorkerHeartbeats] })
export class WorkersModule {}
