import type { Redis } from 'ioredis';
import type { LiveMessage } from '@runbox/contract';
import { loadConfig } from '@runbox/config';
import { LiveJob } from './live';
import type { RawRun } from './output';

/** Redis at its boundary: what the job published, in order. */
function fakeRedis() {
  const sent: { channel: string; message: LiveMessage }[] = [];
  const redis = {
    publish: (channel: string, message: string) => {
      sent.push({ channel, message: JSON.parse(message) as LiveMessage });
      return Promise.resolve(1);
    },
  } as unknown as Redis;
  return { redis, sent };
}

const config = loadConfig({});
const ended = { exitCode: 0, signal: null, verdict: 'ok' } as RawRun;
const outputs = (sent: { message: LiveMessage }[]) => sent.flatMap((s) => (s.message.type === 'output' ? [s.message] : []));

describe('LiveJob', () => {
  afterEach(() => jest.useRealTimers());

  it('announces the run, joins chunks at most every 50 ms, and ends with the exit', () => {
    jest.useFakeTimers();
    const { redis, sent } = fakeRedis();
    const run = new LiveJob(redis, config, 'j1', { live: 'output' }).run('run', 1000);
    for (let i = 0; i < 100; i++) {
      run.onOutput('stdout', Buffer.from('x'));
      jest.advanceTimersByTime(1); // 100 writes over 100 ms
    }
    run.end(ended);
    expect(sent[0]).toEqual({ channel: `${config.redis.prefix}:live:j1`, message: { type: 'stage', stage: 'run' } });
    const out = outputs(sent);
    expect(out.length).toBeLessThanOrEqual(3);
    expect(out.map((m) => m.data).join('')).toBe('x'.repeat(100));
    expect(sent.at(-1)!.message).toEqual({ type: 'exit', stage: 'run', code: 0, signal: null, verdict: 'ok' });
  });

  it("keeps at most the run's outputBytes of each stream, and never cuts a character", () => {
    const { redis, sent } = fakeRedis();
    const run = new LiveJob(redis, config, 'j2', { live: 'output' }).run('run', 10, 3);
    const euro = Buffer.from('€'); // 3 bytes, sent a byte at a time
    for (const b of euro) run.onOutput('stderr', Buffer.from([b]));
    run.onOutput('stdout', Buffer.alloc(64, 0x61));
    run.end(ended);
    const out = outputs(sent);
    expect(out.filter((m) => m.stream === 'stderr').map((m) => m.data)).toEqual(['€']);
    expect(
      out
        .filter((m) => m.stream === 'stdout')
        .map((m) => m.data)
        .join(''),
    ).toBe('a'.repeat(10));
    expect(out.every((m) => m.test === 3)).toBe(true);
  });

  it('sends base64 chunks when the job asked for base64 output', () => {
    const { redis, sent } = fakeRedis();
    const run = new LiveJob(redis, config, 'j3', { live: 'output', outputEncoding: 'base64' }).run('compile', 100);
    run.onOutput('stdout', Buffer.from([0xff, 0x00]));
    run.end(null);
    expect(outputs(sent)).toEqual([{ type: 'output', stage: 'compile', stream: 'stdout', data: '/wA=', encoding: 'base64' }]);
  });
});
