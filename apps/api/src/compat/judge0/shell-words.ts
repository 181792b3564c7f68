/**
 * Judge0 writes `compiler_options` and `command_line_arguments` into a bash script, after
 * deleting the characters `$&;<>|` and backtick (judge0/judge0 v1.13.1 app/jobs/isolate_job.rb),
 * so bash only splits them into words. runbox runs no shell: this does the same splitting, and
 * the words become argv entries. Quoting rules are bash's: whitespace separates words; '…'
 * keeps everything literally; "…" keeps everything but `\` before `"`, `\` or a newline;
 * outside quotes `\` keeps the next character. Nothing is expanded: no globs, braces or `~`
 * (a difference from Judge0 only for arguments such as `*.txt`).
 */

/** What Judge0 deletes before bash sees the string. */
const JUDGE0_DELETED = /[$&;<>|`]/g;

export class ShellWordsError extends Error {}

/** The words of `text` as bash would split them; throws ShellWordsError on an unterminated quote or a trailing `\`. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShellWordsError('unterminated single quote');
      word += text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\\n'.includes(text[j + 1]!)) {
          if (text[j + 1] !== '\n') word += text[j + 1];
          j++;
        } else {
          word += text[j];
        }
      }
      if (j >= text.length) throw new ShellWordsError('unterminated double quote');
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ShellWordsError('trailing backslash');
      if (text[i + 1] === '\n') {
        if (word === '') inWord = false; // a line continuation joins, it makes no word
      } else {
        word += text[i + 1];
      }
      i++;
    } else {
      word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Judge0's treatment of an option string: strip, delete `$&;<>|` and backtick, then split into words. */
export function judge0Words(text: string): string[] {
  return shellWords(text.trim().replace(JUDGE0_DELETED, ''));
}
