import { pistonRuntimes, resolveRuntime, runtimeView } from './piston-runtimes';

const python = { id: 'python', name: 'Python', aliases: ['py'], version: '3.11.2', compiled: false };
const installed = [
  { id: 'bash', name: 'Bash', aliases: ['sh'], version: '5.2.15(1)-release', compiled: false },
  { id: 'cpp', name: 'C++', aliases: ['c++'], version: '12.2.0', compiled: true },
  python,
  { id: 'zig', name: 'Zig', aliases: ['ziglang'], version: '0.11.0', compiled: true },
];

describe('Piston runtimes', () => {
  const runtimes = pistonRuntimes(installed);

  it("names runbox's languages as Piston does, with semver versions", () => {
    expect(runtimes.map(runtimeView)).toEqual([
      { language: 'bash', version: '5.2.15', aliases: ['sh'] },
      { language: 'c++', version: '12.2.0', aliases: ['cpp', 'g++'], runtime: 'gcc' },
      { language: 'python', version: '3.11.2', aliases: ['py', 'py3', 'python3'] },
      { language: 'zig', version: '0.11.0', aliases: ['ziglang'] }, // not a Piston name: runbox's own
    ]);
  });

  it.each(['*', '3', '3.x', '3.11.2', '>=3.10', '^3'])('selects python by selector %s', (selector) => {
    expect(resolveRuntime(runtimes, 'py3', selector)?.id).toBe('python');
  });

  it.each([
    ['python', '2'],
    ['python', '3.12.0'],
    ['python', 'not a range ((('],
    ['Python', '*'], // Piston compares names exactly
    ['cobol', '*'],
  ])('selects nothing for %s %s', (language, selector) => {
    expect(resolveRuntime(runtimes, language, selector)).toBeUndefined();
  });

  it('picks the newest of several matching versions', () => {
    const two = pistonRuntimes([python, { ...python, version: '3.12.1' }]);
    expect(resolveRuntime(two, 'python', '3')?.version).toBe('3.12.1');
  });
});
