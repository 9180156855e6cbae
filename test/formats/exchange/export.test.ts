import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import {
  connectorFromDn,
  looksLikeExchange,
  modelRangeText,
  readExchangeExport,
  siblingNames,
} from '../../../server/src/core/formats/exchange/export.js';
import { fastParse } from '../../../server/src/core/formats/exchange/json-read.js';
import { principalKind } from '../../../server/src/core/formats/exchange/principals.js';
import { NO_SIBLINGS } from '../../../server/src/core/formats/types.js';
import { ANON_RELAY, connector, ownExport, siblingsOf } from './helpers.js';

function read(text: string, siblings = NO_SIBLINGS, name = 'ex01.exchange.json') {
  const r = readExchangeExport(text, siblings, name);
  assert.deepEqual(r.problems, [], JSON.stringify(r.problems));
  assert.ok(r.data !== undefined);
  return r.data;
}

function only(text: string, siblings = NO_SIBLINGS) {
  const c = read(text, siblings).connectors[0];
  assert.ok(c !== undefined);
  return c;
}

describe('exchange export: flags in every form PowerShell may write', () => {
  const forms: [string, unknown][] = [
    ['a number', 5],
    ['a numeric string', '5'],
    ['names joined by ", "', 'AnonymousUsers, ExchangeServers'],
    ['names in any case, joined by "|"', 'anonymoususers|EXCHANGESERVERS'],
    ['an array of names', ['AnonymousUsers', 'ExchangeServers']],
    ['an array of numbers', [1, 4]],
    ['a deserialised enum object', { value__: 5 }],
  ];
  for (const [label, value] of forms) {
    test(`PermissionGroups as ${label}`, () => {
      const c = only(ownExport([connector({ PermissionGroups: value })]));
      assert.equal(c.permissionGroups.bits, 5);
      assert.deepEqual(c.permissionGroups.unknown, []);
    });
  }

  test('AuthMechanism uses the receive-side values (ExternalAuthoritative = 32)', () => {
    const c = only(ownExport([connector({ AuthMechanism: 'Tls, ExternalAuthoritative' })]));
    assert.equal(c.authMechanism.bits, 33);
  });

  test('unknown names are kept apart, known ones still count', () => {
    const c = only(ownExport([connector({ PermissionGroups: 'ExchangeUsers, Bogus' })]));
    assert.equal(c.permissionGroups.bits, 2);
    assert.deepEqual(c.permissionGroups.unknown, ['Bogus']);
  });

  test('the flags span is the value as written', () => {
    const text = ownExport([connector({ PermissionGroups: 'AnonymousUsers, ExchangeUsers' })]);
    const c = only(text);
    const s = c.permissionGroups.span;
    assert.ok(s !== undefined);
    assert.equal(text.slice(s.start, s.end), '"AnonymousUsers, ExchangeUsers"');
  });
});

describe('exchange export: RemoteIPRanges', () => {
  test('bare strings: single address, CIDR, range, netmask form', () => {
    const text = ownExport([
      connector({
        RemoteIPRanges: ['10.0.0.1', '10.1.0.0/16', '10.2.0.1-10.2.0.9', '10.3.0.0(255.255.0.0)'],
      }),
    ]);
    const c = only(text);
    assert.deepEqual(
      c.ranges.map((r) => r.text),
      ['10.0.0.1', '10.1.0.0/16', '10.2.0.1-10.2.0.9', '10.3.0.0/255.255.0.0'],
    );
    assert.equal(c.ranges[3]?.written, '10.3.0.0(255.255.0.0)');
    for (const r of c.ranges) assert.equal(text.slice(r.span.start + 1, r.span.end - 1), r.written);
  });

  test('IPRange objects: Expression first, its value is the span', () => {
    const text = JSON.stringify([
      {
        Identity: 'EX01\\R',
        RemoteIPRanges: [
          {
            LowerBound: '10.0.0.0',
            UpperBound: '10.0.0.255',
            RangeFormat: 1,
            CIDRLength: 24,
            Expression: '10.0.0.0/24',
          },
        ],
        PermissionGroups: 1,
      },
    ]);
    const c = only(text);
    assert.equal(c.ranges[0]?.text, '10.0.0.0/24');
    const s = c.ranges[0]?.span;
    assert.ok(s !== undefined);
    assert.equal(text.slice(s.start, s.end), '"10.0.0.0/24"');
  });

  test('IPRange objects without Expression: LowerBound/UpperBound, CIDR, single', () => {
    const text = JSON.stringify([
      {
        Identity: 'EX01\\R',
        RemoteIPRanges: [
          { LowerBound: '10.0.0.1', UpperBound: '10.0.0.9', RangeFormat: 3 },
          {
            LowerBound: '10.9.0.0',
            UpperBound: '10.9.255.255',
            RangeFormat: 'CIDR',
            CIDRLength: 16,
          },
          { LowerBound: '10.8.0.7', UpperBound: '10.8.0.7', RangeFormat: 4 },
        ],
        PermissionGroups: 1,
      },
    ]);
    assert.deepEqual(
      only(text).ranges.map((r) => r.text),
      ['10.0.0.1-10.0.0.9', '10.9.0.0/16', '10.8.0.7'],
    );
  });

  test('one string holding several ranges is split, each with its own span', () => {
    const text = ownExport([connector({ RemoteIPRanges: '10.0.0.1, 10.0.0.0/24' })]);
    const c = only(text);
    assert.deepEqual(
      c.ranges.map((r) => text.slice(r.span.start, r.span.end)),
      ['10.0.0.1', '10.0.0.0/24'],
    );
  });

  test('the netmask form becomes the model mask notation', () => {
    assert.equal(modelRangeText('63.128.21.0(255.255.255.0)'), '63.128.21.0/255.255.255.0');
    assert.equal(modelRangeText('10.0.0.1'), '10.0.0.1');
  });
});

describe('exchange export: identities, bindings, shapes', () => {
  test('Identity as an ADObjectId object with a DistinguishedName', () => {
    const text = JSON.stringify({
      Identity: {
        Name: 'Relay',
        DistinguishedName:
          'CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EX07,CN=Servers,CN=Exchange Administrative Group,CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=corp,DC=example,DC=com',
      },
      RemoteIPRanges: ['10.0.0.1'],
      PermissionGroups: 1,
    });
    const c = only(text);
    assert.equal(c.identity, 'EX07\\Relay');
    assert.equal(c.server, 'EX07');
  });

  test('a DN with an escaped comma keeps it in the name', () => {
    assert.deepEqual(
      connectorFromDn(
        'CN=Relay\\, scanners,CN=SMTP Receive Connectors,CN=Protocols,CN=EX1,CN=Servers',
      ),
      {
        server: 'EX1',
        name: 'Relay, scanners',
      },
    );
  });

  test('a single object (ConvertTo-Json of one connector) and the {value, Count} wrapper', () => {
    const one = { Identity: 'EX01\\A', RemoteIPRanges: ['10.0.0.1'], PermissionGroups: 1 };
    assert.equal(read(JSON.stringify(one)).connectors.length, 1);
    const wrapped = { value: [one, { ...one, Identity: 'EX01\\B' }], Count: 2 };
    assert.deepEqual(
      read(JSON.stringify(wrapped)).connectors.map((c) => c.identity),
      ['EX01\\A', 'EX01\\B'],
    );
  });

  test('bindings as strings or {Address, Port} objects', () => {
    const text = JSON.stringify({
      Identity: 'EX01\\A',
      Bindings: [
        '0.0.0.0:25',
        { Address: '::', Port: 587 },
        { Address: { IPAddressToString: '10.0.0.5' }, Port: 25 },
      ],
      RemoteIPRanges: ['10.0.0.1'],
    });
    assert.deepEqual(
      only(text).bindings.map((b) => b.value),
      ['0.0.0.0:25', '[::]:587', '10.0.0.5:25'],
    );
  });

  test('Enabled and RequireTLS as booleans or strings; absent Enabled means enabled', () => {
    const a = only(ownExport([connector({ Enabled: 'False', RequireTLS: 'True' })]));
    assert.equal(a.enabled.value, false);
    assert.equal(a.requireTls.value, true);
    const b = only(JSON.stringify({ Identity: 'EX01\\A', RemoteIPRanges: ['10.0.0.1'] }));
    assert.equal(b.enabled.value, true);
  });

  test('TransportRole numbers become names', () => {
    assert.equal(
      only(ownExport([connector({ TransportRole: 16384 })])).transportRole,
      'FrontendTransport',
    );
    assert.equal(only(ownExport([connector({ TransportRole: 32 })])).transportRole, 'HubTransport');
  });

  test('accepted domains: names or numbers for DomainType, the own shape and a sibling file', () => {
    const own = read(
      ownExport(
        [connector({})],
        [
          { DomainName: 'corp.example.com', DomainType: 'Authoritative', Default: true },
          { DomainName: '*', DomainType: 2 },
          { DomainName: 'partner.example', DomainType: '1' },
        ],
      ),
    );
    assert.deepEqual(
      own.acceptedDomains.map((d) => [d.domain, d.type, d.isDefault]),
      [
        ['corp.example.com', 'authoritative', true],
        ['*', 'internalRelay', false],
        ['partner.example', 'externalRelay', false],
      ],
    );
    const raw = read(
      JSON.stringify([{ Identity: 'EX01\\A', RemoteIPRanges: ['10.0.0.1'] }]),
      siblingsOf({
        'accepted-domains.json': JSON.stringify({ DomainName: 'x.example', DomainType: 0 }),
      }),
      'ex01.json',
    );
    assert.equal(raw.acceptedDomains[0]?.domain, 'x.example');
    assert.equal(raw.acceptedDomains[0]?.file, 'accepted-domains.json');
  });
});

describe('exchange export: permissions', () => {
  test('own shape: permissions inline, the right item is the span', () => {
    const text = ownExport([connector({ permissions: [ANON_RELAY] })]);
    const p = only(text).permissions[0];
    assert.ok(p !== undefined);
    assert.equal(p.kind, 'anonymous');
    const s = p.rights[0]?.span;
    assert.ok(s !== undefined);
    assert.equal(text.slice(s.start, s.end), '"ms-Exch-SMTP-Accept-Any-Recipient"');
  });

  test('raw shape: Get-ADPermission beside the export, matched by Identity; Deny as {IsPresent}', () => {
    const rc = JSON.stringify([
      { Identity: 'EX01\\Relay', RemoteIPRanges: ['10.0.0.1'], PermissionGroups: 1 },
      { Identity: 'EX01\\Other', RemoteIPRanges: ['10.0.0.2'], PermissionGroups: 1 },
    ]);
    const aces = JSON.stringify([
      {
        Identity: 'EX01\\Relay',
        User: 'NT AUTHORITY\\ANONYMOUS LOGON',
        ExtendedRights: ['ms-Exch-SMTP-Accept-Any-Recipient'],
        Deny: { IsPresent: false },
      },
      {
        Identity: 'EX01\\Relay',
        User: 'NT AUTHORITY\\ANONYMOUS LOGON',
        ExtendedRights: ['ms-Exch-SMTP-Accept-Any-Recipient'],
        Deny: { IsPresent: true },
      },
    ]);
    const data = read(rc, siblingsOf({ 'ex01.adpermission.json': aces }), 'ex01.json');
    assert.equal(data.permissionsSource, 'ex01.adpermission.json');
    const [relay, other] = data.connectors;
    assert.deepEqual(
      relay?.permissions.map((p) => p.deny),
      [false, true],
    );
    assert.equal(relay?.permissions[0]?.file, 'ex01.adpermission.json');
    assert.equal(other?.permissions.length, 0);
  });

  test('raw shape: an ACE whose Identity is a distinguished name string', () => {
    const rc = JSON.stringify([
      { Identity: 'EX01\\Relay', RemoteIPRanges: ['10.0.0.1'], PermissionGroups: 1 },
    ]);
    const aces = JSON.stringify([
      {
        Identity:
          'CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01,CN=Servers,CN=AG,DC=corp',
        User: 'NT AUTHORITY\\ANONYMOUS LOGON',
        ExtendedRights: 'ms-Exch-SMTP-Accept-Any-Recipient',
        Deny: false,
      },
    ]);
    const data = read(rc, siblingsOf({ 'adpermission.json': aces }), 'ex01.json');
    assert.deepEqual(
      data.connectors[0]?.permissions.map((p) => p.rights.map((r) => r.value)),
      [['ms-Exch-SMTP-Accept-Any-Recipient']],
    );
  });

  test('raw shape without Get-ADPermission output: a note says grants cannot be judged', () => {
    const data = read(
      JSON.stringify([{ Identity: 'EX01\\R', RemoteIPRanges: ['10.0.0.1'] }]),
      NO_SIBLINGS,
      'ex01.json',
    );
    assert.equal(data.permissionsSource, undefined);
    assert.match(data.notes[0] ?? '', /Get-ADPermission/);
  });

  test('User as an object carrying the SID; AccessRights ExtendedRight with no named right', () => {
    const text = ownExport([
      connector({
        permissions: [
          {
            User: { RawIdentity: 'CONTOSO\\whatever', SecurityIdentifier: { Value: 'S-1-5-7' } },
            AccessRights: ['ExtendedRight'],
            ExtendedRights: null,
            Deny: false,
          },
        ],
      }),
    ]);
    const p = only(text).permissions[0];
    assert.equal(p?.sid, 'S-1-5-7');
    assert.equal(p?.kind, 'anonymous');
    assert.equal(p?.allExtendedRights, true);
  });

  test('AccessRights GenericAll as its number (983551) grants every extended right; ReadProperty does not', () => {
    const perm = (AccessRights: unknown) => ({
      User: 'S-1-5-7',
      AccessRights,
      ExtendedRights: [],
      Deny: false,
    });
    const text = ownExport([
      connector({
        permissions: [perm(983551), perm('ReadProperty, GenericRead'), perm(['GenericAll'])],
      }),
    ]);
    assert.deepEqual(
      only(text).permissions.map((p) => p.allExtendedRights),
      [true, false, true],
    );
  });

  test('principals: SID wins, localised names match, other accounts do not', () => {
    assert.equal(principalKind('NT AUTHORITY\\Authenticated Users', 'S-1-5-7'), 'anonymous');
    assert.equal(principalKind('NT AUTHORITY\\ANONYMOUS LOGON', 'S-1-5-11'), 'other');
    assert.equal(principalKind('NT-AUTORITÄT\\ANONYMOUS-ANMELDUNG', undefined), 'anonymous');
    assert.equal(principalKind('nt authority\\anonymous logon', undefined), 'anonymous');
    assert.equal(principalKind('ANONYMOUS LOGON', undefined), 'anonymous');
    assert.equal(principalKind('Everyone', undefined), 'everyone');
    assert.equal(principalKind('NT AUTHORITY\\Authenticated Users', undefined), 'other');
    assert.equal(principalKind(undefined, undefined), 'other');
  });

  test('sibling names derive from the export name', () => {
    const n = siblingNames('EX01.exchange.json');
    assert.equal(n.permissions[0], 'EX01.adpermission.json');
    assert.ok(n.domains.includes('accepted-domains.json'));
  });
});

describe('exchange export: what is not an export', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed JSON', '{"relayLintExport": 1, "receiveConnectors": [', /not valid JSON/],
    ['an empty file', '', /empty/],
    [
      'JSON of another kind',
      '{"name": "package", "version": "1.0.0"}',
      /not an Exchange receive-connector export/,
    ],
    ['an array of non-connectors', '[1, 2, 3]', /not an Exchange receive-connector export/],
    [
      'receiveConnectors of the wrong type',
      '{"relayLintExport": 1, "receiveConnectors": "x"}',
      /must be an array/,
    ],
    ['nesting too deep', `${'['.repeat(10_000)}${']'.repeat(10_000)}`, /nests deeper/],
  ];
  for (const [label, text, why] of cases) {
    test(label, () => {
      const r = readExchangeExport(text, NO_SIBLINGS, 'x.exchange.json');
      assert.equal(r.data, undefined);
      assert.ok(r.problems.length >= 1);
      assert.match(r.problems[0]?.message ?? '', why);
    });
  }

  test('sniffing finds both shapes and nothing else', () => {
    assert.equal(looksLikeExchange(ownExport([connector({})])), true);
    assert.equal(looksLikeExchange('[{"RemoteIPRanges": [], "PermissionGroups": 1}]'), true);
    assert.equal(looksLikeExchange('{"version": 1, "servers": []}'), false);
    assert.equal(looksLikeExchange('[{"RemoteIPRanges": []}]'), false);
  });
});

describe('exchange export: the fast JSON parser', () => {
  /** The tree without parent links, for comparison. */
  function plain(n: JsonNode | undefined): unknown {
    if (n === undefined) return undefined;
    return {
      type: n.type,
      offset: n.offset,
      length: n.length,
      value:
        n.type === 'object' || n.type === 'array' || n.type === 'property'
          ? undefined
          : (n.value as unknown),
      children: n.children?.map(plain),
    };
  }

  test('property: on well-formed JSON it builds the tree jsonc-parser builds', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        assert.deepEqual(plain(fastParse(text)), plain(parseTree(text)));
      }),
      { numRuns: 300 },
    );
  });

  test('it gives up on malformed JSON (the caller then asks jsonc-parser)', () => {
    for (const bad of [
      '{"a":1,}',
      '[1 2]',
      '{"a" 1}',
      '01',
      '"\\x"',
      '{"a":tru}',
      '[1]x',
      '"a\u0001b\n',
      '-',
    ]) {
      assert.equal(fastParse(bad), undefined, bad);
    }
  });
});
