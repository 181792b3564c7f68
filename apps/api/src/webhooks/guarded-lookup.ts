/**
 * The DNS half of the SSRF guard. Checking a name and then letting the HTTP client resolve it
 * again is a race an attacker wins with a short TTL (DNS rebinding: public on the check, private
 * on the connect). So the check lives in the socket's own `lookup` hook: the name is resolved
 * once per connection, every address is checked, and only checked addresses reach `connect`.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { addressProblem, DestinationRefused, hostAllowed, normalizeHost, type AllowEntry } from './ssrf';

/** Resolves a host name to all its addresses (the system resolver unless a test gives one). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * Every address `hostname` resolves to, once each is checked. Refuses the whole name when any
 * address is refused: a client picks among them, so one private answer is enough to reach inside.
 * A host name the operator allowed is not checked.
 */
export async function resolveChecked(
  hostname: string,
  allow: readonly AllowEntry[],
  resolve: Resolver = systemResolver,
): Promise<LookupAddress[]> {
  const host = normalizeHost(hostname);
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await resolve(host);
  if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND', hostname: host });
  if (hostAllowed(host, allow)) return addresses;
  for (const a of addresses) {
    const why = addressProblem(a.address, allow);
    if (why) throw new DestinationRefused(family ? `refused: ${why}` : `refused: ${host} resolves to ${why}`);
  }
  return addresses;
}

function wantedFamily(f: number | string | undefined): number {
  if (f === 'IPv4') return 4;
  if (f === 'IPv6') return 6;
  return typeof f === 'number' ? f : 0;
}

/**
 * A `lookup` for http.request / https.request / net.connect that only ever hands checked
 * addresses to the socket. Supports both shapes Node asks for (`all: true` when it races
 * families, a single address otherwise).
 */
export function guardedLookup(allow: readonly AllowEntry[], resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(hostname, allow, resolve).then(
      (addresses) => {
        const family = wantedFamily(options.family);
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all) {
          callback(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
