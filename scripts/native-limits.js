#!/usr/bin/env node
// Writes native/src/default_limits.h from libs/contract's DEFAULT_LIMITS (the one source): the
// limits a launcher run takes when its caller names none. The launcher is C and is built without
// Node, so it carries this generated copy; apps/worker/src/sandbox/default-limits.spec.ts fails
// when the copy is stale. `--check` only says whether it is. Needs the contract built (npm run build).
'use strict';
const path = require('node:path');
const { updateGenerated } = require('./generated-file');

const target = path.resolve(__dirname, '../native/src/default_limits.h');

/**
 * The header's text for `limits` (a RunLimits: DEFAULT_LIMITS). Units follow the launcher's
 * options: memory in KiB (--memory-kb), the rest as the contract names them.
 * @param {import('@runbox/contract').RunLimits} limits
 */
function nativeLimitsHeader(limits) {
  const rows = [
    ['RB_DEFAULT_CPU_TIME_MS', limits.cpuTimeMs],
    ['RB_DEFAULT_WALL_TIME_MS', limits.wallTimeMs],
    ['RB_DEFAULT_MEMORY_KB', limits.memoryMb * 1024],
    ['RB_DEFAULT_PROCESSES', limits.processes],
    ['RB_DEFAULT_OUTPUT_BYTES', limits.outputBytes],
  ];
  return [
    '/* Generated from DEFAULT_LIMITS (libs/contract/src/limits.ts) by scripts/native-limits.js',
    ' * (npm run limits:native). Do not edit. */',
    '#pragma once',
    '',
    ...rows.map(([name, value]) => `#define ${name} ${value}ull`),
    '',
  ].join('\n');
}

module.exports = { nativeLimitsHeader, target };

if (require.main === module) {
  updateGenerated(
    target,
    nativeLimitsHeader(require('@runbox/contract').DEFAULT_LIMITS),
    'native/src/default_limits.h',
    'npm run limits:native',
  );
}
