import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AvailableLanguage } from './available-languages';
import { ApiProblems, GUARD_PROBLEMS } from '../http/problem.dto';
import { LanguageDto } from './language.dto';
import { LanguagesService } from './languages.service';

@ApiTags('languages')
@ApiProblems(GUARD_PROBLEMS)
@Controller('v1/languages')
export class LanguagesController {
  constructor(private readonly languages: LanguagesService) {}

  @Get()
  @ApiOperation({ summary: 'Languages the live workers have installed, with versions' })
  @ApiOkResponse({ type: [LanguageDto] })
  installed(): Promise<AvailableLanguage[]> {
    return this.languages.installed();
  }
}
