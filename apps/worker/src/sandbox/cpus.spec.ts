import { ownCpus, parseCpuList, slotCpus } from './cpus';

describe('slot CPUs', () => {
  it('parses kernel CPU lists', () => {
    expect(parseCpuList('0-3,6\n')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList('5')).toEqual([5]);
    expect(() => parseCpuList('0-')).toThrow('bad CPU list');
  });

  it('reads the affinity from /proc/self/status', () => {
    expect(ownCpus('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n')).toEqual([0, 1]);
  });

  it('gives one CPU per slot when there are as many slots as CPUs', () => {
    expect([0, 1, 2, 3].map((i) => slotCpus([0, 1, 2, 3], 4, i))).toEqual(['0', '1', '2', '3']);
  });

  it('shares CPUs round-robin when there are more slots (also across workers: host-wide indices)', () => {
    expect([0, 1, 2, 3, 4].map((i) => slotCpus([2, 3], 5, i))).toEqual(['2', '3', '2', '3', '2']);
  });

  it('gives equal blocks when there are fewer slots', () => {
    expect([0, 1].map((i) => slotCpus([0, 1, 2, 3, 4, 5, 6, 7], 2, i))).toEqual(['0,1,2,3', '4,5,6,7']);
  });
});
