import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type Connector,
  readExchangeExport,
} from '../../../server/src/core/formats/exchange/export.js';
import {
  bindingPort,
  competitionGroups,
  servedSets,
} from '../../../server/src/core/formats/exchange/selection.js';
import {
  exchangeDataOf,
  exchangeFormat,
} from '../../../server/src/core/formats/exchange/format.js';
import { NO_SIBLINGS } from '../../../server/src/core/formats/types.js';
import { unauthenticatedRelaySet } from '../../../server/src/core/relay/analysis.js';
import { viewOf } from '../../../server/src/core/relay/view.js';
import { parseEntry } from '../../../server/src/core/net/entry.js';
import { IntervalSet, V4_BASE } from '../../../server/src/core/net/interval-set.js';
import { ANON_RELAY, connector, ownExport } from './helpers.js';

const seed = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;
const params = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  ...(seed !== undefined ? { seed } : {}),
});

function connectorsOf(list: readonly Record<string, unknown>[]): Connector[] {
  const r = readExchangeExport(ownExport(list), NO_SIBLINGS, 'x.exchange.json');
  assert.ok(r.data !== undefined);
  return [...r.data.connectors];
}

function ip(text: string): bigint {
  const p = parseEntry(text);
  assert.ok(p.kind === 'ok');
  return p.set.intervals[0]?.lo ?? -1n;
}

function serves(s: IntervalSet, address: string): boolean {
  const v = ip(address);
  return s.containsSet(IntervalSet.of(v, v));
}

describe('exchange: the most specific RemoteIPRanges match serves the client', () => {
  test('a narrower connector takes its addresses from the broad one', () => {
    const cs = connectorsOf([
      connector({ Name: 'Default', RemoteIPRanges: ['0.0.0.0-255.255.255.255'] }),
      connector({ Name: 'Relay', RemoteIPRanges: ['10.1.2.0/24'] }),
    ]);
    const [def, relay] = servedSets(cs);
    assert.ok(def !== undefined && relay !== undefined);
    assert.equal(serves(relay.served, '10.1.2.7'), true);
    assert.equal(serves(def.served, '10.1.2.7'), false);
    assert.equal(serves(def.served, '10.1.3.7'), true);
    assert.equal(def.served.count(), 2n ** 32n - 256n);
    assert.equal(def.ranges.count(), 2n ** 32n);
  });

  test('connectors on other ports, other servers or disabled do not compete', () => {
    const cs = connectorsOf([
      connector({ Name: 'Default', RemoteIPRanges: ['0.0.0.0-255.255.255.255'] }),
      connector({ Name: 'Submission', Bindings: ['0.0.0.0:587'], RemoteIPRanges: ['10.1.2.0/24'] }),
      connector({
        Name: 'Elsewhere',
        Identity: 'EX02\\Elsewhere',
        Server: 'EX02',
        RemoteIPRanges: ['10.1.3.0/24'],
      }),
      connector({ Name: 'Off', Enabled: false, RemoteIPRanges: ['10.1.4.0/24'] }),
    ]);
    const [def, sub, other, off] = servedSets(cs);
    assert.equal(def?.served.count(), 2n ** 32n);
    assert.equal(sub?.served.count(), 256n);
    assert.equal(other?.served.count(), 256n);
    assert.equal(off?.served.count(), 0n);
  });

  test('a specific binding address competes with the wildcard on its port', () => {
    const cs = connectorsOf([
      connector({
        Name: 'Default',
        Bindings: ['0.0.0.0:25'],
        RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
      }),
      connector({ Name: 'Relay', Bindings: ['10.0.0.25:25'], RemoteIPRanges: ['10.1.2.0/24'] }),
      connector({
        Name: 'Other IP',
        Bindings: ['10.0.0.26:2525'],
        RemoteIPRanges: ['10.1.2.0/25'],
      }),
    ]);
    const groups = competitionGroups(cs).map((g) => [...g].sort());
    assert.deepEqual(groups.sort(), [[0, 1], [2]]);
  });

  test('equal ranges on one binding (which Exchange refuses) leave both connectors serving', () => {
    const cs = connectorsOf([
      connector({ Name: 'A', RemoteIPRanges: ['10.0.0.0/8'] }),
      connector({ Name: 'B', RemoteIPRanges: ['10.0.0.0-10.255.255.255'] }),
    ]);
    const [a, b] = servedSets(cs);
    assert.equal(a?.served.count(), 2n ** 24n);
    assert.equal(b?.served.count(), 2n ** 24n);
  });

  test('IPv6 and IPv4-mapped ranges share one space', () => {
    const cs = connectorsOf([
      connector({ Name: 'All', RemoteIPRanges: ['::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'] }),
      connector({ Name: 'V4', RemoteIPRanges: ['0.0.0.0-255.255.255.255'] }),
    ]);
    const [all, v4] = servedSets(cs);
    assert.equal(serves(all?.served ?? IntervalSet.EMPTY, '10.0.0.1'), false);
    assert.equal(serves(v4?.served ?? IntervalSet.EMPTY, '10.0.0.1'), true);
    assert.equal(serves(all?.served ?? IntervalSet.EMPTY, '2001:db8::1'), true);
  });

  test('ports are read from bindings', () => {
    assert.equal(bindingPort('0.0.0.0:25'), '25');
    assert.equal(bindingPort('[::]:587'), '587');
    assert.equal(bindingPort('::25'), undefined);
  });

  test('property: served sets match a brute-force "smallest containing range" on every address', () => {
    // Ranges inside 10.0.0.0/26 (64 addresses), so every address can be checked.
    const range = fc
      .tuple(
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 63 }),
        fc.boolean(),
        fc.integer({ min: 26, max: 32 }),
      )
      .map(([a, b, asCidr, prefix]) => {
        if (asCidr) return `10.0.0.${a}/${prefix}`;
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return `10.0.0.${lo}-10.0.0.${hi}`;
      });
    const conn = fc.record({
      ranges: fc.array(range, { minLength: 1, maxLength: 3 }),
      enabled: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(conn, { minLength: 1, maxLength: 6 }), (list) => {
        const cs = connectorsOf(
          list.map((c, i) =>
            connector({ Name: `C${i}`, RemoteIPRanges: c.ranges, Enabled: c.enabled }),
          ),
        );
        const served = servedSets(cs);
        for (let x = 0; x < 64; x++) {
          const v = V4_BASE + 0x0a000000n + BigInt(x);
          const probe = IntervalSet.of(v, v);
          let best: bigint | undefined;
          const sizes = cs.map((c) => {
            if (!c.enabled.value) return undefined;
            let min: bigint | undefined;
            for (const r of c.ranges) {
              const p = parseEntry(r.text);
              if (p.kind !== 'ok' || !p.set.containsSet(probe)) continue;
              if (min === undefined || p.count < min) min = p.count;
            }
            if (min !== undefined && (best === undefined || min < best)) best = min;
            return min;
          });
          sizes.forEach((s, i) => {
            const expected = s !== undefined && s === best;
            assert.equal(
              served[i]?.served.containsSet(probe),
              expected,
              `address 10.0.0.${x}, connector ${i}`,
            );
          });
        }
      }),
      params(150),
    );
  });

  test('property: the model tree says exactly the served set (the U(L) the rules compute)', () => {
    // Mixed families, so carve-outs cross into IPv4-mapped space and back.
    const range = fc.constantFrom(
      '0.0.0.0-255.255.255.255',
      '::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      '10.0.0.0/8',
      '10.1.0.0/16',
      '203.0.113.0/24',
      '203.0.113.7',
      '2001:db8::/32',
      '2001:db8::1-2001:db8::ff',
      '8.8.8.0/24',
    );
    const conn = fc.record({
      ranges: fc.array(range, { minLength: 1, maxLength: 3 }),
      relay: fc.boolean(),
      enabled: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(conn, { minLength: 1, maxLength: 5 }), (list) => {
        const text = ownExport(
          list.map((c, i) =>
            connector({
              Name: `C${i}`,
              RemoteIPRanges: c.ranges,
              Enabled: c.enabled,
              permissions: c.relay ? [ANON_RELAY] : [],
            }),
          ),
        );
        const file = exchangeFormat.parse('p.exchange.json', text, NO_SIBLINGS);
        const data = exchangeDataOf(file);
        const doc = file.documents[0];
        assert.ok(data !== undefined && doc !== undefined);
        const listeners = viewOf(doc).listeners;
        data.tree.models.forEach((m) => {
          const l = listeners.find((x) => x.path.join('/') === m.path.join('/'));
          assert.ok(l !== undefined);
          const expected =
            m.relays && m.connector.enabled.value ? m.served.served : IntervalSet.EMPTY;
          assert.ok(unauthenticatedRelaySet(l).equals(expected), `connector ${m.connector.name}`);
        });
      }),
      params(100),
    );
  });
});
