#!/usr/bin/env node
// Rewrites the README's table of environment variables from libs/config (the one source).
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { settingsTable } = require('../libs/config/dist');
const file = path.resolve(__dirname, '../README.md');
const readme = readFileSync(file, 'utf8');
const next = readme.replace(
  /<!-- settings:start -->[\s\S]*?<!-- settings:end -->/,
  `<!-- settings:start -->\n${settingsTable()}\n<!-- settings:end -->`,
);
if (next === readme) console.log('README table already up to date');
else (writeFileSync(file, next), console.log('README table rewritten'));
