/** A rootless worker's start-up decisions, on the facts the kernel gives (maps, capabilities). */
import { loadConfig } from '@runbox/config';
import { describeAdopted, mappedRanges, needsOwnNamespace, slotIdsProblem } from './rootless';

const WORKER_MAP = '         0       1001          1\n    100000     100000      65536\n';
const ALL_CAPS = () => 0x1ffffffffffn;
const POD_ROOT_CAPS = () => 0xa80425fbn; // a container's default set: no CAP_SYS_ADMIN

describe('needsOwnNamespace', () => {
  const rootless = loadConfig({ SANDBOX_MODE: 'rootless' });
  const root = loadConfig({ SANDBOX_MODE: 'root' });

  it('enters a namespace of its own when rootless and not root', () => {
    expect(needsOwnNamespace(rootless, 1001, ALL_CAPS)).toBe(true);
  });

  it('enters one as a root that cannot mount (a pod with hostUsers: false)', () => {
    expect(needsOwnNamespace(rootless, 0, POD_ROOT_CAPS)).toBe(true);
  });

  it('is already there as root with CAP_SYS_ADMIN (the namespace it entered, or host root)', () => {
    expect(needsOwnNamespace(rootless, 0, ALL_CAPS)).toBe(false);
  });

  it('never in root mode', () => {
    expect(needsOwnNamespace(root, 1001, ALL_CAPS)).toBe(false);
  });
});

describe('slotIdsProblem', () => {
  it('reads the inside column of a map', () => {
    expect(mappedRanges(WORKER_MAP)).toEqual([
      [0, 1],
      [100000, 165536],
    ]);
  });

  it('accepts slot ids inside the subordinate range', () => {
    expect(slotIdsProblem({ uidBase: 100000, slots: 4 }, WORKER_MAP, WORKER_MAP)).toBeNull();
    expect(slotIdsProblem({ uidBase: 165532, slots: 4 }, WORKER_MAP, WORKER_MAP)).toBeNull();
  });

  it('names the ids, the file and the range when a slot falls outside', () => {
    expect(slotIdsProblem({ uidBase: 60000, slots: 2 }, WORKER_MAP, WORKER_MAP)).toBe(
      "the slots' uids 60000-60001 (WORKER_UID_BASE + slot) are not in the worker user's subordinate range (/etc/subuid: 100000-165535): set WORKER_UID_BASE inside it, or add a range",
    );
    expect(slotIdsProblem({ uidBase: 165533, slots: 4 }, WORKER_MAP, WORKER_MAP)).toMatch(/uids 165533-165536/);
  });

  it('checks the gids on their own', () => {
    expect(slotIdsProblem({ uidBase: 100000, slots: 1 }, WORKER_MAP, '0 1001 1\n')).toMatch(/gids .*\(\/etc\/subgid: none\)/);
  });
});

describe('describeAdopted', () => {
  it('says where runs go and that they are not pinned without cpuset', () => {
    expect(describeAdopted({ mode: 'v2', parent: 'runbox', leaf: 'worker', moved: 1, controllers: ['memory', 'pids'] })).toEqual([
      'runbox worker (rootless): cgroup v2 parent runbox (1 process moved to its leaf worker), runs get memory pids',
      'runbox worker (rootless): no cpuset controller delegated: runs are not pinned to CPUs',
    ]);
  });
});
