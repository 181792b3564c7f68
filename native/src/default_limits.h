/* Generated from DEFAULT_LIMITS (libs/contract/src/limits.ts) by scripts/native-limits.js
 * (npm run limits:native). Do not edit. */
#pragma once

#define RB_DEFAULT_CPU_TIME_MS 2000ull
#define RB_DEFAULT_WALL_TIME_MS 5000ull
#define RB_DEFAULT_MEMORY_KB 262144ull
#define RB_DEFAULT_PROCESSES 64ull
#define RB_DEFAULT_OUTPUT_BYTES 65536ull
