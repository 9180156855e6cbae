import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { checkFindings, checkFixes } from '../../support/fix-checks.js';
import { iisDataOf, iisFormat } from '../../../server/src/core/formats/iis/format.js';
import { iisBlobHover } from '../../../server/src/core/formats/iis/hover.js';
import { NO_SIBLINGS } from '../../../server/src/core/formats/types.js';
import type { Finding, ParsedFile } from '../../../server/src/core/model.js';
import { toValue } from '../../../server/src/core/tree.js';
import {
  buildList,
  bytesToHex,
  encodeIpSecList,
} from '../../../server/src/core/formats/iis/ipsec-blob.js';
import { CLOSED, custom, lintMetabase, metabase, SALT_127, server, service } from './helpers.js';

// What the reader makes of each §7.3 reading: the synthetic model (through toValue) and where
// the findings land in the metabase text.

function parse(text: string): ParsedFile {
  return iisFormat.parse('MetaBase.xml', text, NO_SIBLINGS);
}

interface Listener {
  name: string;
  bindings?: string[];
  connection?: { mode: string; list: unknown[] };
  authentication: Record<string, boolean>;
  relay: { mode: string; list: unknown[]; allowAuthenticated: boolean };
}

interface Model {
  servers: { name: string; product: string; defaultDomain?: string; listeners: Listener[] }[];
}

function model(text: string): Model {
  const file = parse(text);
  assert.deepEqual(file.problems, []);
  return toValue(file.documents[0]?.root) as Model;
}

function listener(text: string, i = 0): Listener {
  const l = model(text).servers[i]?.listeners[0];
  assert.ok(l !== undefined);
  return l;
}

function at(text: string, f: Finding): string {
  return text.slice(f.span.start, f.span.end);
}

function only(findings: readonly Finding[], id: string): Finding[] {
  return findings.filter((f) => f.ruleId === id);
}

describe('IIS reader: §7.3 readings', () => {
  test('every IIsSmtpServer is a server with one listener; name = ServerComment, else Location', () => {
    const m = model(
      metabase(
        server(1, { ServerComment: '[SMTP Virtual Server #1]' }),
        server(2, {}),
        '<IIsSmtpServer Location="/LM/SmtpSvc/3/Domain/x"></IIsSmtpServer>',
        '<IIsWebServer Location="/LM/W3SVC/1" AuthFlags="1"></IIsWebServer>',
        '<IIsSmtpServer Location="/LM/SmtpSvc/4" ServerComment="self-closing"/>',
      ),
    );
    assert.deepEqual(
      m.servers.map((s) => [s.name, s.product, s.listeners[0]?.name]),
      [
        ['/LM/SmtpSvc/1', 'iis-smtp', '[SMTP Virtual Server #1]'],
        ['/LM/SmtpSvc/2', 'iis-smtp', '/LM/SmtpSvc/2'],
        ['/LM/SmtpSvc/4', 'iis-smtp', 'self-closing'],
      ],
    );
  });

  test('absent RelayIpList = "Only the list below" with no entries (closed)', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous' }));
    assert.deepEqual(listener(text).relay, {
      mode: 'onlyList',
      list: [],
      allowAuthenticated: true,
    });
    const { findings } = lintMetabase(text);
    assert.deepEqual(only(findings, 'RLY001'), []);
    assert.deepEqual(only(findings, 'RLY002'), []);
  });

  test('RelayIpList="" = "All except the list below" with no entries: RLY001 + RLY002 critical at the attribute', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: '' }));
    assert.equal(listener(text).relay.mode, 'allExcept');
    assert.deepEqual(listener(text).relay.list, []);
    const { findings } = lintMetabase(text);
    for (const id of ['RLY001', 'RLY002']) {
      const [f] = only(findings, id);
      assert.ok(f !== undefined, id);
      assert.equal(f.severity, 'critical');
      assert.equal(at(text, f), 'RelayIpList=""');
    }
    assert.match(
      only(findings, 'RLY002')[0]?.message ?? '',
      /All except the list below", with an empty list/,
    );
  });

  test('the placeholder grant 0.0.0.0/255.255.255.255 is an empty "Only the list below"', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: CLOSED }));
    assert.deepEqual(listener(text).relay.list, []);
    assert.equal(listener(text).relay.mode, 'onlyList');
    const { findings } = lintMetabase(text);
    assert.deepEqual(
      findings.filter((f) => ['RLY001', 'RLY002', 'RLY025', 'RLY023'].includes(f.ruleId)),
      [],
    );
  });

  test('grant entries: onlyList, each entry spanning its own hex digits', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: SALT_127 }));
    assert.deepEqual(listener(text).relay.list, ['127.0.0.1']);
    const file = parse(text);
    const data = iisDataOf(file);
    assert.ok(data !== undefined);
    const blob = data.servers[0]?.relay;
    assert.ok(blob !== undefined);
    // The address bytes of 127.0.0.1 are the last 8 hex digits of the value.
    const entry = blob.entries[0];
    assert.ok(entry?.kind === 'address');
    const start = blob.hex.at[entry.offset ?? -1];
    assert.equal(text.slice(start, (start ?? 0) + 8), '7f000001');
  });

  test('a domain-name entry is a { domain } entry (RLY013 at its hex digits)', () => {
    const names =
      '18000080200000802800008030000080010000004400000000000000000000000000000000000000000000000000000001000000010000000300008001000000440000806170702e6578616d706c652e636f6d00';
    const text = metabase(
      server(1, { AuthFlags: 'AuthNTLM', RelayForAuth: '0', RelayIpList: names }),
    );
    assert.deepEqual(listener(text).relay.list, [{ domain: 'app.example.com' }]);
    const [f] = only(lintMetabase(text).findings, 'RLY013');
    assert.ok(f !== undefined);
    assert.equal(Buffer.from(at(text, f), 'hex').toString('latin1'), 'app.example.com');
  });

  test('deny entries: allExcept whose entries are the deny list (RLY003 at the value)', () => {
    const deny =
      '18000080340000803c00008044000080010000004c0000000100000001000000020000000200000004000000000000004c000080000000000000000000000000000000000000000000000000ffffffffc6336407';
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: deny }));
    assert.deepEqual(listener(text).relay, {
      mode: 'allExcept',
      list: ['198.51.100.7'],
      allowAuthenticated: true,
    });
    const [f] = only(lintMetabase(text).findings, 'RLY003');
    assert.ok(f !== undefined);
    assert.equal(at(text, f), deny);
  });

  test('AuthFlags numeric or symbolic; AccessSSLFlags bit 8 = requireTls', () => {
    assert.deepEqual(
      listener(metabase(server(1, { AuthFlags: '6', AccessSSLFlags: '8' }))).authentication,
      {
        anonymous: false,
        basic: true,
        integratedWindows: true,
        requireTls: true,
      },
    );
    assert.deepEqual(
      listener(
        metabase(
          server(1, { AuthFlags: 'AuthBasic | AuthAnonymous', AccessSSLFlags: 'AccessSSL128' }),
        ),
      ).authentication,
      { anonymous: true, basic: true, integratedWindows: false, requireTls: false },
    );
    assert.deepEqual(listener(metabase(server(1, { AuthFlags: '0x4' }))).authentication, {
      anonymous: false,
      basic: false,
      integratedWindows: true,
      requireTls: false,
    });
  });

  test('absent AuthFlags = IIS default (Anonymous only), reported at Location', () => {
    const text = metabase(server(1, {}));
    assert.equal(listener(text).authentication['anonymous'], true);
    const [f] = only(lintMetabase(text).findings, 'RLY004');
    assert.equal(f !== undefined ? at(text, f) : '', '/LM/SmtpSvc/1');
  });

  test('an unknown flag name is one problem at the value', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymus' }));
    const { findings } = lintMetabase(text);
    assert.deepEqual(
      findings.map((f) => f.ruleId),
      ['RLY099'],
    );
    assert.equal(at(text, findings[0] as Finding), 'AuthAnonymus');
  });

  test('RelayForAuth: absent = on, 0 = off, -1 and 1 = on', () => {
    const rfa = (attrs: Record<string, string>): boolean =>
      listener(metabase(server(1, attrs))).relay.allowAuthenticated;
    assert.equal(rfa({}), true);
    assert.equal(rfa({ RelayForAuth: '0' }), false);
    assert.equal(rfa({ RelayForAuth: '-1' }), true);
    assert.equal(rfa({ RelayForAuth: '1' }), true);
    assert.equal(rfa({ RelayForAuth: '4294967295' }), true);
  });

  test('ServerBindings (MULTISZ lines) → bindings; loopback-only keeps the internet out', () => {
    assert.deepEqual(
      listener(metabase(server(1, { ServerBindings: ':25:\n10.0.0.5:587:' }))).bindings,
      ['0.0.0.0:25', '10.0.0.5:587'],
    );
    const text = metabase(
      server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: '', ServerBindings: '127.0.0.1:25:' }),
    );
    const { findings } = lintMetabase(text);
    assert.deepEqual(only(findings, 'RLY001'), []);
    assert.equal(only(findings, 'RLY002')[0]?.severity, 'high');
  });

  test('IPSecurity: absent or empty = no connection control; a blob = the connection list', () => {
    assert.equal(listener(metabase(server(1, {}))).connection, undefined);
    assert.equal(listener(metabase(server(1, { IPSecurity: '' }))).connection, undefined);
    assert.deepEqual(listener(metabase(server(1, { IPSecurity: SALT_127 }))).connection, {
      mode: 'onlyList',
      list: ['127.0.0.1'],
    });
    // Connection control that admits only loopback keeps RelayIpList="" from being open.
    const text = metabase(
      server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: '', IPSecurity: SALT_127 }),
    );
    const { findings } = lintMetabase(text);
    assert.deepEqual(only(findings, 'RLY001'), []);
    assert.match(only(findings, 'RLY002')[0]?.message ?? '', /Connection control \(IPSecurity\)/);
  });

  test('DefaultDomain → the server defaultDomain (RLY033 otherwise, at AuthFlags)', () => {
    assert.equal(
      model(metabase(server(1, { DefaultDomain: 'CORP' }))).servers[0]?.defaultDomain,
      'CORP',
    );
    const text = metabase(
      server(1, { AuthFlags: 'AuthBasic', AccessSSLFlags: '8', RelayForAuth: '0' }),
    );
    const [f] = only(lintMetabase(text).findings, 'RLY033');
    assert.equal(f !== undefined ? at(text, f) : '', 'AuthBasic');
  });

  test('inheritance: a value missing on the server comes from IIsSmtpService and is reported there', () => {
    const text = metabase(
      service({ AuthFlags: 'AuthAnonymous', RelayIpList: '' }),
      server(1, { ServerComment: 'One' }),
      server(2, { ServerComment: 'Two', RelayIpList: CLOSED }),
    );
    const m = model(text);
    assert.equal(m.servers[0]?.listeners[0]?.relay.mode, 'allExcept');
    assert.equal(m.servers[1]?.listeners[0]?.relay.mode, 'onlyList');
    const { findings } = lintMetabase(text);
    const open = only(findings, 'RLY002');
    assert.equal(open.length, 1);
    const serviceAt = text.indexOf('<IIsSmtpService');
    assert.ok(
      (open[0]?.span.start ?? 0) > serviceAt &&
        (open[0]?.span.start ?? 0) < text.indexOf('</IIsSmtpService>'),
    );
    assert.match(open[0]?.fixes[0]?.title ?? '', /inherited by every virtual server/);
  });

  test('<Custom> children by Name or by ID', () => {
    const byName = metabase(server(1, {}, custom('AuthFlags', 6000, 'AuthNTLM')));
    assert.equal(listener(byName).authentication['anonymous'], false);
    const byId = metabase(server(1, {}, custom('Something', 36973, '0')));
    assert.equal(listener(byId).relay.allowAuthenticated, false);
    const text = metabase(
      server(1, { AuthFlags: 'AuthAnonymous' }, custom('RelayIpList', 36970, '')),
    );
    const [f] = only(lintMetabase(text).findings, 'RLY002');
    assert.equal(f !== undefined ? at(text, f) : '', 'Value=""');
  });

  test('attribute values are exact UTF-16 offsets (astral characters and entities before them)', () => {
    const text = metabase(
      server(1, {
        ServerComment: '😀 relay &amp; more',
        AuthFlags: 'AuthAnonymous',
        RelayIpList: '',
      }),
    );
    assert.equal(listener(text).name, '😀 relay & more');
    const [f] = only(lintMetabase(text).findings, 'RLY004');
    assert.equal(f !== undefined ? at(text, f) : '', 'AuthAnonymous');
  });
});

describe('IIS reader: bad input is one clear finding', () => {
  function rly099(text: string, name = 'MetaBase.xml'): Finding {
    const { findings } = lintMetabase(text, name);
    assert.deepEqual(
      findings.map((f) => f.ruleId),
      ['RLY099'],
      findings.map((f) => f.message).join('\n'),
    );
    return findings[0] as Finding;
  }

  test('malformed blobs: odd length, non-hex, bad offset — at the attribute', () => {
    for (const value of [
      'abc',
      'zz',
      '02000000010000804c000000' + SALT_127.slice(24),
      SALT_127.slice(0, 60),
    ]) {
      const text = metabase(server(1, { RelayIpList: value }));
      const f = rly099(text);
      assert.equal(at(text, f), value);
      assert.match(f.message, /RelayIpList is not a valid IIS IP security list/);
    }
  });

  test('not well-formed XML', () => {
    const message = rly099('<configuration><MBProperty></configuration>').message;
    assert.match(message, /not well-formed XML/);
    // saxes ends its own messages with a full stop: the sentence has exactly one.
    assert.match(message, /[^.]\.$/);
  });

  test('a blob written with character references is one clear finding that says so', () => {
    const f = rly099(metabase(server(1, { RelayIpList: `&#x30;${SALT_127.slice(1)}` })));
    assert.match(f.message, /"&" at character 1 starts an XML character reference/);
  });

  test('an XML comment with "--" explains the " - " reason separator', () => {
    const f = rly099(
      metabase('<!-- relay-lint-disable-next-line RLY004 -- reason -->', server(1, {})),
    );
    assert.match(f.message, /write a suppression reason after " - "/);
  });

  test('an XML bomb is refused, never expanded', () => {
    const bomb = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from(
        { length: 9 },
        (_, i) =>
          ` <!ENTITY lol${String(i + 1)} "${`&lol${i === 0 ? '' : String(i)};`.repeat(10)}">`,
      ),
      ']>',
      '<configuration><MBProperty><IIsSmtpServer Location="/LM/SmtpSvc/1" ServerComment="&lol9;"/></MBProperty></configuration>',
    ].join('\n');
    const t = Date.now();
    assert.match(rly099(bomb).message, /DOCTYPE/);
    assert.ok(Date.now() - t < 1000);
  });

  test('an undefined entity is an error, not an expansion', () => {
    assert.match(
      rly099(
        metabase('<IIsSmtpServer Location="/LM/SmtpSvc/1" ServerComment="&lol9;"></IIsSmtpServer>'),
      ).message,
      /entity/i,
    );
  });

  test('a binary file named MetaBase.xml', () => {
    const binary = String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 37) % 256));
    rly099(binary);
    rly099('\u0089PNG\r\n\u001a\n' + 'x'.repeat(100));
  });

  test('an XML file that is not a metabase: one finding at line 1', () => {
    const f = rly099('<project><name>x</name></project>\n');
    assert.match(f.message, /not one/);
    assert.equal(f.span.start, 0);
  });

  test('a metabase without SMTP servers: no findings', () => {
    assert.deepEqual(
      lintMetabase(metabase('<IIsWebServer Location="/LM/W3SVC/1"></IIsWebServer>')).findings,
      [],
    );
  });

  test('a 20 MB metabase: a normal result or the size-limit finding, fast', () => {
    const filler =
      '<IIsWebVirtualDir Location="/LM/W3SVC/1/ROOT/x" Path="c:\\inetpub\\wwwroot"></IIsWebVirtualDir>\n';
    const body = filler.repeat(Math.ceil(20_000_000 / filler.length));
    const text = metabase(body, server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: '' }));
    assert.ok(text.length >= 20_000_000);
    const t = Date.now();
    const { findings } = lintMetabase(text);
    assert.ok(Date.now() - t < 15_000, `took ${String(Date.now() - t)} ms`);
    const ids = findings.map((f) => f.ruleId);
    assert.ok(ids.includes('RLY002') || (ids.length === 1 && ids[0] === 'RLY099'), ids.join(','));
  });

  function grants(n: number): string {
    const many = Array.from({ length: n }, (_, i) => ({
      kind: 'address' as const,
      value: (0x0a000000 + i) >>> 0,
      mask: 0xffffffff,
    }));
    return bytesToHex(encodeIpSecList(buildList('onlyList', many)));
  }

  test('a 1 MB blob: one clear finding at the attribute, fast', () => {
    const hex = grants(125_000);
    assert.ok(hex.length >= 1_000_000);
    const text = metabase(
      server(1, { AuthFlags: 'AuthNTLM', RelayForAuth: '0', RelayIpList: hex }),
    );
    const t = Date.now();
    const f = rly099(text);
    assert.ok(Date.now() - t < 10_000, `took ${String(Date.now() - t)} ms`);
    assert.match(f.message, /RelayIpList holds 125,000 entries, more than the 10,000/);
    assert.equal(f.span.end - f.span.start, hex.length);
  });

  test('a list of 2,000 entries: a normal result', () => {
    const text = metabase(
      server(1, { AuthFlags: 'AuthNTLM', RelayForAuth: '0', RelayIpList: grants(2000) }),
    );
    const { file, findings } = lintMetabase(text);
    assert.deepEqual(file.problems, []);
    assert.deepEqual(
      findings.map((f) => f.ruleId),
      [],
    );
  });
});

describe('IIS reader: suppression comments', () => {
  test('<!-- relay-lint-disable-next-line … - reason --> before the element suppresses findings on its first line', () => {
    const text = metabase(
      '<!-- relay-lint-disable-next-line RLY031 - roaming laptops relay after logging on -->',
      server(1, { AuthFlags: 'AuthNTLM' }),
    );
    const { findings } = lintMetabase(text);
    const f = only(findings, 'RLY031')[0];
    assert.equal(f?.suppressed, true);
    assert.equal(f?.suppressedBy, 'roaming laptops relay after logging on');
    assert.deepEqual(only(findings, 'RLY098'), []);
  });

  test('disable-file works anywhere; a directive without a reason is RLY097', () => {
    const text = metabase(
      '<!-- relay-lint-disable-file RLY004 - an inbound gateway must accept anonymous mail -->',
      server(1, { AuthFlags: 'AuthAnonymous', RelayForAuth: '0' }),
      '<!-- relay-lint-disable-file RLY033 -->',
    );
    const { findings } = lintMetabase(text);
    assert.equal(only(findings, 'RLY004')[0]?.suppressed, true);
    assert.equal(only(findings, 'RLY097').length, 1);
  });
});

describe('IIS reader: Windows files and hover', () => {
  test('CRLF line ends and a byte order mark: same findings, exact spans, CRLF kept by fixes', () => {
    const text =
      '\ufeff' +
      metabase(
        server(1, {
          AuthFlags: 'AuthAnonymous',
          RelayIpList: '',
          ServerBindings: ':25:\n10.0.0.2:25:',
        }),
      ).replace(/\n/g, '\r\n');
    const { file, findings } = lintMetabase(text);
    assert.deepEqual(file.problems, []);
    assert.deepEqual(listener(text).bindings, ['0.0.0.0:25', '10.0.0.2:25']);
    assert.equal(at(text, only(findings, 'RLY002')[0] as Finding), 'RelayIpList=""');
    const add = only(findings, 'RLY031')[0]?.fixes[0]?.edits[0]?.text ?? '';
    assert.match(add, /^\r\n\t\tRelayForAuth="0"$/);
  });

  test('hover on a blob: the mode in dialog words and the decoded entries with counts', () => {
    const text = metabase(
      service({ RelayIpList: '' }),
      server(1, { ServerComment: 'Apps', IPSecurity: SALT_127 }),
    );
    const file = parse(text);
    const relay = iisBlobHover(file, text.indexOf('RelayIpList'));
    assert.match(
      relay ?? '',
      /\*\*All except the list below\*\*: nobody is listed: \*\*every computer may relay\*\*/,
    );
    assert.match(relay ?? '', /Inherited from `\/LM\/SmtpSvc`/);
    const conn = iisBlobHover(file, text.indexOf('7f000001'));
    assert.match(conn ?? '', /Connection control \(IPSecurity\)\*\* of "Apps"/);
    assert.match(conn ?? '', /\| `127\.0\.0\.1` \| 1 \|/);
    assert.equal(iisBlobHover(file, text.indexOf('ServerComment')), undefined);
  });
});

describe('IIS reader: property (fast-check)', () => {
  test('random lists in a metabase: the model lists them, each span is its own hex digits, every fix holds', () => {
    const entry = fc.record({
      value: fc.integer({ min: 0, max: 0xffffffff }),
      prefix: fc.integer({ min: 8, max: 32 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom('onlyList' as const, 'allExcept' as const),
        fc.array(entry, { maxLength: 6 }),
        fc.boolean(),
        (mode, raw, anonymous) => {
          const entries = raw.map((e) => ({
            kind: 'address' as const,
            value: e.value,
            mask: e.prefix === 32 ? 0xffffffff : (0xffffffff << (32 - e.prefix)) >>> 0,
          }));
          const hex = bytesToHex(encodeIpSecList(buildList(mode, entries)));
          const text = metabase(
            server(1, {
              AuthFlags: anonymous ? 'AuthAnonymous' : 'AuthNTLM',
              RelayForAuth: '0',
              RelayIpList: hex,
            }),
          );
          const file = parse(text);
          assert.deepEqual(file.problems, []);
          const blob = iisDataOf(file)?.servers[0]?.relay;
          assert.ok(blob !== undefined);
          const shown = listener(text).relay;
          const placeholderOnly =
            mode === 'onlyList' &&
            entries.length === 1 &&
            entries[0]?.value === 0 &&
            entries[0].mask === 0xffffffff;
          assert.equal(shown.mode, mode);
          assert.equal(shown.list.length, placeholderOnly ? 0 : entries.length);
          for (const e of blob.entries) {
            assert.ok(e.kind === 'address' && e.offset !== undefined);
            const start = blob.hex.at[e.offset] ?? -1;
            const digits = text.slice(start, start + 8);
            assert.equal(parseInt(digits, 16) >>> 0, e.value);
          }
          const { findings } = lintMetabase(text);
          checkFixes('MetaBase.xml', lintMetabase(text).file, findings, { noWorse: false });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('IIS reader: mangled metabases (fast-check)', () => {
  test('random edits of a metabase: parse never throws, findings have valid spans and fixes', () => {
    const base = metabase(
      service({ AuthFlags: 'AuthAnonymous | AuthBasic', RelayIpList: '' }),
      server(1, { RelayIpList: SALT_127, IPSecurity: CLOSED, ServerBindings: ':25:' }),
      server(2, { AuthFlags: '5' }, custom('RelayForAuth', 36973, '-1')),
    );
    const edit = fc.record({
      at: fc.nat(base.length),
      cut: fc.nat(6),
      insert: fc.constantFrom(
        '',
        '"',
        '<',
        '>',
        '/>',
        '=',
        '0',
        'f',
        'g',
        ' ',
        '&',
        '&lt;',
        '<!--',
        '-->',
        '\u0000',
        '😀',
      ),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = base;
        for (const e of edits) {
          const at = Math.min(e.at, text.length);
          text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
        }
        const { file, findings } = lintMetabase(text);
        checkFindings(file, findings);
        for (const p of file.problems) assert.ok(p.span.start >= 0 && p.span.end <= text.length);
      }),
      { numRuns: 150 },
    );
  });
});

test('IIS reader: a malformed blob inherited by two servers is one finding where it is written', () => {
  const text = metabase(service({ RelayIpList: 'abc' }), server(1, {}), server(2, {}));
  const { findings } = lintMetabase(text);
  assert.deepEqual(
    findings.map((f) => f.ruleId),
    ['RLY099'],
  );
  assert.equal(at(text, findings[0] as Finding), 'abc');
});
