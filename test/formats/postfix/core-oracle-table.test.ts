import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explainPostfix } from '../../../server/src/core/formats/postfix/explain.js';
import type { ExplainOutcome, ListenerAnswer } from '../../../server/src/core/formats/types.js';

/**
 * Every row of POSTFIX-ORACLE.md §4 (real Postfix 3.7.11 replies), replayed against the
 * evaluator. The harness header is the oracle's (§2.2); `std` is the relay list the table names.
 */

const HARNESS = [
  'myhostname = oracle.invalid',
  'mydomain = invalid',
  'myorigin = $myhostname',
  'smtpd_peername_lookup = no',
  'alias_maps =',
  'local_recipient_maps =',
  'notify_classes =',
].join('\n');

const MASTER = '127.0.0.1:2525 inet n - n - - smtpd\n[::1]:2525 inet n - n - - smtpd\n';
const STD =
  'smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination';
const LOOPBACK_HOST = [
  '127.0.0.1/8',
  '::1/128',
  '192.0.2.2/24',
  'fd00::2/64',
  'fe80::fc:ff:fe00:1/64',
];
const NETNS_HOST = ['127.0.0.1/8', '10.1.2.3/32', '203.0.113.7/32', '2001:db8::7/128', '::1/128'];

const TABLES: Record<string, string> = {
  '/maps/loop.cidr': '127.10.0.0/16 OK\n',
  '/maps/ok.cidr': '127.0.0.5 OK\n',
  '/maps/hostbits-ok.cidr': '127.0.0.5/24 OK\n',
  '/maps/hostbits-reject.cidr': '127.0.0.5/24 REJECT\n',
};

interface Row {
  readonly name: string;
  readonly config: readonly string[];
  readonly compat?: string | null;
  readonly client: string;
  readonly to?: string;
  readonly from?: string;
  readonly auth?: boolean;
  readonly netns?: boolean;
  /** The real reply's first three characters ('none' = no banner). */
  readonly reply: string;
  readonly outcome: ExplainOutcome;
}

const ROWS: readonly Row[] = [
  {
    name: 'defaults-3.6 own address',
    config: [],
    client: '127.0.0.1',
    reply: '250',
    outcome: 'allow',
  },
  { name: 'defaults-3.6 other', config: [], client: '127.0.0.5', reply: '454', outcome: 'deny' },
  {
    name: 'mynet-127/8',
    config: [STD, 'mynetworks = 127.0.0.0/8'],
    client: '127.10.0.1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'mynet-127/8 ::1',
    config: [STD, 'mynetworks = 127.0.0.0/8'],
    client: '::1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'mynet-127.0.0/24 in',
    config: [STD, 'mynetworks = 127.0.0.0/24'],
    client: '127.0.0.5',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'mynet-127.0.0/24 out',
    config: [STD, 'mynetworks = 127.0.0.0/24'],
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'mynet-hostbits a',
    config: [STD, 'mynetworks = 127.0.0.5/24'],
    client: '127.0.0.5',
    reply: '451',
    outcome: 'config-error',
  },
  {
    name: 'mynet-hostbits b',
    config: [STD, 'mynetworks = 127.0.0.5/24'],
    client: '127.10.0.1',
    reply: '451',
    outcome: 'config-error',
  },
  {
    name: 'hostbits after a match',
    config: [STD, 'mynetworks = 127.0.0.0/8, 10.1.2.3/24'],
    client: '127.0.0.5',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'hostbits before a match',
    config: [STD, 'mynetworks = 10.1.2.3/24, 127.0.0.0/8'],
    client: '127.0.0.5',
    reply: '451',
    outcome: 'config-error',
  },
  {
    name: 'hostbits other family',
    config: [STD, 'mynetworks = 127.0.0.0/8, 10.1.2.3/24'],
    client: '::1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'mynet-negation excluded',
    config: [STD, 'mynetworks = !127.0.0.5, 127.0.0.0/8'],
    client: '127.0.0.5',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'mynet-negation other',
    config: [STD, 'mynetworks = !127.0.0.5, 127.0.0.0/8'],
    client: '127.0.0.6',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'mynet-empty',
    config: [STD, 'mynetworks ='],
    client: '127.0.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'mynet-cidr-table in',
    config: [STD, 'mynetworks = cidr:/maps/loop.cidr'],
    client: '127.10.0.1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'mynet-cidr-table out',
    config: [STD, 'mynetworks = cidr:/maps/loop.cidr'],
    client: '127.0.0.5',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'relay-permit-only',
    config: ['smtpd_relay_restrictions = permit'],
    client: '127.10.0.1',
    reply: 'none',
    outcome: 'service-down',
  },
  {
    name: 'open-relay-permit',
    config: ['smtpd_relay_restrictions = permit, reject_unauth_destination'],
    client: '127.10.0.1',
    reply: 'none',
    outcome: 'service-down',
  },
  {
    name: 'open-relay-permit-rcpt-guard',
    config: [
      'smtpd_relay_restrictions = permit',
      'smtpd_recipient_restrictions = reject_unauth_destination',
    ],
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'rcpt-permit-first',
    config: [
      'smtpd_relay_restrictions =',
      'smtpd_recipient_restrictions = permit, reject_unauth_destination',
    ],
    client: '127.10.0.1',
    reply: 'none',
    outcome: 'service-down',
  },
  {
    name: 'rcpt-legacy-ok in',
    config: [
      'smtpd_relay_restrictions =',
      'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination',
      'mynetworks = 127.0.0.0/24',
    ],
    client: '127.0.0.5',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'rcpt-legacy-ok out',
    config: [
      'smtpd_relay_restrictions =',
      'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination',
      'mynetworks = 127.0.0.0/24',
    ],
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'relay-wins-over-rcpt-permit',
    config: [STD, 'smtpd_recipient_restrictions = permit', 'mynetworks = 127.0.0.1/32'],
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'no-relay-guard',
    config: ['smtpd_relay_restrictions =', 'smtpd_recipient_restrictions = permit_mynetworks'],
    client: '127.10.0.1',
    reply: 'none',
    outcome: 'service-down',
  },
  {
    name: 'subnet-style',
    config: [STD, 'mynetworks_style = subnet'],
    client: '127.10.0.1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'host-style own v4',
    config: [STD, 'mynetworks_style = host'],
    client: '127.0.0.1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'host-style own v6',
    config: [STD, 'mynetworks_style = host'],
    client: '::1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'host-style other',
    config: [STD, 'mynetworks_style = host'],
    client: '127.0.0.5',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ipv6-bracket v6',
    config: [STD, 'mynetworks = [::1]/128'],
    client: '::1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ipv6-bracket v4',
    config: [STD, 'mynetworks = [::1]/128'],
    client: '127.0.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ipv6-nobracket',
    config: [STD, 'mynetworks = ::1/128'],
    client: '::1',
    reply: 'none',
    outcome: 'service-down',
  },
  {
    name: 'relay-domains-parent exact',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'relay_domains = example.com'],
    client: '127.10.0.1',
    to: 'user@example.com',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'relay-domains-parent sub',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'relay_domains = example.com'],
    client: '127.10.0.1',
    to: 'user@sub.example.com',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'relay-domains-parent external',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'relay_domains = example.com'],
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'relay-domains-dot parent',
    config: [
      STD,
      'mynetworks = 127.0.0.1/32',
      'relay_domains = .example.com',
      'parent_domain_matches_subdomains =',
    ],
    client: '127.10.0.1',
    to: 'user@example.com',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'relay-domains-dot sub',
    config: [
      STD,
      'mynetworks = 127.0.0.1/32',
      'relay_domains = .example.com',
      'parent_domain_matches_subdomains =',
    ],
    client: '127.10.0.1',
    to: 'user@sub.example.com',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'relay-domains-dot default style',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'relay_domains = .example.com'],
    client: '127.10.0.1',
    to: 'user@sub.example.com',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'relay-domains-strict exact',
    config: [
      STD,
      'mynetworks = 127.0.0.1/32',
      'relay_domains = example.com',
      'parent_domain_matches_subdomains =',
    ],
    client: '127.10.0.1',
    to: 'user@example.com',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'relay-domains-strict sub',
    config: [
      STD,
      'mynetworks = 127.0.0.1/32',
      'relay_domains = example.com',
      'parent_domain_matches_subdomains =',
    ],
    client: '127.10.0.1',
    to: 'user@sub.example.com',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'relay-domains-static-all',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'relay_domains = static:ALL'],
    client: '127.10.0.1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'mydestination local',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'mydestination = oracle.invalid, localhost'],
    client: '127.10.0.1',
    to: 'user@oracle.invalid',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'mydestination external',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'mydestination = oracle.invalid, localhost'],
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'sasl-no-auth',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'smtpd_sasl_auth_enable = yes'],
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'sasl-auth-ok',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'smtpd_sasl_auth_enable = yes'],
    client: '127.10.0.1',
    auth: true,
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'sasl-auth-no-permit',
    config: [
      'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
      'mynetworks = 127.0.0.1/32',
      'smtpd_sasl_auth_enable = yes',
    ],
    client: '127.10.0.1',
    auth: true,
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'sasl-disabled-permit',
    config: [STD, 'mynetworks = 127.0.0.1/32'],
    client: '127.10.0.1',
    auth: true,
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'typo-restriction',
    config: ['smtpd_relay_restrictions = permit_mynetwork, reject_unauth_destination'],
    client: '127.0.0.5',
    reply: '451',
    outcome: 'config-error',
  },
  {
    name: 'client-cidr-ok in',
    config: [
      'smtpd_relay_restrictions = check_client_access cidr:/maps/ok.cidr, reject_unauth_destination',
    ],
    client: '127.0.0.5',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'client-cidr-ok out',
    config: [
      'smtpd_relay_restrictions = check_client_access cidr:/maps/ok.cidr, reject_unauth_destination',
    ],
    client: '127.0.0.6',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'client-cidr-hostbits',
    config: [
      'smtpd_relay_restrictions = check_client_access cidr:/maps/hostbits-ok.cidr, reject_unauth_destination',
    ],
    client: '127.0.0.5',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'cidr-reject-hostbits-failopen',
    config: [
      'smtpd_relay_restrictions = check_client_access cidr:/maps/hostbits-reject.cidr, permit_mynetworks, reject_unauth_destination',
      'mynetworks = 127.0.0.0/8',
    ],
    client: '127.0.0.5',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'sender-access-ok',
    config: [
      'smtpd_relay_restrictions = check_sender_access inline:{client.example=OK}, reject_unauth_destination',
    ],
    client: '127.10.0.1',
    from: 'sender@client.example',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'mynet-0/0',
    config: [STD, 'mynetworks = 0.0.0.0/0'],
    client: '127.10.0.1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'compat-0-defaults',
    config: [],
    compat: null,
    client: '127.10.0.1',
    reply: 'none',
    outcome: 'service-down',
  },
  {
    name: 'compat-0-std own',
    config: [STD, 'mynetworks = 127.0.0.1/32'],
    compat: null,
    client: '127.0.0.1',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'compat-0-std other',
    config: [STD, 'mynetworks = 127.0.0.1/32'],
    compat: null,
    client: '127.10.0.1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'source-route percent',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'mydestination = oracle.invalid'],
    client: '127.10.0.1',
    to: 'user%external.example@oracle.invalid',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'source-route @route:',
    config: [STD, 'mynetworks = 127.0.0.1/32', 'mydestination = oracle.invalid'],
    client: '127.10.0.1',
    to: '@oracle.invalid:user@external.example',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ns-mynet-10/8 in',
    netns: true,
    config: [STD, 'mynetworks = 127.0.0.0/8, 10.0.0.0/8'],
    client: '10.1.2.3',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ns-mynet-10/8 doc',
    netns: true,
    config: [STD, 'mynetworks = 127.0.0.0/8, 10.0.0.0/8'],
    client: '203.0.113.7',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ns-mynet-10/8 v6',
    netns: true,
    config: [STD, 'mynetworks = 127.0.0.0/8, 10.0.0.0/8'],
    client: '2001:db8::7',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ns-hostbits',
    netns: true,
    config: [STD, 'mynetworks = 10.1.2.3/24'],
    client: '10.1.2.3',
    reply: '451',
    outcome: 'config-error',
  },
  {
    name: 'ns-open-0/0 v4',
    netns: true,
    config: [STD, 'mynetworks = 0.0.0.0/0'],
    client: '203.0.113.7',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ns-open-0/0 v6',
    netns: true,
    config: [STD, 'mynetworks = 0.0.0.0/0'],
    client: '2001:db8::7',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ns-open-v6 v6',
    netns: true,
    config: [STD, 'mynetworks = [::]/0'],
    client: '2001:db8::7',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ns-open-v6 v4',
    netns: true,
    config: [STD, 'mynetworks = [::]/0'],
    client: '203.0.113.7',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ns-v6-doc in',
    netns: true,
    config: [STD, 'mynetworks = [2001:db8::]/32'],
    client: '2001:db8::7',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ns-v6-doc ::1',
    netns: true,
    config: [STD, 'mynetworks = [2001:db8::]/32'],
    client: '::1',
    reply: '554',
    outcome: 'deny',
  },
  {
    name: 'ns-host-style',
    netns: true,
    config: [STD, 'mynetworks_style = host'],
    client: '203.0.113.7',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ns-subnet-style',
    netns: true,
    config: [STD, 'mynetworks_style = subnet'],
    client: '10.1.2.3',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ns-sender-access',
    netns: true,
    config: [
      'smtpd_relay_restrictions = check_sender_access inline:{client.example=OK}, reject_unauth_destination',
    ],
    client: '203.0.113.7',
    from: 'sender@client.example',
    reply: '250',
    outcome: 'allow',
  },
  {
    name: 'ns-relay-domains-static',
    netns: true,
    config: [STD, 'mynetworks = 127.0.0.1/32', 'relay_domains = static:ALL'],
    client: '203.0.113.7',
    reply: '250',
    outcome: 'allow',
  },
];

function answer(row: Row): ListenerAnswer {
  const compat = row.compat === null ? [] : [`compatibility_level = ${row.compat ?? '3.6'}`];
  const main = [HARNESS, ...compat, ...row.config, ''].join('\n');
  const answers = explainPostfix(
    main,
    MASTER,
    {
      client: row.client,
      to: row.to ?? 'user@external.example',
      from: row.from ?? 'probe@sender.example',
      auth: row.auth ?? false,
      hostAddresses: row.netns === true ? NETNS_HOST : LOOPBACK_HOST,
    },
    (p) => TABLES[p],
  );
  const want = row.client.includes(':') ? '[::1]:2525' : '127.0.0.1:2525';
  const a = answers.find((x) => x.listener === want);
  assert.ok(a, `no listener ${want}`);
  return a;
}

describe('POSTFIX-ORACLE §4: every recorded real reply', () => {
  for (const row of ROWS) {
    test(`${row.name}: ${row.reply} (${row.outcome})`, () => {
      const a = answer(row);
      assert.equal(a.outcome, row.outcome, `${a.reason}\n${JSON.stringify(a.trace)}`);
      assert.equal(a.reply, row.reply, a.reason);
    });
  }

  test('the default guard answers 454, an explicit reject_unauth_destination 554', () => {
    assert.match(
      answer(ROWS[1] as Row).reason,
      /^454 4\.7\.1 <user@external\.example>: Relay access denied/,
    );
    assert.match(
      answer(ROWS[3] as Row).reason,
      /^554 5\.7\.1 <user@external\.example>: Relay access denied/,
    );
  });

  test('the trace names the deciding item with its span in main.cf', () => {
    const row = ROWS[2] as Row;
    const a = answer(row);
    const last = a.trace[a.trace.length - 1];
    assert.equal(last?.item, 'permit_mynetworks');
    assert.ok(last?.span !== undefined);
  });
});
