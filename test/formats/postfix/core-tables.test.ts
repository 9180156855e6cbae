import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  explainPostfix,
  instanceFromTexts,
  traceForFile,
} from '../../../server/src/core/formats/postfix/explain.js';
import {
  accessAction,
  mynetworksInfo,
  openTable,
  tableLookup,
} from '../../../server/src/core/formats/postfix/tables.js';

const FILES: Record<string, string> = {
  '/etc/postfix/clients.cidr': [
    '# comment',
    '10.0.0.0/8      OK',
    '10.1.2.3/24     REJECT',
    '192.0.2.0/24    REJECT spam source',
    '!172.16.0.0/12  DUNNO',
    '[2001:db8::]/32 OK',
    '10.9.9.9',
  ].join('\n'),
  '/etc/postfix/access': 'example.com OK\n10.1 REJECT\n',
  'relative.cidr': '127.0.0.0/8 OK\n',
};

function instance(main = 'compatibility_level = 3.6\n') {
  return instanceFromTexts(main, undefined, (p) => FILES[p]);
}

describe('cidr tables', () => {
  test('rules, spans, and the rules Postfix skips (host bits, no result)', () => {
    const t = openTable(instance(), 'cidr:/etc/postfix/clients.cidr');
    assert.equal(t.kind, 'cidr');
    if (t.kind !== 'cidr') return;
    const text = FILES['/etc/postfix/clients.cidr'] ?? '';
    assert.deepEqual(
      t.rules.map((r) => [r.pattern, r.value, r.skipped !== undefined, r.line]),
      [
        ['10.0.0.0/8', 'OK', false, 2],
        ['10.1.2.3/24', 'REJECT', true, 3],
        ['192.0.2.0/24', 'REJECT spam source', false, 4],
        ['172.16.0.0/12', 'DUNNO', false, 5],
        ['[2001:db8::]/32', 'OK', false, 6],
        ['10.9.9.9', '', true, 7],
      ],
    );
    const hb = t.rules[1];
    assert.equal(hb?.parsed.hostBits, true);
    assert.equal(text.slice(hb?.span.start, hb?.span.end), '10.1.2.3/24     REJECT');
    assert.equal(t.rules[3]?.negated, true);
  });

  test('lookups: first match, negation, families', () => {
    const t = openTable(instance(), 'cidr:/etc/postfix/clients.cidr');
    const v = (k: string): string | undefined => {
      const r = tableLookup(t, k, false);
      return r.kind === 'found' ? r.value : r.kind;
    };
    assert.equal(v('10.1.2.3'), 'OK');
    assert.equal(v('192.0.2.9'), 'REJECT spam source');
    assert.equal(v('198.51.100.1'), 'DUNNO');
    assert.equal(v('172.16.0.1'), 'miss');
    assert.equal(v('2001:db8::1'), 'OK');
    assert.equal(v('2001:db9::1'), 'miss');
    assert.equal(tableLookup(t, '10.1.2.3', true).kind, 'miss');
  });

  test('inline cidr, inline, static, texthash, relative paths, unknown and unsupported types', () => {
    const i = instance();
    const ic = openTable(i, 'cidr:{{10.0.0.0/8 OK}, {192.0.2.1 REJECT}}');
    assert.equal(ic.kind, 'cidr');
    assert.equal(tableLookup(ic, '10.2.3.4', false).kind, 'found');
    const inl = openTable(i, 'inline:{ A.example=OK, { b.example = REJECT go away } }');
    assert.deepEqual(tableLookup(inl, 'a.example', false), {
      kind: 'found',
      value: 'OK',
      key: 'a.example',
    });
    assert.deepEqual(tableLookup(inl, 'B.example', true), {
      kind: 'found',
      value: 'REJECT go away',
      key: 'B.example',
    });
    assert.deepEqual(tableLookup(openTable(i, 'static:{ REJECT no }'), 'x', true), {
      kind: 'found',
      value: 'REJECT no',
      key: 'x',
    });
    assert.equal(tableLookup(openTable(i, 'hash:/etc/postfix/access'), '10.1', true).kind, 'found');
    assert.equal(tableLookup(openTable(i, 'cidr:relative.cidr'), '127.0.0.1', false).kind, 'found');
    assert.equal(openTable(i, 'hash:/etc/postfix/missing').kind, 'unknown');
    assert.equal(openTable(i, 'pcre:/etc/postfix/x.pcre').kind, 'unknown');
    assert.equal(openTable(i, 'chash:/etc/postfix/x').kind, 'broken');
    assert.equal(openTable(i, '::1/128').kind, 'fatal');
    assert.equal(openTable(i, '2001:db8::/32').kind, 'broken');
  });
});

test('a table line that starts with whitespace continues the previous rule, as Postfix reads it', () => {
  const i = instanceFromTexts('compatibility_level = 3.6\n', undefined, (p) =>
    p === '/t.cidr' ? '10.0.0.0/8 REJECT\n  192.0.2.0/24 OK\n' : undefined,
  );
  const t = openTable(i, 'cidr:/t.cidr');
  assert.equal(t.kind === 'cidr' ? t.rules.length : -1, 1);
  assert.equal(tableLookup(t, '192.0.2.1', false).kind, 'miss');
});

describe('access(5) results', () => {
  test('actions', () => {
    assert.deepEqual(accessAction('OK'), { kind: 'ok' });
    assert.deepEqual(accessAction('relay'), { kind: 'ok' });
    assert.deepEqual(accessAction('200'), { kind: 'ok' });
    assert.deepEqual(accessAction('DUNNO'), { kind: 'dunno' });
    assert.deepEqual(accessAction('REJECT spam'), { kind: 'reject', code: 'map-reject' });
    assert.deepEqual(accessAction('550 go away'), { kind: 'reject', code: '550' });
    assert.deepEqual(accessAction('450 later'), { kind: 'defer', code: '450' });
    assert.deepEqual(accessAction('WARN x'), { kind: 'dunno' });
    assert.deepEqual(accessAction('permit_mynetworks, reject'), {
      kind: 'restrictions',
      items: ['permit_mynetworks', 'reject'],
    });
    assert.deepEqual(accessAction('static:OK'), { kind: 'other', text: 'static:OK' });
  });
});

describe('mynetworks patterns', () => {
  test('classification of every notation', () => {
    const i = instance(
      'compatibility_level = 3.6\nmynetworks = 10.0.0.0/8 !10.1.0.0/16 [::1]/128 10.1.2.3/24 ::1/128 2001:db8::/32 cidr:/etc/postfix/clients.cidr /etc/postfix/list mail.example.com 010.0.0.1\n',
    );
    const info = mynetworksInfo(i, i.listeners[0]);
    assert.deepEqual(
      info.entries.map((e) => [e.item.text, e.kind, e.negated, e.modelText ?? null]),
      [
        ['10.0.0.0/8', 'cidr', false, '10.0.0.0/8'],
        ['!10.1.0.0/16', 'cidr', true, '10.1.0.0/16'],
        ['[::1]/128', 'cidr', false, '::1/128'],
        ['10.1.2.3/24', 'hostbits', false, '10.1.2.0/24'],
        ['::1/128', 'bad-v6', false, null],
        ['2001:db8::/32', 'bad-v6', false, null],
        ['cidr:/etc/postfix/clients.cidr', 'table', false, null],
        ['/etc/postfix/list', 'file', false, null],
        ['mail.example.com', 'hostname', false, null],
        ['010.0.0.1', 'hostname', false, null],
      ],
    );
    assert.match(info.fatal ?? '', /expecting "type:name"/);
    assert.match(info.unknown ?? '', /\/etc\/postfix\/list/);
  });
});

describe('traces', () => {
  test('an -o override is located in master.cf; traceForFile re-labels by the linted file', () => {
    const main = 'compatibility_level = 3.6\nmynetworks = 127.0.0.0/8\n';
    const master =
      'submission inet n - y - - smtpd\n  -o smtpd_relay_restrictions=permit_mynetworks,reject\n';
    const [a] = explainPostfix(main, master, {
      client: '127.0.0.1',
      to: 'u@relay-lint.invalid',
      from: 'p@relay-lint.invalid',
      auth: false,
    });
    assert.ok(a);
    assert.equal(a.outcome, 'allow');
    const fromMaster = a.trace.find((t) => t.item === 'permit_mynetworks');
    assert.equal(fromMaster?.file, 'master.cf');
    assert.equal(master.slice(fromMaster?.span?.start, fromMaster?.span?.end), 'permit_mynetworks');
    const inMain = traceForFile(a, 'main.cf');
    assert.equal(inMain.trace.find((t) => t.item === 'permit_mynetworks')?.file, 'master.cf');
    const inMaster = traceForFile(a, 'master.cf');
    assert.equal(inMaster.trace.find((t) => t.item === 'permit_mynetworks')?.file, undefined);
    const net = inMaster.trace.find((t) => t.item.startsWith('mynetworks '));
    assert.equal(net?.file, 'main.cf');
  });
});
