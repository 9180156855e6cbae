import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { instanceFromTexts } from '../../../server/src/core/formats/postfix/explain.js';
import type { PostfixInstance } from '../../../server/src/core/formats/postfix/model.js';
import { evaluate, unauthRelaySet } from '../../../server/src/core/formats/postfix/restrictions.js';
import { IntervalSet, V4_BASE } from '../../../server/src/core/net/interval-set.js';
import { formatAddress } from '../../../server/src/core/net/ip.js';

const TABLES: Record<string, string> = {
  '/etc/postfix/clients.cidr': [
    '# clients',
    '192.0.2.0/24 OK',
    '!10.0.0.0/8 DUNNO',
    '10.9.0.0/16 REJECT',
    '10.1.2.3/24 REJECT',
    '2001:db8::/48 OK',
  ].join('\n'),
};

const CONFIGS: Readonly<Record<string, string>> = {
  'mynetworks list with negation': [
    'compatibility_level = 3.6',
    'mynetworks = 127.0.0.0/8, !10.1.0.0/16, 10.0.0.0/8, [2001:db8::]/32, 198.51.100.7',
  ].join('\n'),
  'host bits in the middle': [
    'compatibility_level = 3.6',
    'mynetworks = 127.0.0.0/8, 10.1.2.3/24, 172.16.0.0/12',
  ].join('\n'),
  'client access table before the guard': [
    'compatibility_level = 3.6',
    'mynetworks = 127.0.0.0/8',
    'smtpd_relay_restrictions = check_client_access cidr:/etc/postfix/clients.cidr, permit_mynetworks, reject_unauth_destination',
  ].join('\n'),
  'open to all IPv4': ['compatibility_level = 2', 'mynetworks = 0.0.0.0/0'].join('\n'),
  'legacy recipient list, client reject first': [
    'compatibility_level = 3.6',
    'smtpd_relay_restrictions =',
    'mynetworks = 10.0.0.0/8',
    'smtpd_client_restrictions = check_client_access inline:{10.5=REJECT, 10.6.7.8=OK}',
    'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination',
  ].join('\n'),
};

function inst(main: string): PostfixInstance {
  return instanceFromTexts(main, undefined, (p) => TABLES[p]);
}

const v4 = fc
  .oneof(
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.integer({ min: 0x0a000000, max: 0x0affffff }),
    fc.integer({ min: 0x0a010000, max: 0x0a0200ff }),
    fc.integer({ min: 0xc0000200, max: 0xc00002ff }),
  )
  .map((n) => V4_BASE + BigInt(n));
const v6 = fc
  .tuple(
    fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }),
    fc.constantFrom(0x20010db8n, 0x20010db9n, 0n),
  )
  .map(([low, top]) => (top << 96n) | low);
const address = fc.oneof(v4, v4, v6);

describe('U(L) agrees with per-address evaluation', () => {
  for (const [name, main] of Object.entries(CONFIGS)) {
    test(name, () => {
      const i = inst(main);
      const l = i.listeners[0];
      assert.ok(l);
      const u = unauthRelaySet(i, l);
      assert.deepEqual(u.unknown, []);
      fc.assert(
        fc.property(address, (value) => {
          const family = value >= V4_BASE && value <= V4_BASE + 0xffffffffn ? 4 : 6;
          const client = formatAddress(value, family);
          const a = evaluate(i, l, {
            client,
            to: 'user@relay-lint.invalid',
            from: 'probe@relay-lint.invalid',
            auth: false,
          });
          const inSet = u.set.overlaps(IntervalSet.of(value, value));
          assert.equal(inSet, a.outcome === 'allow', `${client}: ${a.outcome} ${a.reason}`);
        }),
        { numRuns: 300 },
      );
    });
  }

  test('the permits name the items that admit each part', () => {
    const i = inst(CONFIGS['mynetworks list with negation'] as string);
    const l = i.listeners[0];
    assert.ok(l);
    const u = unauthRelaySet(i, l);
    assert.deepEqual(u.permits.map((p) => p.item.text).sort(), ['permit_mynetworks']);
    // 10.0.0.0/8 minus 10.1.0.0/16, 127/8, 198.51.100.7 and 2001:db8::/32.
    const expected = (1n << 24n) - (1n << 16n) + (1n << 24n) + 1n + (1n << 96n);
    assert.equal(u.set.count(), expected);
  });

  test('a service that does not start relays for nobody', () => {
    const i = inst('compatibility_level = 3.6\nsmtpd_relay_restrictions = permit\n');
    const l = i.listeners[0];
    assert.ok(l);
    const u = unauthRelaySet(i, l);
    assert.ok(u.serviceDown !== undefined);
    assert.ok(u.set.isEmpty());
  });

  test('unknown inputs are reported, not guessed', () => {
    const i = inst('compatibility_level = 3.6\n');
    const l = i.listeners[0];
    assert.ok(l);
    const u = unauthRelaySet(i, l);
    assert.ok(u.unknown.some((r) => /mynetworks_style/.test(r)));
    assert.ok(!u.maybe.isEmpty());
  });

  test('relay_domains = static:ALL: everyone relays, and the permit is the relay_domains item', () => {
    const text =
      'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\nrelay_domains = static:ALL\n';
    const i = inst(text);
    const l = i.listeners[0];
    assert.ok(l);
    const u = unauthRelaySet(i, l);
    assert.ok(u.set.equals(IntervalSet.ALL));
    const items = u.permits.map((p) => p.item.text).sort();
    assert.deepEqual(items, ['permit_mynetworks', 'static:ALL']);
    const all = u.permits.find((p) => p.item.text === 'static:ALL');
    assert.equal(text.slice(all?.item.span.start, all?.item.span.end), 'static:ALL');
  });

  test('DISCARD answers 250 and skips the rest, but relays nothing', () => {
    const i = inst(
      'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = check_client_access static:DISCARD, reject_unauth_destination\nsmtpd_recipient_restrictions = reject\n',
    );
    const l = i.listeners[0];
    assert.ok(l);
    const a = evaluate(i, l, {
      client: '192.0.2.1',
      to: 'user@relay-lint.invalid',
      from: 'p@relay-lint.invalid',
      auth: false,
    });
    assert.equal(a.outcome, 'allow');
    assert.equal(a.discarded, true);
    assert.equal(a.decidedBy?.text, 'static:DISCARD');
    assert.ok(unauthRelaySet(i, l).set.isEmpty());
  });

  test('sender access OK before the guard: anyone who forges the sender relays', () => {
    const i = inst(
      'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\nsmtpd_relay_restrictions = check_sender_access inline:{client.example=OK}, reject_unauth_destination\n',
    );
    const l = i.listeners[0];
    assert.ok(l);
    const u = unauthRelaySet(i, l);
    assert.ok(u.set.equals(IntervalSet.ALL));
    assert.equal(u.permits[0]?.item.text, 'inline:{client.example=OK}');
  });
});

describe('mynetworks: first match wins (the evaluator looks plain entries up in an index)', () => {
  /** A network of 10.0.0.0/8 in Postfix notation, host bits cleared. */
  const network = fc
    .tuple(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom(8, 16, 24, 32),
    )
    .map(([a, b, len]) => {
      const value = (10 << 24) | (a << 16) | (b << 8) | 1;
      const mask = (0xffffffff << (32 - len)) >>> 0;
      const net = (value & mask) >>> 0;
      return { net, len, text: `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${len}` };
    });
  const entry = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.boolean(), network).map(([neg, n]) => ({ ...n, neg })) },
    { weight: 1, arbitrary: fc.constant('name' as const) },
  );

  test('the answer is the first entry that holds the client, as in a walk in order', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 255 }),
        (entries, a, b, c) => {
          const text = entries
            .map((e) => (e === 'name' ? 'mail.example.com' : `${e.neg ? '!' : ''}${e.text}`))
            .join(', ');
          const i = inst(`compatibility_level = 3.6\nmynetworks = ${text}\n`);
          const l = i.listeners[0];
          assert.ok(l);
          const client = ((10 << 24) | (a << 16) | (b << 8) | c) >>> 0;
          // The reference: walk the entries in order; a name pattern needs the client's name,
          // which the question does not give.
          let expected: 'allow' | 'deny' | 'unknown' = 'deny';
          for (const e of entries) {
            if (e === 'name') {
              expected = 'unknown';
              break;
            }
            const mask = (0xffffffff << (32 - e.len)) >>> 0;
            if ((client & mask) >>> 0 !== e.net) continue;
            expected = e.neg ? 'deny' : 'allow';
            break;
          }
          const answer = evaluate(i, l, {
            client: [24, 16, 8, 0].map((s) => (client >>> s) & 255).join('.'),
            to: 'user@relay-lint.invalid',
            from: 'probe@relay-lint.invalid',
            auth: false,
          });
          assert.equal(answer.outcome, expected, `${text}: ${answer.reason}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('20,000 entries: the last one still answers (one index, no walk per cell)', () => {
    const items: string[] = [];
    for (let n = 0; n < 20_000; n++) items.push(`10.${(n >> 8) & 255}.${n & 255}.0/24`);
    const i = inst(`compatibility_level = 3.6\nmynetworks = ${items.join(', ')}, 0.0.0.0/0\n`);
    const l = i.listeners[0];
    assert.ok(l);
    const u = unauthRelaySet(i, l);
    // 0.0.0.0/0 comes last: every IPv4 client relays, through permit_mynetworks.
    assert.ok(u.set.overlaps(IntervalSet.of(V4_BASE + 0x08080808n, V4_BASE + 0x08080808n)));
    assert.deepEqual(
      u.permits.map((p) => p.item.text),
      ['permit_mynetworks'],
    );
  });
});
