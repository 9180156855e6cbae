/**
 * Exact sets of client addresses. IPv4 and IPv6 share one 128-bit space: an IPv4 address
 * a.b.c.d is stored as its IPv4-mapped IPv6 form ::ffff:a.b.c.d, which is also what an
 * IPv4-mapped entry (`::ffff:10.0.0.0/104`) denotes. bigint keeps IPv6 arithmetic exact.
 */
export interface Interval {
  readonly lo: bigint;
  readonly hi: bigint;
}

export const MAX_ADDRESS = (1n << 128n) - 1n;
export const V4_BASE = 0xffff00000000n;
export const V4_MAX = V4_BASE + 0xffffffffn;

/** Sorted, disjoint, non-adjacent intervals; immutable. */
export class IntervalSet {
  private constructor(readonly intervals: readonly Interval[]) {}

  static readonly EMPTY = new IntervalSet([]);
  static readonly ALL = new IntervalSet([{ lo: 0n, hi: MAX_ADDRESS }]);

  static of(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : new IntervalSet([{ lo, hi }]);
  }

  static union(sets: readonly IntervalSet[]): IntervalSet {
    return IntervalSet.normalize(sets.flatMap((s) => s.intervals));
  }

  private static normalize(input: readonly Interval[]): IntervalSet {
    const sorted = [...input].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    const out: Interval[] = [];
    for (const iv of sorted) {
      const last = out[out.length - 1];
      if (last !== undefined && iv.lo <= last.hi + 1n) {
        if (iv.hi > last.hi) out[out.length - 1] = { lo: last.lo, hi: iv.hi };
      } else out.push(iv);
    }
    return new IntervalSet(out);
  }

  isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  count(): bigint {
    let n = 0n;
    for (const iv of this.intervals) n += iv.hi - iv.lo + 1n;
    return n;
  }

  union(other: IntervalSet): IntervalSet {
    return IntervalSet.normalize([...this.intervals, ...other.intervals]);
  }

  intersect(other: IntervalSet): IntervalSet {
    const out: Interval[] = [];
    let i = 0;
    let j = 0;
    const a = this.intervals;
    const b = other.intervals;
    while (i < a.length && j < b.length) {
      const x = a[i] as Interval;
      const y = b[j] as Interval;
      const lo = x.lo > y.lo ? x.lo : y.lo;
      const hi = x.hi < y.hi ? x.hi : y.hi;
      if (lo <= hi) out.push({ lo, hi });
      if (x.hi < y.hi) i++;
      else j++;
    }
    return new IntervalSet(out);
  }

  complement(): IntervalSet {
    const out: Interval[] = [];
    let next = 0n;
    for (const iv of this.intervals) {
      if (iv.lo > next) out.push({ lo: next, hi: iv.lo - 1n });
      next = iv.hi + 1n;
    }
    if (next <= MAX_ADDRESS) out.push({ lo: next, hi: MAX_ADDRESS });
    return new IntervalSet(out);
  }

  subtract(other: IntervalSet): IntervalSet {
    return this.intersect(other.complement());
  }

  /** True when every address of `other` is in this set. */
  containsSet(other: IntervalSet): boolean {
    return other.subtract(this).isEmpty();
  }

  equals(other: IntervalSet): boolean {
    if (this.intervals.length !== other.intervals.length) return false;
    return this.intervals.every((iv, k) => {
      const o = other.intervals[k];
      return o !== undefined && o.lo === iv.lo && o.hi === iv.hi;
    });
  }

  overlaps(other: IntervalSet): boolean {
    return !this.intersect(other).isEmpty();
  }
}

/** The prefix length equivalent to a count of n addresses in a space of `bits`: bits − ⌈log2 n⌉. */
export function equivalentPrefix(count: bigint, bits: number): number {
  if (count <= 1n) return bits;
  let log = 0;
  let p = 1n;
  while (p < count) {
    p <<= 1n;
    log++;
  }
  return Math.max(bits - log, 0);
}

export function cidrInterval(base: bigint, prefix: number, bits: number): Interval {
  const hostBits = BigInt(bits - prefix);
  const size = 1n << hostBits;
  const lo = (base >> hostBits) << hostBits;
  return { lo, hi: lo + size - 1n };
}
