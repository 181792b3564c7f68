import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class SubmitQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'hold the request until the job ends (bounded by the server)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  wait?: 'true' | 'false';
}

/** Long enough for MAX_BATCH UUIDs and commas; the service caps the count. */
export const MAX_IDS_LENGTH = 40_000;

export class ListJobsQueryDto {
  @ApiProperty({ description: 'comma-separated job ids', example: '5f0c…,9a1e…' })
  @IsDefined({ message: '$property is required' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_IDS_LENGTH)
  ids!: string;
}
