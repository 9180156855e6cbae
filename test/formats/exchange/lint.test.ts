import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  exchangeDataOf,
  exchangeFormat,
} from '../../../server/src/core/formats/exchange/format.js';
import type { Finding, JsonPath, SyntaxNode } from '../../../server/src/core/model.js';
import { assertGolden } from '../../support/golden.js';
import {
  ANON_RELAY,
  byRule,
  connector,
  diskSiblings,
  EXAMPLES,
  lintExchange,
  ownExport,
  renderFindings,
  siblingsOf,
  under,
} from './helpers.js';

function exampleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return exampleFiles(p);
    return n.endsWith('.exchange.json') ? [p] : [];
  });
}

/** Every finding on an export: no text edits, a command, and the command in the message. */
function checkRemedies(findings: readonly Finding[]): void {
  for (const f of findings) {
    assert.deepEqual(f.fixes, [], `${f.ruleId} carries text edits`);
    assert.ok(
      f.remediation !== undefined && f.remediation !== '',
      `${f.ruleId} has no remediation`,
    );
    assert.ok(
      f.message.endsWith(f.remediation),
      `${f.ruleId}: the message does not end with the command`,
    );
  }
}

describe('exchange examples (goldens)', () => {
  for (const path of exampleFiles(EXAMPLES)) {
    test(path.slice(EXAMPLES.length + 1), () => {
      const text = readFileSync(path, 'utf8');
      const { file, findings } = lintExchange(path, text, diskSiblings(path));
      assert.equal(file.format, 'exchange');
      assert.deepEqual(file.problems, []);
      checkRemedies(findings);
      assertGolden(
        `${path.replace(/examples[\\/]exchange/, 'test/formats/exchange/golden')}.golden`,
        renderFindings(file, findings),
      );
    });
  }

  test('the unsafe example is an open relay from 0.0.0.0-255.255.255.255, with its count and command', () => {
    const path = join(EXAMPLES, 'unsafe-ex01.exchange.json');
    const { file, findings } = lintExchange(path, readFileSync(path, 'utf8'));
    const open = byRule(findings, 'RLY001');
    assert.equal(open.length, 1);
    const f = open[0] as Finding;
    assert.equal(f.severity, 'critical');
    assert.equal(under(file, f), '"ms-Exch-SMTP-Accept-Any-Recipient"');
    assert.match(f.message, /4,260,233,216 IPv4 addresses/);
    assert.equal(
      f.remediation,
      'Set-ReceiveConnector "EX01\\Anonymous Relay" -RemoteIPRanges 10.1.2.0/24',
    );
    assert.ok(
      f.related.some(
        (r) => file.text.slice(r.span.start, r.span.end) === '"0.0.0.0-255.255.255.255"',
      ),
    );
  });

  test('the safe example has no finding above medium', () => {
    const path = join(EXAMPLES, 'safe-ex02.exchange.json');
    const { findings } = lintExchange(path, readFileSync(path, 'utf8'));
    assert.deepEqual(
      findings
        .filter((f) => f.severity === 'critical' || f.severity === 'high')
        .map((f) => f.ruleId),
      [],
    );
  });
});

describe('exchange model tree', () => {
  test('every node spans text of the export, and paths follow the tree', () => {
    for (const path of exampleFiles(EXAMPLES)) {
      const text = readFileSync(path, 'utf8');
      const file = exchangeFormat.parse(path, text, diskSiblings(path));
      const walk = (n: SyntaxNode, p: JsonPath): void => {
        assert.deepEqual(n.path, p, path);
        assert.ok(n.span.start >= 0 && n.span.end <= text.length && n.span.start <= n.span.end);
        if (n.kind === 'object')
          for (const e of n.entries) {
            assert.ok(e.keySpan.start >= 0 && e.keySpan.end <= text.length);
            walk(e.value, [...p, e.key]);
          }
        if (n.kind === 'array')
          n.items.forEach((c, i) => {
            walk(c, [...p, i]);
          });
      };
      const root = file.documents[0]?.root;
      assert.ok(root !== undefined);
      walk(root, []);
    }
  });
});

describe('exchange: both routes to anonymous relay', () => {
  test('ANONYMOUS LOGON with the right, from the whole internet: RLY001 at the right, Remove-ADPermission', () => {
    const { file, findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({ RemoteIPRanges: ['0.0.0.0-255.255.255.255'], permissions: [ANON_RELAY] }),
      ]),
    );
    const f = byRule(findings, 'RLY001')[0];
    assert.ok(f !== undefined);
    assert.equal(under(file, f), '"ms-Exch-SMTP-Accept-Any-Recipient"');
    assert.equal(
      f.remediation,
      'Remove-ADPermission -Identity "EX01\\Relay" -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights ms-Exch-SMTP-Accept-Any-Recipient',
    );
    const any = byRule(findings, 'RLY011')[0];
    assert.equal(any?.severity, 'critical');
    checkRemedies(findings);
  });

  test('ExternalAuthoritative + ExchangeServers: RLY001 at AuthMechanism, the command drops it', () => {
    const { file, findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
          PermissionGroups: 'ExchangeServers',
          AuthMechanism: 'Tls, ExternalAuthoritative',
        }),
      ]),
    );
    const f = byRule(findings, 'RLY001')[0];
    assert.ok(f !== undefined);
    assert.equal(under(file, f), '"Tls, ExternalAuthoritative"');
    assert.equal(f.remediation, 'Set-ReceiveConnector "EX01\\Relay" -AuthMechanism Tls');
  });

  test('ExternalAuthoritative without ExchangeServers is no grant', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
          PermissionGroups: 'Partners',
          AuthMechanism: 'Tls, ExternalAuthoritative',
        }),
      ]),
    );
    assert.deepEqual(byRule(findings, 'RLY001'), []);
    assert.deepEqual(byRule(findings, 'RLY011'), []);
  });

  test('a deny for ANONYMOUS LOGON overrides the grant', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
          permissions: [ANON_RELAY, { ...ANON_RELAY, Deny: true }],
        }),
      ]),
    );
    assert.deepEqual(byRule(findings, 'RLY001'), []);
  });

  test('Submit granted directly to ANONYMOUS LOGON admits anonymous sessions; RLY004 removes that grant', () => {
    const submit = { ...ANON_RELAY, ExtendedRights: ['ms-Exch-SMTP-Submit'] };
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          PermissionGroups: 'ExchangeUsers',
          RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
          permissions: [ANON_RELAY, submit],
        }),
      ]),
    );
    assert.equal(byRule(findings, 'RLY001').length, 1);
    const anon = byRule(findings, 'RLY004')[0];
    assert.match(anon?.message ?? '', /ANONYMOUS LOGON holds ms-Exch-SMTP-Submit/);
    assert.equal(
      anon?.remediation,
      'Remove-ADPermission -Identity "EX01\\Relay" -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights ms-Exch-SMTP-Submit',
    );
  });

  test('a localised principal name without a SID grants relay too', () => {
    const perm = { ...ANON_RELAY, User: 'NT-AUTORITÄT\\ANONYMOUS-ANMELDUNG', UserSid: undefined };
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([connector({ RemoteIPRanges: ['0.0.0.0-255.255.255.255'], permissions: [perm] })]),
    );
    const f = byRule(findings, 'RLY001')[0];
    assert.match(f?.remediation ?? '', /-User "NT-AUTORITÄT\\ANONYMOUS-ANMELDUNG"/);
  });

  test('the right granted to another principal is no anonymous relay', () => {
    const perm = { ...ANON_RELAY, User: 'NT AUTHORITY\\Authenticated Users', UserSid: 'S-1-5-11' };
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([connector({ RemoteIPRanges: ['0.0.0.0-255.255.255.255'], permissions: [perm] })]),
    );
    assert.deepEqual(byRule(findings, 'RLY001'), []);
  });

  test('a grant without anonymous sessions (no AnonymousUsers) is latent: ranges judged, no RLY001', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          PermissionGroups: 'ExchangeUsers',
          RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
          permissions: [ANON_RELAY],
        }),
      ]),
    );
    assert.deepEqual(byRule(findings, 'RLY001'), []);
    assert.equal(byRule(findings, 'RLY011')[0]?.severity, 'critical');
  });

  test('a relay scoped to private hosts is no open relay', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([connector({ RemoteIPRanges: ['10.1.2.0/24'], permissions: [ANON_RELAY] })]),
    );
    assert.deepEqual(byRule(findings, 'RLY001'), []);
  });

  test('raw shape: the grant in the Get-ADPermission sibling file; RLY001 at the connector Identity', () => {
    const rc = JSON.stringify([
      {
        Identity: 'EX01\\Relay',
        Name: 'Relay',
        RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
        PermissionGroups: 1,
        AuthMechanism: 1,
      },
    ]);
    const aces = JSON.stringify([
      {
        Identity: 'EX01\\Relay',
        User: 'S-1-5-7',
        ExtendedRights: ['ms-Exch-SMTP-Accept-Any-Recipient'],
        Deny: false,
      },
    ]);
    const { file, findings } = lintExchange(
      'EX01.exchange.json',
      rc,
      siblingsOf({ 'EX01.adpermission.json': aces }),
    );
    const f = byRule(findings, 'RLY001')[0];
    assert.ok(f !== undefined);
    assert.equal(under(file, f), '"EX01\\\\Relay"');
    assert.match(f.message, /in EX01\.adpermission\.json/);
  });
});

describe('exchange: model mapping and refinements', () => {
  test('a connector that does not relay: only validity rules judge its ranges', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          Name: 'Default Frontend',
          RemoteIPRanges: ['0.0.0.0-255.255.255.255', '192.0.2.0/24', '10.0.0.300'],
          PermissionGroups: 'AnonymousUsers, ExchangeServers',
        }),
      ]),
    );
    const ids = findings.map((f) => f.ruleId).sort();
    assert.ok(!ids.includes('RLY011') && !ids.includes('RLY010'), ids.join());
    assert.ok(ids.includes('RLY023') && ids.includes('RLY020'), ids.join());
    assert.equal(byRule(findings, 'RLY004')[0]?.severity, 'info');
    checkRemedies(findings);
  });

  test('RLY030 and RLY031 sit at AuthMechanism; the command requires TLS for Basic', () => {
    const { file, findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({ PermissionGroups: 'ExchangeUsers', AuthMechanism: 'Tls, BasicAuth' }),
      ]),
    );
    const cleartext = byRule(findings, 'RLY030')[0];
    assert.ok(cleartext !== undefined);
    assert.equal(under(file, cleartext), '"Tls, BasicAuth"');
    assert.equal(
      cleartext.remediation,
      'Set-ReceiveConnector "EX01\\Relay" -AuthMechanism Tls,BasicAuth,BasicAuthRequireTLS',
    );
    assert.equal(under(file, byRule(findings, 'RLY031')[0] as Finding), '"Tls, BasicAuth"');
  });

  test('RequireTLS true counts as TLS required: no RLY032', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          PermissionGroups: 'AnonymousUsers',
          AuthMechanism: 'Tls, BasicAuth',
          RequireTLS: true,
        }),
      ]),
    );
    assert.deepEqual(byRule(findings, 'RLY032'), []);
  });

  test('rules that do not apply to Exchange stay silent (RLY033, RLY034 for server connectors)', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          Name: 'Basic',
          PermissionGroups: 'ExchangeUsers',
          AuthMechanism: 'Tls, BasicAuth, BasicAuthRequireTLS',
        }),
        connector({
          Name: 'Servers',
          PermissionGroups: 'ExchangeServers',
          AuthMechanism: 'Tls, ExchangeServer',
        }),
      ]),
    );
    assert.deepEqual(byRule(findings, 'RLY033'), []);
    assert.deepEqual(byRule(findings, 'RLY034'), []);
  });

  test('accepted domain "*" of a relay type: RLY050 at DomainName with Remove-AcceptedDomain', () => {
    const { file, findings } = lintExchange(
      'a.exchange.json',
      ownExport(
        [connector({})],
        [{ Name: 'All', DomainName: '*', DomainType: 'InternalRelay', Default: false }],
      ),
    );
    const f = byRule(findings, 'RLY050')[0];
    assert.ok(f !== undefined);
    assert.equal(under(file, f), '"*"');
    assert.equal(f.remediation, 'Remove-AcceptedDomain "All"');
  });

  test('host bits: the replacement command keeps the rest of the list', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({ RemoteIPRanges: ['10.1.2.7/24', '10.9.0.1'], permissions: [ANON_RELAY] }),
      ]),
    );
    assert.equal(
      byRule(findings, 'RLY014')[0]?.remediation,
      'Set-ReceiveConnector "EX01\\Relay" -RemoteIPRanges @{Add="10.1.2.0/24"; Remove="10.1.2.7/24"}',
    );
  });

  test('duplicates: the command writes the whole remaining list', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          RemoteIPRanges: ['10.1.2.0/24', '10.1.2.0-10.1.2.255', '10.9.0.1'],
          permissions: [ANON_RELAY],
        }),
      ]),
    );
    assert.equal(
      byRule(findings, 'RLY016')[0]?.remediation,
      'Set-ReceiveConnector "EX01\\Relay" -RemoteIPRanges 10.1.2.0/24,10.9.0.1',
    );
  });

  test('a relay range wholly taken by a more specific connector: RLY019, and the open count shrinks', () => {
    const { findings } = lintExchange(
      'a.exchange.json',
      ownExport([
        connector({
          Name: 'Relay',
          RemoteIPRanges: ['0.0.0.0-255.255.255.255', '10.5.0.0/24'],
          permissions: [ANON_RELAY],
        }),
        connector({
          Name: 'Scanners',
          RemoteIPRanges: ['10.5.0.0/25', '10.5.0.128/25', '198.51.100.0/24'],
          PermissionGroups: 'ExchangeUsers',
          AuthMechanism: 'Tls, BasicAuth, BasicAuthRequireTLS',
        }),
      ]),
    );
    const unreachable = byRule(findings, 'RLY019');
    assert.equal(unreachable.length, 1);
    assert.match(unreachable[0]?.message ?? '', /more specific RemoteIPRanges/);
    // 2^32 minus the private space and the scanner connector's public /24.
    const open = byRule(findings, 'RLY001')[0];
    assert.ok(open !== undefined);
    assert.match(open.message, /4,260,232,960 IPv4 addresses/);
  });

  test('the parsed data is reachable from the file, and only from exchange files', () => {
    const { file } = lintExchange('a.exchange.json', ownExport([connector({})]));
    assert.equal(exchangeDataOf(file)?.export.connectors.length, 1);
    assert.equal(exchangeDataOf({ ...file, format: 'json' }), undefined);
  });

  test('matchesPath and sniff', () => {
    assert.equal(exchangeFormat.matchesPath('EX01.exchange.json'), true);
    assert.equal(exchangeFormat.matchesPath('EX01.EXCHANGE.JSON'), true);
    assert.equal(exchangeFormat.matchesPath('ex.relay.json'), false);
    assert.equal(exchangeFormat.sniff?.(ownExport([connector({})])), true);
  });
});

describe('exchange: bad input', () => {
  test('malformed JSON: RLY099 findings, no crash', () => {
    const { findings } = lintExchange(
      'bad.exchange.json',
      '{"relayLintExport": 1, "receiveConnectors": [ {',
    );
    assert.ok(findings.length >= 1);
    assert.ok(findings.every((f) => f.ruleId === 'RLY099'));
  });

  test('a binary file named like an export: one RLY099', () => {
    const { findings } = lintExchange('bin.exchange.json', 'MZ\u0000\u0001\u0002binary');
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.ruleId, 'RLY099');
  });

  test('JSON that is not an export: one RLY099 at the first line', () => {
    const { findings } = lintExchange('x.exchange.json', '{\n  "name": "x"\n}\n');
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.ruleId, 'RLY099');
    assert.equal(findings[0]?.span.start, 0);
  });
});
