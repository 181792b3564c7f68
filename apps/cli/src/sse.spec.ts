import { readEvents, SseParser } from './sse';

describe('SseParser', () => {
  it('parses events split across chunks at any point', () => {
    const text = 'event: test\ndata: {"index":0}\n\n: keep-alive\n\nevent: completed\ndata: {"a":1}\nid: 7\n\n';
    for (let cut = 0; cut < text.length; cut++) {
      const p = new SseParser();
      const events = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut))];
      expect(events).toEqual([
        { event: 'test', data: '{"index":0}', id: undefined },
        { event: 'completed', data: '{"a":1}', id: '7' },
      ]);
    }
  });

  it('joins data lines, defaults the event name, accepts CRLF and CR', () => {
    const p = new SseParser();
    expect(p.push('data: a\r\ndata:b\r\n\r\ndata: c\r\rdata\n\n')).toEqual([
      { event: 'message', data: 'a\nb', id: undefined },
      { event: 'message', data: 'c', id: undefined },
      { event: 'message', data: '', id: undefined },
    ]);
  });

  it('dispatches nothing for an event without data', () => {
    expect(new SseParser().push('event: ping\n\n')).toEqual([]);
  });
});

describe('readEvents', () => {
  it('reads a byte stream, multi-byte characters split across chunks included', async () => {
    const bytes = new TextEncoder().encode('event: test\ndata: "é✓"\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const b of bytes) c.enqueue(new Uint8Array([b]));
        c.close();
      },
    });
    const out = [];
    for await (const ev of readEvents(stream)) out.push(ev);
    expect(out).toEqual([{ event: 'test', data: '"é✓"', id: undefined }]);
  });
});
