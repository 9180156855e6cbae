import { type Interval, IntervalSet } from '../../net/interval-set.js';
import { parseEntry } from '../../net/entry.js';
import { bindingHost } from '../../relay/analysis.js';
import type { Connector } from './export.js';

/**
 * Which receive connector serves a client. Exchange picks, among the connectors that share a
 * binding, the one whose RemoteIPRanges match the client most specifically (the matching range
 * with the fewest addresses; New-ReceiveConnector docs, shared/DOMAIN.md 1.2.1). So a connector
 * serves only the part of its ranges that no more specific range of a competing connector claims.
 *
 * Computed exactly with a sweep over the range boundaries and a heap of the ranges that cover
 * the current segment, ordered by size: O(n log n) in the number of ranges, so an export with
 * 100,000 connectors stays fast.
 */

export interface Served {
  /** Addresses the connector actually serves (empty when disabled). */
  readonly served: IntervalSet;
  /** The union of its valid RemoteIPRanges. */
  readonly ranges: IntervalSet;
}

interface Piece {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly size: bigint;
  readonly connector: number;
}

/** Port of a binding (`0.0.0.0:25`, `[::]:25`); undefined when it has none. */
export function bindingPort(binding: string): string | undefined {
  const b = binding.trim();
  const m = /:(\d+)$/.exec(b);
  if (m === null) return undefined;
  // "::25" without brackets is an IPv6 address, not a port.
  if (!b.startsWith('[') && b.indexOf(':') !== b.lastIndexOf(':')) return undefined;
  return m[1];
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/**
 * Groups of competing connectors: same server, a common port, and binding addresses that are
 * equal or where one is the wildcard (0.0.0.0 / [::]). Union-find over (server, port) buckets.
 */
export function competitionGroups(connectors: readonly Connector[]): number[][] {
  const parent = connectors.map((_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    let x = i;
    while (parent[x] !== r) {
      const next = parent[x] as number;
      parent[x] = r;
      x = next;
    }
    return r;
  };
  const unite = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  };
  // bucket (server|port) → first connector with a wildcard, and per host the first connector.
  const wild = new Map<string, number>();
  const byHost = new Map<string, number>();
  const specific = new Map<string, number[]>();
  connectors.forEach((c, i) => {
    const bindings = c.bindings.length > 0 ? c.bindings.map((b) => b.value) : ['0.0.0.0:25'];
    for (const b of bindings) {
      const port = bindingPort(b) ?? '25';
      const bucket = `${c.server.toLowerCase()}|${port}`;
      const host = bindingHost(b).toLowerCase();
      if (isWildcard(host)) {
        const w = wild.get(bucket);
        if (w === undefined) wild.set(bucket, i);
        else unite(i, w);
      } else {
        const key = `${bucket}|${host}`;
        const h = byHost.get(key);
        if (h === undefined) byHost.set(key, i);
        else unite(i, h);
        const list = specific.get(bucket) ?? [];
        list.push(i);
        specific.set(bucket, list);
      }
    }
  });
  for (const [bucket, list] of specific) {
    const w = wild.get(bucket);
    if (w !== undefined) for (const i of list) unite(i, w);
  }
  const groups = new Map<number, number[]>();
  connectors.forEach((_, i) => {
    const r = find(i);
    const g = groups.get(r) ?? [];
    g.push(i);
    groups.set(r, g);
  });
  return [...groups.values()];
}

/** A binary min-heap of pieces (see `less`). */
class Heap {
  private readonly items: Piece[] = [];

  get size(): number {
    return this.items.length;
  }

  push(p: Piece): void {
    const a = this.items;
    a.push(p);
    let i = a.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!less(a[i] as Piece, a[up] as Piece)) break;
      [a[i], a[up]] = [a[up] as Piece, a[i] as Piece];
      i = up;
    }
  }

  peek(): Piece | undefined {
    return this.items[0];
  }

  pop(): void {
    const a = this.items;
    const last = a.pop();
    if (last === undefined || a.length === 0) return;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && less(a[l] as Piece, a[m] as Piece)) m = l;
      if (r < a.length && less(a[r] as Piece, a[m] as Piece)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m] as Piece, a[i] as Piece];
      i = m;
    }
  }

  /** Every live piece whose size equals the minimum (ties, which Exchange forbids but exports may hold). */
  minimal(live: (p: Piece) => boolean): Piece[] {
    const top = this.items[0];
    if (top === undefined) return [];
    const out: Piece[] = [];
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const p = this.items[i];
      if (p === undefined || p.size !== top.size) continue;
      if (live(p)) out.push(p);
      stack.push(2 * i + 1, 2 * i + 2);
    }
    return out;
  }
}

/**
 * Smaller ranges first; among equal sizes the one that ends first, so that once the ended pieces
 * are popped from the top, every piece of the minimal size still covers the current segment
 * (the tie search never wades through stale pieces).
 */
function less(a: Piece, b: Piece): boolean {
  if (a.size !== b.size) return a.size < b.size;
  if (a.hi !== b.hi) return a.hi < b.hi;
  return a.connector < b.connector;
}

/** The pieces (valid range intervals) of a connector; an entry's size is its address count. */
function piecesOf(c: Connector): Piece[] {
  const out: Piece[] = [];
  for (const r of c.ranges) {
    const p = parseEntry(r.text);
    if (p.kind === 'invalid') continue;
    const size = p.kind === 'ok' ? p.count : p.set.count();
    for (const iv of p.set.intervals) out.push({ lo: iv.lo, hi: iv.hi, size, connector: c.index });
  }
  return out;
}

/** Served and full range sets of every connector, by index. */
export function servedSets(connectors: readonly Connector[]): Served[] {
  const pieces = connectors.map(piecesOf);
  const ranges = pieces.map((ps) => IntervalSet.union(ps.map((p) => IntervalSet.of(p.lo, p.hi))));
  const served: Interval[][] = connectors.map(() => []);
  for (const group of competitionGroups(connectors)) {
    const live = group.filter((i) => connectors[i]?.enabled.value === true);
    sweep(
      live.flatMap((i) => pieces[i] ?? []),
      served,
    );
  }
  return connectors.map((_, i) => ({
    served: IntervalSet.union((served[i] ?? []).map((iv) => IntervalSet.of(iv.lo, iv.hi))),
    ranges: ranges[i] ?? IntervalSet.EMPTY,
  }));
}

function sweep(pieces: readonly Piece[], served: Interval[][]): void {
  if (pieces.length === 0) return;
  const starts = [...pieces].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  // Boundaries: every start and every end + 1, sorted and unique.
  const points = [...new Set([...pieces.map((p) => p.lo), ...pieces.map((p) => p.hi + 1n)])].sort(
    (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  );
  const heap = new Heap();
  let next = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const lo = points[k] as bigint;
    const hi = (points[k + 1] as bigint) - 1n;
    while (next < starts.length && (starts[next] as Piece).lo <= lo)
      heap.push(starts[next++] as Piece);
    // Pieces that ended before this segment are dropped lazily from the top.
    while (heap.size > 0 && (heap.peek() as Piece).hi < lo) heap.pop();
    if (heap.size === 0) continue;
    for (const p of heap.minimal((q) => q.hi >= lo)) {
      const list = served[p.connector] as Interval[];
      const last = list[list.length - 1];
      if (last !== undefined && last.hi + 1n >= lo) list[list.length - 1] = { lo: last.lo, hi };
      else list.push({ lo, hi });
    }
  }
}

/**
 * The connector that serves `client` among the competitors of `of` and the range that matched,
 * or undefined when no enabled competitor's ranges hold the client.
 */
export function servingConnector(
  connectors: readonly Connector[],
  served: readonly Served[],
  client: bigint,
  of: number,
): number | undefined {
  const group = competitionGroups(connectors).find((g) => g.includes(of)) ?? [of];
  const probe = IntervalSet.of(client, client);
  return group.find((i) => served[i]?.served.containsSet(probe) === true);
}
