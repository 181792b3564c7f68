import { parseCollected, safeName } from './collect';

const caps = { maxFiles: 2, maxFileBytes: 4, maxTotalBytes: 6 };
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const file = (path: string, size: number, content: string, truncated = false) =>
  Buffer.concat([
    Buffer.from('F'),
    u32(path.length),
    Buffer.from(path),
    u64(size),
    Buffer.from([truncated ? 1 : 0]),
    u32(content.length),
    Buffer.from(content),
  ]);
const skipped = (path: string, code: number) => Buffer.concat([Buffer.from('S'), u32(path.length), Buffer.from(path), Buffer.from([code])]);
const end = (omitted: number) => Buffer.concat([Buffer.from('E'), u32(omitted)]);

describe('parseCollected', () => {
  it('reads files, skipped matches and the omitted count', () => {
    const out = parseCollected(Buffer.concat([file('a.txt', 10, 'abcd', true), skipped('l', 1), end(7)]), caps);
    expect(out.omitted).toBe(7);
    expect(out.entries).toEqual([
      { kind: 'file', path: Buffer.from('a.txt'), size: 10, truncated: true, content: Buffer.from('abcd') },
      { kind: 'skipped', path: Buffer.from('l'), reason: 'symlink' },
    ]);
  });

  it.each([
    ['more content than the per-file cap', [file('a', 5, 'abcde'), end(0)]],
    ['more content than the total cap', [file('a', 4, 'abcd'), file('b', 4, 'abcd'), end(0)]],
    ['more records than the count cap', [skipped('a', 1), skipped('b', 1), skipped('c', 1), end(0)]],
    ['a size below its content', [file('a', 1, 'ab'), end(0)]],
    ['an unknown reason', [skipped('a', 99), end(0)]],
    ['a missing end', [file('a', 1, 'a')]],
    ['bytes after the end', [end(0), Buffer.from('x')]],
    ['an empty path', [skipped('', 1), end(0)]],
  ])('refuses %s', (_what, parts) => {
    expect(() => parseCollected(Buffer.concat(parts), caps)).toThrow(/--box-collect/);
  });
});

describe('safeName', () => {
  it('takes UTF-8 without control characters only', () => {
    expect(safeName(Buffer.from('plots/é.png'))).toBe(true);
    expect(safeName(Buffer.from('a\nb'))).toBe(false);
    expect(safeName(Buffer.from([0xff, 0x41]))).toBe(false);
  });
});
