#!/usr/bin/env node
/**
 * `runbox`: the command line for people and CI. Reads like the recipe it runs: parse, build the
 * request, submit, wait, report, exit with the verdict's code. Every error is reported here,
 * once, with its exit code.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { JobView } from '@runbox/contract';
import { ApiClient, ApiError } from './api-client';
import { parseCommand, type Connection, type RunOptions } from './args';
import { EXIT, exitCodeFor } from './exit-codes';
import { helpText } from './help';
import { buildRequest } from './job-request';
import { renderJUnit } from './junit';
import { Progress } from './progress';
import { COLOR, PLAIN, renderReport } from './report';
import { UsageError } from './usage-error';
import { GaveUp, waitForJob } from './wait-for-job';

const VERSION = '0.1.0';

async function run(o: RunOptions): Promise<number> {
  const request = buildRequest(o);
  const api = new ApiClient(o);
  const submitted = await api.submit(request);
  const testNames = (request.tests ?? []).map((t) => t.name!);
  const progress = new Progress(process.stderr, submitted.id, testNames.length);

  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Interrupted());
  process.once('SIGINT', onSigint);
  let view: JobView;
  try {
    view = await waitForJob(api, submitted.id, { timeoutMs: o.timeoutMs, signal: interrupt.signal, hooks: progress });
  } catch (e) {
    progress.end();
    if (e instanceof GaveUp || e instanceof Interrupted) await api.cancel(submitted.id);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.end();

  if (o.json) {
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  } else {
    const style = process.stdout.isTTY && !process.env.NO_COLOR ? COLOR : PLAIN;
    process.stdout.write(renderReport(view, style, testNames.slice(view.result?.tests?.length ?? testNames.length)));
  }
  if (o.junit) {
    const name = o.files.map((f) => basename(f)).join(' ');
    try {
      writeFileSync(o.junit, renderJUnit(view, { name, testNames, hostname: new URL(o.url).host }));
    } catch (e) {
      throw new UsageError(`--junit: cannot write ${o.junit} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  return exitCodeFor(view);
}

async function languages(o: Connection & { json: boolean }): Promise<number> {
  const list = await new ApiClient(o).languages();
  if (o.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  if (list.length === 0) process.stderr.write('runbox: the server has no language (is a worker running?)\n');
  const idWidth = Math.max(2, ...list.map((l) => l.id.length));
  for (const l of list) {
    const aliases = l.aliases.length ? `  (${l.aliases.join(', ')})` : '';
    process.stdout.write(`${l.id.padEnd(idWidth)}  ${l.name} ${l.version}${l.compiled ? ', compiled' : ''}${aliases}\n`);
  }
  return EXIT.ok;
}

class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const command = parseCommand(argv, process.env);
    switch (command.name) {
      case 'help':
        process.stdout.write(helpText(command.topic, VERSION));
        return EXIT.ok;
      case 'version':
        process.stdout.write(`${VERSION}\n`);
        return EXIT.ok;
      case 'languages':
        return await languages(command.options);
      case 'run':
        return await run(command.options);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`runbox: ${e.message}\n(see runbox --help)\n`);
      return EXIT.usage;
    }
    if (e instanceof ApiError) {
      process.stderr.write(`runbox: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof GaveUp) {
      process.stderr.write(`runbox: ${e.message}; cancelled it\n`);
      return EXIT.gaveUp;
    }
    if (e instanceof Interrupted) {
      process.stderr.write('runbox: interrupted; cancelled the job\n');
      return EXIT.interrupted;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`runbox: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = EXIT.internalCliError;
  },
);
