import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEntry } from '../../../../server/src/core/net/entry.js';
import {
  BUILTIN_TRUSTED,
  describeCount,
  splitByScope,
} from '../../../../server/src/core/net/scope.js';

function parts(text: string): string[] {
  const e = parseEntry(text);
  if (e.kind !== 'ok') throw new Error(text);
  return splitByScope(e.set).map((p) => `${p.scope}/${p.family}/${p.prefix}`);
}

function trusted(text: string): boolean {
  const e = parseEntry(text);
  if (e.kind !== 'ok') throw new Error(text);
  return BUILTIN_TRUSTED.containsSet(e.set);
}

describe('scopes', () => {
  test('IPv4 blocks', () => {
    assert.deepEqual(parts('10.0.0.0/8'), ['private/4/8']);
    assert.deepEqual(parts('100.64.0.0/10'), ['cgnat/4/10']);
    assert.deepEqual(parts('169.254.1.0/24'), ['link-local/4/24']);
    assert.deepEqual(parts('127.0.0.1'), ['loopback/4/32']);
    assert.deepEqual(parts('192.0.2.0/24'), ['special/4/24']);
    assert.deepEqual(parts('8.8.8.8'), ['global/4/32']);
  });

  test('a range crossing scopes is split, each part judged by its own size', () => {
    assert.deepEqual(parts('10.255.255.0-11.0.0.255'), ['private/4/24', 'global/4/24']);
    assert.deepEqual(parts('10.0.0.0/7'), ['private/4/8', 'global/4/8']);
  });

  test('IPv6 blocks and IPv4-mapped space', () => {
    assert.deepEqual(parts('fd00::/8'), ['ula/6/8']);
    assert.deepEqual(parts('fe80::/10'), ['link-local/6/10']);
    assert.deepEqual(parts('2001:db8::/32'), ['special/6/32']);
    assert.deepEqual(parts('64:ff9b::/96'), ['nat64/6/96']);
    assert.deepEqual(parts('2400:cb00::/32'), ['global/6/32']);
    assert.deepEqual(parts('::ffff:192.168.0.0/112'), ['private/4/16']);
  });

  test('trusted by default: loopback, RFC 1918, ULA, link-local; not CGNAT', () => {
    for (const t of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.0.0/16',
      '192.168.0.0/16',
      'fd00::1',
      'fe80::1',
      '::1',
      '169.254.0.1',
    ]) {
      assert.ok(trusted(t), t);
    }
    for (const t of ['100.64.0.1', '8.8.8.8', '2001:db8::1', '172.32.0.1'])
      assert.ok(!trusted(t), t);
  });

  test('counts read well', () => {
    assert.equal(describeCount(16777216n), '16,777,216');
    assert.equal(describeCount(1n << 64n), '2^64');
    assert.equal(describeCount((1n << 127n) + 5n), 'about 2^127');
  });
});
