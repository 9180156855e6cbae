import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type EntryParse,
  parseEntry,
  type ValidEntry,
} from '../../../../server/src/core/net/entry.js';
import { IntervalSet, V4_BASE } from '../../../../server/src/core/net/interval-set.js';
import { parseAddress } from '../../../../server/src/core/net/ip.js';

function ok(text: string): ValidEntry {
  const e = parseEntry(text);
  assert.equal(
    e.kind,
    'ok',
    `${text} should be valid: ${JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
  );
  return e as ValidEntry;
}

function kind(text: string): EntryParse['kind'] {
  return parseEntry(text).kind;
}

describe('parseEntry notations', () => {
  test('single IPv4 address', () => {
    const e = ok('192.168.10.25');
    assert.equal(e.notation, 'single');
    assert.equal(e.count, 1n);
    assert.equal(e.family, 4);
  });

  test('CIDR, mask and range denoting the same /24 are equal sets', () => {
    const a = ok('10.20.0.0/24');
    const b = ok('10.20.0.0/255.255.255.0');
    const c = ok('10.20.0.0-10.20.0.255');
    const d = ok('::ffff:10.20.0.0/120');
    assert.ok(a.set.equals(b.set) && b.set.equals(c.set) && c.set.equals(d.set));
    assert.equal(a.count, 256n);
    assert.equal(d.family, 4);
    assert.equal(d.mapped, true);
    assert.equal(d.prefix, 24);
  });

  test('inclusive range counts both bounds', () => {
    assert.equal(ok('10.40.0.1-10.40.0.50').count, 50n);
  });

  test('IPv6 CIDR count is exact (bigint)', () => {
    assert.equal(ok('2001:db8:1::/64').count, 1n << 64n);
    assert.equal(ok('::/0').count, 1n << 128n);
  });

  test('uppercase and uncompressed IPv6 is valid and canonicalised', () => {
    const e = ok('2001:0DB8::0001');
    assert.equal(e.canonical, '2001:db8::1');
  });

  test('IPv4-mapped prefix is judged in IPv4 terms', () => {
    const e = ok('::ffff:10.0.0.0/104');
    assert.equal(e.prefix, 8);
    assert.equal(e.count, 1n << 24n);
  });

  test('::1.2.3.4 is IPv4-compatible space, not IPv4-mapped', () => {
    const e = ok('::1.2.3.4');
    assert.equal(e.family, 6);
    assert.equal(e.set.intervals[0]?.lo, 0x01020304n);
  });

  test('host bits are detected for CIDR and mask entries', () => {
    assert.deepEqual(ok('192.168.1.10/24').hostBits, {
      network: '192.168.1.0/24',
      host: '192.168.1.10/32',
    });
    assert.deepEqual(ok('10.20.30.40/255.255.255.0').hostBits, {
      network: '10.20.30.0/255.255.255.0',
      host: '10.20.30.40/255.255.255.255',
    });
    assert.equal(ok('10.0.0.0/8').hostBits, undefined);
    assert.ok(ok('2001:db8::1/64').hostBits);
  });

  test('a non-contiguous mask denotes exactly the matching addresses', () => {
    const e = ok('10.0.0.0/255.255.0.255');
    assert.equal(e.nonContiguousMask, true);
    assert.equal(e.count, 256n);
    assert.equal(e.set.count(), 256n);
    const hit = V4_BASE + 0x0a000500n; // 10.0.5.0 matches, 10.0.5.1 does not
    assert.ok(e.set.containsSet(IntervalSet.of(hit, hit)));
    assert.ok(!e.set.containsSet(IntervalSet.of(hit + 1n, hit + 1n)));
  });

  test('zone ids are kept apart', () => {
    const e = ok('fe80::1%11');
    assert.equal(e.zoneId, '11');
    assert.equal(e.withoutZone, 'fe80::1');
  });

  test('bare unspecified addresses are flagged', () => {
    assert.equal(ok('0.0.0.0').unspecified, true);
    assert.equal(ok('::').unspecified, true);
    assert.equal(ok('0.0.0.0/8').unspecified, false);
  });
});

describe('parseEntry errors name the typo', () => {
  const cases: [string, RegExp][] = [
    ['1.2.3.300', /octet 300 is greater than 255/],
    ['10.0.0.0/33', /\/33 is longer than \/32/],
    ['2001:db8::/129', /\/129 is longer than \/128/],
    ['10.0.0.1-::1', /mixes IPv4 and IPv6/],
    ['10.0.0.0/255.0.255.256', /not a valid subnet mask/],
    ['1:2:3:4:5:6:7:8:9', /not a valid IPv6 address/],
    ['10.0.0.1%2', /zone id is only valid on IPv6/],
    ['1..2.3', /not an IPv4 address/],
    ['10.0.0.0/8/8', /not a prefix length/],
  ];
  for (const [text, why] of cases) {
    test(text, () => {
      const e = parseEntry(text);
      assert.equal(e.kind, 'invalid');
      if (e.kind === 'invalid') assert.match(e.why, why);
    });
  }

  test('a reversed range offers its swapped form', () => {
    const e = parseEntry('10.40.0.50-10.40.0.1');
    assert.equal(e.kind, 'invalid');
    if (e.kind === 'invalid') assert.equal(e.swapped, '10.40.0.1-10.40.0.50');
  });
});

describe('ambiguous forms (RLY021) give every reading', () => {
  const cases: [string, string[]][] = [
    ['010.0.0.1', ['10.0.0.1', '8.0.0.1']],
    ['10.1', ['10.0.0.1', '10.1.0.0']],
    ['0x0A000001', ['10.0.0.1']],
    ['167772161', ['10.0.0.1']],
    ['010.0.0.0/8', ['10.0.0.0/8', '8.0.0.0/8']],
  ];
  for (const [text, readings] of cases) {
    test(text, () => {
      const e = parseEntry(text);
      assert.equal(e.kind, 'ambiguous');
      if (e.kind === 'ambiguous') assert.deepEqual([...e.readings], readings);
    });
  }

  test('leading zeros inside an embedded IPv4 are invalid, not silently octal', () => {
    assert.equal(kind('::ffff:010.0.0.1'), 'invalid');
  });

  test('strict parser rejects what inet_aton accepts', () => {
    assert.equal(parseAddress('10.1').kind, 'ambiguous');
    assert.equal(parseAddress('10.0.0.1').kind, 'ok');
  });
});

describe('zoned prefixes and range bounds', () => {
  test('a zoned prefix (RFC 4007 fe80::%2/64) is valid and keeps its zone apart', () => {
    const e = ok('fe80::%2/64');
    assert.equal(e.notation, 'cidr');
    assert.equal(e.zoneId, '2');
    assert.equal(e.withoutZone, 'fe80::/64');
    assert.equal(e.count, 1n << 64n);
  });

  test('a zoned prefix with host bits drops only the zone', () => {
    const e = ok('fe80::1%eth0/64');
    assert.equal(e.withoutZone, 'fe80::1/64');
    assert.equal(e.hostBits?.network, 'fe80::/64');
  });

  test('a range cannot carry a zone id', () => {
    assert.equal(kind('fe80::1%11-fe80::5'), 'invalid');
  });

  const bounds: [string, RegExp][] = [
    ['10.0.0.1-', /has no end/],
    ['-10.0.0.1', /has no start/],
    ['-::1', /has no start/],
    ['10.0.0.300-10.0.0.1', /^in the range start, octet 300 is greater than 255$/],
    ['10.0.0.1-10.0.0.300', /^in the range end, octet 300 is greater than 255$/],
  ];
  for (const [text, why] of bounds) {
    test(`range bound: ${text}`, () => {
      const e = parseEntry(text);
      assert.equal(e.kind, 'invalid');
      if (e.kind === 'invalid') assert.match(e.why, why);
    });
  }
});
