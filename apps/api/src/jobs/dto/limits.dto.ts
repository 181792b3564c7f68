import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Min } from 'class-validator';
import { MIN_LIMITS, type RunLimits } from '@runbox/contract';

/**
 * Limits a client may ask for. The lower bounds are the contract's; the upper bounds are the
 * server's configured maxima, checked by the service (422 `LimitAboveMaximum`), not here.
 */
export class LimitsDto implements Partial<RunLimits> {
  @ApiPropertyOptional({ description: 'CPU time of the process tree, ms', minimum: MIN_LIMITS.cpuTimeMs, example: 2000 })
  @IsOptional()
  @IsInt()
  @Min(MIN_LIMITS.cpuTimeMs)
  cpuTimeMs?: number;

  @ApiPropertyOptional({ description: 'wall-clock time, ms', minimum: MIN_LIMITS.wallTimeMs, example: 5000 })
  @IsOptional()
  @IsInt()
  @Min(MIN_LIMITS.wallTimeMs)
  wallTimeMs?: number;

  @ApiPropertyOptional({ description: 'memory of the process tree (swap excluded), MiB', minimum: MIN_LIMITS.memoryMb, example: 256 })
  @IsOptional()
  @IsInt()
  @Min(MIN_LIMITS.memoryMb)
  memoryMb?: number;

  @ApiPropertyOptional({ description: 'processes and threads', minimum: MIN_LIMITS.processes, example: 64 })
  @IsOptional()
  @IsInt()
  @Min(MIN_LIMITS.processes)
  processes?: number;

  @ApiPropertyOptional({ description: 'bytes kept of stdout and of stderr each; the rest is discarded and flagged', minimum: MIN_LIMITS.outputBytes, example: 65536 })
  @IsOptional()
  @IsInt()
  @Min(MIN_LIMITS.outputBytes)
  outputBytes?: number;
}
