import { logsRequests } from './app.module';

describe('request logging', () => {
  it('is installed only at levels that print its per-request lines (info and below)', () => {
    expect(['trace', 'debug', 'info'].map(logsRequests)).toEqual([true, true, true]);
    expect(['warn', 'error', 'fatal', 'silent'].map(logsRequests)).toEqual([false, false, false, false]);
  });
});
