import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_LIMITS } from '@runbox/contract';

describe("the launcher's default limits (native/src/default_limits.h)", () => {
  it("are the contract's DEFAULT_LIMITS: run npm run limits:native when this fails", () => {
    const header = readFileSync(resolve(__dirname, '../../../../native/src/default_limits.h'), 'utf8');
    const defined = Object.fromEntries([...header.matchAll(/^#define (RB_DEFAULT_\w+) (\d+)ull$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(defined).toEqual({
      RB_DEFAULT_CPU_TIME_MS: DEFAULT_LIMITS.cpuTimeMs,
      RB_DEFAULT_WALL_TIME_MS: DEFAULT_LIMITS.wallTimeMs,
      RB_DEFAULT_MEMORY_KB: DEFAULT_LIMITS.memoryMb * 1024,
      RB_DEFAULT_PROCESSES: DEFAULT_LIMITS.processes,
      RB_DEFAULT_OUTPUT_BYTES: DEFAULT_LIMITS.outputBytes,
    });
  });
});
