import { Module } from '@nestjs/common';
import { WorkerHeartbeats } from './worker-heartbeats';

/** The fleet of workers alive right now, read from their heartbeats in Redis. */
@Module({ providers: [WorkerHeartbeats], exports: [WorkerHeartbeats] })
export class FleetModule {}
