import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  exchangeDataOf,
  exchangeFormat,
} from '../../../server/src/core/formats/exchange/format.js';
import { lintParsed } from '../../../server/src/core/engine.js';
import { NO_SIBLINGS } from '../../../server/src/core/formats/types.js';
import { connector, lintExchange, ownExport } from './helpers.js';

describe('exchange: hostile input', () => {
  function bigExport(n: number): string {
    const list: string[] = [
      '{"Identity":"EX01\\\\Default","Bindings":["0.0.0.0:25"],"RemoteIPRanges":["0.0.0.0-255.255.255.255"],"PermissionGroups":"AnonymousUsers","AuthMechanism":"Tls"}',
    ];
    for (let i = 0; i < n; i++) {
      list.push(
        `{"Identity":"EX01\\\\C${i}","RemoteIPRanges":["10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}"],"PermissionGroups":"ExchangeUsers","AuthMechanism":"Tls,BasicAuth,BasicAuthRequireTLS"}`,
      );
    }
    return `{"relayLintExport":1,"server":"EX01","receiveConnectors":[${list.join(',\n')}]}`;
  }

  test(
    '100,000 connectors: parsed, selected and modelled in linear time',
    { timeout: 300_000 },
    () => {
      const t0 = Date.now();
      const file = exchangeFormat.parse('big.exchange.json', bigExport(100_000), NO_SIBLINGS);
      const ms = Date.now() - t0;
      assert.deepEqual(file.problems, []);
      const data = exchangeDataOf(file);
      assert.equal(data?.export.connectors.length, 100_001);
      // The default connector serves everything but the 100,000 single addresses.
      assert.equal(data?.served[0]?.served.count(), 2n ** 32n - 100_000n);
      // Generous for a loaded CI machine; a quadratic step would take hours.
      assert.ok(ms < 240_000, `parse took ${ms} ms`);
    },
  );

  test('5,000 connectors through the whole lint: a normal result', { timeout: 300_000 }, () => {
    const file = exchangeFormat.parse('big.exchange.json', bigExport(5_000), NO_SIBLINGS);
    const findings = lintParsed(file);
    // One RLY031 (authenticated relay) per small connector.
    assert.equal(findings.filter((f) => f.ruleId === 'RLY031').length, 5_000);
    assert.ok(findings.every((f) => f.fixes.length === 0 && f.remediation !== undefined));
  });

  test('a 2 MB string of brackets: one finding, no stack overflow', () => {
    const { findings } = lintExchange('deep.exchange.json', '['.repeat(2_000_000));
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.ruleId, 'RLY099');
  });

  test('random bytes as text: RLY099 findings only', () => {
    let s = '';
    let x = 12345;
    for (let i = 0; i < 50_000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      s += String.fromCharCode(32 + (x % 95));
    }
    const { findings } = lintExchange('noise.exchange.json', s);
    assert.ok(findings.length >= 1 && findings.length <= 101);
    assert.ok(findings.every((f) => f.ruleId === 'RLY099'));
  });

  test('valid JSON with wrong types everywhere: no throw, no internal error', () => {
    const text = JSON.stringify({
      relayLintExport: 1,
      receiveConnectors: [
        {
          Identity: 5,
          RemoteIPRanges: [null, 7, {}, [], true],
          PermissionGroups: {},
          AuthMechanism: [null],
          Bindings: 3,
          permissions: 'x',
          Enabled: 'maybe',
        },
        {
          Identity: { Name: null },
          RemoteIPRanges: {},
          permissions: [{ User: 9, ExtendedRights: 5, Deny: 'x' }],
        },
        null,
        'text',
      ],
      acceptedDomains: [null, { DomainName: 7 }, { DomainName: '*', DomainType: 'weird' }],
    });
    const { findings } = lintExchange('odd.exchange.json', text);
    assert.ok(
      findings.every((f) => f.ruleId !== 'internal'),
      findings.map((f) => f.message).join('\n'),
    );
    assert.ok(findings.every((f) => f.fixes.length === 0));
  });

  test('property: any JSON in any connector field never throws and never breaks a span', () => {
    const field = fc.constantFrom(
      'Identity',
      'Name',
      'Server',
      'Enabled',
      'Bindings',
      'RemoteIPRanges',
      'PermissionGroups',
      'AuthMechanism',
      'RequireTLS',
      'permissions',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(field, fc.jsonValue({ maxDepth: 3 })), { maxLength: 4 }),
        (edits) => {
          const fields: Record<string, unknown> = {};
          for (const [k, v] of edits) fields[k] = v;
          const text = ownExport([connector(fields), connector({ Name: 'Other' })]);
          const { file, findings } = lintExchange('p.exchange.json', text);
          for (const f of findings) {
            assert.notEqual(f.ruleId, 'internal', f.message);
            assert.ok(
              f.span.start >= 0 && f.span.end <= file.text.length && f.span.start <= f.span.end,
            );
            assert.equal(f.fixes.length, 0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
