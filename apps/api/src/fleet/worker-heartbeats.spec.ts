import { parseHeartbeat } from './worker-heartbeats';

describe('parseHeartbeat', () => {
  const good = {
    id: 'host:1',
    host: 'host',
    pid: 1,
    slots: 2,
    startedAt: '2026-01-01T00:00:00.000Z',
    cgroupMode: 'v2',
    languages: [{ id: 'python', name: 'Python', aliases: ['py'], version: '3.11.2', compiled: false }],
  };

  it('reads a heartbeat', () => {
    expect(parseHeartbeat(JSON.stringify(good))).toEqual(good);
  });

  it('drops malformed language entries and ignores garbage', () => {
    const hb = parseHeartbeat(JSON.stringify({ ...good, languages: [...good.languages, { id: 1 }, null, 'x'] }));
    expect(hb?.languages).toEqual(good.languages);
    for (const raw of [null, '', '{', '[]', '"x"', '{"id":1}', '{"id":"a"}']) expect(parseHeartbeat(raw)).toBeUndefined();
  });
});
