import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdits } from '../../../server/src/core/fix/apply.js';
import { iisDataOf } from '../../../server/src/core/formats/iis/format.js';
import {
  buildList,
  bytesToHex,
  decodeIpSecList,
  encodeIpSecList,
  hexToBytes,
  meaningOf,
} from '../../../server/src/core/formats/iis/ipsec-blob.js';
import { entryText } from '../../../server/src/core/formats/iis/view.js';
import type { Finding, Fix } from '../../../server/src/core/model.js';
import { checkFix } from '../../support/fix-checks.js';
import { CLOSED, lintMetabase, metabase, server } from './helpers.js';

// Each IIS fix, applied: the metabase still parses, the blob decodes to what the fix says, the
// finding is gone (checkFix), and flags keep the notation they were written in.

function fixOf(text: string, ruleId: string, preferred = true): { f: Finding; fix: Fix } {
  const { file, findings } = lintMetabase(text);
  const f = findings.find((x) => x.ruleId === ruleId);
  assert.ok(f !== undefined, `no ${ruleId} in:\n${text}`);
  const fix = preferred ? (f.fixes.find((x) => x.preferred) ?? f.fixes[0]) : f.fixes[0];
  assert.ok(fix !== undefined, `${ruleId} has no fix`);
  checkFix('MetaBase.xml', file, findings, f, fix);
  return { f, fix };
}

function apply(text: string, ruleId: string, preferred = true): string {
  return applyEdits(text, fixOf(text, ruleId, preferred).fix.edits).text;
}

function relayListAfter(text: string): { mode: string; entries: string[] } {
  const { file } = lintMetabase(text);
  assert.deepEqual(file.problems, []);
  const blob = iisDataOf(file)?.servers[0]?.relay;
  assert.ok(blob !== undefined);
  return { mode: blob.meaning.mode, entries: blob.entries.map(entryText) };
}

function attribute(text: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1];
}

function hexOf(mode: 'onlyList' | 'allExcept', entries: [string, string][]): string {
  const v = (s: string): number => s.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
  return bytesToHex(
    encodeIpSecList(
      buildList(
        mode,
        entries.map(([a, m]) => ({ kind: 'address' as const, value: v(a), mask: v(m) })),
      ),
    ),
  );
}

const HOST = '255.255.255.255';

describe('IIS fixes', () => {
  test('RLY002: RelayIpList="" → the blob IIS writes for an empty "Only the list below"', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous', RelayIpList: '' }));
    const after = apply(text, 'RLY002');
    assert.equal(attribute(after, 'RelayIpList'), CLOSED);
    assert.deepEqual(relayListAfter(after), { mode: 'onlyList', entries: [] });
    const ids = lintMetabase(after).findings.map((f) => f.ruleId);
    assert.ok(!ids.includes('RLY001') && !ids.includes('RLY002'), ids.join(','));
  });

  test('RLY003: a deny list → "Only the list below", nobody listed', () => {
    const text = metabase(
      server(1, {
        AuthFlags: 'AuthAnonymous',
        RelayIpList: hexOf('allExcept', [['198.51.100.7', HOST]]),
      }),
    );
    assert.deepEqual(relayListAfter(apply(text, 'RLY003')), { mode: 'onlyList', entries: [] });
  });

  test('RLY005: a deny list of internal hosts → the same hosts as "Only the list below"', () => {
    const text = metabase(
      server(1, {
        AuthFlags: 'AuthAnonymous',
        RelayIpList: hexOf('allExcept', [
          ['10.1.2.0', '255.255.255.0'],
          ['10.9.9.9', HOST],
        ]),
      }),
    );
    assert.deepEqual(relayListAfter(apply(text, 'RLY005')), {
      mode: 'onlyList',
      entries: ['10.1.2.0/255.255.255.0', '10.9.9.9'],
    });
  });

  test('RLY011: removing 0.0.0.0/0.0.0.0 re-encodes the list without it', () => {
    const text = metabase(
      server(1, {
        AuthFlags: 'AuthNTLM',
        RelayForAuth: '0',
        RelayIpList: hexOf('onlyList', [
          ['0.0.0.0', '0.0.0.0'],
          ['10.1.2.3', HOST],
        ]),
      }),
    );
    assert.deepEqual(relayListAfter(apply(text, 'RLY011')), {
      mode: 'onlyList',
      entries: ['10.1.2.3'],
    });
  });

  test('RLY010: removing the only grant writes the placeholder, never an empty (open) list', () => {
    const text = metabase(
      server(1, {
        AuthFlags: 'AuthAnonymous',
        RelayIpList: hexOf('onlyList', [['198.51.0.0', '255.255.0.0']]),
      }),
    );
    const { file, findings } = lintMetabase(text);
    const f = findings.find((x) => x.ruleId === 'RLY010');
    const remove = f?.fixes.find((x) => x.title.startsWith('Remove'));
    assert.ok(f !== undefined && remove !== undefined);
    checkFix('MetaBase.xml', file, findings, f, remove);
    const after = applyEdits(text, remove.edits).text;
    assert.equal(attribute(after, 'RelayIpList'), CLOSED);
    const list = decodeIpSecList(hexToBytes(CLOSED, 0, CLOSED.length).bytes);
    assert.equal(meaningOf(list).placeholder, true);
  });

  test('RLY010: narrowing re-encodes the entry with the narrower mask', () => {
    const text = metabase(
      server(1, {
        AuthFlags: 'AuthAnonymous',
        RelayIpList: hexOf('onlyList', [['198.51.0.0', '255.255.0.0']]),
      }),
    );
    const { file, findings } = lintMetabase(text);
    const f = findings.find((x) => x.ruleId === 'RLY010');
    const narrow = f?.fixes.find((x) => x.title.startsWith('Narrow'));
    assert.ok(f !== undefined && narrow !== undefined, f?.fixes.map((x) => x.title).join(' | '));
    checkFix('MetaBase.xml', file, findings, f, narrow);
    const entries = relayListAfter(applyEdits(text, narrow.edits).text).entries;
    assert.equal(entries.length, 1);
    assert.match(entries[0] ?? '', /^198\.51\.0\.0(\/255\.255\.\d+\.\d+)?$/);
    assert.notEqual(entries[0], '198.51.0.0/255.255.0.0');
  });

  test('RLY014: host bits → the network, in place', () => {
    const text = metabase(
      server(1, {
        AuthFlags: 'AuthNTLM',
        RelayForAuth: '0',
        RelayIpList: hexOf('onlyList', [['10.20.30.40', '255.255.255.0']]),
      }),
    );
    const { f, fix } = fixOf(text, 'RLY014');
    assert.equal(fix.safe, true);
    assert.ok(f.fixes.length >= 1);
    const after = applyEdits(text, fix.edits).text;
    assert.deepEqual(relayListAfter(after).entries, ['10.20.30.0/255.255.255.0']);
    const { file, findings } = lintMetabase(text);
    const single = f.fixes.find((x) => x.title.includes('single host'));
    assert.ok(single !== undefined, f.fixes.map((x) => x.title).join(' | '));
    checkFix('MetaBase.xml', file, findings, f, single);
    assert.deepEqual(relayListAfter(applyEdits(text, single.edits).text).entries, ['10.20.30.40']);
  });

  test('RLY016: the later duplicate is removed (safe), upper-case hex stays upper case', () => {
    const hex = hexOf('onlyList', [
      ['10.1.2.0', '255.255.255.0'],
      ['10.1.2.0', '255.255.255.0'],
    ]).toUpperCase();
    const text = metabase(
      server(1, { AuthFlags: 'AuthNTLM', RelayForAuth: '0', RelayIpList: hex }),
    );
    const { fix } = fixOf(text, 'RLY016');
    assert.equal(fix.safe, true);
    const after = applyEdits(text, fix.edits).text;
    assert.match(attribute(after, 'RelayIpList') ?? '', /^[0-9A-F]+$/);
    assert.deepEqual(relayListAfter(after).entries, ['10.1.2.0/255.255.255.0']);
  });

  test('RLY004 keeps the notation: names, decimal, hex; anonymous alone becomes NTLM', () => {
    const cases: [string, string][] = [
      ['AuthBasic | AuthAnonymous | AuthNTLM', 'AuthBasic | AuthNTLM'],
      ['AuthAnonymous|AuthBasic', 'AuthBasic'],
      ['AuthAnonymous', 'AuthNTLM'],
      ['7', '6'],
      ['5', '4'],
      ['1', '4'],
      ['0x3', '0x2'],
    ];
    for (const [before, expected] of cases) {
      const text = metabase(
        server(1, {
          AccessSSLFlags: '8',
          AuthFlags: before,
          DefaultDomain: 'CORP',
          RelayForAuth: '0',
        }),
      );
      assert.equal(attribute(apply(text, 'RLY004'), 'AuthFlags'), expected, before);
    }
  });

  test('RLY004 with AuthFlags absent adds the attribute after Location', () => {
    const text = metabase(server(1, { RelayForAuth: '0' }));
    const after = apply(text, 'RLY004');
    assert.match(
      after,
      /Location ="\/LM\/SmtpSvc\/1"\n\t\tAuthFlags="AuthNTLM"\n\t\tRelayForAuth="0"/,
    );
  });

  test('RLY032: AccessSSLFlags gains AccessSSL in its notation, or is added', () => {
    const cases: [Record<string, string>, string][] = [
      [{ AccessSSLFlags: 'AccessSSL128' }, 'AccessSSL128 | AccessSSL'],
      [{ AccessSSLFlags: '256' }, '264'],
      [{ AccessSSLFlags: '0' }, '8'],
      [{}, 'AccessSSL'],
    ];
    for (const [attrs, expected] of cases) {
      const text = metabase(
        server(1, { AuthFlags: 'AuthBasic', DefaultDomain: 'CORP', RelayForAuth: '0', ...attrs }),
      );
      assert.equal(attribute(apply(text, 'RLY032'), 'AccessSSLFlags'), expected);
    }
  });

  test('RLY030: require TLS (preferred) or clear RelayForAuth', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthBasic', DefaultDomain: 'CORP' }));
    const { file, findings } = lintMetabase(text);
    const f = findings.find((x) => x.ruleId === 'RLY030');
    assert.ok(f !== undefined);
    assert.deepEqual(
      f.fixes.map((x) => [x.preferred, x.title.split(' (')[0]]),
      [
        [true, 'Require TLS encryption'],
        [false, 'Clear "Allow all computers which successfully authenticate to relay"'],
      ],
    );
    for (const fix of f.fixes) checkFix('MetaBase.xml', file, findings, f, fix);
  });

  test('RLY031: RelayForAuth="-1" → "0"', () => {
    const text = metabase(
      server(1, { AuthFlags: 'AuthNTLM', DefaultDomain: 'CORP', RelayForAuth: '-1' }),
    );
    assert.equal(attribute(apply(text, 'RLY031'), 'RelayForAuth'), '0');
  });

  test('no fix on a metabase is a YAML edit', () => {
    const text = metabase(server(1, { AuthFlags: 'AuthAnonymous | AuthBasic', RelayIpList: '' }));
    for (const f of lintMetabase(text).findings)
      for (const fix of f.fixes)
        for (const e of fix.edits) assert.doesNotMatch(e.text, /^(true|false|onlyList|allExcept)$/);
  });
});
