import type { IntervalSet } from '../net/interval-set.js';
import { lists, listLabel, shown } from '../relay/entries.js';
import { describeCount } from '../net/scope.js';
import { comparableSet, removeEntryFix } from '../relay/list-entries.js';
import type { ListEntry } from '../relay/view.js';
import { defineRule } from '../rule.js';

interface Comparable {
  readonly entry: ListEntry;
  readonly set: IntervalSet;
  /** The hull of the set. */
  readonly lo: bigint;
  readonly hi: bigint;
}

function strictlyInside(inner: Comparable, outer: Comparable): boolean {
  return (
    outer.entry !== inner.entry &&
    outer.lo <= inner.lo &&
    outer.hi >= inner.hi &&
    outer.set.containsSet(inner.set) &&
    !outer.set.equals(inner.set)
  );
}

/**
 * Each entry with a strictly larger entry that contains it, in list order. Sorted by hull start
 * (and widest first), a container's hull starts no later and ends no earlier, so the entry with
 * the furthest hull end seen so far is the one to try; only when it fails (non-contiguous masks)
 * or when another entry has the same hull is the whole list searched. Lists of thousands of
 * single addresses stay linear-logarithmic.
 */
function containers(
  items: readonly Comparable[],
): { entry: ListEntry; set: IntervalSet; outer: Comparable }[] {
  const sorted = [...items].sort((a, b) =>
    a.lo !== b.lo ? (a.lo < b.lo ? -1 : 1) : a.hi !== b.hi ? (a.hi > b.hi ? -1 : 1) : 0,
  );
  // Hulls counted by their bounds: bigints are Map keys by value, no string needed.
  const hulls = new Map<bigint, Map<bigint, number>>();
  for (const c of items) {
    let byHi = hulls.get(c.lo);
    if (byHi === undefined) {
      byHi = new Map();
      hulls.set(c.lo, byHi);
    }
    byHi.set(c.hi, (byHi.get(c.hi) ?? 0) + 1);
  }
  const found = new Map<ListEntry, Comparable>();
  let widest: Comparable | undefined;
  for (const c of sorted) {
    const sameHull = (hulls.get(c.lo)?.get(c.hi) ?? 0) > 1;
    const possible = (widest !== undefined && widest.hi >= c.hi) || sameHull;
    if (possible) {
      const outer =
        widest !== undefined && strictlyInside(c, widest)
          ? widest
          : items.find((o) => strictlyInside(c, o));
      if (outer !== undefined) found.set(c.entry, outer);
    }
    if (widest === undefined || c.hi > widest.hi) widest = c;
  }
  return items.flatMap((c) => {
    const outer = found.get(c.entry);
    return outer === undefined ? [] : [{ entry: c.entry, set: c.set, outer }];
  });
}

export default defineRule({
  meta: {
    id: 'RLY017',
    name: 'redundant-entry',
    title: 'An entry lies inside another entry of the same list',
    category: 'hygiene',
    severity: 'info',
    fixable: 'safe',
    tags: ['unnecessary'],
    messages: {
      contained:
        '"{entry}" in the {list} of "{listener}" lies inside "{container}" ({inner} of its {outer} addresses), so it adds nothing. Remove it, or narrow "{container}" if only these addresses were meant.',
    },
    rationale:
      'An entry inside a broader entry of the same list has no effect, and it misleads a reviewer: the narrow entry suggests that only a few hosts are meant, while the broader one quietly grants (or, in a deny list, excludes) the whole range. Removing the contained entry never changes who may relay or connect.',
  },
  *check({ file, doc, view }) {
    for (const { listener, list } of lists(view)) {
      const product = listener.server.product;
      const comparable: Comparable[] = [];
      for (const entry of list.entries) {
        const set = comparableSet(entry, product);
        const first = set?.intervals[0];
        const last = set?.intervals[set.intervals.length - 1];
        if (set !== undefined && first !== undefined && last !== undefined) {
          comparable.push({ entry, set, lo: first.lo, hi: last.hi });
        }
      }
      for (const { entry, set, outer } of containers(comparable)) {
        yield {
          messageId: 'contained',
          path: entry.path,
          data: {
            entry: shown(entry),
            container: shown(outer.entry),
            list: listLabel(list),
            listener: listener.name,
            inner: describeCount(set.count()),
            outer: describeCount(outer.set.count()),
          },
          related: [
            { path: outer.entry.path, message: `The broader entry "${shown(outer.entry)}".` },
          ],
          fixes: removeEntryFix(file, doc, list, entry, { safe: true, preferred: true }),
        };
      }
    }
  },
});
