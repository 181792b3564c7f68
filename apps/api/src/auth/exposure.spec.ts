import { isLoopback, openListenProblem } from './exposure';

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (h) =>
    expect(isLoopback(h)).toBe(true),
  );
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'example.com', '128.0.0.1', '127.0.0.1.example.com', ''])('%s is not', (h) =>
    expect(isLoopback(h)).toBe(false),
  );
});

describe('openListenProblem', () => {
  it('refuses a non-loopback address without keys, naming the way out', () => {
    expect(openListenProblem('0.0.0.0', 0, false)).toMatch(/HOST=0\.0\.0\.0.*API_KEYS.*ALLOW_OPEN=true/);
  });
  it('allows it with keys, with ALLOW_OPEN, or on loopback', () => {
    expect(openListenProblem('0.0.0.0', 1, false)).toBeNull();
    expect(openListenProblem('0.0.0.0', 0, true)).toBeNull();
    expect(openListenProblem('127.0.0.1', 0, false)).toBeNull();
  });
});
