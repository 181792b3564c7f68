import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand, type RunOptions } from './args';
import { boxPaths, buildRequest } from './job-request';
import { UsageError } from './usage-error';

const files: Record<string, Buffer> = {
  'sol.py': Buffer.from('print(input())\n'),
  'src/main.c': Buffer.from('#include "lib/util.h"\nint main(){}\n'),
  'src/lib/util.h': Buffer.from('int f(void);\n'),
  'other/x.h': Buffer.from('int g;\n'),
  'blob.py': Buffer.from([0xff, 0xfe, 0x00, 0x41]),
  'check.cpp': Buffer.from('int main(){return 0;}\n'),
  'in.txt': Buffer.from('hello\n'),
  notes: Buffer.from('x'),
};
const read = (p: string) => {
  const b = files[p];
  if (!b) throw new UsageError(`cannot read ${p}`);
  return b;
};
const opts = (argv: string[]): RunOptions => {
  const c = parseCommand(['run', ...argv], {});
  if (c.name !== 'run') throw new Error('not run');
  return c.options;
};

describe('buildRequest', () => {
  it('sends one file as source, in the language of its extension', () => {
    expect(buildRequest(opts(['sol.py', '--stdin', 'in.txt']), read)).toEqual({
      language: 'python',
      source: 'print(input())\n',
      stdin: 'hello\n',
    });
  });

  it('sends several files with the first as the entry file and the rest at relative paths', () => {
    expect(buildRequest(opts(['src/main.c', 'src/lib/util.h', 'other/x.h']), read)).toEqual({
      language: 'c',
      files: [
        { path: 'main.c', content: files['src/main.c']!.toString(), encoding: 'utf8' },
        { path: 'lib/util.h', content: 'int f(void);\n', encoding: 'utf8' },
        { path: 'x.h', content: 'int g;\n', encoding: 'utf8' },
      ],
    });
  });

  it('renames the entry file to the language main file', () => {
    expect(boxPaths(['Solution.java', 'Util.java'], 'java')).toEqual(['Main.java', 'Util.java']);
    expect(boxPaths(['solve.py', 'helper.py'], 'py')).toEqual(['main.py', 'helper.py']);
    expect(() => boxPaths(['a/main.py', 'b/main.py'], 'python')).toThrow(/two files would be main.py/);
  });

  it('sends bytes that are not UTF-8 as base64', () => {
    expect(buildRequest(opts(['blob.py']), read)).toEqual({
      language: 'python',
      files: [{ path: 'main.py', content: '//4AQQ==', encoding: 'base64' }],
    });
  });

  it('uses --language over the extension, and asks for it when the extension says nothing', () => {
    expect(buildRequest(opts(['sol.py', '-l', 'python3']), read).language).toBe('python3');
    expect(() => buildRequest(opts(['notes']), read)).toThrow(/cannot tell the language of the program notes/);
  });

  it('sends a custom checker in the language of its extension', () => {
    expect(buildRequest(opts(['sol.py', '--checker', 'custom:check.cpp']), read).checker).toEqual({
      type: 'custom',
      language: 'cpp',
      source: 'int main(){return 0;}\n',
    });
    expect(buildRequest(opts(['sol.py', '--checker', 'tokens']), read).checker).toEqual({ type: 'tokens' });
  });

  it('reads the tests folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbox-cli-req-'));
    try {
      writeFileSync(join(dir, '1.in'), '1\n');
      writeFileSync(join(dir, '1.out'), '1\n');
      expect(buildRequest(opts(['sol.py', '--tests', dir]), read).tests).toEqual([
        { name: '1', stdin: '1\n', expectedOutput: '1\n', points: 1 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
