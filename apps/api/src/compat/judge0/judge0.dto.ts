/**
 * Judge0's request and answer shapes for /docs only: the routes take the body as Judge0 clients
 * send it and check it themselves (submission-request.ts), with Judge0's rules and messages.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class Judge0SubmissionDto {
  @ApiProperty({ example: 'print(input())', description: 'base64 when ?base64_encoded=true' }) source_code!: string;
  @ApiProperty({ example: 71, description: 'a Judge0 CE id from GET /languages' }) language_id!: number;
  @ApiPropertyOptional({
    example: '-O2 -DLOCAL',
    description: 'compiled languages: split into words (no shell) and appended to the compile command',
  })
  compiler_options?: string;
  @ApiPropertyOptional({ example: 'a "b c"', description: 'split into words (no shell): the program’s argv' })
  command_line_arguments?: string;
  @ApiPropertyOptional({ example: 'hi' }) stdin?: string;
  @ApiPropertyOptional({ example: 'hi', description: 'Accepted when equal after Judge0’s trailing-whitespace normalisation' })
  expected_output?: string;
  @ApiPropertyOptional({ example: 5, description: 'seconds of CPU' }) cpu_time_limit?: number;
  @ApiPropertyOptional({ example: 1, description: 'seconds; accepted and shown, the verdict is the same without it' })
  cpu_extra_time?: number;
  @ApiPropertyOptional({ example: 10, description: 'seconds' }) wall_time_limit?: number;
  @ApiPropertyOptional({ example: 128000, description: 'KB' }) memory_limit?: number;
  @ApiPropertyOptional({ example: 64000, description: 'KB; accepted and shown' }) stack_limit?: number;
  @ApiPropertyOptional({ example: 60 }) max_processes_and_or_threads?: number;
  @ApiPropertyOptional({ example: false, description: 'must be false' }) enable_per_process_and_thread_time_limit?: boolean;
  @ApiPropertyOptional({ example: false, description: 'must be false' }) enable_per_process_and_thread_memory_limit?: boolean;
  @ApiPropertyOptional({ example: 1024, description: 'KB; accepted and shown' }) max_file_size?: number;
  @ApiPropertyOptional({ example: false, description: 'stderr is appended to stdout (not interleaved)' })
  redirect_stderr_to_stdout?: boolean;
  @ApiPropertyOptional({ example: false, description: 'must be false: the sandbox has only loopback' }) enable_network?: boolean;
  @ApiPropertyOptional({ example: 1, description: 'runs of the program (compiled once); time and memory are averages' })
  number_of_runs?: number;
  @ApiPropertyOptional({
    description: 'a zip (base64, whatever base64_encoded says) unpacked inside the sandbox next to the source before compiling',
  })
  additional_files?: string;
  @ApiPropertyOptional({
    example: 'https://grader.example/judge0',
    description: 'the finished submission is PUT here (base64, default fields)',
  })
  callback_url?: string;
}

export class Judge0BatchDto {
  @ApiProperty({ type: [Judge0SubmissionDto] }) submissions!: Judge0SubmissionDto[];
}

export class Judge0StatusDto {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'Accepted' }) description!: string;
}

export class Judge0TokenDto {
  @ApiProperty({ example: 'd85cd024-1548-4165-96c7-7bc88673f194' }) token!: string;
}

// `string | null` reaches the document as `object` unless the type is named.
export class Judge0SubmissionViewDto {
  @ApiPropertyOptional({ type: String, example: 'hello\n', nullable: true }) stdout!: string | null;
  @ApiPropertyOptional({ type: String, example: '0.012', nullable: true, description: 'CPU seconds' }) time!: string | null;
  @ApiPropertyOptional({ type: Number, example: 3456, nullable: true, description: 'KB' }) memory!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) stderr!: string | null;
  @ApiPropertyOptional({ example: 'd85cd024-1548-4165-96c7-7bc88673f194' }) token!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) compile_output!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) message!: string | null;
  @ApiPropertyOptional({ type: Judge0StatusDto }) status!: Judge0StatusDto;
}

export class Judge0LanguageDto {
  @ApiProperty({ example: 71 }) id!: number;
  @ApiProperty({ example: 'Python (3.11.2)' }) name!: string;
}
