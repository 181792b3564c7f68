/**
 * Judge0 CE v1.13.1's routes at its own paths (judge0/judge0 v1.13.1 config/routes.rb), so a
 * Judge0 client changes only its base URL. Each maps HTTP to one Judge0Service call.
 */
import { Body, Controller, Get, Headers, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Config } from '@runbox/config';
import { DELIVERY_TIMEOUT_MS } from '@runbox/contract';
import { CurrentCaller, type Caller } from '../../auth/caller';
import type { Reply } from '../../http/reply';
import {
  Judge0BatchDto,
  Judge0LanguageDto,
  Judge0StatusDto,
  Judge0SubmissionDto,
  Judge0SubmissionViewDto,
  Judge0TokenDto,
} from './judge0.dto';
import { Judge0Filter } from './judge0.filter';
import { configInfo } from './judge0-limits';
import { Judge0Service, type Judge0Query } from './judge0.service';
import { JUDGE0_STATUSES } from './statuses';

const base64Query = ApiQuery({
  name: 'base64_encoded',
  required: false,
  description: 'text attributes in base64 (default false, as in Judge0 CE v1.13.1; JUDGE0_BASE64_DEFAULT)',
});
const fieldsQuery = ApiQuery({ name: 'fields', required: false, description: 'attributes to answer with, comma-separated, or `*`' });
const auth = ApiHeader({ name: 'X-Auth-Token', required: false, description: 'the API key (or Authorization: Bearer)' });

@ApiTags('Judge0 CE')
@UseFilters(Judge0Filter)
@Controller('submissions')
export class Judge0SubmissionsController {
  constructor(private readonly judge0: Judge0Service) {}

  @Post()
  @ApiOperation({
    summary: 'Create a submission (Judge0)',
    description: '201 with the token; with `?wait=true` the finished submission (or as it is when the server wait maximum passes).',
  })
  @ApiBody({ type: Judge0SubmissionDto })
  @ApiResponse({ status: 201, type: Judge0TokenDto })
  @ApiResponse({ status: 422, description: 'errors by attribute: `{"language_id":["language with id 9 doesn\'t exist"]}`' })
  @ApiQuery({ name: 'wait', required: false })
  @base64Query
  @fieldsQuery
  @auth
  create(@Body() body: unknown, @Query() q: Judge0Query, @CurrentCaller() caller: Caller): Promise<Reply<unknown>> {
    return this.judge0.create(body, q, caller);
  }

  @Post('batch')
  @ApiOperation({
    summary: 'Create submissions (Judge0)',
    description: 'An answer per item, in order: `{token}` or its errors. 201 when one is valid, else 422.',
  })
  @ApiBody({ type: Judge0BatchDto })
  @ApiResponse({ status: 201, type: [Judge0TokenDto] })
  @base64Query
  @auth
  createBatch(@Body() body: unknown, @Query() q: Judge0Query, @CurrentCaller() caller: Caller): Promise<Reply<unknown>> {
    return this.judge0.createBatch(body, q, caller);
  }

  @Get('batch')
  @ApiOperation({ summary: 'Read submissions (Judge0)', description: '`{submissions: [...]}` in token order, null for an unknown token.' })
  @ApiQuery({ name: 'tokens', required: false, description: 'comma-separated (or a `tokens` header)' })
  @base64Query
  @fieldsQuery
  @auth
  showBatch(
    @Query() q: Judge0Query,
    @CurrentCaller() caller: Caller,
    @Headers('tokens') header?: string,
  ): Promise<{ submissions: unknown[] }> {
    return this.judge0.showBatch(header ?? q.tokens, q, caller);
  }

  @Get(':token')
  @ApiOperation({ summary: 'Read a submission (Judge0)' })
  @ApiOkResponse({ type: Judge0SubmissionViewDto })
  @base64Query
  @fieldsQuery
  @auth
  show(@Param('token') token: string, @Query() q: Judge0Query, @CurrentCaller() caller: Caller): Promise<unknown> {
    return this.judge0.show(token, q, caller);
  }
}

@ApiTags('Judge0 CE')
@UseFilters(Judge0Filter)
@Controller()
export class Judge0InfoController {
  constructor(
    private readonly judge0: Judge0Service,
    private readonly config: Config,
  ) {}

  @Get('languages')
  @ApiOperation({ summary: 'Languages the workers have, under Judge0 CE ids' })
  @ApiOkResponse({ type: [Judge0LanguageDto] })
  languages(): Promise<{ id: number; name: string }[]> {
    return this.judge0.listLanguages();
  }

  @Get('languages/all')
  @ApiOperation({ summary: 'Languages with is_archived (Judge0); runbox archives none' })
  async allLanguages(): Promise<{ id: number; name: string; is_archived: boolean }[]> {
    return (await this.judge0.listLanguages()).map((l) => ({ ...l, is_archived: false }));
  }

  @Get('languages/:id')
  @ApiOperation({ summary: 'One language with its commands (Judge0)' })
  language(@Param('id') id: string): Promise<Record<string, unknown>> {
    return this.judge0.showLanguage(id);
  }

  @Get('statuses')
  @ApiOperation({ summary: 'Judge0 statuses 1–14' })
  @ApiOkResponse({ type: [Judge0StatusDto] })
  statuses(): readonly { id: number; description: string }[] {
    return JUDGE0_STATUSES;
  }

  @Get('about')
  @ApiOperation({ summary: 'What answers the Judge0 API here' })
  about(): Record<string, string | null> {
    // Judge0 answers its JUDGE0_* environment here; clients read `version` to know the API they talk to.
    return { version: '1.13.1', homepage: null, source_code: null, maintainer: 'runbox, answering the Judge0 CE v1.13.1 API' };
  }

  @Get('config_info')
  @ApiOperation({ summary: 'Every key of Judge0 CE v1.13.1’s /config_info, with this server’s values' })
  configInfo(): Record<string, unknown> {
    return configInfo(this.config, DELIVERY_TIMEOUT_MS / 1000);
  }

  @Get('workers')
  @ApiOperation({ summary: 'The job queue and the workers’ slots, in Judge0’s shape' })
  workers(): Promise<Record<string, unknown>[]> {
    return this.judge0.workers();
  }
}
