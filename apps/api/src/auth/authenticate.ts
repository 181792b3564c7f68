/**
 * Who a request is, from its headers and address: the one decision AuthGuard makes for every
 * route, and the WebSocket routes make for their upgrade requests (which no guard sees).
 */
import { findKey, presentedKey, type ApiKey } from './api-keys';
import { Unauthenticated } from './auth.errors';
import type { Caller } from './caller';

/** The caller, and its key (none when the service runs without keys). Throws `Unauthenticated`. */
export function authenticate(
  keys: readonly ApiKey[],
  headers: Record<string, unknown>,
  ip: string | undefined,
): { caller: Caller; key?: ApiKey } {
  if (keys.length === 0) return { caller: { quotaId: `ip:${ip ?? 'unknown'}`, tenant: null } };
  const token = presentedKey(headers);
  const key = token === undefined ? undefined : findKey(keys, token);
  if (!key) throw new Unauthenticated(token === undefined ? undefined : 'the API key is not valid');
  const quotaId = `key:${key.id}`;
  return { caller: { quotaId, tenant: key.scope === 'admin' ? null : quotaId }, key };
}
