import { cidrInterval, IntervalSet, V4_BASE, V4_MAX } from './interval-set.js';
import {
  type Address,
  type AddressParse,
  formatAddress,
  parseAddress,
  parseStrictV4,
} from './ip.js';

export type Notation = 'single' | 'cidr' | 'mask' | 'range';

export interface ValidEntry {
  readonly kind: 'ok';
  readonly notation: Notation;
  /** 4 when every address of the entry is IPv4 (IPv4-mapped IPv6 included). */
  readonly family: 4 | 6;
  /** Written as IPv6 but denotes IPv4 addresses. */
  readonly mapped: boolean;
  readonly set: IntervalSet;
  readonly count: bigint;
  /** The entry in canonical notation (same notation as written). */
  readonly canonical: string;
  /** Prefix length in the entry's own family (IPv4-mapped: 0–32). */
  readonly prefix?: number;
  /** A CIDR or address/mask whose address has host bits set. */
  readonly hostBits?: { readonly network: string; readonly host: string };
  readonly nonContiguousMask?: boolean;
  readonly zoneId?: string;
  /** The entry without its zone id. */
  readonly withoutZone?: string;
  /** A bare 0.0.0.0 or ::. */
  readonly unspecified: boolean;
}

export interface AmbiguousEntry {
  readonly kind: 'ambiguous';
  /** Each reading in canonical notation. */
  readonly readings: readonly string[];
  readonly why: string;
  /** Union of the readings: the analysis assumes the widest one may apply. */
  readonly set: IntervalSet;
}

export interface InvalidEntry {
  readonly kind: 'invalid';
  readonly why: string;
  /** For a reversed range, the range with its bounds swapped. */
  readonly swapped?: string;
}

export type EntryParse = ValidEntry | AmbiguousEntry | InvalidEntry;

const MASK_ENUMERATION_LIMIT = 65536;

function bitsOf(a: Address): number {
  return a.family === 4 ? 32 : 128;
}

function offsetOf(a: Address): bigint {
  return a.family === 4 ? a.value - V4_BASE : a.value;
}

function fmt(a: Address): string {
  return formatAddress(a.value, a.family, a.mapped);
}

function familyOf(set: IntervalSet): 4 | 6 {
  const first = set.intervals[0];
  const last = set.intervals[set.intervals.length - 1];
  return first !== undefined && last !== undefined && first.lo >= V4_BASE && last.hi <= V4_MAX
    ? 4
    : 6;
}

function textFamily(text: string): 4 | 6 {
  return text.includes(':') ? 6 : 4;
}

/** Parses a relay or connection list entry in any notation of SPEC §1. */
export function parseEntry(raw: string): EntryParse {
  const text = raw.trim();
  if (text === '') return { kind: 'invalid', why: 'the entry is empty' };
  if (/\s/.test(text)) return { kind: 'invalid', why: `"${text}" contains white space` };
  if (text.includes('-')) return parseRange(text);
  const slash = text.indexOf('/');
  if (slash >= 0) return parseSlash(text.slice(0, slash), text.slice(slash + 1));
  return single(text);
}

function withReadings(parsed: AddressParse, build: (a: Address) => EntryParse): EntryParse {
  if (parsed.kind === 'invalid') return parsed;
  if (parsed.kind === 'ok') return build(parsed.address);
  const built = parsed.readings.map(build).filter((e): e is ValidEntry => e.kind === 'ok');
  if (built.length === 0) return { kind: 'invalid', why: parsed.why };
  return {
    kind: 'ambiguous',
    readings: built.map((e) => e.canonical),
    why: parsed.why,
    set: IntervalSet.union(built.map((e) => e.set)),
  };
}

function single(text: string): EntryParse {
  return withReadings(parseAddress(text), (a) => {
    const set = IntervalSet.of(a.value, a.value);
    const canonical = fmt(a);
    return {
      kind: 'ok',
      notation: 'single',
      family: a.family,
      mapped: a.mapped,
      set,
      count: 1n,
      canonical,
      prefix: bitsOf(a),
      unspecified: offsetOf(a) === 0n && !a.mapped,
      ...(a.zoneId !== undefined ? { zoneId: a.zoneId, withoutZone: canonical } : {}),
    };
  });
}

function parseRange(text: string): EntryParse {
  const parts = text.split('-');
  if (parts.length !== 2) return { kind: 'invalid', why: `"${text}" has more than one "-"` };
  const [left = '', right = ''] = parts;
  if (left === '') return { kind: 'invalid', why: `the range "${text}" has no start` };
  if (right === '') return { kind: 'invalid', why: `the range "${text}" has no end` };
  if (textFamily(left) !== textFamily(right)) {
    return { kind: 'invalid', why: `the range "${text}" mixes IPv4 and IPv6 bounds` };
  }
  const a = parseAddress(left);
  const b = parseAddress(right);
  if (a.kind === 'invalid') return { kind: 'invalid', why: `in the range start, ${a.why}` };
  if (b.kind === 'invalid') return { kind: 'invalid', why: `in the range end, ${b.why}` };
  if (a.kind === 'ok' && b.kind === 'ok') return rangeOf(a.address, b.address, text);
  // One bound is ambiguous: build the readings of the range from each reading of that bound.
  const startReadings = a.kind === 'ok' ? [a.address] : a.readings;
  const endReadings = b.kind === 'ok' ? [b.address] : b.readings;
  const built = startReadings
    .flatMap((s) => endReadings.map((e) => rangeOf(s, e, text)))
    .filter((e): e is ValidEntry => e.kind === 'ok');
  const why = a.kind === 'ambiguous' ? a.why : b.kind === 'ambiguous' ? b.why : '';
  if (built.length === 0) {
    return { kind: 'invalid', why: `the range "${text}" is reversed under every reading (${why})` };
  }
  return {
    kind: 'ambiguous',
    readings: built.map((e) => e.canonical),
    why,
    set: IntervalSet.union(built.map((e) => e.set)),
  };
}

function rangeOf(a: Address, b: Address, text: string): EntryParse {
  if (a.zoneId !== undefined || b.zoneId !== undefined) {
    return { kind: 'invalid', why: `a range cannot carry a zone id ("${text}")` };
  }
  if (a.value > b.value) {
    return {
      kind: 'invalid',
      why: `the range "${text}" is reversed: its start is after its end`,
      swapped: `${fmt(b)}-${fmt(a)}`,
    };
  }
  const set = IntervalSet.of(a.value, b.value);
  const family = familyOf(set);
  return {
    kind: 'ok',
    notation: 'range',
    family,
    mapped: family === 4 && (a.mapped || b.mapped),
    set,
    count: b.value - a.value + 1n,
    canonical: `${fmt(a)}-${fmt(b)}`,
    unspecified: false,
  };
}

function parseSlash(addrText: string, suffix: string): EntryParse {
  if (suffix.includes('.')) return parseMask(addrText, suffix);
  if (!/^\d{1,3}$/.test(suffix)) {
    return { kind: 'invalid', why: `"/${suffix}" is not a prefix length or a subnet mask` };
  }
  return withReadings(parseAddress(addrText), (a) => {
    // RFC 4007 §11.7 writes a zoned prefix as fe80::%2/64: the zone belongs to the address part.
    const written = textFamily(addrText) === 4 ? 32 : 128;
    const prefix = Number(suffix);
    if (prefix > written) {
      return { kind: 'invalid', why: `prefix length /${suffix} is longer than /${written}` };
    }
    if (/^0\d/.test(suffix)) {
      return { kind: 'invalid', why: `prefix length /${suffix} has a leading zero` };
    }
    // Work in the written family's bits: ::ffff:10.0.0.0/104 is a 128-bit prefix.
    const base = written === 32 ? a.value - V4_BASE : a.value;
    const iv = cidrInterval(base, prefix, written);
    const offset = written === 32 ? V4_BASE : 0n;
    const set = IntervalSet.of(iv.lo + offset, iv.hi + offset);
    const family = familyOf(set);
    const mapped = family === 4 && written === 128;
    // The network of ::ffff:1.2.3.4/82 lies outside ::ffff:0:0/96: write it as plain IPv6.
    const netLo = iv.lo + offset;
    const netIsV4 = a.family === 4 && netLo >= V4_BASE && netLo <= V4_MAX;
    const netText = formatAddress(netLo, netIsV4 ? 4 : 6, netIsV4 && a.mapped);
    const canonical = `${netText}/${prefix}`;
    const hostBitsSet = iv.lo !== base;
    const addrCanon = formatAddress(a.value, a.family, a.mapped);
    return {
      kind: 'ok',
      notation: 'cidr',
      family,
      mapped,
      set,
      count: iv.hi - iv.lo + 1n,
      canonical: hostBitsSet ? `${addrCanon}/${prefix}` : canonical,
      prefix: mapped ? prefix - 96 : prefix,
      unspecified: false,
      ...(hostBitsSet ? { hostBits: { network: canonical, host: `${addrCanon}/${written}` } } : {}),
      ...(a.zoneId !== undefined
        ? { zoneId: a.zoneId, withoutZone: hostBitsSet ? `${addrCanon}/${prefix}` : canonical }
        : {}),
    };
  });
}

function parseMask(addrText: string, maskText: string): EntryParse {
  if (textFamily(addrText) === 6) {
    return { kind: 'invalid', why: 'a dotted subnet mask is only valid with an IPv4 address' };
  }
  const mask = parseStrictV4(maskText);
  if (mask === undefined) {
    return { kind: 'invalid', why: `"${maskText}" is not a valid subnet mask` };
  }
  return withReadings(parseAddress(addrText), (a) => {
    const base = Number(a.value - V4_BASE);
    const ones = popcount(mask);
    const contiguous = mask === 0 || ((~mask >>> 0) & ((~mask >>> 0) + 1)) === 0;
    const net = (base & mask) >>> 0;
    const maskCanon = formatAddress(V4_BASE + BigInt(mask), 4);
    const netText = formatAddress(V4_BASE + BigInt(net), 4);
    const addrCanon = formatAddress(a.value, 4);
    const set = contiguous ? maskedContiguous(net, ones) : maskedSet(net, mask);
    const hostBitsSet = net !== base;
    return {
      kind: 'ok',
      notation: 'mask',
      family: 4,
      mapped: false,
      set,
      count: 1n << BigInt(32 - ones),
      canonical: `${hostBitsSet ? addrCanon : netText}/${maskCanon}`,
      ...(contiguous ? { prefix: ones } : { nonContiguousMask: true }),
      unspecified: false,
      ...(hostBitsSet
        ? { hostBits: { network: `${netText}/${maskCanon}`, host: `${addrCanon}/255.255.255.255` } }
        : {}),
    };
  });
}

function popcount(n: number): number {
  let c = 0;
  for (let x = n >>> 0; x !== 0; x >>>= 1) c += x & 1;
  return c;
}

function maskedContiguous(net: number, ones: number): IntervalSet {
  const iv = cidrInterval(BigInt(net), ones, 32);
  return IntervalSet.of(iv.lo + V4_BASE, iv.hi + V4_BASE);
}

/**
 * The addresses that match `net` under a non-contiguous mask. Each free bit above the lowest set
 * mask bit doubles the number of intervals; past a limit the set is widened to its hull, which
 * errs towards "more addresses may relay" (the safe direction for a reviewer).
 */
function maskedSet(net: number, mask: number): IntervalSet {
  const inv = ~mask >>> 0;
  let low = 0;
  while (low < 32 && ((inv >>> low) & 1) === 1) low++;
  const freeHigh: number[] = [];
  for (let bit = low; bit < 32; bit++) if (((inv >>> bit) & 1) === 1) freeHigh.push(bit);
  const blockSize = 2 ** low;
  if (2 ** freeHigh.length > MASK_ENUMERATION_LIMIT) {
    const hi = (net | inv) >>> 0;
    return IntervalSet.of(V4_BASE + BigInt(net), V4_BASE + BigInt(hi));
  }
  const sets: IntervalSet[] = [];
  for (let k = 0; k < 2 ** freeHigh.length; k++) {
    let start = net;
    freeHigh.forEach((bit, i) => {
      if (((k >>> i) & 1) === 1) start = (start | (1 << bit)) >>> 0;
    });
    sets.push(IntervalSet.of(V4_BASE + BigInt(start), V4_BASE + BigInt(start + blockSize - 1)));
  }
  return IntervalSet.union(sets);
}
