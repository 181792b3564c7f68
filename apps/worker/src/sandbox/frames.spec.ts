import { encodeCancel, encodeInput, encodeRun, ResponseReader, type OutputFrame, type ResponseFrame } from './frames';

/** A response frame as native/src/serve.c writes it. */
function response(id: number, status: number, report: string, stdout: Buffer, stderr: Buffer): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const st = Buffer.alloc(4);
  st.writeInt32LE(status);
  const r = Buffer.from(report);
  return Buffer.concat([u32(id), st, u32(r.length), r, u32(stdout.length), stdout, u32(stderr.length), stderr]);
}

describe('serve-mode frames', () => {
  it('encodes a run request: type, id, NUL-terminated arguments, stdin', () => {
    const frame = encodeRun(7, ['--box=b', '--', 'echo', 'hi'], Buffer.from('in'));
    expect(frame.subarray(0, 1).toString()).toBe('R');
    expect(frame.readUInt32LE(1)).toBe(7);
    const n = frame.readUInt32LE(5);
    expect(frame.subarray(9, 9 + n).toString()).toBe('--box=b\0--\0echo\0hi\0');
    expect(frame.readUInt32LE(9 + n)).toBe(2);
    expect(frame.subarray(13 + n).toString()).toBe('in');
  });

  it('encodes a cancel', () => {
    expect([...encodeCancel(258)]).toEqual([0x43, 2, 1, 0, 0]);
  });

  it('reassembles frames cut at every byte, and several frames in one chunk', () => {
    const a = response(1, 0, '{"exitCode":0}', Buffer.from('out'), Buffer.alloc(0));
    const b = response(2, -9, '', Buffer.alloc(0), Buffer.from('launcher: oops'));
    const stream = Buffer.concat([a, b]);
    for (const cut of [1, 3, 7, 13, stream.length]) {
      const reader = new ResponseReader();
      const got: ResponseFrame[] = [];
      for (let i = 0; i < stream.length; i += cut) got.push(...reader.push(stream.subarray(i, i + cut)));
      expect(got.map((f) => [f.id, f.status, f.report, f.stdout.toString(), f.stderr.toString()])).toEqual([
        [1, 0, '{"exitCode":0}', 'out', ''],
        [2, -9, '', '', 'launcher: oops'],
      ]);
    }
  });

  it('joins a large output a few times, not once per chunk', () => {
    const big = Buffer.alloc(4 << 20, 0x61);
    const stream = response(3, 0, '{}', big, Buffer.alloc(0));
    const reader = new ResponseReader();
    const concat = jest.spyOn(Buffer, 'concat');
    const got: ResponseFrame[] = [];
    for (let i = 0; i < stream.length; i += 65536) got.push(...reader.push(stream.subarray(i, i + 65536)));
    expect(concat.mock.calls.length).toBeLessThanOrEqual(4);
    concat.mockRestore();
    expect(got).toHaveLength(1);
    expect(got[0]!.stdout.equals(big)).toBe(true);
  });

  it('encodes a streamed run and its input frames', () => {
    expect(encodeRun(1, ['--', 'cat'], Buffer.alloc(0), 'S').subarray(0, 1).toString()).toBe('S');
    expect([...encodeInput(258, Buffer.from('ab'))]).toEqual([0x49, 2, 1, 0, 0, 2, 0, 0, 0, 0x61, 0x62]);
    expect([...encodeInput(1, Buffer.alloc(0))]).toEqual([0x49, 1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("reads a streamed run's output frames and tagged answer, cut at every byte, then an untagged run", () => {
    const output = (id: number, stream: number, data: string) => {
      const head = Buffer.alloc(10);
      head.write('O', 0, 'latin1');
      head.writeUInt32LE(id, 1);
      head[5] = stream;
      head.writeUInt32LE(Buffer.byteLength(data), 6);
      return Buffer.concat([head, Buffer.from(data)]);
    };
    const streamed = Buffer.concat([
      output(4, 1, 'one\n'),
      output(4, 2, 'err'),
      output(4, 1, ''),
      Buffer.from('A'),
      response(4, 0, '{}', Buffer.from('one\n'), Buffer.from('err')),
    ]);
    for (const cut of [1, 2, 9, 11, streamed.length]) {
      const chunks: OutputFrame[] = [];
      const reader = new ResponseReader((f) => chunks.push(f));
      reader.expectStreamed(true);
      const got: ResponseFrame[] = [];
      for (let i = 0; i < streamed.length; i += cut) got.push(...reader.push(streamed.subarray(i, i + cut)));
      expect(chunks.map((c) => [c.id, c.stream, c.data.toString()])).toEqual([
        [4, 'stdout', 'one\n'],
        [4, 'stderr', 'err'],
        [4, 'stdout', ''],
      ]);
      expect(got.map((f) => [f.id, f.stdout.toString(), f.stderr.toString()])).toEqual([[4, 'one\n', 'err']]);
      // The answer ends the streamed run: the next run's frames are read as untagged unless it is streamed too.
      expect(reader.push(response(5, 0, '{}', Buffer.from('x'), Buffer.alloc(0))).map((f) => f.id)).toEqual([5]);
    }
  });

  it('refuses a frame tag a streamed run cannot have', () => {
    const reader = new ResponseReader();
    reader.expectStreamed(true);
    expect(() => reader.push(Buffer.from('X123456789'))).toThrow(/frame tag/);
  });
});
