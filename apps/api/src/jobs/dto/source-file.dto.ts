import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { FILE_ENCODINGS, MAX_PATH_BYTES, type FileEncoding, type SourceFile } from '@runbox/contract';
import { DecodesAsDeclared, IsSafePath } from './rules';

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
