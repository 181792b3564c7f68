/**
 * Jobe's REST API (trampgeek/jobe app/Config/Routes.php) under the path CodeRunner uses,
 * `/jobe/index.php/restapi/`.
 */
import { Body, Controller, Get, Head, HttpCode, Param, Post, Put, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, type Caller } from '../../auth/caller';
import { Reply } from '../../http/reply';
import { isFileId, JobeFiles } from './jobe-files';
import { JobeErrorFilter } from './jobe-error.filter';
import type { JobeResult } from './jobe-result';
import { JobeError, jobeBadRequest } from './jobe.errors';
import { JobeService } from './jobe.service';

@ApiTags('compat: Jobe (Moodle CodeRunner)')
@UseFilters(JobeErrorFilter)
@Controller('jobe/index.php/restapi')
export class JobeController {
  constructor(
    private readonly jobe: JobeService,
    private readonly files: JobeFiles,
  ) {}

  @Get('languages')
  @ApiOperation({ summary: 'Installed languages as [[id, version], …] (Jobe)' })
  languages(): Promise<[string, string][]> {
    return this.jobe.list();
  }

  @Post('runs')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a program synchronously (Jobe)',
    description:
      'Body {"run_spec": {language_id, sourcecode, sourcefilename?, input?, file_list?: [[fileid, name]], parameters?: {cputime (s), memorylimit (MB), numprocs, streamsize (MB), runargs}}}. ' +
      'Answers {run_id, outcome, cmpinfo, stdout, stderr}; outcome 11 compile error, 12 runtime error, 13 time or output limit, 15 ok, 17 memory limit, 19 illegal system call, 20 internal error, 21 server overload. ' +
      "Errors are Jobe's: 400 or 404 with a JSON string.",
  })
  @ApiBody({ schema: { type: 'object', example: { run_spec: { language_id: 'python3', sourcecode: 'print(input())', input: 'hi\n' } } } })
  run(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<JobeResult> {
    return this.jobe.run(body, caller);
  }

  @Put('files')
  @ApiOperation({ summary: "Jobe's answer to a PUT without a file id (400)" })
  putWithoutId(): never {
    throw jobeBadRequest('No file id in URL');
  }

  @Put('files/:id')
  @ApiOperation({ summary: 'Store a support file: {"file_contents": "<base64>"} → 204 (Jobe)' })
  @ApiBody({ schema: { type: 'object', properties: { file_contents: { type: 'string', format: 'byte' } } } })
  async put(@Param('id') id: string, @Body() body: unknown, @CurrentCaller() caller: Caller): Promise<Reply<undefined>> {
    if (!isFileId(id)) throw new JobeError(404, `No file id ${JSON.stringify(id.slice(0, 64))}: ids are letters and digits`);
    await this.files.put(caller, id, body);
    return new Reply(204, undefined);
  }

  @Head('files/:id')
  @ApiOperation({ summary: 'Whether a support file is here: 204, or 404 (Jobe)' })
  async head(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<Reply<undefined>> {
    return new Reply(isFileId(id) && (await this.files.exists(caller, id)) ? 204 : 404, undefined);
  }
}
