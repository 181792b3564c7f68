import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsDefined, IsObject, ValidateNested } from 'class-validator';
import { CreateJobDto } from './create-job.dto';

export class CreateBatchDto {
  @ApiProperty({ type: [CreateJobDto], description: 'at most MAX_BATCH jobs; all are checked before any is queued' })
  @IsDefined({ message: '$property is required' })
  @IsArray()
  @ArrayMinSize(1)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CreateJobDto)
  jobs!: CreateJobDto[];
}

export class BatchCreatedDto {
  @ApiProperty({ type: [String], description: 'the new jobs, in the order they were given' })
  ids!: string[];
}
