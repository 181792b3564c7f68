/**
 * API keys as the operator configures them: `id:scope:sha256hex` entries (API_KEYS, comma-
 * separated, or API_KEYS_FILE, one per line, `#` comments). Only SHA-256 hashes are ever held;
 * keys are random 32-byte strings, so a fast hash is right. A presented key is hashed and
 * compared with every entry in constant time, so timing says nothing about which bytes matched.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SCOPES = ['submit', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  id: string;
  scope: Scope;
  hash: Buffer;
}

export class ApiKeyConfigError extends Error {}

const ENTRY = /^([A-Za-z0-9._-]{1,64}):([a-z]+):([0-9a-f]{64})$/;

export const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function parseApiKeys(text: string, source: string): ApiKey[] {
  const keys: ApiKey[] = [];
  const lines = text
    .split(/[,\n]/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
  for (const line of lines) {
    const m = ENTRY.exec(line);
    if (!m) throw new ApiKeyConfigError(`${source}: "${line.slice(0, 20)}…" is not id:scope:sha256hex`);
    if (!SCOPES.includes(m[2] as Scope))
      throw new ApiKeyConfigError(`${source}: key ${m[1]} has scope "${m[2]}"; use ${SCOPES.join(' or ')}`);
    if (keys.some((k) => k.id === m[1])) throw new ApiKeyConfigError(`${source}: key id ${m[1]} appears twice`);
    keys.push({ id: m[1]!, scope: m[2] as Scope, hash: Buffer.from(m[3]!, 'hex') });
  }
  return keys;
}

export function loadApiKeys(inline: string | undefined, file: string | undefined): ApiKey[] {
  const keys = [...(inline ? parseApiKeys(inline, 'API_KEYS') : []), ...(file ? parseApiKeys(readFileSync(file, 'utf8'), file) : [])];
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.id)) throw new ApiKeyConfigError(`key id ${k.id} is configured twice`);
    ids.add(k.id);
  }
  return keys;
}

/** The key a presented secret is, or undefined. Compares against every entry (constant time). */
export function findKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const hash = sha256(presented);
  let found: ApiKey | undefined;
  for (const k of keys) if (timingSafeEqual(k.hash, hash) && !found) found = k;
  return found;
}

/**
 * The key a request presents: `Authorization: Bearer <key>` on every route, or the header a
 * peer's clients already send (Judge0's `X-Auth-Token`, Jobe's `X-API-KEY`, read on every route
 * too: one key, the same scopes, whichever header carries it). The first header present decides,
 * in this order; a malformed one is not skipped for the next.
 */
export function presentedKey(headers: Record<string, unknown>): string | undefined {
  if (headers.authorization !== undefined) return bearer(headers.authorization);
  for (const name of KEY_HEADERS) if (headers[name] !== undefined) return plainKey(headers[name]);
  return undefined;
}

/** Peers' key headers, lower-case as Node delivers them. */
export const KEY_HEADERS = ['x-auth-token', 'x-api-key'] as const;

/** A key sent bare in a header: printable ASCII, no spaces, bounded like a bearer token. */
function plainKey(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  return /^[\x21-\x7e]{1,512}$/.test(header.trim()) ? header.trim() : undefined;
}

/** The bearer token of an Authorization header, or undefined. */
export function bearer(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer[ ]+([\x21-\x7e]{1,512})$/i.exec(header.trim());
  return m?.[1];
}
