/** Piston v2's HTTP routes (engineer-man/piston `api/src/api/v2.js`), minus the WebSocket `/connect`. */
import { Body, Controller, Delete, Get, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, type Caller } from '../../auth/caller';
import { PistonErrorFilter } from './piston-error.filter';
import { PistonPackagesManaged } from './piston.errors';
import { PistonService, type PistonPackage } from './piston.service';
import type { PistonResult } from './piston-result';
import type { PistonRuntime } from './piston-runtimes';

@ApiTags('compat: Piston v2')
@UseFilters(PistonErrorFilter)
@Controller('api/v2')
export class PistonController {
  constructor(private readonly piston: PistonService) {}

  @Post('execute')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a program (Piston v2)',
    description:
      "Piston's body: language (name or alias), version (semver selector), files[] {name, content, encoding utf8|base64|hex}, stdin, args, " +
      "run_timeout / run_cpu_time (ms), run_memory_limit (bytes, -1 = server default), compile_* (checked, the language's compile limits apply). " +
      'Answers {language, version, compile?, run} with Piston\'s stage fields and status codes RE SG TO OL EL XX; errors are 400 {"message"}. ' +
      'text/plain bodies are read as JSON (piston-client sends them).',
  })
  @ApiBody({
    schema: {
      type: 'object',
      example: { language: 'python', version: '3.x', files: [{ name: 'main.py', content: 'print(input())' }], stdin: 'hi' },
    },
  })
  @ApiOkResponse({ description: 'the finished program, also when it failed or hit a limit' })
  execute(@Body() body: unknown, @CurrentCaller() caller: Caller): Promise<PistonResult> {
    return this.piston.execute(body, caller);
  }

  @Get('runtimes')
  @ApiOperation({ summary: "Installed runtimes under Piston's names (Piston v2)" })
  runtimes(): Promise<PistonRuntime[]> {
    return this.piston.runtimes();
  }

  @Get('packages')
  @ApiOperation({ summary: 'Installed packages (Piston v2): every listed one is installed' })
  packages(): Promise<PistonPackage[]> {
    return this.piston.packages();
  }

  @Post('packages')
  @ApiOperation({ summary: 'Not available: languages are installed by the operator (answers 501)' })
  install(): never {
    throw new PistonPackagesManaged();
  }

  @Delete('packages')
  @ApiOperation({ summary: 'Not available: languages are installed by the operator (answers 501)' })
  uninstall(): never {
    throw new PistonPackagesManaged();
  }
}
