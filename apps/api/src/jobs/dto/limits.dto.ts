import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';
import { MIN_LIMITS, type LimitField, type RunLimits } from '@runbox/contract';

/**
 * An optional integer limit, at least the contract's minimum for `field`. Listed in the order the
 * decorators are applied, which is the reverse of how a stack of them reads (a stack applies
 * bottom-up): `@ApiPropertyOptional @IsOptional @IsInt @Min`, so validation errors come in the
 * same order as from that stack.
 */
function LimitProperty(field: LimitField, description: string, example: number): PropertyDecorator {
  return applyDecorators(
    Min(MIN_LIMITS[field]),
    IsInt(),
    IsOptional(),
    ApiPropertyOptional({ description, minimum: MIN_LIMITS[field], example }),
  );
}

/**
 * Limits a client may ask for. The lower bounds are the contract's; the upper bounds are the
 * server's configured maxima, checked by the service (422 `LimitAboveMaximum`), not here.
 */
export class LimitsDto implements Partial<RunLimits> {
  @LimitProperty('cpuTimeMs', 'CPU time of the process tree, ms', 2000)
  cpuTimeMs?: number;

  @LimitProperty('wallTimeMs', 'wall-clock time, ms', 5000)
  wallTimeMs?: number;

  @LimitProperty('memoryMb', 'memory of the process tree (swap excluded), MiB', 256)
  memoryMb?: number;

  @LimitProperty('processes', 'processes and threads', 64)
  processes?: number;

  @LimitProperty('outputBytes', 'bytes kept of stdout and of stderr each; the rest is discarded and flagged', 65536)
  outputBytes?: number;
}
