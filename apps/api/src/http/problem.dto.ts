/** The one error body, for the OpenAPI document (problem.filter.ts builds it). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Problem } from './problem.filter';
import type { FieldError } from './validation';

export class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'limits.memoryMb' }) field!: string;
  @ApiProperty({ example: 'max' }) rule!: string;
  @ApiProperty({ example: 'limits.memoryMb must not be greater than 2048' }) message!: string;
}

export class ProblemDto implements Problem {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldError[];
  @ApiPropertyOptional({ description: 'for 500 only: the id under which the error was logged' }) errorId?: string;
}
