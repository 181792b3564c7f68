import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';
import { DEFAULT_LIMITS, MIN_LIMITS, type LimitField, type RunLimits } from '@runbox/contract';

/**
 * An optional integer limit, at least the contract's minimum for `field`. Listed in the order the
 * decorators are applied, which is the reverse of how a stack of them reads (a stack applies
 * bottom-up): `@ApiPropertyOptional @IsOptional @IsInt @Min`, so validation errors come in the
 * same order as from that stack.
 */
function LimitProperty(field: LimitField, description: string): PropertyDecorator {
  return applyDecorators(
    Min(MIN_LIMITS[field]),
    IsInt(),
    IsOptional(),
    // the example is the built-in default, the value an omitted limit takes unless the operator changed it
    ApiPropertyOptional({ description, minimum: MIN_LIMITS[field], example: DEFAULT_LIMITS[field] }),
  );
}

/**
 * Limits a client may ask for. The lower bounds are the contract's; the upper bounds are the
 * server's configured maxima, checked by the service (422 `LimitAboveMaximum`), not here.
 */
export class LimitsDto implements Partial<RunLimits> {
  @LimitProperty('cpuTimeMs', 'CPU time of the process tree, ms')
  cpuTimeMs?: number;

  @LimitProperty('wallTimeMs', 'wall-clock time, ms')
  wallTimeMs?: number;

  @LimitProperty('memoryMb', 'memory of the process tree (swap excluded), MiB')
  memoryMb?: number;

  @LimitProperty('processes', 'processes and threads')
  processes?: number;

  @LimitProperty('outputBytes', 'bytes kept of stdout and of stderr each; the rest is discarded and flagged')
  outputBytes?: number;
}
