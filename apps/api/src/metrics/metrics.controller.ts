import { Controller, Get, Header } from '@nestjs/common';
import { RequireScope } from '../auth/caller';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { ApiProblems, GUARD_PROBLEMS } from '../http/problem.dto';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@ApiProblems([...GUARD_PROBLEMS, 403])
@RequireScope('admin') // when keys are configured, only admin keys read metrics
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({ type: String })
  scrape(): Promise<string> {
    return this.metrics.scrape();
  }
}
