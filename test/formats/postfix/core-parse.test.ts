import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  explainPostfix,
  instanceFromTexts,
} from '../../../server/src/core/formats/postfix/explain.js';
import { unauthRelaySet } from '../../../server/src/core/formats/postfix/restrictions.js';
import { parseMainCf, visible } from '../../../server/src/core/formats/postfix/main-cf.js';
import { parseMasterCf } from '../../../server/src/core/formats/postfix/master-cf.js';
import type { MainCf, PfParamDef } from '../../../server/src/core/formats/postfix/model.js';
import type { Span } from '../../../server/src/core/model.js';

function slice(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

function param(cf: MainCf, name: string): PfParamDef {
  const p = cf.params.get(name);
  assert.ok(p, `${name} should be defined`);
  return p;
}

describe('main.cf logical lines', () => {
  test('name = value with spans of name, value and every item', () => {
    const text = 'mynetworks = 127.0.0.0/8, [::1]/128 10.0.0.0/8\nrelay_domains=example.com\n';
    const cf = parseMainCf(text);
    const p = param(cf, 'mynetworks');
    assert.equal(p.value, '127.0.0.0/8, [::1]/128 10.0.0.0/8');
    assert.equal(slice(text, p.nameSpan), 'mynetworks');
    assert.equal(slice(text, p.valueSpan), p.value);
    assert.deepEqual(
      p.items.map((i) => i.text),
      ['127.0.0.0/8', '[::1]/128', '10.0.0.0/8'],
    );
    for (const i of p.items) assert.equal(slice(text, i.span), i.text);
    assert.equal(param(cf, 'relay_domains').value, 'example.com');
    assert.deepEqual(cf.problems, []);
  });

  test('continuation lines join without the line break; items keep their own spans', () => {
    const text = [
      'smtpd_relay_restrictions =',
      '    permit_mynetworks,',
      '# a comment inside the value does not end it',
      '',
      '\tpermit_sasl_authenticated',
      '  reject_unauth_destination',
      'next = 1',
    ].join('\n');
    const cf = parseMainCf(text);
    const p = param(cf, 'smtpd_relay_restrictions');
    assert.deepEqual(
      p.items.map((i) => i.text),
      ['permit_mynetworks', 'permit_sasl_authenticated', 'reject_unauth_destination'],
    );
    for (const i of p.items) assert.equal(slice(text, i.span), i.text);
    assert.equal(cf.comments.length, 1);
    assert.equal(cf.comments[0]?.text, ' a comment inside the value does not end it');
    assert.equal(param(cf, 'next').value, '1');
    // The definition's line span covers every physical line up to the next definition.
    assert.ok(slice(text, p.lineSpan).endsWith('reject_unauth_destination\n'));
  });

  test('`#` is a comment only as the first non-blank character', () => {
    const text = 'smtpd_banner = $myhostname # not a comment\n  # indented comment\n';
    const cf = parseMainCf(text);
    assert.equal(param(cf, 'smtpd_banner').value, '$myhostname # not a comment');
    assert.equal(cf.comments.length, 1);
    assert.equal(slice(text, cf.comments[0]?.span ?? { start: 0, end: 0 }), '# indented comment');
  });

  test('CRLF line ends: the value has no CR, spans still slice back', () => {
    const text = 'mynetworks = 10.0.0.0/8,\r\n  192.168.0.0/16\r\ncompatibility_level = 3.6\r\n';
    const cf = parseMainCf(text);
    const p = param(cf, 'mynetworks');
    assert.deepEqual(
      p.items.map((i) => i.text),
      ['10.0.0.0/8', '192.168.0.0/16'],
    );
    for (const i of p.items) assert.equal(slice(text, i.span), i.text);
    assert.equal(param(cf, 'compatibility_level').value, '3.6');
  });

  test('a byte order mark sticks to the first name, as Postfix reads it', () => {
    const text = '\uFEFFmynetworks = 0.0.0.0/0\nrelay_domains =\n';
    const cf = parseMainCf(text);
    assert.equal(cf.params.has('mynetworks'), false);
    assert.equal(cf.params.has('\uFEFFmynetworks'), true);
    assert.equal(cf.warnings.length, 1);
    assert.equal(param(cf, 'relay_domains').value, '');
  });

  test('duplicates: the later definition wins, all are kept', () => {
    const text = 'mynetworks = 10.0.0.0/8\nmynetworks = 127.0.0.0/8\n';
    const cf = parseMainCf(text);
    assert.equal(param(cf, 'mynetworks').value, '127.0.0.0/8');
    assert.deepEqual(
      cf.defs.filter((d) => d.name === 'mynetworks').map((d) => d.value),
      ['10.0.0.0/8', '127.0.0.0/8'],
    );
  });

  test('a line without "=" is a problem at that line', () => {
    const text = 'mynetworks 10.0.0.0/8\n= value\nok = 1\n';
    const cf = parseMainCf(text);
    assert.equal(cf.problems.length, 2);
    assert.equal(
      slice(text, cf.problems[0]?.span ?? { start: 0, end: 0 }),
      'mynetworks 10.0.0.0/8',
    );
    assert.match(
      cf.problems[0]?.message ?? '',
      /^This main\.cf line has no "=" after "mynetworks"/,
    );
    assert.match(cf.problems[1]?.message ?? '', /no parameter name before "="/);
    for (const p of cf.problems) assert.match(p.message, /^[A-Z].*\.$/);
    assert.equal(param(cf, 'ok').value, '1');
  });

  test('a byte order mark before a comment is a problem on line 1 that names the mark', () => {
    const text = '\uFEFF# Postfix main.cf\r\nmynetworks = 127.0.0.0/8\r\n';
    const cf = parseMainCf(text);
    assert.equal(cf.problems.length, 1);
    const p = cf.problems[0];
    assert.ok(p !== undefined);
    assert.match(
      p.message,
      /^Line 1 begins with a byte order mark \(U\+FEFF\).*"# Postfix main\.cf"/,
    );
    assert.doesNotMatch(p.message, /\uFEFF/, 'the invisible mark is named, not shown');
    assert.match(p.message, /\.$/);
    assert.ok(p.span.end <= text.indexOf('\r'));
  });

  test('visible() names invisible characters', () => {
    assert.equal(visible('\uFEFFa\u200Bb\tc'), '<U+FEFF>a<U+200B>b\tc');
    assert.equal(visible('plain = text'), 'plain = text');
  });

  test('a leading-whitespace line with nothing before it is skipped with a warning', () => {
    const cf = parseMainCf('   orphan = 1\nx = 2\n');
    assert.equal(cf.params.has('orphan'), false);
    assert.equal(cf.warnings.length, 1);
    assert.equal(param(cf, 'x').value, '2');
  });

  test('braces keep inline tables whole', () => {
    const text =
      'smtpd_relay_restrictions = check_sender_access inline:{ a.example=OK, b.example=REJECT }, reject\n';
    const cf = parseMainCf(text);
    const items = param(cf, 'smtpd_relay_restrictions').items.map((i) => i.text);
    assert.deepEqual(items, [
      'check_sender_access',
      'inline:{ a.example=OK, b.example=REJECT }',
      'reject',
    ]);
  });

  test('empty value has a zero-length span after "="', () => {
    const text = 'mynetworks =\n';
    const p = param(parseMainCf(text), 'mynetworks');
    assert.equal(p.value, '');
    assert.equal(p.items.length, 0);
    assert.equal(p.valueSpan.start, p.valueSpan.end);
  });

  test('a binary file is one problem and nothing else', () => {
    const cf = parseMainCf('\u0000\u0001\u0002garbage\nmynetworks = 0.0.0.0/0\n');
    assert.equal(cf.binary, true);
    assert.equal(cf.problems.length, 1);
    assert.equal(cf.defs.length, 0);
  });

  test('Jinja: {{ }} is an unknown item, {% %} lines are ignored', () => {
    const text = [
      '{% if relay %}',
      'mynetworks = 127.0.0.0/8, {{ trusted_net }}',
      '{% endif %}',
      '{# comment #}',
      'relay_domains = {{ domains | join(", ") }}',
    ].join('\n');
    const cf = parseMainCf(text);
    assert.equal(cf.template, true);
    assert.deepEqual(cf.problems, []);
    const items = param(cf, 'mynetworks').items;
    assert.equal(items.length, 2);
    assert.equal(items[0]?.unknown, undefined);
    assert.ok(items[1]?.unknown !== undefined);
    assert.equal(slice(text, items[1]?.span ?? { start: 0, end: 0 }), '{{ trusted_net }}');
    const rd = param(cf, 'relay_domains').items;
    assert.equal(rd.length, 1);
    assert.equal(slice(text, rd[0]?.span ?? { start: 0, end: 0 }), '{{ domains | join(", ") }}');
  });

  test('a 10 MB main.cf parses in reasonable time', () => {
    const line = 'smtpd_banner = $myhostname ESMTP\n';
    const text = line.repeat(Math.ceil(10_000_000 / line.length));
    const t0 = Date.now();
    const cf = parseMainCf(text);
    assert.equal(cf.params.get('smtpd_banner')?.value, '$myhostname ESMTP');
    // Generous: the machine running the suite may be loaded; a hang or a crash is what this catches.
    assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
  });
});

describe('master.cf', () => {
  test('service lines: eight fields, spans, -o overrides in every form', () => {
    const text = [
      '# comment',
      'smtp      inet  n       -       y       -       -       smtpd',
      'submission inet n       -       y       -       -       smtpd',
      '  -o syslog_name=postfix/submission',
      '  -o { smtpd_relay_restrictions = permit_sasl_authenticated, reject }',
      '  -osmtpd_tls_security_level=encrypt',
      'pickup    unix  n       -       y       60      1       pickup',
    ].join('\n');
    const m = parseMasterCf(text);
    assert.deepEqual(m.problems, []);
    assert.equal(m.services.length, 3);
    const sub = m.services[1];
    assert.ok(sub);
    assert.equal(sub.service.text, 'submission');
    assert.equal(slice(text, sub.command.span), 'smtpd');
    assert.deepEqual(
      sub.overrides.map((o) => [o.name, o.value]),
      [
        ['syslog_name', 'postfix/submission'],
        ['smtpd_relay_restrictions', 'permit_sasl_authenticated, reject'],
        ['smtpd_tls_security_level', 'encrypt'],
      ],
    );
    for (const o of sub.overrides) {
      assert.equal(slice(text, o.nameSpan), o.name);
      assert.equal(slice(text, o.valueSpan), o.value);
      for (const i of o.items) assert.equal(slice(text, i.span), i.text);
      assert.equal(o.file, 'master.cf');
    }
    assert.deepEqual(
      sub.overrides[1]?.items.map((i) => i.text),
      ['permit_sasl_authenticated', 'reject'],
    );
    assert.equal(m.comments.length, 1);
  });

  test('too few columns is a problem at the line', () => {
    const text = 'smtp inet n - y smtpd\nok unix - - n - - ok\n';
    const m = parseMasterCf(text);
    assert.equal(m.problems.length, 1);
    assert.match(m.problems[0]?.message ?? '', /8 fields/);
    assert.equal(slice(text, m.problems[0]?.span ?? { start: 0, end: 0 }), 'smtp inet n - y smtpd');
    assert.equal(m.services.length, 1);
  });

  test('an unbalanced -o { } is a problem', () => {
    const m = parseMasterCf('smtp inet n - y - - smtpd -o { a = b\n');
    assert.equal(m.problems.length, 1);
    assert.equal(
      m.problems[0]?.message,
      'A "-o { … }" value is missing its closing "}": "{ a = b".',
    );
  });

  test('-o { … }: the brace that balances the first one must end the value (extpar)', () => {
    const inner = parseMasterCf('smtp inet n - y - - smtpd\n  -o { mynetworks = { 0.0.0.0/0 }\n');
    assert.equal(inner.problems.length, 1);
    assert.match(inner.problems[0]?.message ?? '', /missing its closing "}"/);
    assert.deepEqual(inner.services[0]?.overrides, []);
    const nested = parseMasterCf('smtp inet n - y - - smtpd\n  -o { a = { b } }\n');
    assert.deepEqual(nested.problems, []);
    assert.equal(nested.services[0]?.overrides[0]?.value, '{ b }');
  });

  test('master.cf problems are sentences', () => {
    const text =
      'smtp inet n - y smtpd\nx bogus n - y - - smtpd\ny inet y - y - - smtpd -o\nz inet n - y - - smtpd -o novalue -o =v -o { a = b\n';
    const m = parseMasterCf(text);
    assert.ok(m.problems.length >= 6, m.problems.map((p) => p.message).join(' | '));
    for (const p of m.problems) assert.match(p.message, /^["A-Z].*\.$/);
  });

  test('CRLF master.cf', () => {
    const text = 'smtp inet n - y - - smtpd\r\n  -o mynetworks=127.0.0.0/8\r\n';
    const m = parseMasterCf(text);
    assert.deepEqual(m.problems, []);
    assert.equal(m.services[0]?.overrides[0]?.value, '127.0.0.0/8');
  });
});

describe('hostile input never throws', () => {
  const words = [
    'mynetworks',
    'smtpd_relay_restrictions',
    'relay_domains',
    'compatibility_level',
    '=',
    ' ',
    '\n',
    '\n  ',
    '\r\n',
    '#',
    '$',
    '${',
    '}',
    '$(',
    ')',
    '{',
    '{{',
    '}}',
    '{%',
    '%}',
    ',',
    '!',
    '[',
    ']',
    '/',
    ':',
    '::1/128',
    '10.0.0.0/8',
    'cidr:/x',
    'inline:{a=OK}',
    'static:ALL',
    'permit',
    'reject',
    'permit_mynetworks',
    'check_client_access',
    '?',
    '\uFEFF',
    '\u0000',
    '-o',
    'smtp',
    'inet',
    'n',
    '-',
    'smtpd',
    '$mynetworks',
    '${a?b}',
    '${a:b}',
    '3.6',
    'x',
  ];
  const text = fc
    .array(fc.constantFrom(...words), { maxLength: 60 })
    .map((parts) => parts.join(''));
  test('parse and explain any mix of Postfix syntax', () => {
    fc.assert(
      fc.property(text, text, fc.string(), (main, master, junk) => {
        for (const m of [main, main + junk]) {
          const answers = explainPostfix(m, master, {
            client: '192.0.2.1',
            to: 'user@relay-lint.invalid',
            from: 'probe@relay-lint.invalid',
            auth: false,
          });
          assert.ok(Array.isArray(answers));
          const inst = instanceFromTexts(m, master);
          for (const l of inst.listeners) assert.ok(unauthRelaySet(inst, l).set !== undefined);
          parseMasterCf(m);
        }
      }),
      { numRuns: 400 },
    );
  });
});
