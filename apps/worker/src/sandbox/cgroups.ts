/**
 * The parsers of the launcher's cgroup helpers (native/README.md "Cgroup helpers"). The cgroup
 * layout (v1 or v2, the hierarchies, the parent's folders, how run groups are named) is the
 * launcher's alone: the worker and the tests ask it rather than keep a copy that drifts.
 */
import type { CgroupAdopted, CgroupInfo, CgroupSweep } from '@runbox/contract';
import { SandboxError } from './sandbox.errors';

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseLine(what: string, text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below, with the text
  }
  throw new SandboxError(`launcher ${what} is not a JSON object: ${JSON.stringify(text.slice(0, 300))}`);
}

export function parseCgroupInfo(text: string): CgroupInfo {
  const r = parseLine('--cgroup-info', text);
  const bad = (field: string) => new SandboxError(`launcher --cgroup-info has a bad ${field}: ${JSON.stringify(text.slice(0, 300))}`);
  if (r.mode !== 'v1' && r.mode !== 'v2') throw bad('mode');
  if (typeof r.parent !== 'string' || !r.parent) throw bad('parent');
  const hierarchies = r.hierarchies;
  if (
    !Array.isArray(hierarchies) ||
    hierarchies.length === 0 ||
    !hierarchies.every(
      (h: Record<string, unknown>) =>
        typeof h === 'object' && h !== null && typeof h.path === 'string' && h.path.startsWith('/') && isStringArray(h.controllers),
    )
  )
    throw bad('hierarchies');
  if (typeof r.runGroup !== 'string' || !r.runGroup.includes('{pid}')) throw bad('runGroup');
  return {
    mode: r.mode,
    parent: r.parent,
    hierarchies: (hierarchies as CgroupInfo['hierarchies']).map(({ path, controllers }) => ({ path, controllers })),
    runGroup: r.runGroup,
  };
}

export function parseCgroupSweep(text: string): CgroupSweep {
  const r = parseLine('--cgroup-sweep', text);
  const bad = (field: string) => new SandboxError(`launcher --cgroup-sweep has a bad ${field}: ${JSON.stringify(text.slice(0, 300))}`);
  if (!isStringArray(r.removed)) throw bad('removed');
  if (!isStringArray(r.kept)) throw bad('kept');
  const failed = r.failed;
  if (
    !Array.isArray(failed) ||
    !failed.every(
      (f: Record<string, unknown>) => typeof f === 'object' && f !== null && typeof f.path === 'string' && typeof f.reason === 'string',
    )
  )
    throw bad('failed');
  return {
    removed: r.removed,
    kept: r.kept,
    failed: (failed as CgroupSweep['failed']).map(({ path, reason }) => ({ path, reason })),
  };
}

export function parseCgroupAdopted(text: string): CgroupAdopted {
  const r = parseLine('--cgroup-adopt', text);
  const bad = (field: string) => new SandboxError(`launcher --cgroup-adopt has a bad ${field}: ${JSON.stringify(text.slice(0, 300))}`);
  if (r.mode !== 'v1' && r.mode !== 'v2') throw bad('mode');
  if (typeof r.parent !== 'string' || !r.parent) throw bad('parent');
  if (typeof r.leaf !== 'string') throw bad('leaf');
  if (typeof r.moved !== 'number' || !Number.isInteger(r.moved) || r.moved < 0) throw bad('moved');
  if (!isStringArray(r.controllers)) throw bad('controllers');
  return { mode: r.mode, parent: r.parent, leaf: r.leaf, moved: r.moved, controllers: r.controllers };
}
