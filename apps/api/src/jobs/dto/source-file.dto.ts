import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, ValidateIf, ValidateNested } from 'class-validator';
import { FILE_ENCODINGS, MAX_PATH_BYTES, type FileEncoding, type SourceFile } from '@runbox/contract';
import { DecodesAsDeclared, IsSafePath, UniquePaths } from './rules';

export class SourceFileDto implements SourceFile {
  @ApiProperty({ description: 'relative path inside the box', example: 'main.c', maxLength: MAX_PATH_BYTES })
  @IsString()
  @IsSafePath()
  path!: string;

  @ApiProperty({ description: 'the file, as text or base64 (see encoding)' })
  @IsString()
  @DecodesAsDeclared()
  content!: string;

  @ApiPropertyOptional({ enum: FILE_ENCODINGS, default: 'utf8' })
  @IsOptional()
  @IsIn(FILE_ENCODINGS)
  encoding?: FileEncoding;
}

/** A program given as files (a job's, or a custom checker's): a non-empty list of unique, safe paths. */
export function SourceFilesField(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: [SourceFileDto], description }),
    ValidateIf((_o: object, files: unknown) => files !== undefined && files !== null),
    IsArray(),
    ArrayMinSize(1),
    IsObject({ each: true }),
    UniquePaths(),
    ValidateNested({ each: true }),
    Type(() => SourceFileDto),
  );
}
