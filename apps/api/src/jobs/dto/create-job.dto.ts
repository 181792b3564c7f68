import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsBoolean,
  IsDefined,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MAX_OUTPUT_FILE_PATTERNS, OUTPUT_ENCODINGS, type Checker, type JobRequest, type OutputEncoding } from '@runbox/contract';
import { CheckerDto } from './checker.dto';
import { InteractorDto } from './interactor.dto';
import { LimitsDto } from './limits.dto';
import { ExactlyOneOf, IsStringIfPresent, MAX_LANGUAGE_LENGTH } from './rules';
import { SourceFileDto, SourceFilesField } from './source-file.dto';
import { TestCaseDto } from './test-case.dto';

export const MAX_CALLBACK_URL_LENGTH = 2048;

/**
 * The body of `POST /v1/jobs`: shapes and types only. What depends on the server's configuration
 * (the language table, limit maxima, size caps) is checked by the service, so one rule lives in
 * one place and a changed setting needs no new code.
 */
export class CreateJobDto implements JobRequest {
  @ApiProperty({ description: 'an id or alias from GET /v1/languages', example: 'python', maxLength: MAX_LANGUAGE_LENGTH })
  @IsDefined({ message: '$property is required' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LANGUAGE_LENGTH)
  language!: string;

  @ApiPropertyOptional({ description: 'the program as one file; exactly one of source and files', example: 'print(input())' })
  @ExactlyOneOf('files')
  @IsStringIfPresent()
  source?: string;

  @SourceFilesField('the program as several files; exactly one of source and files')
  files?: SourceFileDto[];

  @ApiPropertyOptional({ example: 'hi\n' })
  @IsOptional()
  @IsString()
  stdin?: string;

  @ApiPropertyOptional({ type: [String], example: ['--fast'] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  args?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['-DLOCAL', '-O0'],
    description: "appended to the language's compile command (compiled languages only)",
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  compileArgs?: string[];

  @ApiPropertyOptional({
    description: 'a zip (base64) unpacked inside the sandbox next to the files before compiling (MAX_FILES × MAX_FILE_BYTES at most)',
  })
  @IsOptional()
  @IsBase64()
  archive?: string;

  @ApiPropertyOptional({ type: LimitsDto, description: 'each omitted limit takes the server default' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LimitsDto)
  limits?: LimitsDto;

  @ApiPropertyOptional({ type: [TestCaseDto], description: 'run the program once per test and judge each' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => TestCaseDto)
  tests?: TestCaseDto[];

  @ApiPropertyOptional({ type: CheckerDto, description: 'how test outputs are judged; default lines' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CheckerDto)
  checker?: Checker;

  @ApiPropertyOptional({
    type: InteractorDto,
    description:
      "makes every test interactive: the program and the interactor run at once, each in its own sandbox, the program's stdout piped to the interactor's stdin and back; the interactor judges (needs tests; not with checker)",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => InteractorDto)
  interactor?: InteractorDto;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  stopOnFirstFailure?: boolean;

  @ApiPropertyOptional({
    description: 'receives the finished job (http or https)',
    example: 'https://grader.example/hooks/runbox',
    maxLength: MAX_CALLBACK_URL_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CALLBACK_URL_LENGTH)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  callbackUrl?: string;

  @ApiPropertyOptional({
    enum: OUTPUT_ENCODINGS,
    default: 'utf8',
    description:
      'how stdout and stderr come back: utf8 text (bytes that are not UTF-8 become U+FFFD and the run says `utf8-lossy`) or the exact bytes in base64',
  })
  @IsOptional()
  @IsIn(OUTPUT_ENCODINGS)
  outputEncoding?: OutputEncoding;

  @ApiPropertyOptional({
    type: [String],
    example: ['result.txt', 'plots/*.png'],
    description:
      'files the program writes, returned with its run (each test its own): paths or globs within one component, relative to /box (OUTPUT_FILES_MAX, OUTPUT_FILE_MAX_BYTES, OUTPUT_FILES_MAX_TOTAL_BYTES)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_OUTPUT_FILE_PATTERNS)
  @IsString({ each: true })
  outputFiles?: string[];

  @ApiPropertyOptional({
    default: false,
    description:
      "send the program's stdout and stderr as `output` events on GET /v1/jobs/{id}/events while it runs (joined, at most one event per stream every 50 ms, at most `limits.outputBytes` of each per run)",
  })
  @IsOptional()
  @IsBoolean()
  liveOutput?: boolean;
}
