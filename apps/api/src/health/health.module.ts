import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { FleetModule } from '../fleet/fleet.module';
import { HealthController } from './health.controller';
import { ReadinessIndicators } from './readiness.indicators';

// Terminus' own logger would print every failed probe; the 503 body already names what is down.
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), FleetModule],
  controllers: [HealthController],
  providers: [ReadinessIndicators],
})
export class HealthModule {}
