import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEntry } from '../../../../server/src/core/net/entry.js';
import type { IntervalSet } from '../../../../server/src/core/net/interval-set.js';
import { parseConfig } from '../../../../server/src/core/parse/index.js';
import {
  connSet,
  reachSet,
  relaySet,
  trustModel,
  unauthenticatedRelaySet,
  untrusted,
} from '../../../../server/src/core/relay/analysis.js';
import { type ListenerView, viewOf } from '../../../../server/src/core/relay/view.js';

function listener(yaml: string): ListenerView {
  const text = `version: 1\nservers:\n  - name: S\n    listeners:\n      - name: L\n${yaml.replace(/^/gm, '        ')}\n`;
  const f = parseConfig('t.relay.yaml', text);
  assert.deepEqual(f.problems, []);
  const doc = f.documents[0];
  assert.ok(doc);
  const l = viewOf(doc).listeners[0];
  assert.ok(l);
  return l;
}

function set(text: string): IntervalSet {
  const e = parseEntry(text);
  if (e.kind !== 'ok') throw new Error(text);
  return e.set;
}

const trust = trustModel();

describe('U(L): who may relay without authenticating', () => {
  test('allExcept with an empty list and anonymous on: everything', () => {
    const l = listener('authentication: { anonymous: true }\nrelay: { mode: allExcept, list: [] }');
    assert.equal(unauthenticatedRelaySet(l).count(), 1n << 128n);
    assert.ok(!untrusted(unauthenticatedRelaySet(l), trust).isEmpty());
  });

  test('anonymous off: nobody relays unauthenticated', () => {
    const l = listener(
      'authentication: { anonymous: false }\nrelay: { mode: allExcept, list: [] }',
    );
    assert.ok(unauthenticatedRelaySet(l).isEmpty());
  });

  test('a disabled listener relays for nobody', () => {
    const l = listener(
      'enabled: false\nauthentication: { anonymous: true }\nrelay: { mode: allExcept }',
    );
    assert.ok(unauthenticatedRelaySet(l).isEmpty());
  });

  test('connection control intersects the relay grant', () => {
    const l = listener(
      'connection: { mode: onlyList, list: [10.1.1.0/28] }\nauthentication: { anonymous: true }\nrelay: { mode: onlyList, list: [0.0.0.0/0] }',
    );
    assert.ok(connSet(l).equals(set('10.1.1.0/28')));
    assert.ok(unauthenticatedRelaySet(l).equals(set('10.1.1.0/28')));
    assert.ok(untrusted(unauthenticatedRelaySet(l), trust).isEmpty());
  });

  test('connection allExcept removes the listed addresses', () => {
    const l = listener(
      'connection: { mode: allExcept, list: [8.8.8.8] }\nauthentication: { anonymous: true }\nrelay: { mode: onlyList, list: [8.8.8.8/30] }',
    );
    assert.equal(unauthenticatedRelaySet(l).count(), 3n);
  });

  test('loopback-only bindings limit reach to loopback', () => {
    const l = listener(
      'bindings: ["127.0.0.1:25", "[::1]:25"]\nauthentication: { anonymous: true }\nrelay: { mode: allExcept }',
    );
    assert.ok(untrusted(unauthenticatedRelaySet(l), trust).isEmpty());
    assert.equal(reachSet(l).count(), (1n << 24n) + 1n);
  });

  test('one non-loopback binding exposes everything', () => {
    const l = listener(
      'bindings: ["127.0.0.1:25", "0.0.0.0:25"]\nauthentication: { anonymous: true }\nrelay: { mode: allExcept }',
    );
    assert.equal(reachSet(l).count(), 1n << 128n);
  });

  test('domain entries are not part of the address sets', () => {
    const l = listener(
      'authentication: { anonymous: true }\nrelay: { mode: onlyList, list: [{ domain: a.example.com }, 10.0.0.1] }',
    );
    assert.equal(relaySet(l).count(), 1n);
  });

  test('trusted networks from the configuration file are trusted', () => {
    const l = listener(
      'authentication: { anonymous: true }\nrelay: { mode: onlyList, list: [203.0.113.0/28] }',
    );
    assert.ok(!untrusted(unauthenticatedRelaySet(l), trust).isEmpty());
    assert.ok(untrusted(unauthenticatedRelaySet(l), trustModel([set('203.0.113.0/28')])).isEmpty());
  });

  test('CGNAT is not trusted', () => {
    const l = listener(
      'authentication: { anonymous: true }\nrelay: { mode: onlyList, list: [100.64.0.0/10] }',
    );
    assert.equal(untrusted(unauthenticatedRelaySet(l), trust).count(), 1n << 22n);
  });
});
