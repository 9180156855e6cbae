import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exchangeFormat } from '../../../server/src/core/formats/exchange/format.js';
import { psQuote, psRange } from '../../../server/src/core/formats/exchange/remedies.js';
import type {
  ExplainQuestion,
  ListenerAnswer,
  Siblings,
} from '../../../server/src/core/formats/types.js';
import { ANON_RELAY, connector, ownExport, siblingsOf } from './helpers.js';

function ask(
  text: string,
  q: Partial<ExplainQuestion>,
  siblings: Siblings = siblingsOf({}),
  name = 'a.exchange.json',
): ListenerAnswer[] {
  const file = exchangeFormat.parse(name, text, siblings);
  assert.deepEqual(file.problems, []);
  return exchangeFormat.explain(file, {
    client: '203.0.113.9',
    to: 'user@relay-lint.invalid',
    from: 'probe@relay-lint.invalid',
    auth: false,
    ...q,
  });
}

const SERVER = ownExport(
  [
    connector({
      Name: 'Default Frontend',
      RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
      PermissionGroups: 'AnonymousUsers, ExchangeServers',
    }),
    connector({ Name: 'Relay', RemoteIPRanges: ['10.1.2.0/24'], permissions: [ANON_RELAY] }),
    connector({
      Name: 'Client',
      Bindings: ['0.0.0.0:587'],
      RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
      PermissionGroups: 'ExchangeUsers',
      AuthMechanism: 'Tls, BasicAuth, BasicAuthRequireTLS',
    }),
  ],
  [{ DomainName: 'corp.example.com', DomainType: 'Authoritative', Default: true }],
);

describe('exchange explain', () => {
  test('an internet client: the default connector serves it and refuses relay (550 5.7.54)', () => {
    const [def, relay, client] = ask(SERVER, {});
    assert.equal(def?.outcome, 'deny');
    assert.equal(def?.reply, '554', "SPEC §7.4's class for a permanent refusal");
    assert.match(def?.reason ?? '', /^550 5\.7\.54 /, "Exchange's own reply in the reason");
    assert.ok(
      def?.trace.some((s) => s.item === 'RemoteIPRanges' && /this connector serves/.test(s.result)),
    );
    assert.equal(relay?.reply, 'none');
    assert.equal(client?.reply, '554');
    assert.match(client?.reason ?? '', /^530 5\.7\.1 /);
  });

  test('a host of the relay range: the relay connector serves it and lets it relay', () => {
    const [def, relay] = ask(SERVER, { client: '10.1.2.9' });
    assert.equal(relay?.outcome, 'allow');
    assert.equal(relay?.reply, '250');
    const grant = relay?.trace.find((s) => /ANONYMOUS LOGON/.test(s.item));
    assert.ok(grant?.span !== undefined, 'the grant step points at the export');
    assert.equal(def?.outcome, 'deny');
    assert.match(def?.reason ?? '', /more specifically/);
  });

  test('mail for an accepted domain is accepted, not relayed', () => {
    const [def] = ask(SERVER, { to: 'someone@corp.example.com' });
    assert.equal(def?.outcome, 'allow');
    assert.match(def?.reason ?? '', /accepted domain corp\.example\.com/);
  });

  test('an authenticated user on the client connector relays', () => {
    const answers = ask(SERVER, { auth: true });
    assert.equal(answers[2]?.outcome, 'allow');
  });

  test('a disabled connector serves no one', () => {
    const [a] = ask(ownExport([connector({ Enabled: false, permissions: [ANON_RELAY] })]), {
      client: '10.1.2.3',
    });
    assert.equal(a?.outcome, 'deny');
    assert.equal(a?.reply, 'none');
  });

  test('raw export without Get-ADPermission: the answer is unknown, naming the missing input', () => {
    const raw = JSON.stringify([
      { Identity: 'EX01\\R', RemoteIPRanges: ['0.0.0.0-255.255.255.255'], PermissionGroups: 1 },
    ]);
    const [a] = ask(raw, {}, siblingsOf({}), 'ex.json');
    assert.equal(a?.outcome, 'unknown');
    assert.match(a?.reason ?? '', /Get-ADPermission/);
  });

  test('a grant read from the Get-ADPermission sibling: the trace step names that file and its span', () => {
    const raw = JSON.stringify([
      { Identity: 'EX01\\R', RemoteIPRanges: ['0.0.0.0-255.255.255.255'], PermissionGroups: 1 },
    ]);
    const aces = JSON.stringify([
      {
        Identity: 'EX01\\R',
        User: 'NT AUTHORITY\\ANONYMOUS LOGON',
        ExtendedRights: ['ms-Exch-SMTP-Accept-Any-Recipient'],
        Deny: false,
      },
    ]);
    const [a] = ask(raw, {}, siblingsOf({ 'ex.adpermission.json': aces }), 'ex.json');
    assert.equal(a?.outcome, 'allow');
    const step = a?.trace.find((s) => s.file === 'ex.adpermission.json');
    assert.ok(step?.span !== undefined);
    assert.equal(aces.slice(step.span.start, step.span.start + 1), '{');
  });

  test('not an address: unknown', () => {
    const [a] = ask(SERVER, { client: 'mail.example.com' });
    assert.equal(a?.outcome, 'unknown');
  });
});

describe('exchange remedies: PowerShell quoting', () => {
  test('identities are double-quoted with backticks before ", $, ` and typographic quotes', () => {
    assert.equal(psQuote('EX01\\Relay'), '"EX01\\Relay"');
    assert.equal(psQuote('EX01\\a "b" $c `d'), '"EX01\\a `"b`" `$c ``d"');
    assert.equal(psQuote('x\u201cy'), '"x`\u201cy"');
  });

  test('ranges are bare only when they are plain IPv4 text', () => {
    assert.equal(psRange('10.1.2.0/24'), '10.1.2.0/24');
    assert.equal(psRange('10.0.0.1-10.0.0.9'), '10.0.0.1-10.0.0.9');
    assert.equal(
      psRange('::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'),
      '"::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"',
    );
    assert.equal(psRange('10.0.0.0(255.0.0.0)'), '"10.0.0.0(255.0.0.0)"');
  });

  test('a connector name with a quote yields a command with the quote escaped', () => {
    const file = exchangeFormat.parse(
      'a.exchange.json',
      ownExport([
        connector({
          Name: 'Relay "old"',
          RemoteIPRanges: ['0.0.0.0-255.255.255.255'],
          permissions: [ANON_RELAY],
        }),
      ]),
      siblingsOf({}),
    );
    const report = exchangeFormat.refine(
      'RLY001',
      {
        messageId: 'open',
        path: ['servers', 0, 'listeners', 0, 'relay'],
        at: 'key',
        data: { count: 'many' },
      },
      file,
    );
    assert.equal(
      report?.remediation,
      'Remove-ADPermission -Identity "EX01\\Relay `"old`"" -User "NT AUTHORITY\\ANONYMOUS LOGON" -ExtendedRights ms-Exch-SMTP-Accept-Any-Recipient',
    );
    assert.deepEqual(report?.fixes, []);
  });
});
