/** The one error body, for the OpenAPI document (problem.filter.ts builds it). */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { DEFAULT_MAX_LIMITS } from '@runbox/contract';
import type { Problem } from './problem.filter';
import type { FieldError } from './validation';

export class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'limits.memoryMb' }) field!: string;
  @ApiProperty({ example: 'max' }) rule!: string;
  @ApiProperty({ example: `limits.memoryMb must not be greater than ${DEFAULT_MAX_LIMITS.memoryMb}` }) message!: string;
}

export class ProblemDto implements Problem {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldError[];
  @ApiPropertyOptional({ description: 'for 500 only: the id under which the error was logged' }) errorId?: string;
}

/** What each error status means on runbox's own routes; ProblemFilter answers every one with ProblemDto. */
const PROBLEMS = {
  400: 'a field broke a rule; `errors` names each',
  401: 'no API key, or not a valid one (WWW-Authenticate: Bearer)',
  403: 'the key lacks the scope this route needs',
  404: 'no job with this id (never existed, or its retention ended)',
  409: 'the job has already ended',
  413: 'the body, a part of it, or a list is larger than the server accepts',
  422: 'unknown language, or a limit above the server maximum',
  429: "the key's rate or active-job quota is used up (Retry-After)",
  503: 'Redis cannot be reached, or the queue is full (Retry-After)',
} as const;
export type ProblemStatus = keyof typeof PROBLEMS;

/**
 * The error answers a route (or every route of a controller) can give, each with the one problem
 * body. `descriptions` replaces the general wording where a route has a more specific one.
 */
export function ApiProblems(statuses: ProblemStatus[], descriptions: Partial<Record<ProblemStatus, string>> = {}) {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, type: ProblemDto, description: descriptions[status] ?? PROBLEMS[status] })),
  );
}

/**
 * What the global AuthGuard can answer on every route that is not @Public(): a refused key, a
 * used-up rate, and Redis (where the rate is counted) out of reach.
 */
export const GUARD_PROBLEMS: ProblemStatus[] = [401, 429, 503];
