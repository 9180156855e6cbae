import { equivalentPrefix, IntervalSet, V4_BASE } from './interval-set.js';
import { parseEntry } from './entry.js';

export type Scope =
  | 'loopback'
  | 'private'
  | 'ula'
  | 'link-local'
  | 'cgnat'
  | 'special'
  | 'ipv4-compatible'
  | 'nat64'
  | '6to4'
  | 'teredo'
  | 'global';

export interface ScopeBlock {
  readonly cidr: string;
  readonly scope: Scope;
  /** What the block is, for messages and hover. */
  readonly label: string;
}

/**
 * Address scopes of SPEC §1/§3, most specific first: the first block that holds an address
 * decides its scope. Everything not listed is global.
 */
export const SCOPE_BLOCKS: readonly ScopeBlock[] = [
  { cidr: '127.0.0.0/8', scope: 'loopback', label: 'loopback' },
  { cidr: '10.0.0.0/8', scope: 'private', label: 'private (RFC 1918)' },
  { cidr: '172.16.0.0/12', scope: 'private', label: 'private (RFC 1918)' },
  { cidr: '192.168.0.0/16', scope: 'private', label: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', scope: 'cgnat', label: 'carrier-grade NAT (RFC 6598)' },
  { cidr: '169.254.0.0/16', scope: 'link-local', label: 'link-local (RFC 3927)' },
  { cidr: '0.0.0.0/8', scope: 'special', label: '"this network" (RFC 791)' },
  { cidr: '192.0.2.0/24', scope: 'special', label: 'documentation (RFC 5737)' },
  { cidr: '198.51.100.0/24', scope: 'special', label: 'documentation (RFC 5737)' },
  { cidr: '203.0.113.0/24', scope: 'special', label: 'documentation (RFC 5737)' },
  { cidr: '198.18.0.0/15', scope: 'special', label: 'benchmarking (RFC 2544)' },
  { cidr: '224.0.0.0/4', scope: 'special', label: 'multicast (RFC 5771)' },
  { cidr: '255.255.255.255/32', scope: 'special', label: 'limited broadcast (RFC 919)' },
  { cidr: '240.0.0.0/4', scope: 'special', label: 'reserved (RFC 1112)' },
  { cidr: '::1/128', scope: 'loopback', label: 'loopback' },
  { cidr: '::/128', scope: 'special', label: 'unspecified address' },
  { cidr: '::/96', scope: 'ipv4-compatible', label: 'IPv4-compatible (deprecated, RFC 4291)' },
  { cidr: '64:ff9b::/96', scope: 'nat64', label: 'NAT64 (RFC 6052)' },
  { cidr: '2002::/16', scope: '6to4', label: '6to4 (RFC 3056)' },
  { cidr: '2001::/32', scope: 'teredo', label: 'Teredo (RFC 4380)' },
  { cidr: 'fc00::/7', scope: 'ula', label: 'unique local (RFC 4193)' },
  { cidr: 'fe80::/10', scope: 'link-local', label: 'link-local (RFC 4291)' },
  { cidr: '2001:db8::/32', scope: 'special', label: 'documentation (RFC 3849)' },
  { cidr: '3fff::/20', scope: 'special', label: 'documentation (RFC 9637)' },
  { cidr: '2001:2::/48', scope: 'special', label: 'benchmarking (RFC 5180)' },
  { cidr: '100::/64', scope: 'special', label: 'discard-only (RFC 6666)' },
  { cidr: 'ff00::/8', scope: 'special', label: 'multicast (RFC 4291)' },
];

interface CompiledBlock extends ScopeBlock {
  readonly set: IntervalSet;
}

function compile(): CompiledBlock[] {
  return SCOPE_BLOCKS.map((b) => {
    const e = parseEntry(b.cidr);
    if (e.kind !== 'ok') throw new Error(`bad scope block ${b.cidr}`);
    return { ...b, set: e.set };
  });
}

const BLOCKS = compile();

export const V4_ALL = IntervalSet.of(V4_BASE, V4_BASE + 0xffffffffn);
/** Every IPv6 address that is not IPv4 (the whole space minus ::ffff:0:0/96). */
export const V6_ALL = IntervalSet.ALL.subtract(V4_ALL);

export interface ScopePart {
  readonly scope: Scope;
  readonly family: 4 | 6;
  readonly label: string;
  readonly set: IntervalSet;
  readonly count: bigint;
  /** Equivalent prefix of this part in its family: bits − ⌈log2 count⌉. */
  readonly prefix: number;
}

/** Splits a set by scope, most specific block first; the rest of each family is global. */
export function splitByScope(set: IntervalSet): ScopePart[] {
  const parts: ScopePart[] = [];
  let rest = set;
  for (const b of BLOCKS) {
    if (rest.isEmpty()) break;
    const inside = rest.intersect(b.set);
    if (inside.isEmpty()) continue;
    const family = V4_ALL.containsSet(b.set) ? 4 : 6;
    parts.push(part(b.scope, family, b.label, inside));
    rest = rest.subtract(b.set);
  }
  const v4 = rest.intersect(V4_ALL);
  const v6 = rest.subtract(V4_ALL);
  if (!v4.isEmpty()) parts.push(part('global', 4, 'global (public)', v4));
  if (!v6.isEmpty()) parts.push(part('global', 6, 'global (public)', v6));
  return mergeSameScope(parts);
}

function part(scope: Scope, family: 4 | 6, label: string, set: IntervalSet): ScopePart {
  const count = set.count();
  return {
    scope,
    family,
    label,
    set,
    count,
    prefix: equivalentPrefix(count, family === 4 ? 32 : 128),
  };
}

/** Two RFC 1918 blocks hit by one range are one private part (judged by their total size). */
function mergeSameScope(parts: ScopePart[]): ScopePart[] {
  const out: ScopePart[] = [];
  for (const p of parts) {
    const k = out.findIndex(
      (o) => o.scope === p.scope && o.family === p.family && o.label === p.label,
    );
    const prev = out[k];
    if (prev === undefined) out.push(p);
    else out[k] = part(p.scope, p.family, p.label, prev.set.union(p.set));
  }
  return out;
}

/** Addresses a relay reviewer trusts without configuration: loopback, RFC 1918, ULA, link-local. */
export const BUILTIN_TRUSTED: IntervalSet = IntervalSet.union(
  BLOCKS.filter((b) => ['loopback', 'private', 'ula', 'link-local'].includes(b.scope)).map(
    (b) => b.set,
  ),
);

export const LOOPBACK: IntervalSet = IntervalSet.union(
  BLOCKS.filter((b) => b.scope === 'loopback').map((b) => b.set),
);

export function scopeOfSet(set: IntervalSet): Scope | undefined {
  const parts = splitByScope(set);
  return parts.length === 1 ? parts[0]?.scope : undefined;
}

export function describeCount(n: bigint): string {
  if (n < 1_000_000_000_000n) return n.toLocaleString('en-US');
  // Beyond a trillion the digits stop meaning anything to a reader; a power of two does.
  let log = 0;
  while (1n << BigInt(log + 1) <= n) log++;
  return 1n << BigInt(log) === n ? `2^${log}` : `about 2^${log}`;
}
