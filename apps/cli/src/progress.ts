/**
 * Progress while a job runs, on stderr (stdout is for the result, so `--json` output stays
 * clean). A bar redrawn in place on a terminal; plain lines in CI logs, which keep every line.
 */
import type { JobStatus, TestResult } from '@runbox/contract';
import { formatMs } from './report';

const BAR_WIDTH = 24;

export class Progress {
  private done = 0;
  private failed = 0;
  private status = 'queued';
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly jobId: string,
    private readonly totalTests: number,
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  onStatus(status: JobStatus | 'compiled'): void {
    this.status = status;
    if (this.tty) this.draw();
    else this.out.write(`runbox: job ${this.jobId} ${status}\n`);
  }

  onTest(index: number, test: TestResult): void {
    this.done++;
    if (test.verdict !== 'ok') this.failed++;
    if (this.tty) return this.draw(test);
    const time = test.run ? ` (${formatMs(test.run.wallTimeMs)})` : '';
    this.out.write(`runbox: test ${index + 1}/${this.totalTests} ${test.name}: ${test.verdict}${time}\n`);
  }

  /** Clears the bar before the result is printed. */
  end(): void {
    if (this.tty && this.drawn) this.out.write('\r\x1b[2K');
  }

  private draw(last?: TestResult): void {
    this.drawn = true;
    let line: string;
    if (this.totalTests > 0) {
      const filled = Math.round((this.done / this.totalTests) * BAR_WIDTH);
      const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
      line = `[${bar}] ${this.done}/${this.totalTests} tests${this.failed ? `, ${this.failed} failed` : ''}`;
      line += last ? ` · ${last.name}: ${last.verdict}` : ` · ${this.status}`;
    } else {
      line = `job ${this.jobId}: ${this.status}`;
    }
    const width = (this.out.columns ?? 80) - 1;
    this.out.write(`\r\x1b[2K${line.length > width ? line.slice(0, width) : line}`);
  }
}
