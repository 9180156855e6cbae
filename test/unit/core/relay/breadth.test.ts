import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEntry, type ValidEntry } from '../../../../server/src/core/net/entry.js';
import { breadthVerdict, ipv4Embedding } from '../../../../server/src/core/relay/breadth.js';

function ok(text: string): ValidEntry {
  const e = parseEntry(text);
  assert.equal(e.kind, 'ok', text);
  return e as ValidEntry;
}

const relay = { list: 'relay', exposure: 'internet' } as const;

describe('ipv4Embedding (RLY024)', () => {
  const cases: [string, string, string][] = [
    ['64:ff9b::/96', 'NAT64', 'critical'],
    ['2002::/16', '6to4', 'critical'],
    ['::/96', 'IPv4-compatible', 'critical'],
    ['2001::/32', 'Teredo', 'high'],
    ['2001:0:4136:e378::/64', 'Teredo', 'high'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo', 'info'],
    ['64:ff9b::808:808', 'NAT64', 'info'],
    ['2002:c633:6401::/48', '6to4', 'info'],
    ['64:ff9b::808:800/120', 'NAT64', 'medium'],
  ];
  for (const [text, space, severity] of cases) {
    test(`${text} is ${space}, ${severity}`, () => {
      const e = ipv4Embedding(ok(text), relay);
      assert.equal(e?.space, space);
      assert.equal(e?.severity, severity);
    });
  }

  test('the embedded range is judged as one global range, whatever scopes it crosses', () => {
    // 9.255.255.0-10.0.0.255: 512 addresses, a /23 as global space (high), not two /24 parts.
    const e = ipv4Embedding(ok('64:ff9b::9ff:ff00-64:ff9b::a00:ff'), relay);
    assert.equal(e?.embedded, 512n);
    assert.equal(e?.severity, 'high');
  });

  test('::/127 is not IPv4-compatible space', () => {
    assert.equal(ipv4Embedding(ok('::/127'), relay), undefined);
  });

  test('connection lists and internal exposure each lower one step', () => {
    assert.equal(
      ipv4Embedding(ok('2002::/16'), { list: 'connection', exposure: 'internet' })?.severity,
      'high',
    );
    assert.equal(
      ipv4Embedding(ok('2002::/16'), { list: 'connection', exposure: 'internal' })?.severity,
      'medium',
    );
  });
});

describe('breadthVerdict precedence', () => {
  test('::ffff:0:0/96 is RLY011, not RLY024', () => {
    assert.equal(breadthVerdict(ok('::ffff:0:0/96'), relay)?.id, 'RLY011');
  });

  test('one public address is RLY012 in a relay list only', () => {
    assert.equal(breadthVerdict(ok('8.8.8.8'), relay)?.id, 'RLY012');
    assert.equal(breadthVerdict(ok('100.64.0.1'), relay)?.id, 'RLY012');
    assert.equal(
      breadthVerdict(ok('8.8.8.8'), { list: 'connection', exposure: 'internet' }),
      undefined,
    );
    assert.equal(breadthVerdict(ok('192.0.2.1'), relay), undefined);
  });
});
