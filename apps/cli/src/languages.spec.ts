import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inferLanguage, LANGUAGE_FILES, languageFiles } from './languages';

describe('inferLanguage', () => {
  it.each([
    ['main.py', 'python'],
    ['src/Solution.JAVA', 'java'],
    ['a.cc', 'cpp'],
    ['a.cpp', 'cpp'],
    ['a.cxx', 'cpp'],
    ['a.c', 'c'],
    ['x.mjs', 'javascript'],
    ['run.sh', 'bash'],
    ['t.rb', 'ruby'],
  ])('%s is %s', (file, language) => {
    expect(inferLanguage(file)).toBe(language);
  });

  it('does not guess', () => {
    expect(inferLanguage('Makefile')).toBeUndefined();
    expect(inferLanguage('notes.txt')).toBeUndefined();
    expect(inferLanguage('main.h')).toBeUndefined();
  });

  it('finds entries by id or alias', () => {
    expect(languageFiles('PY')?.sourceFile).toBe('main.py');
    expect(languageFiles('c++')?.sourceFile).toBe('main.cpp');
    expect(languageFiles('cobol')).toBeUndefined();
  });

  it('is the server language table (libs/languages/languages.json): run npm run languages:cli when this fails', () => {
    const table = JSON.parse(readFileSync(resolve(__dirname, '../../../libs/languages/languages.json'), 'utf8')) as {
      languages: { id: string; aliases?: string[]; sourceFile: string; sourceExtensions: string[] }[];
    };
    const fromServer = Object.fromEntries(
      table.languages.map((l) => [l.id, { aliases: l.aliases ?? [], sourceFile: l.sourceFile, sourceExtensions: l.sourceExtensions }]),
    );
    expect(LANGUAGE_FILES).toEqual(fromServer);
  });
});
