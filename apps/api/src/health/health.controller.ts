import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../http/problem.dto';
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
  // Terminus would document its own 503 body; ProblemFilter answers it, so the problem body is the one listed.
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOkResponse({ description: 'Redis and a worker are up: `{ status: "ok", info, details }`' })
  @ApiOperation({ summary: 'Redis answers and at least one worker is alive' })
  @ApiProblems([503], { 503: 'Redis does not answer, or no worker is alive' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicators.redisUp(), () => this.indicators.workersAlive()]);
  }
}
