import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../../server/src/core/parse/index.js';
import {
  addressesWord,
  comparableSet,
  domainKey,
  everyEntry,
  isDenyList,
  listRole,
  passesAddressPattern,
  removeEntryFix,
} from '../../../../server/src/core/relay/list-entries.js';
import { viewOf } from '../../../../server/src/core/relay/view.js';
import { applyEdits } from '../../../../server/src/core/fix/apply.js';
import { V4_ALL } from '../../../../server/src/core/net/scope.js';

const TEXT = `version: 1
servers:
  - name: S
    listeners:
      - name: L
        connection:
          mode: allExcept
          list:
            - 10.9.0.0/16
        authentication:
          anonymous: false
        relay:
          mode: onlyList
          list:
            - 10.0.0.1
            - { domain: App.Example.com. }
            - "::/0"
            - "fe80::1%11"
            - 10.0.0.5/24
`;

function load(text = TEXT) {
  const file = parseConfig('t.relay.yaml', text);
  const doc = file.documents[0];
  assert.ok(doc);
  return { file, doc, view: viewOf(doc) };
}

describe('everyEntry', () => {
  test('walks relay and connection lists in either mode', () => {
    const { view } = load();
    const seen = [...everyEntry(view)].map((e) => `${e.list.kind}:${e.entry.index}`);
    assert.deepEqual(seen, ['relay:0', 'relay:1', 'relay:2', 'relay:3', 'relay:4', 'connection:0']);
  });

  test('isDenyList and listRole follow the mode', () => {
    const { view } = load();
    const l = view.listeners[0];
    assert.ok(l?.relay && l.connection);
    assert.equal(isDenyList(l.relay), false);
    assert.equal(isDenyList(l.connection), true);
    assert.equal(listRole(l.relay), 'relay allow list');
    assert.equal(listRole(l.connection), 'connection deny list');
  });
});

describe('comparableSet', () => {
  const entries = () => [...everyEntry(load().view)].map((e) => e.entry);

  test('an IPv4 entry compares by its set', () => {
    const [v4] = entries();
    assert.ok(v4);
    assert.equal(comparableSet(v4, 'other')?.count(), 1n);
  });

  test('an IPv6 entry is compared without the IPv4 part of the unified space', () => {
    const any6 = entries()[2];
    assert.ok(any6);
    const set = comparableSet(any6, 'other');
    assert.ok(set);
    assert.equal(set.overlaps(V4_ALL), false);
  });

  test('domain, zoned entries and Postfix host bits are not comparable', () => {
    const [, domain, , zoned, hostBits] = entries();
    assert.ok(domain && zoned && hostBits);
    assert.equal(comparableSet(domain, 'other'), undefined);
    assert.equal(comparableSet(zoned, 'other'), undefined);
    assert.equal(comparableSet(hostBits, 'postfix'), undefined);
    assert.equal(comparableSet(hostBits, 'exchange')?.count(), 256n);
  });

  test('domainKey ignores case and a trailing dot', () => {
    const domain = entries()[1];
    assert.ok(domain);
    assert.equal(domainKey(domain), 'app.example.com');
  });
});

describe('removeEntryFix', () => {
  test('removes the item and leaves a file that parses', () => {
    const { file, doc, view } = load();
    const l = view.listeners[0];
    const e = l?.relay?.entries[0];
    assert.ok(l?.relay && e);
    const [fix] = removeEntryFix(file, doc, l.relay, e, { safe: true, preferred: true });
    assert.ok(fix);
    assert.equal(fix.title, 'Remove "10.0.0.1" from the relay list');
    const after = applyEdits(file.text, fix.edits).text;
    assert.ok(!after.includes('- 10.0.0.1\n'));
    assert.deepEqual(parseConfig('t.relay.yaml', after).problems, []);
  });
});

describe('passesAddressPattern and addressesWord', () => {
  test('the schema pattern admits address characters only', () => {
    assert.equal(passesAddressPattern('10.0.0.0/24'), true);
    assert.equal(passesAddressPattern('fe80::1%eth0'), true);
    assert.equal(passesAddressPattern('1.2.3'), true);
    assert.equal(passesAddressPattern('app01.corp.example.com'), false);
    assert.equal(passesAddressPattern('10.0.0.1 /24'), false);
  });

  test('addressesWord', () => {
    assert.equal(addressesWord(1n), 'address');
    assert.equal(addressesWord(256n), '256 addresses');
  });
});
