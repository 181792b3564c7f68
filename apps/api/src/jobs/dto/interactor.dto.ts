import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import type { Interactor } from '@runbox/contract';
import { LimitsDto } from './limits.dto';
import { ExactlyOneOf, IsStringIfPresent, MAX_LANGUAGE_LENGTH } from './rules';
import { SourceFileDto, SourceFilesField } from './source-file.dto';

export class InteractorDto implements Interactor {
  @ApiProperty({
    description: 'the language of the interactor program, an id or alias from GET /v1/languages',
    example: 'python',
    maxLength: MAX_LANGUAGE_LENGTH,
  })
  @IsDefined({ message: '$property is required' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_LANGUAGE_LENGTH)
  language!: string;

  @ApiPropertyOptional({
    description:
      "the interactor as one file; exactly one of source and files. Run as `interactor input.txt output.txt answer.txt` (testlib order: the test's stdin, a file it may write, the expected output); exit 0 ok, 1 wrong answer, 2 presentation error (wrong answer), anything else internal_error",
  })
  @ExactlyOneOf('files')
  @IsStringIfPresent()
  source?: string;

  @SourceFilesField('the interactor as several files; exactly one of source and files')
  files?: SourceFileDto[];

  @ApiPropertyOptional({
    type: LimitsDto,
    description:
      "the interactor's own limits (outputBytes: of its stderr, the test's message); each omitted one takes the job's. Its wall clock runs at least 1 s past the program's",
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LimitsDto)
  limits?: LimitsDto;
}
