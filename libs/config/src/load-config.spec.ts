import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.limits.defaults.memoryMb).toBeLessThanOrEqual(c.limits.maxima.memoryMb);
    expect(Object.isFrozen(c.limits.defaults)).toBe(true);
  });

  it('names every bad variable in one error', () => {
    try {
      loadConfig({ PORT: 'eighty', WORKER_SLOTS: '0', REDIS_URL: 'http://x' });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT=.*integer/);
      expect(problems).toMatch(/WORKER_SLOTS=.*between 1 and 256/);
      expect(problems).toMatch(/REDIS_URL=.*redis:/);
    }
  });

  it('refuses a default above its maximum', () => {
    expect(() => loadConfig({ DEFAULT_MEMORY_MB: '512', MAX_MEMORY_MB: '256' })).toThrow(/memoryMb/);
  });

  it("refuses argument maxima whose arguments would not fit in the launcher's 1 MiB request", () => {
    expect(() => loadConfig({ MAX_ARGS: '4096', MAX_ARG_BYTES: '4096' })).toThrow(
      /MAX_ARGS × \(MAX_ARG_BYTES \+ 1\) = 16781312 bytes is above 524288/,
    );
    expect(loadConfig({ MAX_ARGS: '128', MAX_ARG_BYTES: '4095' }).requests.maxArgs).toBe(128);
  });

  it('reads COMPAT_APIS as a checked list: all three by default, none with `none`', () => {
    expect(loadConfig({}).compat.apis).toEqual(['judge0', 'piston', 'jobe']);
    expect(loadConfig({ COMPAT_APIS: 'jobe, judge0' }).compat.apis).toEqual(['jobe', 'judge0']);
    expect(loadConfig({ COMPAT_APIS: 'none' }).compat.apis).toEqual([]);
    expect(() => loadConfig({ COMPAT_APIS: 'judge0,judge1' })).toThrow(/COMPAT_APIS=.*judge1: not one of judge0, piston, jobe/);
  });
});
