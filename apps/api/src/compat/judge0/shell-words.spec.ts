import { judge0Words, shellWords } from './shell-words';

describe('shellWords', () => {
  it.each([
    ['', []],
    ['  a   b\tc\n', ['a', 'b', 'c']],
    [`-DNAME='a b' -O2`, ['-DNAME=a b', '-O2']],
    [`"x \\"y\\" \\\\ \\z"`, ['x "y" \\ \\z']],
    [`it\\'s a\\ b`, ["it's", 'a b']],
    [`'' ""`, ['', '']],
    [`a'b'"c"d`, ['abcd']],
    ['*.txt ~ {a,b}', ['*.txt', '~', '{a,b}']],
    ['a\\\nb', ['ab']],
  ])('splits %j as bash does', (text, words) => {
    expect(shellWords(text)).toEqual(words);
  });

  it.each([`'open`, `"open`, `end\\`])('refuses %j', (text) => {
    expect(() => shellWords(text)).toThrow();
  });
});

describe('judge0Words', () => {
  it('deletes what Judge0 deletes before splitting, so no word can be a shell operator', () => {
    expect(judge0Words(' 1 $HOME a;b `id` x|y<z>w & ')).toEqual(['1', 'HOME', 'ab', 'id', 'xyzw']);
  });
});
