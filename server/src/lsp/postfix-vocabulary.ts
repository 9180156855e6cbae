/**
 * The Postfix parameters and restrictions that matter for relaying, with one-line meanings (in
 * our words; the authority is postconf(5)), for completion and hover in main.cf and master.cf.
 * A small table on purpose: the parameters the relay decision reads, and the ones around them
 * that people edit while setting it up.
 */

export interface PostfixParameter {
  readonly name: string;
  readonly meaning: string;
  /** Postfix 3.7's default as postconf -d prints it (level-dependent ones say so). */
  readonly default?: string;
  /** Values the parameter takes, when it is an enumeration. */
  readonly values?: readonly string[];
  /** The value is a restriction list (restriction names complete in it). */
  readonly restrictions?: boolean;
  /** The parameter decides who may relay: hovering it shows the relay answer. */
  readonly relay?: boolean;
}

export const POSTFIX_PARAMETERS: readonly PostfixParameter[] = [
  {
    name: 'mynetworks',
    meaning:
      'Clients trusted by `permit_mynetworks`: they may relay to any destination without authenticating.',
    default: 'derived from mynetworks_style and the interface addresses',
    relay: true,
  },
  {
    name: 'mynetworks_style',
    meaning:
      'How `mynetworks` is derived when it is not set: `host` (this machine only), `subnet` (every network this host is on) or `class` (whole class A/B/C networks).',
    default: 'host from compatibility level 2, subnet below',
    values: ['host', 'subnet', 'class'],
    relay: true,
  },
  {
    name: 'relay_domains',
    meaning:
      'Remote domains this server relays mail to for anyone (a backup MX or gateway). Every entry is a destination the whole internet may send through you.',
    default: 'empty from compatibility level 2, $mydestination below',
    relay: true,
  },
  {
    name: 'smtpd_relay_restrictions',
    meaning:
      'The relay guard, evaluated for each RCPT TO before smtpd_recipient_restrictions: it must end in a reject for unauthorised destinations.',
    default:
      'permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination (level 1 and up)',
    restrictions: true,
    relay: true,
  },
  {
    name: 'smtpd_recipient_restrictions',
    meaning:
      'Restrictions on RCPT TO, after smtpd_relay_restrictions; before Postfix 2.10 the relay guard lived here.',
    default: 'empty',
    restrictions: true,
    relay: true,
  },
  {
    name: 'smtpd_client_restrictions',
    meaning: 'Restrictions on the client address and name, applied at RCPT TO by default.',
    default: 'empty',
    restrictions: true,
  },
  {
    name: 'smtpd_helo_restrictions',
    meaning: 'Restrictions on the HELO/EHLO name, applied at RCPT TO by default.',
    default: 'empty',
    restrictions: true,
  },
  {
    name: 'smtpd_sender_restrictions',
    meaning: 'Restrictions on the MAIL FROM address, applied at RCPT TO by default.',
    default: 'empty',
    restrictions: true,
  },
  {
    name: 'smtpd_data_restrictions',
    meaning: 'Restrictions applied at the DATA command.',
    default: 'empty',
    restrictions: true,
  },
  {
    name: 'smtpd_sasl_auth_enable',
    meaning:
      'Offer SMTP AUTH. Without it, `permit_sasl_authenticated` never matches and nobody can authenticate to relay.',
    default: 'no',
    values: ['yes', 'no'],
    relay: true,
  },
  {
    name: 'smtpd_tls_auth_only',
    meaning: 'Offer AUTH only after STARTTLS, so passwords never cross the network in clear text.',
    default: 'no',
    values: ['yes', 'no'],
    relay: true,
  },
  {
    name: 'smtpd_tls_security_level',
    meaning:
      'TLS on the server side: `none`, `may` (offer STARTTLS) or `encrypt` (require it; never on a public MX).',
    default: 'empty (none)',
    values: ['none', 'may', 'encrypt'],
  },
  {
    name: 'smtpd_sasl_type',
    meaning: 'The SASL implementation smtpd talks to: `cyrus` or `dovecot`.',
    default: 'cyrus',
    values: ['cyrus', 'dovecot'],
  },
  { name: 'smtpd_sasl_path', meaning: 'Where smtpd finds the SASL server (a socket for dovecot).' },
  {
    name: 'smtpd_sasl_security_options',
    meaning: 'Which SASL mechanisms are offered: `noanonymous` keeps anonymous logins out.',
    default: 'noanonymous',
  },
  {
    name: 'smtpd_tls_cert_file',
    meaning: 'The server certificate (PEM) for STARTTLS.',
  },
  { name: 'smtpd_tls_key_file', meaning: 'The private key of smtpd_tls_cert_file.' },
  {
    name: 'mydestination',
    meaning: 'Domains delivered locally on this machine (never relayed).',
    default: '$myhostname, localhost.$mydomain, localhost',
    relay: true,
  },
  { name: 'myhostname', meaning: 'This machine’s fully qualified name.' },
  {
    name: 'mydomain',
    meaning: 'This machine’s domain; default: myhostname minus its first label.',
  },
  { name: 'myorigin', meaning: 'The domain that locally posted mail appears to come from.' },
  {
    name: 'inet_interfaces',
    meaning:
      'The addresses smtpd listens on: `all`, `loopback-only`, or a list. Loopback-only keeps every remote client out.',
    default: 'all',
    values: ['all', 'loopback-only', 'localhost'],
    relay: true,
  },
  {
    name: 'inet_protocols',
    meaning: 'IP versions to use: `all`, `ipv4` or `ipv6`.',
    default: 'all',
    values: ['all', 'ipv4', 'ipv6'],
  },
  {
    name: 'compatibility_level',
    meaning:
      'Which generation of defaults applies; below 2, mynetworks_style = subnet and relay_domains = $mydestination (both wider).',
    default: '0',
    values: ['3.6', '2', '1', '0'],
    relay: true,
  },
  {
    name: 'parent_domain_matches_subdomains',
    meaning:
      'Features in which `example.com` also matches its subdomains; with relay_domains listed (the default), `.example.com` matches nothing there.',
    relay: true,
  },
  {
    name: 'relay_recipient_maps',
    meaning: 'Valid recipients in relay_domains; others are rejected instead of bounced later.',
  },
  { name: 'virtual_alias_domains', meaning: 'Domains whose addresses are all aliases.' },
  { name: 'virtual_mailbox_domains', meaning: 'Domains delivered to virtual mailboxes.' },
  { name: 'relayhost', meaning: 'The next-hop server for outbound mail (not who may relay here).' },
  {
    name: 'smtpd_helo_required',
    meaning: 'Require HELO/EHLO before MAIL FROM.',
    default: 'no',
    values: ['yes', 'no'],
  },
  {
    name: 'smtpd_delay_reject',
    meaning:
      'Wait until RCPT TO before rejecting for client, HELO or sender restrictions (so they see the recipient).',
    default: 'yes',
    values: ['yes', 'no'],
  },
  {
    name: 'smtpd_client_connection_rate_limit',
    meaning: 'Connections per client per time unit (anvil); 0 = no limit.',
    default: '0',
  },
];

export interface PostfixRestriction {
  readonly name: string;
  readonly meaning: string;
  /** It takes a table argument (`check_client_access cidr:/etc/postfix/x`). */
  readonly table?: boolean;
}

export const POSTFIX_RESTRICTIONS: readonly PostfixRestriction[] = [
  {
    name: 'permit_mynetworks',
    meaning: 'Permit when the client address is in `mynetworks` (first matching entry wins).',
  },
  {
    name: 'permit_sasl_authenticated',
    meaning: 'Permit when the client authenticated with SMTP AUTH (needs smtpd_sasl_auth_enable).',
  },
  {
    name: 'reject_unauth_destination',
    meaning:
      'The relay guard: reject (554) unless the recipient’s domain is local, virtual or in relay_domains.',
  },
  {
    name: 'defer_unauth_destination',
    meaning:
      'The relay guard with a temporary reply (454): the default in smtpd_relay_restrictions.',
  },
  {
    name: 'permit_auth_destination',
    meaning: 'Permit when the recipient’s domain is local, virtual or in relay_domains.',
  },
  {
    name: 'reject_unlisted_recipient',
    meaning: 'Reject recipients that do not exist in a domain this server is final for.',
  },
  {
    name: 'reject_unknown_recipient_domain',
    meaning: 'Reject when the recipient domain has no DNS A or MX record.',
  },
  { name: 'reject_non_fqdn_recipient', meaning: 'Reject a recipient not in user@fqdn form.' },
  { name: 'reject_non_fqdn_sender', meaning: 'Reject a sender not in user@fqdn form.' },
  {
    name: 'reject_unknown_sender_domain',
    meaning: 'Reject when the sender domain has no DNS A or MX record.',
  },
  {
    name: 'reject_unknown_client_hostname',
    meaning: 'Reject clients without matching reverse and forward DNS.',
  },
  { name: 'reject_invalid_helo_hostname', meaning: 'Reject a malformed HELO name.' },
  { name: 'reject_non_fqdn_helo_hostname', meaning: 'Reject a HELO name that is not an FQDN.' },
  {
    name: 'reject_unauth_pipelining',
    meaning: 'Reject clients that send commands ahead of time without PIPELINING.',
  },
  { name: 'reject_rbl_client', meaning: 'Reject clients listed in a DNS blocklist.', table: true },
  { name: 'permit', meaning: 'Permit: ends the list; any items after it are never consulted.' },
  { name: 'reject', meaning: 'Reject (554); ends the list.' },
  { name: 'defer', meaning: 'Reply with a temporary error (450); ends the list.' },
  {
    name: 'defer_if_permit',
    meaning: 'Defer later if the lists would otherwise permit (a guard that fails closed).',
  },
  { name: 'defer_if_reject', meaning: 'Turn a later reject into a temporary error.' },
  {
    name: 'check_client_access',
    meaning:
      'Look the client address or name up in a table; OK permits (relays, before the guard).',
    table: true,
  },
  {
    name: 'check_sender_access',
    meaning:
      'Look MAIL FROM up in a table. An OK before the guard lets anyone who forges that sender relay.',
    table: true,
  },
  {
    name: 'check_recipient_access',
    meaning: 'Look the recipient up in a table; an OK before the guard relays to it for anyone.',
    table: true,
  },
  {
    name: 'check_helo_access',
    meaning:
      'Look the HELO name up in a table. The client chooses it: an OK before the guard relays for anyone.',
    table: true,
  },
  {
    name: 'check_policy_service',
    meaning: 'Ask an external policy server (its answer cannot be known statically).',
    table: true,
  },
  {
    name: 'permit_tls_clientcerts',
    meaning: 'Permit clients whose certificate fingerprint is in relay_clientcerts.',
  },
  {
    name: 'permit_tls_all_clientcerts',
    meaning: 'Permit every client with a verified certificate from any trusted CA.',
  },
  {
    name: 'reject_unverified_recipient',
    meaning: 'Reject recipients that address verification finds undeliverable.',
  },
  {
    name: 'reject_sender_login_mismatch',
    meaning: 'Reject a MAIL FROM the authenticated user does not own (smtpd_sender_login_maps).',
  },
];

const PARAMETERS = new Map(POSTFIX_PARAMETERS.map((p) => [p.name, p]));
const RESTRICTIONS = new Map(POSTFIX_RESTRICTIONS.map((r) => [r.name, r]));

export function postfixParameter(name: string): PostfixParameter | undefined {
  return PARAMETERS.get(name);
}

export function postfixRestriction(name: string): PostfixRestriction | undefined {
  return RESTRICTIONS.get(name);
}

/** Every `smtpd_*_restrictions` parameter takes restriction names, listed here or not. */
export function takesRestrictions(name: string): boolean {
  return PARAMETERS.get(name)?.restrictions === true || /^smtpd_\w+_restrictions$/.test(name);
}
