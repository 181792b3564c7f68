import { parseReport } from './report';
import { reportOf } from './report.test-helper';
import { SandboxError } from './sandbox.errors';

const good = reportOf({ cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 812, stdoutBytes: 3 });
const line = (o: object) => JSON.stringify(o);

describe('parseReport', () => {
  it('accepts a well-formed report', () => {
    expect(parseReport(line(good))).toEqual(good);
  });

  it('accepts a signal or a limit in place of an exit code', () => {
    expect(parseReport(line({ ...good, exitCode: null, signal: 'SIGSEGV' })).signal).toBe('SIGSEGV');
    expect(parseReport(line({ ...good, exitCode: null, signal: 'SIGKILL', limit: 'cpu' })).limit).toBe('cpu');
  });

  it.each([
    ['not JSON', 'oops'],
    ['a negative count', line({ ...good, memoryKb: -1 })],
    ['a fractional time', line({ ...good, cpuTimeMs: 1.5 })],
    ['an unknown limit', line({ ...good, limit: 'disk' })],
    ['a bad signal name', line({ ...good, exitCode: null, signal: 'segv' })],
    ['an exit code above 255', line({ ...good, exitCode: 256 })],
    ['no outcome', line({ ...good, exitCode: null })],
    ['a limit without a status', line({ ...good, exitCode: null, limit: 'cpu' })],
    ['a missing field', line({ ...good, stdoutTruncated: undefined })],
    ['an unknown cgroup mode', line({ ...good, cgroupMode: 'v3' })],
    ['an array', '[]'],
  ])('refuses %s', (_name, text) => {
    expect(() => parseReport(text)).toThrow(SandboxError);
  });

  it("turns the launcher's own error into a SandboxError carrying it", () => {
    expect(() => parseReport(line({ ...good, error: 'mount /box: ENOENT' }))).toThrow(/mount \/box: ENOENT/);
  });
});
