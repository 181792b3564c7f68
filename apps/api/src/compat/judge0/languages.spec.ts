import { resolve } from 'node:path';
import { LanguageRegistry } from '@runbox/languages';
import { JUDGE0_LANGUAGES, judge0Language, judge0LanguageName } from './languages';

const registry = LanguageRegistry.fromFile(resolve(__dirname, '../../../../../libs/languages/languages.json'));

describe('Judge0 language ids', () => {
  it('gives every Judge0 id (own or older) one row', () => {
    const ids = JUDGE0_LANGUAGES.flatMap((l) => [l.id, ...(l.olderIds ?? [])]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(judge0Language(49)?.runbox).toBe('c');
    expect(judge0Language(45)).toBeUndefined();
  });

  it('names runbox languages by their canonical ids', () => {
    // php, pascal and octave come with the Jobe languages; a row without its language is never listed
    const pending = ['php', 'pascal', 'octave'];
    for (const l of JUDGE0_LANGUAGES) if (!pending.includes(l.runbox)) expect(registry.find(l.runbox)?.id).toBe(l.runbox);
  });

  it('shows the installed version where Judge0 shows its own', () => {
    expect(judge0LanguageName(judge0Language(50)!, '12.2.0')).toBe('C (GCC 12.2.0)');
    expect(judge0LanguageName(judge0Language(71)!, '3.11.2')).toBe('Python (3.11.2)');
  });
});
