/**
 * Whether the API may listen where it is told to. Without API keys anyone who reaches the port
 * runs code on this host, so an API without keys listens on loopback only, unless the operator
 * says ALLOW_OPEN=true on purpose.
 */
import { isIP } from 'node:net';

/** Addresses only this host can reach. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Why the API must not listen on `host` with `keyCount` keys configured, or null when it may. */
export function openListenProblem(host: string, keyCount: number, allowOpen: boolean): string | null {
  if (keyCount > 0 || allowOpen || isLoopback(host)) return null;
  return (
    `refusing to listen on HOST=${host} with no API keys: anyone who can reach it could run code on this host. ` +
    'Set API_KEYS or API_KEYS_FILE (README "Access control"), listen on loopback (HOST=127.0.0.1), ' +
    'or set ALLOW_OPEN=true if an open API is really wanted.'
  );
}
