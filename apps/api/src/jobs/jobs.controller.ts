import { Body, Controller, Delete, Get, Headers, HttpStatus, Param, Post, Query, Sse, type MessageEvent } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JobView } from '@runbox/contract';
import { CurrentCaller, type Caller } from '../auth/caller';
import { ApiProblems, GUARD_PROBLEMS } from '../http/problem.dto';
import { Reply } from '../http/reply';
import { BatchCreatedDto, CreateBatchDto } from './dto/batch.dto';
import { CreateJobDto } from './dto/create-job.dto';
import { ListJobsQueryDto, SubmitQueryDto } from './dto/job-query.dto';
import { JobListDto, JobViewDto } from './dto/job-view.dto';
import { JobsService, type Outcome } from './jobs.service';

const location = (id: string) => `/v1/jobs/${id}`;
/** 200 once the job has ended, 202 while it is still going. */
const reply = ({ view, settled }: Outcome, headers: Record<string, string> = {}) =>
  new Reply<JobView>(settled ? HttpStatus.OK : HttpStatus.ACCEPTED, view, headers);

@ApiTags('jobs')
@ApiProblems(GUARD_PROBLEMS)
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @ApiOperation({
    summary: 'Queue a job',
    description: 'With `?wait=true`, answers 200 with the finished job, or 202 when the server wait maximum passes first.',
  })
  @ApiAcceptedResponse({ type: JobViewDto, description: 'queued (Location: /v1/jobs/{id})' })
  @ApiOkResponse({ type: JobViewDto, description: 'finished (with ?wait=true)' })
  @ApiProblems([400, 413, 422], {
    422: 'unknown language, a limit above the server maximum, or a string the launcher cannot take (NUL byte, path starting with -)',
  })
  // lower-case, as @Headers() below names it, so the document lists one optional header, not two
  @ApiHeader({ name: 'idempotency-key', required: false, description: 'the same key and body return the same job for 24 hours' })
  async submit(
    @Body() body: CreateJobDto,
    @Query() query: SubmitQueryDto,
    @CurrentCaller() caller: Caller,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<Reply<JobView>> {
    const outcome = await this.jobs.submit(body, query.wait === 'true', caller, idempotencyKey);
    return reply(outcome, { Location: location(outcome.view.id), ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
  }

  @Post('batch')
  @ApiOperation({ summary: 'Queue several jobs; all are checked before any is queued' })
  @ApiAcceptedResponse({ type: BatchCreatedDto })
  @ApiProblems([400, 413, 422], { 413: 'more jobs than MAX_BATCH, or a job too large' })
  async submitBatch(@Body() body: CreateBatchDto, @CurrentCaller() caller: Caller): Promise<Reply<BatchCreatedDto>> {
    return new Reply(HttpStatus.ACCEPTED, { ids: await this.jobs.submitBatch(body.jobs, caller) });
  }

  @Get()
  @ApiOperation({ summary: 'Read several jobs: GET /v1/jobs?ids=a,b' })
  @ApiOkResponse({ type: JobListDto })
  @ApiProblems([400, 413], { 413: 'more ids than MAX_BATCH' })
  findMany(@Query() query: ListJobsQueryDto, @CurrentCaller() caller: Caller): Promise<JobListDto> {
    return this.jobs.findMany(query.ids, caller);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a job' })
  @ApiOkResponse({ type: JobViewDto })
  @ApiProblems([404])
  find(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<JobView> {
    return this.jobs.find(id, caller);
  }

  @Sse(':id/events')
  @ApiOperation({
    summary: 'Live events of a job (Server-Sent Events)',
    description:
      'The current state first, then running, compiled, one `test` per finished test, and finally completed | failed | cancelled with the final job; then the stream ends.',
  })
  @ApiOkResponse({ description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiProblems([404])
  events(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<Observable<MessageEvent>> {
    return this.jobs.streamEvents(id, caller);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel a job: dequeue it, or kill its sandbox',
    description: '200 once cancelled, 202 when the kill is not confirmed yet.',
  })
  @ApiOkResponse({ type: JobViewDto })
  @ApiAcceptedResponse({ type: JobViewDto })
  @ApiProblems([404, 409])
  async cancel(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<Reply<JobView>> {
    return reply(await this.jobs.cancel(id, caller));
  }
}
