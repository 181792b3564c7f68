/** The cgroup helpers' answers are checked like a report: a misread layout would sweep or count the wrong folders. */
import { parseCgroupAdopted, parseCgroupInfo, parseCgroupSweep } from './cgroups';
import { SandboxError } from './sandbox.errors';

const V1 = {
  mode: 'v1',
  parent: 'runbox',
  hierarchies: [
    { path: '/sys/fs/cgroup/memory/runbox', controllers: ['memory'] },
    { path: '/sys/fs/cgroup/cpu,cpuacct/runbox', controllers: ['cpuacct'] },
  ],
  runGroup: 'run-{pid}-{n}',
};

describe('parseCgroupInfo', () => {
  it('reads the layout the launcher prints', () => {
    expect(parseCgroupInfo(`${JSON.stringify(V1)}\n`)).toEqual(V1);
  });

  it.each([
    ['not JSON', 'mode v1'],
    ['an array', '[]'],
    ['an unknown mode', JSON.stringify({ ...V1, mode: 'v3' })],
    ['no hierarchies', JSON.stringify({ ...V1, hierarchies: [] })],
    ['a relative path', JSON.stringify({ ...V1, hierarchies: [{ path: 'memory/runbox', controllers: ['memory'] }] })],
    ['controllers that are not strings', JSON.stringify({ ...V1, hierarchies: [{ path: '/x', controllers: [1] }] })],
    ['a run name without the pid', JSON.stringify({ ...V1, runGroup: 'run-{n}' })],
  ])('refuses %s', (_what, text) => {
    expect(() => parseCgroupInfo(text)).toThrow(SandboxError);
  });
});

describe('parseCgroupSweep', () => {
  const sweep = { removed: ['/a/run-1-0'], kept: ['/a/run-2-0'], failed: [{ path: '/a/run-3-0', reason: '1 process still inside' }] };

  it('reads what was removed, kept and not removed (with why)', () => {
    expect(parseCgroupSweep(JSON.stringify(sweep))).toEqual(sweep);
  });

  it.each([
    ['no removed list', JSON.stringify({ ...sweep, removed: undefined })],
    ['a kept entry that is not a path', JSON.stringify({ ...sweep, kept: [null] })],
    ['a failure without its reason', JSON.stringify({ ...sweep, failed: [{ path: '/a' }] })],
  ])('refuses %s', (_what, text) => {
    expect(() => parseCgroupSweep(text)).toThrow(SandboxError);
  });
});

describe('parseCgroupAdopted', () => {
  const V2 = { mode: 'v2', parent: 'runbox', leaf: 'worker', moved: 2, controllers: ['cpuset', 'cpu', 'memory', 'pids'] };

  it('reads what the launcher made of a delegated parent', () => {
    expect(parseCgroupAdopted(`${JSON.stringify(V2)}\n`)).toEqual(V2);
  });

  it.each([
    ['an unknown mode', { ...V2, mode: 'v3' }],
    ['no parent', { ...V2, parent: '' }],
    ['a negative count', { ...V2, moved: -1 }],
    ['controllers that are not strings', { ...V2, controllers: [1] }],
  ])('refuses %s', (_what, v) => {
    expect(() => parseCgroupAdopted(JSON.stringify(v))).toThrow(SandboxError);
  });
});
