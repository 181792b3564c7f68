import { BASE_ENV, LanguageRegistry, type Language } from '@runbox/languages';
import { detectInstalled, detectVersion, type VersionRunner } from './versions';

const lang = (id: string, compiled = false): Language => ({
  id,
  name: id.toUpperCase(),
  aliases: [`${id}x`],
  version: { argv: [`/usr/bin/${id}`, '--version'], pattern: `${id} (\\S+)` },
  sourceFile: 'main',
  sourceExtensions: [''],
  run: ['./main'],
  ...(compiled ? { compile: { argv: ['cc'], limits: { cpuTimeMs: 1, wallTimeMs: 1, memoryMb: 1, processes: 1 } } } : {}),
});

/** Answers as installed runtimes would: `<id> 1.2` on stdout (or stderr), or fails for the missing ones. */
const fakeHost =
  (installed: Record<string, 'stdout' | 'stderr' | 'garbled'>): VersionRunner =>
  async ([cmd]) => {
    const id = cmd!.split('/').pop()!;
    const where = installed[id];
    if (!where) throw new Error(`spawn ${cmd} ENOENT`);
    const out = where === 'garbled' ? 'no version here' : `${id} 1.2`;
    return where === 'stderr' ? { stdout: '', stderr: out } : { stdout: out, stderr: '' };
  };

describe('detectVersion', () => {
  it('takes the version from stdout or stderr, with the base environment', async () => {
    const seen: Readonly<Record<string, string>>[] = [];
    const runner: VersionRunner = (argv, env) => (seen.push(env), fakeHost({ a: 'stdout', b: 'stderr' })(argv, env));
    expect(await detectVersion(lang('a'), runner)).toBe('1.2');
    expect(await detectVersion(lang('b'), runner)).toBe('1.2');
    expect(seen).toEqual([BASE_ENV, BASE_ENV]);
  });

  it('says unknown when the output names no version, and undefined when the runtime is missing', async () => {
    expect(await detectVersion(lang('a'), fakeHost({ a: 'garbled' }))).toBe('unknown');
    expect(await detectVersion(lang('a'), fakeHost({}))).toBeUndefined();
  });
});

describe('detectInstalled', () => {
  it('offers only the installed languages, as a heartbeat announces them', async () => {
    const registry = new LanguageRegistry([lang('a'), lang('b', true), lang('c')]);
    expect(await detectInstalled(registry, fakeHost({ b: 'stdout', c: 'garbled' }))).toEqual([
      { id: 'b', name: 'B', aliases: ['bx'], version: '1.2', compiled: true },
      { id: 'c', name: 'C', aliases: ['cx'], version: 'unknown', compiled: false },
    ]);
  });
});
