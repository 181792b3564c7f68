// generated-file.js — the tail of every generator here: rewrite the generated file unless it is
// current; with `--check` on the command line only say whether it is (exit status 1 when stale).
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

/**
 * @param {string} target the generated file
 * @param {string} next its text as it should be
 * @param {string} what its name in messages ("CLI language table")
 * @param {string} command what regenerates it ("npm run languages:cli")
 */
function updateGenerated(target, next, what, command) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // not written yet
  }
  if (current === next) console.log(`${what} already up to date`);
  else if (process.argv.includes('--check')) (console.error(`${what} is stale: run ${command}`), (process.exitCode = 1));
  else (writeFileSync(target, next), console.log(`${what} rewritten`));
}

module.exports = { updateGenerated };
