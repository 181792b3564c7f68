import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ProblemDto } from '../http/problem.dto';
import { Public } from '../auth/caller';
import { ReadinessIndicators } from './readiness.indicators';

@ApiTags('health')
@Public() // probes of orchestrators and load balancers carry no key
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: ReadinessIndicators,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is running (always 200 while it does)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Redis answers and at least one worker is alive' })
  @ApiServiceUnavailableResponse({ type: ProblemDto })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicators.redisUp(), () => this.indicators.workersAlive()]);
  }
}
