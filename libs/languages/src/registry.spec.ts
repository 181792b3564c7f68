import { resolve } from 'node:path';
import { DEFAULT_LIMITS } from '@runbox/contract';
import { adjustLimits, expandArgv, LanguageRegistry, LanguageTableError } from './registry';

const table = resolve(__dirname, '../languages.json');

describe('LanguageRegistry', () => {
  const registry = LanguageRegistry.fromFile(table);

  it('finds languages by id and by alias, case-insensitively', () => {
    expect(registry.find('python')?.id).toBe('python');
    expect(registry.find('PY')?.id).toBe('python');
    expect(registry.find('c++')?.id).toBe('cpp');
    expect(registry.find('cobol')).toBeUndefined();
  });

  it('has the languages of the product', () => {
    expect(registry.languages.map((l) => l.id)).toEqual(
      expect.arrayContaining([
        'bash',
        'c',
        'cpp',
        'java',
        'javascript',
        'python',
        'ruby',
        'go',
        'rust',
        'lua',
        'perl',
        'typescript',
        'csharp',
        'php',
        'pascal',
        'octave',
      ]),
    );
  });

  it('refuses a name used by two languages', () => {
    const py = registry.find('python')!;
    expect(() => new LanguageRegistry([py, { ...py, id: 'python2', aliases: ['py'] }])).toThrow(LanguageTableError);
  });

  it('expands {sources} to the matching files and {memoryMb} to the limit', () => {
    const java = registry.find('java')!;
    const files = [
      { path: 'Main.java', content: '' },
      { path: 'util/Util.java', content: '' },
      { path: 'in.txt', content: '' },
    ];
    expect(expandArgv(java.compile!.argv, files, java, 256)).toEqual(expect.arrayContaining(['Main.java', 'util/Util.java']));
    expect(expandArgv(java.compile!.argv, files, java, 256)).not.toContain('in.txt');
    expect(expandArgv(java.run, files, java, 256)).toContain('-XX:MaxRAM=256m');
  });

  it('raises processes and adds runtime memory for languages that ask', () => {
    const java = registry.find('java')!;
    const l = adjustLimits(java, { ...DEFAULT_LIMITS, processes: 4 });
    expect(l.processes).toBe(64);
    expect(l.memoryMb).toBe(DEFAULT_LIMITS.memoryMb + 64);
  });
});
