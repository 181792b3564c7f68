/**
 * `runbox run` options → the body of `POST /v1/jobs`. One file goes as `source` (the server
 * names it); several go as `files`, the first renamed to the language's entry file (`main.py`,
 * `Main.java`) and the others kept at their paths relative to the first one's folder.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import type { Checker, JobRequest, SourceFile } from '@runbox/contract';
import type { CheckerArg, RunOptions } from './args';
import { inferLanguage, languageFiles } from './languages';
import { loadTests } from './test-dir';
import { UsageError } from './usage-error';

export type ReadFile = (path: string) => Buffer;
const readFile: ReadFile = (path) => {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (e) {
    throw new UsageError(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
};

/** Text files travel as utf8; anything that is not valid UTF-8 as base64, byte for byte. */
function toContent(bytes: Buffer): Pick<SourceFile, 'content' | 'encoding'> {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes)
    ? { content: text, encoding: 'utf8' }
    : { content: bytes.toString('base64'), encoding: 'base64' };
}

function languageOf(file: string, given: string | undefined, what: string): string {
  const language = given ?? inferLanguage(file);
  if (!language) throw new UsageError(`cannot tell the language of ${what} ${file} from its extension; pass --language`);
  return language;
}

/** Paths in the box: the entry file under the language's name, the rest relative to the entry's folder. */
export function boxPaths(files: readonly string[], language: string): string[] {
  const base = dirname(files[0]!);
  const paths = files.map((f, i) => {
    if (i === 0) return languageFiles(language)?.sourceFile ?? basename(f);
    const rel = relative(base, f).split(sep).join('/');
    return rel.startsWith('../') || rel === '..' ? basename(f) : rel;
  });
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw new UsageError(`two files would be ${p} in the box; rename one`);
    seen.add(p);
  }
  return paths;
}

function toChecker(arg: CheckerArg, read: ReadFile): Checker {
  if (arg.type !== 'custom') return arg;
  const language = languageOf(arg.file, undefined, 'the checker');
  const c = toContent(read(arg.file));
  if (c.encoding === 'utf8') return { type: 'custom', language, source: c.content };
  return { type: 'custom', language, files: [{ path: languageFiles(language)?.sourceFile ?? basename(arg.file), ...c }] };
}

export function buildRequest(o: RunOptions, read: ReadFile = readFile): JobRequest {
  const language = languageOf(o.files[0]!, o.language, 'the program');
  const req: JobRequest = { language };
  if (o.files.length === 1) {
    const c = toContent(read(o.files[0]!));
    if (c.encoding === 'utf8') req.source = c.content;
    else req.files = [{ path: boxPaths(o.files, language)[0]!, ...c }];
  } else {
    const paths = boxPaths(o.files, language);
    req.files = o.files.map((f, i) => ({ path: paths[i]!, ...toContent(read(f)) }));
  }
  if (o.stdin !== undefined) req.stdin = read(o.stdin).toString('utf8');
  if (o.tests !== undefined) req.tests = loadTests(o.tests);
  if (o.checker) req.checker = toChecker(o.checker, read);
  return req;
}
