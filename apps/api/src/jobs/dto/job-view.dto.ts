/**
 * The answer shapes of the jobs routes, for the OpenAPI document only: the service returns the
 * contract's `JobView`, and these classes `implements` it so the document cannot drift from it.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONTENT_ENCODINGS,
  JOB_STATUSES,
  JOB_STOP_REASONS,
  OUTPUT_FILE_SKIPS,
  VERDICTS,
  type ContentEncoding,
  type JobResult,
  type JobStop,
  type JobStopReason,
  type JobStatus,
  type JobView,
  type OutputFile,
  type OutputFileSkip,
  type Run,
  type Score,
  type SkippedFile,
  type TestResult,
  type Verdict,
  type WebhookDelivery,
} from '@runbox/contract';

export class OutputFileDto implements OutputFile {
  @ApiProperty({ example: 'result.txt', description: 'relative to /box' }) path!: string;
  @ApiProperty({ description: 'bytes on disk' }) size!: number;
  @ApiProperty({ enum: CONTENT_ENCODINGS }) encoding!: ContentEncoding;
  @ApiProperty() content!: string;
  @ApiPropertyOptional({ enum: [true], description: 'cut at OUTPUT_FILE_MAX_BYTES or the total cap' }) truncated?: true;
}

export class SkippedFileDto implements SkippedFile {
  @ApiProperty({ description: 'for information: bytes that are not UTF-8 as U+FFFD' }) path!: string;
  @ApiProperty({ enum: OUTPUT_FILE_SKIPS }) reason!: OutputFileSkip;
}

export class RunDto implements Run {
  @ApiProperty({ type: Number, nullable: true }) exitCode!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'SIGSEGV', description: 'the signal that ended the program' }) signal!:
    string | null;
  @ApiProperty() stdout!: string;
  @ApiProperty() stderr!: string;
  @ApiProperty() stdoutTruncated!: boolean;
  @ApiProperty() stderrTruncated!: boolean;
  @ApiPropertyOptional({
    enum: CONTENT_ENCODINGS,
    description: 'absent for plain UTF-8 text; utf8-lossy: bytes that were not UTF-8 became U+FFFD',
  })
  stdoutEncoding?: ContentEncoding;
  @ApiPropertyOptional({ enum: CONTENT_ENCODINGS }) stderrEncoding?: ContentEncoding;
  @ApiPropertyOptional({ type: [OutputFileDto], description: 'with outputFiles: the matching files read' }) files?: OutputFileDto[];
  @ApiPropertyOptional({ type: [SkippedFileDto], description: 'matches not read (a link, a FIFO, a directory, …)' })
  filesSkipped?: SkippedFileDto[];
  @ApiPropertyOptional({ description: 'matches beyond OUTPUT_FILES_MAX, neither read nor listed' }) filesOmitted?: number;
  @ApiProperty() cpuTimeMs!: number;
  @ApiProperty() wallTimeMs!: number;
  @ApiProperty() memoryKb!: number;
  @ApiProperty({ enum: VERDICTS }) verdict!: Verdict;
  @ApiPropertyOptional({ description: 'which limit ended it, a checker message' }) message?: string;
}

export class TestResultDto implements TestResult {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: VERDICTS }) verdict!: Verdict;
  @ApiProperty() points!: number;
  @ApiProperty({ type: RunDto, nullable: true }) run!: Run | null;
  @ApiPropertyOptional() message?: string;
  @ApiPropertyOptional() expectedOutput?: string;
}

export class ScoreDto implements Score {
  @ApiProperty() points!: number;
  @ApiProperty() maxPoints!: number;
}

export class JobStopDto implements JobStop {
  @ApiProperty({ enum: JOB_STOP_REASONS }) reason!: JobStopReason;
  @ApiPropertyOptional({ description: 'index of the test during which the job stopped' }) test?: number;
}

export class JobResultDto implements JobResult {
  @ApiProperty({ enum: VERDICTS }) verdict!: Verdict;
  @ApiProperty({ type: RunDto, nullable: true }) compile!: Run | null;
  @ApiProperty({ type: RunDto, nullable: true, description: 'the single run when the job has no tests' }) run!: Run | null;
  @ApiPropertyOptional({ type: [TestResultDto] }) tests?: TestResult[];
  @ApiPropertyOptional({ type: ScoreDto }) score?: Score;
  @ApiPropertyOptional({ type: JobStopDto, description: 'why the job stopped before its last test (a budget of the server)' })
  stopped?: JobStop;
  @ApiPropertyOptional({ enum: [true], description: 'the output kept of the job reached its budget: later streams are cut' })
  outputBudgetSpent?: true;
}

export class WebhookDeliveryDto implements WebhookDelivery {
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status!: 'pending' | 'delivered' | 'failed';
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional() lastStatusCode?: number;
  @ApiPropertyOptional() lastError?: string;
  @ApiPropertyOptional() deliveredAt?: string;
}

export class JobViewDto implements JobView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: JobStatus;
  @ApiProperty({ description: 'canonical language id', example: 'python' }) language!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiProperty({ type: JobResultDto, nullable: true }) result!: JobResult | null;
  @ApiPropertyOptional({ description: 'why runbox could not run the job (status failed)' }) error?: string;
  @ApiPropertyOptional({ type: WebhookDeliveryDto }) webhook?: WebhookDelivery;
}

export class JobListDto {
  @ApiProperty({ type: [JobViewDto], description: 'the jobs found, in the order asked' }) jobs!: JobView[];
  @ApiProperty({ type: [String], description: "ids with no job this key may see (unknown, expired, or another key's)" })
  notFound!: string[];
}
