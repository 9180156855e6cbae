import { DEFAULT_FROM, EXTERNAL, FORGED_FROM } from './generator.js';
import type { AuthMode, CaseSpec, ProbeSpec, RealClass, RunnerKind, TableFile } from './types.js';

/**
 * The rows of POSTFIX-ORACLE §4, as cases: each probe carries the class of the reply the
 * document recorded, so a run shows whether this machine's Postfix still answers the same
 * (and the recorded fixtures replay them). Compatibility level 3.6 unless the row says not.
 */

const STD =
  'smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination';
const SASL_ON = [
  'smtpd_sasl_auth_enable = yes',
  'smtpd_sasl_type = cyrus',
  'smtpd_sasl_path = smtpd',
  'smtpd_sasl_local_domain = oracle.invalid',
].join('\n');

interface Q {
  readonly client: string;
  readonly real: RealClass;
  readonly to?: string;
  readonly from?: string;
  readonly auth?: AuthMode;
}

function fixed(
  id: string,
  title: string,
  params: string,
  qs: readonly Q[],
  opts: { compat?: string | null; tables?: TableFile[]; runner?: RunnerKind; origin?: string } = {},
): CaseSpec {
  const compat = opts.compat === undefined ? '3.6' : opts.compat;
  const probes: ProbeSpec[] = [];
  const documented: Record<string, RealClass> = {};
  for (const q of qs) {
    const pid = `q${probes.length + 1}`;
    probes.push({
      id: pid,
      client: q.client,
      to: q.to ?? EXTERNAL,
      from: q.from ?? DEFAULT_FROM,
      auth: q.auth ?? 'none',
    });
    documented[pid] = q.real;
  }
  const lines = [compat === null ? '' : `compatibility_level = ${compat}`, params].filter(Boolean);
  return {
    id,
    title,
    runner: opts.runner ?? 'loopback',
    params: lines.join('\n') + '\n',
    tables: opts.tables ?? [],
    probes,
    documented,
    ...(opts.origin === undefined ? {} : { origin: opts.origin }),
  };
}

const F1 = 'oracle finding F1: host bits only hit clients of their own address family';
const D2 = 'oracle disagreement D2 (ORACLE_SEED=7, gN0141): DISCARD accepts and ends all checks';
const D3 = 'oracle disagreement D3 (ORACLE_SEED=11, gN0000): a trailing dot is not non-FQDN';
const D1 = 'oracle disagreement D1 (seed 20261204): an unbracketed IPv6 mynetworks item anywhere';

export function fixedCases(): CaseSpec[] {
  const ns: { runner: RunnerKind } = { runner: 'netns' };
  return [
    fixed('defaults-3.6', 'nothing set: style host, defer_unauth_destination', '', [
      { client: '127.0.0.1', real: 'allow' },
      { client: '127.0.0.5', real: 'deny' },
    ]),
    fixed('mynet-127-8', 'mynetworks = 127.0.0.0/8', `${STD}\nmynetworks = 127.0.0.0/8`, [
      { client: '127.0.0.5', real: 'allow' },
      { client: '127.10.0.1', real: 'allow' },
      { client: '::1', real: 'deny' },
    ]),
    fixed('mynet-127.0.0-24', 'mynetworks = 127.0.0.0/24', `${STD}\nmynetworks = 127.0.0.0/24`, [
      { client: '127.0.0.5', real: 'allow' },
      { client: '127.10.0.1', real: 'deny' },
    ]),
    fixed('mynet-hostbits', 'host bits: 451 for all', `${STD}\nmynetworks = 127.0.0.5/24`, [
      { client: '127.0.0.5', real: 'config-error' },
      { client: '127.10.0.1', real: 'config-error' },
    ]),
    fixed(
      'mynet-hostbits-second',
      'host bits after a matching entry: first match wins',
      `${STD}\nmynetworks = 127.0.0.0/8, 10.1.2.3/24`,
      [
        { client: '127.0.0.5', real: 'allow' },
        { client: '::1', real: 'deny' },
      ],
      { origin: F1 },
    ),
    fixed(
      'mynet-hostbits-first',
      'host bits before the matching entry',
      `${STD}\nmynetworks = 10.1.2.3/24, 127.0.0.0/8`,
      [{ client: '127.0.0.5', real: 'config-error' }],
    ),
    fixed(
      'mynet-hostbits-v6',
      'IPv6 host bits: only IPv6 clients get 451',
      `${STD}\nmynetworks = [::1]/64`,
      [
        { client: '::1', real: 'config-error' },
        { client: '127.0.0.1', real: 'deny' },
      ],
      { origin: F1 },
    ),
    fixed(
      'mynet-hostbits-v4-only',
      'IPv4 host bits: an IPv6 client is not affected',
      `${STD}\nmynetworks = 10.1.2.3/24`,
      [
        { client: '::1', real: 'deny' },
        { client: '127.0.0.1', real: 'config-error' },
      ],
      { origin: F1 },
    ),
    fixed(
      'mynet-negation',
      '!127.0.0.5, 127.0.0.0/8',
      `${STD}\nmynetworks = !127.0.0.5, 127.0.0.0/8`,
      [
        { client: '127.0.0.5', real: 'deny' },
        { client: '127.0.0.6', real: 'allow' },
      ],
    ),
    fixed('mynet-empty', 'mynetworks =', `${STD}\nmynetworks =`, [
      { client: '127.0.0.1', real: 'deny' },
    ]),
    fixed(
      'mynet-cidr-table',
      'mynetworks = cidr: table',
      `${STD}\nmynetworks = cidr:@MAPS@/mynet.cidr`,
      [
        { client: '127.10.0.1', real: 'allow' },
        { client: '127.0.0.5', real: 'deny' },
      ],
      { tables: [{ name: 'mynet.cidr', content: '127.10.0.0/16 OK\n' }] },
    ),
    fixed(
      'relay-permit-only',
      'relay = permit, recipient empty',
      'smtpd_relay_restrictions = permit',
      [{ client: '127.10.0.1', real: 'service-down' }],
    ),
    fixed(
      'open-relay-permit',
      'permit before the guard: smtpd refuses to start',
      'smtpd_relay_restrictions = permit, reject_unauth_destination',
      [{ client: '127.10.0.1', real: 'service-down' }],
    ),
    fixed(
      'open-relay-permit-rcpt-guard',
      'relay = permit, recipient = reject_unauth_destination',
      'smtpd_relay_restrictions = permit\nsmtpd_recipient_restrictions = reject_unauth_destination',
      [{ client: '127.10.0.1', real: 'deny' }],
    ),
    fixed(
      'rcpt-permit-first',
      'relay empty, recipient = permit, reject_unauth_destination',
      'smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit, reject_unauth_destination',
      [{ client: '127.10.0.1', real: 'service-down' }],
    ),
    fixed(
      'rcpt-legacy-ok',
      'legacy recipient restrictions',
      'smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\nmynetworks = 127.0.0.0/24',
      [
        { client: '127.0.0.5', real: 'allow' },
        { client: '127.10.0.1', real: 'deny' },
      ],
    ),
    fixed(
      'relay-wins-over-rcpt-permit',
      'std relay, recipient = permit',
      `${STD}\nsmtpd_recipient_restrictions = permit\nmynetworks = 127.0.0.1/32`,
      [{ client: '127.10.0.1', real: 'deny' }],
    ),
    fixed(
      'no-relay-guard',
      'relay empty, recipient = permit_mynetworks',
      'smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks',
      [{ client: '127.10.0.1', real: 'service-down' }],
    ),
    fixed('subnet-style', 'mynetworks_style = subnet', `${STD}\nmynetworks_style = subnet`, [
      { client: '127.10.0.1', real: 'allow' },
    ]),
    fixed('host-style', 'mynetworks_style = host', `${STD}\nmynetworks_style = host`, [
      { client: '127.0.0.1', real: 'allow' },
      { client: '::1', real: 'allow' },
      { client: '127.0.0.5', real: 'deny' },
    ]),
    fixed('ipv6-bracket', '[::1]/128', `${STD}\nmynetworks = [::1]/128`, [
      { client: '::1', real: 'allow' },
      { client: '127.0.0.1', real: 'deny' },
    ]),
    fixed('ipv6-nobracket', '::1/128 read as a table', `${STD}\nmynetworks = ::1/128`, [
      { client: '::1', real: 'service-down' },
    ]),
    fixed(
      'relay-domains-parent',
      'relay_domains = example.com matches subdomains',
      `${STD}\nmynetworks = 127.0.0.1/32\nrelay_domains = example.com`,
      [
        { client: '127.10.0.1', to: 'user@example.com', real: 'allow' },
        { client: '127.10.0.1', to: 'user@sub.example.com', real: 'allow' },
        { client: '127.10.0.1', real: 'deny' },
      ],
    ),
    fixed(
      'relay-domains-dot',
      '.example.com with parent matching off',
      `${STD}\nmynetworks = 127.0.0.1/32\nrelay_domains = .example.com\nparent_domain_matches_subdomains =`,
      [
        { client: '127.10.0.1', to: 'user@example.com', real: 'deny' },
        { client: '127.10.0.1', to: 'user@sub.example.com', real: 'allow' },
      ],
    ),
    fixed(
      'relay-domains-dot-default',
      '.example.com with parent matching on matches nothing',
      `${STD}\nmynetworks = 127.0.0.1/32\nrelay_domains = .example.com`,
      [
        { client: '127.10.0.1', to: 'user@example.com', real: 'deny' },
        { client: '127.10.0.1', to: 'user@sub.example.com', real: 'deny' },
        { client: '127.10.0.1', to: 'user@a.sub.example.com', real: 'deny' },
      ],
    ),
    fixed(
      'relay-domains-strict',
      'example.com with parent matching off',
      `${STD}\nmynetworks = 127.0.0.1/32\nrelay_domains = example.com\nparent_domain_matches_subdomains =`,
      [
        { client: '127.10.0.1', to: 'user@example.com', real: 'allow' },
        { client: '127.10.0.1', to: 'user@sub.example.com', real: 'deny' },
      ],
    ),
    fixed(
      'relay-domains-static-all',
      'relay_domains = static:ALL',
      `${STD}\nmynetworks = 127.0.0.1/32\nrelay_domains = static:ALL`,
      [{ client: '127.10.0.1', real: 'allow' }],
    ),
    fixed(
      'mydestination',
      'local delivery is not relaying',
      `${STD}\nmynetworks = 127.0.0.1/32\nmydestination = oracle.invalid, localhost`,
      [
        { client: '127.10.0.1', to: 'user@oracle.invalid', real: 'allow' },
        { client: '127.10.0.1', real: 'deny' },
      ],
    ),
    fixed('sasl-no-auth', 'SASL on, no AUTH', `${STD}\nmynetworks = 127.0.0.1/32\n${SASL_ON}`, [
      { client: '127.10.0.1', real: 'deny' },
    ]),
    fixed('sasl-auth-ok', 'SASL on, AUTH', `${STD}\nmynetworks = 127.0.0.1/32\n${SASL_ON}`, [
      { client: '127.10.0.1', auth: 'good', real: 'allow' },
      { client: '127.10.0.1', auth: 'bad', real: 'deny' },
    ]),
    fixed(
      'sasl-auth-no-permit',
      'authenticated, but no permit_sasl_authenticated',
      `smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\nmynetworks = 127.0.0.1/32\n${SASL_ON}`,
      [{ client: '127.10.0.1', auth: 'good', real: 'deny' }],
    ),
    fixed(
      'sasl-disabled-permit',
      'SASL off: AUTH refused, permit_sasl_authenticated inert',
      `${STD}\nmynetworks = 127.0.0.1/32`,
      [{ client: '127.10.0.1', auth: 'good', real: 'deny' }],
    ),
    fixed(
      'typo-restriction',
      'misspelled restriction: 451',
      'smtpd_relay_restrictions = permit_mynetwork, reject_unauth_destination',
      [{ client: '127.0.0.5', real: 'config-error' }],
    ),
    fixed(
      'client-cidr-ok',
      'check_client_access cidr: OK',
      'smtpd_relay_restrictions = check_client_access cidr:@MAPS@/client.cidr, reject_unauth_destination',
      [
        { client: '127.0.0.5', real: 'allow' },
        { client: '127.0.0.6', real: 'deny' },
      ],
      { tables: [{ name: 'client.cidr', content: '127.0.0.5 OK\n' }] },
    ),
    fixed(
      'client-cidr-hostbits',
      'check_client_access OK rule with host bits is skipped',
      'smtpd_relay_restrictions = check_client_access cidr:@MAPS@/client.cidr, reject_unauth_destination',
      [{ client: '127.0.0.5', real: 'deny' }],
      { tables: [{ name: 'client.cidr', content: '127.0.0.5/24 OK\n' }] },
    ),
    fixed(
      'cidr-reject-hostbits-failopen',
      'REJECT rule with host bits is skipped: fails open',
      'smtpd_relay_restrictions = check_client_access cidr:@MAPS@/client.cidr, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination\nmynetworks = 127.0.0.0/8',
      [{ client: '127.0.0.5', real: 'allow' }],
      { tables: [{ name: 'client.cidr', content: '127.0.0.5/24 REJECT\n' }] },
    ),
    fixed(
      'sender-access-ok',
      'check_sender_access OK: spoofable',
      'smtpd_relay_restrictions = check_sender_access inline:{client.example=OK}, reject_unauth_destination',
      [
        { client: '127.10.0.1', from: FORGED_FROM, real: 'allow' },
        { client: '127.10.0.1', real: 'deny' },
      ],
    ),
    fixed('mynet-0-0', 'mynetworks = 0.0.0.0/0', `${STD}\nmynetworks = 0.0.0.0/0`, [
      { client: '127.10.0.1', real: 'allow' },
    ]),
    fixed(
      'compat-0-defaults',
      'no parameters at all',
      '',
      [{ client: '127.10.0.1', real: 'service-down' }],
      {
        compat: null,
      },
    ),
    fixed(
      'compat-0-std',
      'std without a compatibility level',
      `${STD}\nmynetworks = 127.0.0.1/32`,
      [
        { client: '127.0.0.1', real: 'allow' },
        { client: '127.10.0.1', real: 'deny' },
      ],
      { compat: null },
    ),
    fixed('source-route', 'source routes are denied', `${STD}\nmynetworks = 127.0.0.1/32`, [
      { client: '127.10.0.1', to: 'user%external.example@oracle.invalid', real: 'deny' },
      { client: '127.10.0.1', to: '@oracle.invalid:user@external.example', real: 'deny' },
    ]),
    // Disagreements of earlier runs, kept as they were found.
    fixed(
      'found-d1-after-0-0',
      'unbracketed ::1/128 after 0.0.0.0/0',
      'mynetworks = 0.0.0.0/0 cidr:@MAPS@/t1.cidr,\n    ::1/128\nrelay_domains = .example.com\nparent_domain_matches_subdomains =',
      [
        { client: '127.222.112.0', real: 'service-down' },
        { client: '::1', real: 'service-down' },
      ],
      {
        origin: D1,
        tables: [{ name: 't1.cidr', content: '127.233.136.0/21\tOK\n127.222.112.0/20\tOK\n' }],
      },
    ),
    fixed(
      'found-d1-after-negation',
      'unbracketed ::/64 after a negated bracketed entry',
      'mynetworks = ![::1]/128, ::/64\nsmtpd_relay_restrictions = reject_unauth_destination\nparent_domain_matches_subdomains =\nmydestination = $myhostname, localhost, local.example',
      [
        { client: '::1', real: 'service-down' },
        { client: '127.37.218.61', to: 'user@oracle.invalid', real: 'service-down' },
      ],
      { origin: D1 },
    ),
    fixed(
      'found-d1-middle',
      'unbracketed ::/64 between IPv4 entries',
      'mynetworks = 127.108.56.99/20 ::/64, !127.176.16.0/20\nsmtpd_relay_restrictions = permit_mynetworks, defer_unauth_destination, permit_sasl_authenticated\nmydestination = $myhostname, localhost, local.example',
      [
        { client: '127.108.48.0', real: 'service-down' },
        { client: '127.176.16.0', real: 'service-down' },
      ],
      { origin: D1, compat: '2' },
    ),
    fixed(
      'found-d2-compat2-rcpt-first',
      'compat 2: recipient list first; DISCARD skips the relay list',
      'smtpd_relay_restrictions = permit_mynetworks defer_unauth_destination\nsmtpd_recipient_restrictions = check_client_access cidr:@MAPS@/t1.cidr',
      [
        { client: '127.0.113.48', real: 'allow' },
        { client: '127.0.113.64', real: 'deny' },
      ],
      {
        origin: D2,
        compat: '2',
        tables: [{ name: 't1.cidr', content: '127.0.113.48/28\tDISCARD\n' }],
      },
    ),
    fixed(
      'found-d2-relay-discard',
      'DISCARD in the relay list skips the recipient list',
      'smtpd_relay_restrictions = check_client_access static:DISCARD, reject_unauth_destination\nsmtpd_recipient_restrictions = reject',
      [{ client: '127.0.113.48', real: 'allow' }],
      { origin: D2 },
    ),
    fixed(
      'found-d2-sender-discard',
      'DISCARD from smtpd_sender_restrictions skips the relay list',
      'smtpd_sender_restrictions = check_client_access static:DISCARD\nsmtpd_relay_restrictions = reject_unauth_destination',
      [{ client: '127.0.113.48', real: 'allow' }],
      { origin: D2 },
    ),
    fixed(
      'found-d2-discard-then-reject',
      'DISCARD, reject in one list',
      'smtpd_relay_restrictions = reject_unauth_destination\nsmtpd_recipient_restrictions = check_client_access static:DISCARD, reject',
      [{ client: '127.0.113.48', real: 'allow' }],
      { origin: D2, compat: '2' },
    ),
    fixed(
      'found-d2-client-discard',
      'DISCARD in smtpd_client_restrictions: the host-bits entry is never reached',
      'mynetworks = 127.167.151.237/30\nsmtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\nsmtpd_client_restrictions = check_client_access cidr:@MAPS@/t1.cidr',
      [
        { client: '127.120.63.128', real: 'allow' },
        { client: '127.48.0.1', real: 'config-error' },
      ],
      {
        origin: D2,
        tables: [{ name: 't1.cidr', content: '127.48.0.0/12\tOK\n127.120.63.128/25\tDISCARD\n' }],
      },
    ),
    fixed(
      'found-d2-control-ok',
      'OK ends only its own list',
      'smtpd_relay_restrictions = check_client_access static:OK, reject_unauth_destination\nsmtpd_recipient_restrictions = reject',
      [{ client: '127.0.113.48', real: 'deny' }],
      { origin: D2 },
    ),
    fixed(
      'found-d3-trailing-dot',
      'a trailing dot is fully qualified',
      'smtpd_relay_restrictions = reject_non_fqdn_recipient, permit_mynetworks, reject_unauth_destination\nrelay_domains = example.com\nparent_domain_matches_subdomains =',
      [
        { client: '127.0.113.6', to: 'user@example.com.', real: 'allow' },
        { client: '127.0.113.6', to: 'user@localhost', real: 'deny' },
      ],
      { origin: D3 },
    ),
    // Namespace rows (clients outside 127/8).
    fixed(
      'ns-mynet-10-8',
      '127/8 and 10/8',
      `${STD}\nmynetworks = 127.0.0.0/8, 10.0.0.0/8`,
      [
        { client: '10.1.2.3', real: 'allow' },
        { client: '203.0.113.7', real: 'deny' },
        { client: '2001:db8::7', real: 'deny' },
      ],
      ns,
    ),
    fixed(
      'ns-hostbits',
      '10.1.2.3/24',
      `${STD}\nmynetworks = 10.1.2.3/24`,
      [{ client: '10.1.2.3', real: 'config-error' }],
      ns,
    ),
    fixed(
      'ns-open-0-0',
      '0.0.0.0/0',
      `${STD}\nmynetworks = 0.0.0.0/0`,
      [
        { client: '203.0.113.7', real: 'allow' },
        { client: '10.1.2.3', real: 'allow' },
        { client: '2001:db8::7', real: 'deny' },
      ],
      ns,
    ),
    fixed(
      'ns-open-v6',
      '[::]/0',
      `${STD}\nmynetworks = [::]/0`,
      [
        { client: '2001:db8::7', real: 'allow' },
        { client: '203.0.113.7', real: 'deny' },
      ],
      ns,
    ),
    fixed(
      'ns-v6-doc',
      '[2001:db8::]/32',
      `${STD}\nmynetworks = [2001:db8::]/32`,
      [
        { client: '2001:db8::7', real: 'allow' },
        { client: '::1', real: 'deny' },
      ],
      ns,
    ),
    fixed(
      'ns-host-style',
      'host style in the namespace',
      `${STD}\nmynetworks_style = host`,
      [
        { client: '10.1.2.3', real: 'allow' },
        { client: '203.0.113.7', real: 'allow' },
      ],
      ns,
    ),
    fixed(
      'ns-subnet-style',
      'subnet style in the namespace',
      `${STD}\nmynetworks_style = subnet`,
      [{ client: '10.1.2.3', real: 'allow' }],
      ns,
    ),
    fixed(
      'ns-sender-access',
      'check_sender_access OK from 203.0.113.7',
      'smtpd_relay_restrictions = check_sender_access inline:{client.example=OK}, reject_unauth_destination',
      [{ client: '203.0.113.7', from: FORGED_FROM, real: 'allow' }],
      ns,
    ),
    fixed(
      'found-d1-doc-prefix',
      'unbracketed 2001:db8::7: a table of unknown type `2001`, 451 when reached',
      `${STD}\nmynetworks = 127.0.0.0/8, 2001:db8::7`,
      [
        { client: '10.1.2.3', real: 'config-error' },
        { client: '2001:db8::7', real: 'config-error' },
        { client: '127.0.0.5', real: 'allow' },
      ],
      { ...ns, origin: D1 },
    ),
    fixed(
      'ns-relay-domains-static',
      'relay_domains = static:ALL from 203.0.113.7',
      `${STD}\nmynetworks = 127.0.0.1/32\nrelay_domains = static:ALL`,
      [{ client: '203.0.113.7', real: 'allow' }],
      ns,
    ),
  ];
}
