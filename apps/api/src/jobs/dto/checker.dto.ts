import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, Min } from 'class-validator';
import { CHECKER_TYPES, type CheckerType } from '@runbox/contract';
import { ExactlyOneOf, IsStringIfPresent, OnlyWhen, RequiredWhen } from './rules';
import { SourceFileDto, SourceFilesField } from './source-file.dto';

const isFloat = (o: Record<string, unknown>) => o.type === 'float';
const isCustom = (o: Record<string, unknown>) => o.type === 'custom';

/**
 * The contract's `Checker` is a union on `type`; a class cannot implement a union, so this class
 * holds every variant's fields and the rules below allow each only for its type. `CreateJobDto`
 * declares its `checker` property with the contract type.
 */
export class CheckerDto {
  @ApiProperty({ enum: CHECKER_TYPES, default: 'lines' })
  @IsIn(CHECKER_TYPES)
  type!: CheckerType;

  @ApiPropertyOptional({ description: 'float only', minimum: 0, example: 1e-6 })
  @OnlyWhen(isFloat, 'for type float')
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  absoluteTolerance?: number;

  @ApiPropertyOptional({ description: 'float only', minimum: 0, example: 1e-6 })
  @OnlyWhen(isFloat, 'for type float')
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  relativeTolerance?: number;

  @ApiPropertyOptional({ description: 'custom only: the language of the checker program', example: 'cpp' })
  @OnlyWhen(isCustom, 'for type custom')
  @RequiredWhen(isCustom, 'for type custom')
  @IsStringIfPresent()
  language?: string;

  @ApiPropertyOptional({ description: 'custom only: the checker program (or files)' })
  @OnlyWhen(isCustom, 'for type custom')
  @ExactlyOneOf('files', isCustom, ' for type custom')
  @IsStringIfPresent()
  source?: string;

  @OnlyWhen(isCustom, 'for type custom')
  @SourceFilesField('custom only: the checker program as files')
  files?: SourceFileDto[];
}
