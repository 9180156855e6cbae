import type { Thresholds } from '../config/thresholds.js';
import { lowerSeverity, maxSeverity, type Severity, severityRank } from '../model.js';
import type { EntryParse, ValidEntry } from '../net/entry.js';
import { equivalentPrefix, IntervalSet, V4_BASE } from '../net/interval-set.js';
import { formatAddress } from '../net/ip.js';
import { type Scope, type ScopePart, V4_ALL, V6_ALL } from '../net/scope.js';
import { type AllowEntry, lists, shown } from './entries.js';
import { parseEntryCached, scopePartsOf } from './entry-cache.js';
import type { DocumentView, ListKind } from './view.js';

type Cell = Severity | undefined;

/** SPEC §3 RLY010 tables: [from prefix, to prefix, severity] per scope, relay lists. */
const V4_TABLE: Readonly<
  Record<
    'private' | 'cgnat' | 'link-local' | 'global',
    readonly (readonly [number, number, Cell])[]
  >
> = {
  private: [
    [1, 8, 'medium'],
    [9, 15, 'medium'],
    [16, 16, 'low'],
    [17, 23, 'low'],
  ],
  cgnat: [
    [9, 15, 'high'],
    [16, 16, 'high'],
    [17, 23, 'medium'],
    [24, 24, 'medium'],
    [25, 31, 'low'],
  ],
  'link-local': [
    [16, 16, 'low'],
    [17, 23, 'low'],
  ],
  global: [
    [0, 8, 'critical'],
    [9, 15, 'critical'],
    [16, 16, 'critical'],
    [17, 23, 'high'],
    [24, 24, 'medium'],
    [25, 31, 'low'],
  ],
};

const V6_TABLE: Readonly<
  Record<'ula' | 'link-local' | 'global', readonly (readonly [number, number, Cell])[]>
> = {
  ula: [
    [0, 32, 'medium'],
    [33, 48, 'medium'],
    [49, 63, 'low'],
  ],
  'link-local': [
    [0, 32, 'low'],
    [33, 48, 'low'],
    [49, 63, 'low'],
    [64, 64, 'low'],
  ],
  global: [
    [0, 32, 'critical'],
    [33, 48, 'high'],
    [49, 63, 'high'],
    [64, 64, 'medium'],
    [65, 127, 'low'],
  ],
};

/** Scopes that RLY010 judges as global IPv6 (the embedding spaces are RLY024's when whole). */
const V6_GLOBALISH: readonly Scope[] = ['global', 'ipv4-compatible', 'nat64', '6to4', 'teredo'];

function cell(rows: readonly (readonly [number, number, Cell])[], prefix: number): Cell {
  for (const [from, to, sev] of rows) if (prefix >= from && prefix <= to) return sev;
  return undefined;
}

/** RLY010's severity for one scope part of a relay-list entry, before list and exposure steps. */
export function partSeverity(p: ScopePart): Cell {
  if (p.family === 4) {
    if (
      p.scope === 'private' ||
      p.scope === 'cgnat' ||
      p.scope === 'link-local' ||
      p.scope === 'global'
    ) {
      return cell(V4_TABLE[p.scope], p.prefix);
    }
    return undefined;
  }
  if (p.scope === 'ula') {
    // fc00::/7 itself is high (the whole ULA space).
    return p.prefix <= 7 ? 'high' : cell(V6_TABLE.ula, p.prefix);
  }
  if (p.scope === 'link-local') return cell(V6_TABLE['link-local'], p.prefix);
  if (V6_GLOBALISH.includes(p.scope)) return cell(V6_TABLE.global, p.prefix);
  return undefined;
}

function dependsOnInternet(p: ScopePart): boolean {
  return p.scope === 'global' || p.scope === 'cgnat' || V6_GLOBALISH.includes(p.scope);
}

export interface Adjust {
  readonly list: ListKind;
  readonly exposure: 'internet' | 'internal';
}

function stepsFor(adjust: Adjust, internetDependent: boolean): number {
  return (
    (adjust.list === 'connection' ? 1 : 0) +
    (adjust.exposure === 'internal' && internetDependent ? 1 : 0)
  );
}

export interface BroadPart {
  readonly part: ScopePart;
  readonly severity: Severity;
}

/** RLY010 for an allow entry: the worst scope part, after list and exposure steps. */
export function broadCidr(
  entry: ValidEntry,
  adjust: Adjust,
  thresholds: Thresholds = {},
): BroadPart | undefined {
  let worst: BroadPart | undefined;
  for (const part of scopePartsOf(entry)) {
    let sev = partSeverity(part);
    const min = part.family === 4 ? thresholds.minPrefixIpv4 : thresholds.minPrefixIpv6;
    if (
      min !== undefined &&
      part.prefix < min &&
      part.scope !== 'special' &&
      part.scope !== 'loopback'
    ) {
      sev = sev === undefined ? 'high' : maxSeverity(sev, 'high');
    }
    if (sev === undefined) continue;
    const adjusted = lowerSeverity(sev, stepsFor(adjust, dependsOnInternet(part)));
    if (
      worst === undefined ||
      (maxSeverity(adjusted, worst.severity) === adjusted && adjusted !== worst.severity)
    ) {
      worst = { part, severity: adjusted };
    }
  }
  return worst;
}

/** RLY011: the entry covers all of IPv4 or all of IPv6. */
export function anyAddress(entry: ValidEntry): 'IPv4' | 'IPv6' | 'IPv4 and IPv6' | undefined {
  const v4 = entry.set.containsSet(V4_ALL);
  const v6 = entry.set.containsSet(V6_ALL);
  return v4 && v6 ? 'IPv4 and IPv6' : v4 ? 'IPv4' : v6 ? 'IPv6' : undefined;
}

export function anyAddressSeverity(adjust: Adjust): Severity {
  return lowerSeverity('critical', stepsFor(adjust, true));
}

export interface Embedding {
  readonly space: 'NAT64' | '6to4' | 'Teredo' | 'IPv4-compatible';
  /** Number of distinct IPv4 addresses the entry embeds. */
  readonly embedded: bigint;
  readonly firstV4: string;
  readonly lastV4: string;
  readonly severity: Severity;
}

const SPACES: readonly { space: Embedding['space']; lo: bigint; bits: number; shift: bigint }[] = [
  { space: 'NAT64', lo: 0x0064ff9b0000000000000000n << 32n, bits: 96, shift: 0n },
  { space: '6to4', lo: 0x2002n << 112n, bits: 16, shift: 80n },
  { space: 'Teredo', lo: 0x20010000n << 96n, bits: 32, shift: 0n },
  { space: 'IPv4-compatible', lo: 0n, bits: 96, shift: 0n },
];

/** RLY024: an IPv6 entry wholly inside an IPv4-embedding space; severity per SPEC §3. */
export function ipv4Embedding(entry: ValidEntry, adjust: Adjust): Embedding | undefined {
  if (entry.family !== 6) return undefined;
  const iv = entry.set.intervals;
  const lo = iv[0]?.lo;
  const hi = iv[iv.length - 1]?.hi;
  if (lo === undefined || hi === undefined) return undefined;
  for (const s of SPACES) {
    const size = 1n << BigInt(128 - s.bits);
    if (lo < s.lo || hi > s.lo + size - 1n) continue;
    // ::/127 (:: and ::1) is not IPv4-compatible space.
    if (s.space === 'IPv4-compatible' && hi <= 1n) return undefined;
    const v4lo = ((lo - s.lo) >> s.shift) & 0xffffffffn;
    const v4hi = ((hi - s.lo) >> s.shift) & 0xffffffffn;
    const spansBlocks = (hi - s.lo) >> s.shift > 0xffffffffn;
    const embedded = spansBlocks ? 1n << 32n : v4hi - v4lo + 1n;
    let sev: Severity;
    if (s.space === 'Teredo') sev = entry.count > 1n ? 'high' : 'info';
    else if (embedded === 1n) sev = 'info';
    else {
      // Judged "as global space" (SPEC §3): the whole embedded range, whatever scopes it holds.
      const prefix = equivalentPrefix(embedded, 32);
      sev = embedded >= 1n << 32n ? 'critical' : (cell(V4_TABLE.global, prefix) ?? 'info');
    }
    return {
      space: s.space,
      embedded,
      firstV4: formatAddress(V4_BASE + v4lo, 4),
      lastV4: formatAddress(V4_BASE + (spansBlocks ? 0xffffffffn : v4hi), 4),
      severity: lowerSeverity(sev, stepsFor(adjust, true)),
    };
  }
  return undefined;
}

/** RLY012: one global (or CGNAT) address in a relay allow list. */
export function publicAddress(entry: ValidEntry): ScopePart | undefined {
  if (entry.count !== 1n) return undefined;
  const [p] = scopePartsOf(entry);
  return p !== undefined && (p.scope === 'global' || p.scope === 'cgnat') ? p : undefined;
}

/**
 * The broadest prefix at the entry's first address that lies inside the entry and that RLY010
 * does not flag, in the entry's notation (CIDR, or address/mask for mask entries).
 */
export function narrowed(entry: ValidEntry, thresholds: Thresholds = {}): string | undefined {
  const lo = entry.set.intervals[0]?.lo;
  if (lo === undefined) return undefined;
  const v4 = entry.family === 4;
  const bits = v4 ? 32 : 128;
  const offset = v4 ? V4_BASE : 0n;
  const base = lo - offset;
  for (let prefix = 0; prefix <= bits; prefix++) {
    const host = (1n << BigInt(bits - prefix)) - 1n;
    if ((base & host) !== 0n) continue;
    const candidate = IntervalSet.of(lo, lo + host);
    if (candidate.equals(entry.set) || !entry.set.containsSet(candidate)) continue;
    const probe: ValidEntry = { ...entry, set: candidate, count: host + 1n, prefix };
    if (broadCidr(probe, { list: 'relay', exposure: 'internet' }, thresholds) !== undefined)
      continue;
    if (anyAddress(probe) !== undefined) continue;
    const text = formatAddress(lo, entry.family, entry.mapped);
    if (entry.notation === 'mask') {
      return `${text}/${formatAddress(V4_BASE + ((((1n << BigInt(prefix)) - 1n) << BigInt(32 - prefix)) & 0xffffffffn), 4)}`;
    }
    return `${text}/${entry.mapped ? prefix + 96 : prefix}`;
  }
  return undefined;
}

export type BreadthVerdict =
  | { readonly id: 'RLY011'; readonly severity: Severity; readonly families: string }
  | { readonly id: 'RLY024'; readonly severity: Severity; readonly embedding: Embedding }
  | { readonly id: 'RLY010'; readonly severity: Severity; readonly broad: BroadPart }
  | { readonly id: 'RLY012'; readonly severity: Severity; readonly part: ScopePart };

/**
 * One breadth finding per entry (SPEC §3): of RLY011, RLY024, RLY010 and RLY012 only the first
 * that applies fires.
 */
export function breadthVerdict(
  entry: ValidEntry,
  adjust: Adjust,
  thresholds: Thresholds = {},
): BreadthVerdict | undefined {
  const families = anyAddress(entry);
  if (families !== undefined)
    return { id: 'RLY011', severity: anyAddressSeverity(adjust), families };
  const embedding = ipv4Embedding(entry, adjust);
  if (embedding !== undefined) return { id: 'RLY024', severity: embedding.severity, embedding };
  const broad = broadCidr(entry, adjust, thresholds);
  if (broad !== undefined) return { id: 'RLY010', severity: broad.severity, broad };
  const single = adjust.list === 'relay' ? publicAddress(entry) : undefined;
  if (single !== undefined) {
    return { id: 'RLY012', severity: 'info', part: single };
  }
  return undefined;
}

export interface BreadthEntry extends AllowEntry {
  /** The quoted entry for messages; an ambiguous entry names the reading it is judged by. */
  readonly label: string;
  /** The entry's one breadth finding (SPEC §3), decided once for every breadth rule. */
  readonly verdict: BreadthVerdict | undefined;
}

/** How an address entry is judged in one list context; null when it is not judged at all. */
interface Judgement {
  readonly parsed: ValidEntry;
  readonly label: string;
  readonly verdict: BreadthVerdict | undefined;
}

interface Judged {
  readonly list: ListKind;
  readonly exposure: Adjust['exposure'];
  readonly min4: number | undefined;
  readonly min6: number | undefined;
  readonly text: string;
  readonly judgement: Judgement | null;
}

/**
 * Judgements per parsed entry and context. Parsed entries are shared by text across lints
 * (entry-cache.ts), so an unchanged entry is judged once per process, not once per rule per
 * lint. An entry has one or two contexts in practice, so a short array beats a keyed map.
 */
const judgements = new WeakMap<EntryParse, Judged[]>();

function judge(
  text: string,
  p: EntryParse,
  adjust: Adjust,
  thresholds: Thresholds,
): Judgement | null {
  let contexts = judgements.get(p);
  if (contexts === undefined) {
    contexts = [];
    judgements.set(p, contexts);
  }
  // Every field of Thresholds is part of the context: a new field must be added here too.
  const min4 = thresholds.minPrefixIpv4;
  const min6 = thresholds.minPrefixIpv6;
  for (const c of contexts) {
    if (
      c.list === adjust.list &&
      c.exposure === adjust.exposure &&
      c.min4 === min4 &&
      c.min6 === min6 &&
      c.text === text
    )
      return c.judgement;
  }
  const judgement = judgeOnce(text, p, adjust, thresholds);
  contexts.push({ list: adjust.list, exposure: adjust.exposure, min4, min6, text, judgement });
  return judgement;
}

/**
 * An ambiguous entry (`010.0.0.0/8`) is judged by its worst reading (`8.0.0.0/8`, critical),
 * since the product may well read it that way.
 */
function judgeOnce(
  text: string,
  p: EntryParse,
  adjust: Adjust,
  thresholds: Thresholds,
): Judgement | null {
  if (p.kind === 'ok') {
    return { parsed: p, label: `"${text}"`, verdict: breadthVerdict(p, adjust, thresholds) };
  }
  if (p.kind !== 'ambiguous') return null;
  let worst:
    | { parsed: ValidEntry; reading: string; rank: number; verdict: BreadthVerdict | undefined }
    | undefined;
  for (const reading of p.readings) {
    const r = parseEntryCached(reading);
    if (r.kind !== 'ok') continue;
    const v = breadthVerdict(r, adjust, thresholds);
    const rank = v === undefined ? 0 : severityRank(v.severity);
    if (worst === undefined || rank > worst.rank) worst = { parsed: r, reading, rank, verdict: v };
  }
  if (worst === undefined) return null;
  return {
    parsed: worst.parsed,
    label: `"${text}" (read as ${worst.reading})`,
    verdict: worst.verdict,
  };
}

const judgedViews = new WeakMap<
  DocumentView,
  { readonly thresholds: Thresholds; readonly entries: readonly BreadthEntry[] }
>();

/**
 * Allow entries as the breadth rules judge them, each with its verdict: RLY010, RLY011, RLY012
 * and RLY024 each report the entries whose verdict is theirs. Judged once per view (one lint of
 * one document) and threshold setting; the first of the four rules pays, the others read.
 */
export function breadthEntries(
  view: DocumentView,
  thresholds: Thresholds = {},
): readonly BreadthEntry[] {
  const memo = judgedViews.get(view);
  if (memo !== undefined && memo.thresholds === thresholds) return memo.entries;
  const entries: BreadthEntry[] = [];
  for (const { listener, list } of lists(view)) {
    if (list.mode !== 'onlyList') continue;
    const adjust: Adjust = { list: list.kind, exposure: listener.exposure };
    for (const entry of list.entries) {
      const address = entry.address;
      if (address === undefined) continue;
      const j = judge(shown(entry), address.parsed, adjust, thresholds);
      if (j !== null) entries.push({ listener, list, entry, ...j });
    }
  }
  judgedViews.set(view, { thresholds, entries });
  return entries;
}

const narrowings = new WeakMap<ValidEntry, Map<string, string | null>>();

function thresholdsKey(t: Thresholds): string {
  return `${t.minPrefixIpv4 ?? ''}/${t.minPrefixIpv6 ?? ''}`;
}

/** `narrowed`, once per parsed entry and thresholds (RLY010's fix on every lint). */
export function narrowedOnce(entry: ValidEntry, thresholds: Thresholds = {}): string | undefined {
  let byThresholds = narrowings.get(entry);
  if (byThresholds === undefined) {
    byThresholds = new Map();
    narrowings.set(entry, byThresholds);
  }
  const key = thresholdsKey(thresholds);
  const known = byThresholds.get(key);
  if (known !== undefined) return known ?? undefined;
  const made = narrowed(entry, thresholds);
  byThresholds.set(key, made ?? null);
  return made;
}
