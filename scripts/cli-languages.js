#!/usr/bin/env node
// Writes apps/cli/src/language-table.ts from libs/languages/languages.json (the one source): the
// fields the CLI needs to name a language and its entry file without asking the server. The CLI
// ships alone, so it carries this generated copy; apps/cli/src/languages.spec.ts fails when the
// copy is stale. `--check` only says whether it is.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');
const { updateGenerated } = require('./generated-file');

const target = path.resolve(__dirname, '../apps/cli/src/language-table.ts');

/** The module's text for the language table `table` (languages.json, parsed). */
function cliLanguageTable(table) {
  const rows = table.languages.map(
    (l) =>
      `  ${JSON.stringify(l.id)}: { aliases: ${JSON.stringify(l.aliases ?? [])}, sourceFile: ${JSON.stringify(l.sourceFile)}, sourceExtensions: ${JSON.stringify(l.sourceExtensions)} },`,
  );
  return [
    '// Generated from libs/languages/languages.json by scripts/cli-languages.js (npm run languages:cli). Do not edit.',
    '// prettier-ignore',
    'export const LANGUAGE_TABLE = {',
    ...rows,
    '} as const;',
    '',
  ].join('\n');
}

module.exports = { cliLanguageTable, target };

if (require.main === module) {
  const table = JSON.parse(readFileSync(path.resolve(__dirname, '../libs/languages/languages.json'), 'utf8'));
  updateGenerated(target, cliLanguageTable(table), 'CLI language table', 'npm run languages:cli');
}
