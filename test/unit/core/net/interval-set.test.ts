import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  equivalentPrefix,
  IntervalSet,
  MAX_ADDRESS,
} from '../../../../server/src/core/net/interval-set.js';

describe('IntervalSet', () => {
  test('union merges overlapping and adjacent intervals', () => {
    const s = IntervalSet.union([
      IntervalSet.of(1n, 5n),
      IntervalSet.of(6n, 9n),
      IntervalSet.of(20n, 30n),
      IntervalSet.of(25n, 40n),
    ]);
    assert.deepEqual(s.intervals, [
      { lo: 1n, hi: 9n },
      { lo: 20n, hi: 40n },
    ]);
    assert.equal(s.count(), 9n + 21n);
  });

  test('subtract and complement are exact at the edges of the space', () => {
    const all = IntervalSet.ALL;
    assert.equal(all.count(), 1n << 128n);
    const rest = all
      .subtract(IntervalSet.of(0n, 0n))
      .subtract(IntervalSet.of(MAX_ADDRESS, MAX_ADDRESS));
    assert.equal(rest.count(), (1n << 128n) - 2n);
    assert.ok(IntervalSet.EMPTY.complement().equals(all));
    assert.ok(all.complement().isEmpty());
  });

  test('intersect, containsSet, overlaps', () => {
    const a = IntervalSet.of(10n, 20n);
    const b = IntervalSet.of(15n, 30n);
    assert.deepEqual(a.intersect(b).intervals, [{ lo: 15n, hi: 20n }]);
    assert.ok(a.overlaps(b));
    assert.ok(!a.containsSet(b));
    assert.ok(a.containsSet(IntervalSet.of(12n, 18n)));
    assert.ok(!a.overlaps(IntervalSet.of(21n, 22n)));
  });

  test('equivalent prefix: bits − ⌈log2 n⌉', () => {
    assert.equal(equivalentPrefix(1n, 32), 32);
    assert.equal(equivalentPrefix(256n, 32), 24);
    assert.equal(equivalentPrefix(257n, 32), 23);
    assert.equal(equivalentPrefix(50n, 32), 26);
    assert.equal(equivalentPrefix(1n << 32n, 32), 0);
    assert.equal(equivalentPrefix(1n << 64n, 128), 64);
  });
});
