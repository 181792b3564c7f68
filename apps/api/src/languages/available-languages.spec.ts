import type { WorkerHeartbeat } from '@runbox/contract';
import { availableLanguages } from './available-languages';

const lang = (id: string, version: string) => ({ id, name: id.toUpperCase(), aliases: [`${id}x`], version, compiled: id === 'c' });
const worker = (id: string, languages: WorkerHeartbeat['languages']): WorkerHeartbeat => ({
  id,
  host: 'h',
  pid: 1,
  slots: 2,
  startedAt: '2026-01-01T00:00:00.000Z',
  cgroupMode: 'v1',
  languages,
});

describe('availableLanguages', () => {
  it('is the union of what workers announce, one entry per id, sorted', () => {
    const list = availableLanguages([
      worker('a', [lang('python', '3.11.2'), lang('c', '12.2.0')]),
      worker('b', [lang('bash', '5.2'), lang('python', '3.12.0')]),
    ]);
    expect(list).toEqual([lang('bash', '5.2'), lang('c', '12.2.0'), lang('python', '3.11.2')]);
  });

  it('is empty without workers', () => {
    expect(availableLanguages([])).toEqual([]);
  });
});
