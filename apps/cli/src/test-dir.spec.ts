import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverTests, loadTests, naturalCompare } from './test-dir';
import { UsageError } from './usage-error';

describe('naturalCompare', () => {
  it('orders digit runs by value', () => {
    const names = ['test10', 'test2', 'test1', 'b', 'a10', 'a9', '10', '9', 'test02', 'sample'];
    expect([...names].sort(naturalCompare)).toEqual(['9', '10', 'a9', 'a10', 'b', 'sample', 'test1', 'test2', 'test02', 'test10']);
  });
  it('handles numbers longer than a double', () => {
    expect(naturalCompare('t123456789012345678901', 't123456789012345678902')).toBeLessThan(0);
  });
});

describe('discoverTests', () => {
  let dir: string;
  const write = (path: string, content = '') => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbox-cli-tests-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('pairs NAME.in with NAME.out or NAME.ans, and NAME/input with NAME/output, sorted naturally', () => {
    write('10.in', '10\n');
    write('10.out', '100\n');
    write('2.in', '2\n');
    write('2.out', '4\n');
    write('1.in', '1\n');
    write('1.ans', '1\n');
    write('sample/input', 's\n');
    write('sample/output', 'S\n');
    write('README.md', 'ignored');
    mkdirSync(join(dir, 'empty-folder'));
    expect(discoverTests(dir).map((t) => t.name)).toEqual(['1', '2', '10', 'sample']);
    expect(loadTests(dir)).toEqual([
      { name: '1', stdin: '1\n', expectedOutput: '1\n', points: 1 },
      { name: '2', stdin: '2\n', expectedOutput: '4\n', points: 1 },
      { name: '10', stdin: '10\n', expectedOutput: '100\n', points: 1 },
      { name: 'sample', stdin: 's\n', expectedOutput: 'S\n', points: 1 },
    ]);
  });

  it('allows a missing half: no input is empty stdin, no answer only has to run', () => {
    write('only-in.in', 'x');
    write('only-out.out', 'y');
    expect(loadTests(dir)).toEqual([
      { name: 'only-in', stdin: 'x', points: 1 },
      { name: 'only-out', stdin: '', expectedOutput: 'y', points: 1 },
    ]);
  });

  it('refuses a test defined twice', () => {
    write('a.out', '1');
    write('a.ans', '1');
    expect(() => discoverTests(dir)).toThrow(/test "a" has two answer files/);
  });

  it('refuses a test given both as files and as a folder', () => {
    write('a.in', '1');
    write('a/input', '1');
    expect(() => discoverTests(dir)).toThrow(/two input files/);
  });

  it('refuses an empty or missing folder', () => {
    write('notes.txt');
    expect(() => discoverTests(dir)).toThrow(UsageError);
    expect(() => discoverTests(dir)).toThrow(/no tests in/);
    expect(() => discoverTests(join(dir, 'missing'))).toThrow(/cannot read .*ENOENT/);
  });
});
