/**
 * Where a callback may go. A `callbackUrl` is chosen by whoever submits a job, so without a
 * check it would make the API POST into its own network: Redis, the cloud metadata service,
 * admin panels on loopback. Only public unicast addresses pass, unless the operator's allow-list
 * (WEBHOOK_ALLOW: host names, addresses, CIDRs) names the destination.
 *
 * Pure: parsing and tables, no I/O. The DNS side (resolve once, check, connect to what was
 * checked) is guarded-lookup.ts.
 */
import { isIP } from 'node:net';

/** The code of every refusal, so callers tell a refused destination from a network failure. */
export const DESTINATION_REFUSED = 'ERR_WEBHOOK_DESTINATION_REFUSED';

export class DestinationRefused extends Error {
  readonly code = DESTINATION_REFUSED;
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefused';
  }
}

/** An address as its bytes: 4 for IPv4, 16 for IPv6. */
type Bytes = readonly number[];
interface Cidr {
  bytes: Bytes;
  prefix: number;
}

/** `10.0.0.1` → bytes; anything that is not a dotted-quad IPv4 address → null. */
function parseV4(s: string): Bytes | null {
  if (isIP(s) !== 4) return null;
  return s.split('.').map(Number);
}

/** IPv6 (`::ffff:1.2.3.4`, `fe80::1%eth0`, …) → 16 bytes; anything else → null. */
function parseV6(s: string): Bytes | null {
  const addr = s.replace(/%.*$/, ''); // a zone id only says which interface; the address decides
  if (isIP(addr) !== 6) return null;
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      const v4 = g.includes('.') ? parseV4(g) : null;
      if (v4) out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      else out.push(parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const words = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (words.length !== 8) return null;
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function parseIp(s: string): Bytes | null {
  return parseV4(s) ?? parseV6(s);
}

function parseCidr(s: string): Cidr | null {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined) return null;
  const bytes = parseIp(addr!.replace(/^\[(.*)\]$/, '$1'));
  if (!bytes) return null;
  const max = bytes.length * 8;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { bytes, prefix };
}

function inCidr(ip: Bytes, c: Cidr): boolean {
  if (ip.length !== c.bytes.length) return false;
  for (let bit = 0; bit < c.prefix; bit += 8) {
    const n = Math.min(8, c.prefix - bit);
    const mask = (0xff << (8 - n)) & 0xff;
    if ((ip[bit / 8]! & mask) !== (c.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

const cidr = (s: string): Cidr =>
  parseCidr(s) ??
  (() => {
    throw new Error(`bad table entry ${s}`);
  })();
const table = (rows: [string, string][]) => rows.map(([range, why]) => ({ range: cidr(range), why }));
const v4String = (b: Bytes) => b.join('.');

/** IPv4 ranges a callback may not reach, most specific first (the first match names the reason). */
const V4_REFUSED = table([
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT (shared address space)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.169.254/32', 'cloud metadata service (link-local)'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
  // A public address, but Azure's host endpoint (WireServer) answers every VM on it.
  ['168.63.129.16/32', 'cloud metadata service (Azure WireServer)'],
]);

/** IPv6 forms that carry an IPv4 address: judged by the address they carry. `at` = byte offset. */
const V6_EMBEDDING = [
  { range: cidr('::ffff:0:0/96'), at: 12, form: 'IPv4-mapped' },
  { range: cidr('::ffff:0:0:0/96'), at: 12, form: 'IPv4-translated' },
  { range: cidr('64:ff9b::/96'), at: 12, form: 'NAT64' },
  { range: cidr('2002::/16'), at: 2, form: '6to4' },
];

const V6_REFUSED = table([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'deprecated IPv4-compatible'],
  ['64:ff9b:1::/48', 'local-use NAT64'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['2001:2::/48', 'benchmarking'],
  ['2001::/32', 'Teredo tunnel'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2002::/16', 'deprecated 6to4'],
  ['fc00::/7', 'private (unique local)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'deprecated site-local'],
  ['ff00::/8', 'multicast'],
]);
/** Everything outside global unicast (2000::/3) is unassigned or special. */
const V6_GLOBAL_UNICAST = cidr('2000::/3');
/** Deprecated IPv4-compatible addresses (::a.b.c.d), except :: and ::1. */
const V6_COMPAT = cidr('::/96');
const V6_UNSPECIFIED_OR_LOOPBACK = cidr('::/127');

function v4Problem(ip: Bytes): string | null {
  return V4_REFUSED.find((r) => inCidr(ip, r.range))?.why ?? null;
}

function v6Problem(ip: Bytes): string | null {
  for (const e of V6_EMBEDDING) {
    if (!inCidr(ip, e.range)) continue;
    const v4 = ip.slice(e.at, e.at + 4);
    const why = v4Problem(v4);
    if (why) return `${e.form} form of ${v4String(v4)}: ${why}`;
    if (e.form === 'IPv4-mapped' || e.form === 'NAT64') return null; // reaches a public IPv4 address
  }
  const compat = !inCidr(ip, V6_UNSPECIFIED_OR_LOOPBACK) && inCidr(ip, V6_COMPAT);
  if (compat) {
    const v4 = ip.slice(12, 16);
    const why = v4Problem(v4);
    if (why) return `IPv4-compatible form of ${v4String(v4)}: ${why}`;
  }
  const why = V6_REFUSED.find((r) => inCidr(ip, r.range))?.why;
  if (why) return why;
  return inCidr(ip, V6_GLOBAL_UNICAST) ? null : 'reserved (not global unicast)';
}

/** An allow-list entry: a host name, or an address range. */
export type AllowEntry = { host: string } | { range: Cidr };

/** Host names as the URL parser and DNS see them: lower case, no trailing dot, no brackets. */
export function normalizeHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/;

/** Parses WEBHOOK_ALLOW; throws naming the first entry that is neither a host name nor an address/CIDR. */
export function parseAllowList(entries: readonly string[]): AllowEntry[] {
  return entries.map((raw) => {
    const e = raw.trim();
    const range = parseCidr(e);
    if (range) return { range };
    const host = normalizeHost(e);
    if (!e.includes('/') && HOST_NAME.test(host)) return { host };
    throw new Error(`WEBHOOK_ALLOW: "${raw}" is neither a host name nor an address or CIDR`);
  });
}

function rangeAllowed(ip: Bytes, allow: readonly AllowEntry[]): boolean {
  // An allowed IPv4 range also covers that address's IPv4-mapped IPv6 form.
  const mapped = ip.length === 16 && inCidr(ip, V6_EMBEDDING[0]!.range) ? ip.slice(12) : null;
  return allow.some((a) => 'range' in a && (inCidr(ip, a.range) || (mapped !== null && inCidr(mapped, a.range))));
}

/** Whether the operator allowed this host name (exact match, case-insensitive). */
export function hostAllowed(host: string, allow: readonly string[] | readonly AllowEntry[]): boolean {
  const h = normalizeHost(host);
  return toEntries(allow).some((a) => 'host' in a && a.host === h);
}

function toEntries(allow: readonly string[] | readonly AllowEntry[]): AllowEntry[] {
  return allow.map((a) => (typeof a === 'string' ? parseAllowList([a])[0]! : a));
}

/**
 * Why a callback may not connect to `ip`, or null when it may: a public unicast address, or one
 * inside a range of `allow` (WEBHOOK_ALLOW). IPv6 forms that carry an IPv4 address (mapped,
 * translated, compatible, NAT64, 6to4) are judged by the IPv4 address they carry.
 */
export function addressProblem(ip: string, allow: readonly string[] | readonly AllowEntry[] = []): string | null {
  const bytes = parseIp(ip);
  if (!bytes) return `"${ip}" is not an IP address`;
  if (rangeAllowed(bytes, toEntries(allow))) return null;
  const why = bytes.length === 4 ? v4Problem(bytes) : v6Problem(bytes);
  return why ? `${ip} is ${why}` : null;
}

/**
 * Why `url` may not be a callback, or null: http(s) only, no credentials, a host, and when the
 * host is an address literal, an address `addressProblem` accepts (names are checked when they
 * are resolved, by the lookup hook).
 */
export function urlProblem(url: string, allow: readonly string[] | readonly AllowEntry[] = []): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `uses ${u.protocol.slice(0, -1)}; only http and https are allowed`;
  if (u.username || u.password) return 'must not contain credentials';
  const host = normalizeHost(u.hostname);
  if (!host) return 'has no host';
  if (isIP(host)) return addressProblem(host, allow);
  return null;
}
