import { ApiProperty } from '@nestjs/swagger';
import type { AvailableLanguage } from './available-languages';

export class LanguageDto implements AvailableLanguage {
  @ApiProperty({ example: 'python' }) id!: string;
  @ApiProperty({ example: 'Python' }) name!: string;
  @ApiProperty({ type: [String], example: ['py', 'python3'] }) aliases!: string[];
  @ApiProperty({ example: '3.11.2' }) version!: string;
  @ApiProperty({ description: 'compiled once per job before it runs' }) compiled!: boolean;
}
