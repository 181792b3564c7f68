import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_TEST_POINTS, type TestCase } from '@runbox/contract';

export const MAX_TEST_NAME_LENGTH = 200;

export class TestCaseDto implements TestCase {
  @ApiPropertyOptional({ description: 'shown in the result; default "test N"', maxLength: MAX_TEST_NAME_LENGTH, example: 't1' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEST_NAME_LENGTH)
  name?: string;

  @ApiPropertyOptional({ example: '1 2\n' })
  @IsOptional()
  @IsString()
  stdin?: string;

  @ApiPropertyOptional({ type: [String], description: "this test's arguments (default: the job's)" })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  args?: string[];

  @ApiPropertyOptional({ description: 'judged by the checker; without it only the run verdict counts', example: '3\n' })
  @IsOptional()
  @IsString()
  expectedOutput?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_TEST_POINTS, default: 0, example: 10 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_TEST_POINTS)
  points?: number;
}
