import {
  bitsOf,
  contains,
  formatAddr,
  formatV4,
  maxOf,
  netOf,
  parseAddr,
  parseNet,
  type Family,
  type Net,
} from './addr.js';
import { Rng } from './rng.js';
import type { CaseSpec, ProbeSpec, RunnerKind, TableFile } from './types.js';

/**
 * The seeded generator of SPEC §7.5 / POSTFIX-ORACLE §6: Postfix configurations (compatibility
 * level, mynetworks in every notation, restriction lists, access tables, relay domains,
 * mydestination, SASL) and, for each, questions on the boundaries of every listed network plus
 * unrelated clients, several recipient kinds, senders and AUTH.
 */

/** What a runner's client sockets can bind to. */
export interface Profile {
  readonly runner: RunnerKind;
  /** IPv4 ranges every address of which can be a client source. */
  readonly v4Spaces: readonly Net[];
  /** IPv4 addresses in those ranges that cannot be (the kernel rewrites them). */
  readonly v4Excluded: readonly string[];
  /** IPv6 addresses that can be a client source (each is an interface address). */
  readonly v6Pool: readonly string[];
}

export const LOOPBACK_PROFILE: Profile = {
  runner: 'loopback',
  v4Spaces: [parseNet('127.0.0.0/8')],
  v4Excluded: ['127.255.255.255'],
  v6Pool: ['::1'],
};

/** Addresses the namespace runner puts on its `lo` (and AnyIP routes for the IPv4 spaces). */
export const NETNS_V4_ADDRESSES = ['10.1.2.3', '203.0.113.7'];
export const NETNS_V4_ROUTES = ['10.0.0.0/8', '203.0.113.0/24'];
export const NETNS_V6_ADDRESSES = [
  '2001:db8::7',
  '2001:db8::1',
  '2001:db8::ffff',
  '2001:db8::1:0',
  '2001:db8:0:1::1',
  '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
  '2001:db9::1',
  '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
];

export const NETNS_PROFILE: Profile = {
  runner: 'netns',
  v4Spaces: [parseNet('127.0.0.0/8'), parseNet('10.0.0.0/8'), parseNet('203.0.113.0/24')],
  v4Excluded: ['127.255.255.255'],
  v6Pool: ['::1', ...NETNS_V6_ADDRESSES],
};

export const EXTERNAL = 'user@external.example';
export const DEFAULT_FROM = 'probe@sender.example';
export const FORGED_FROM = 'sender@client.example';
const MISSPELLED = [
  'permit_mynetwork',
  'reject_unauth_destinations',
  'permit_sasl_authenticate',
  'reject_unath_destination',
  'premit',
  'permit_my_networks',
  'PERMIT_MYNETWORKS',
  'Reject_Unauth_Destination',
];

interface Draft {
  readonly rng: Rng;
  readonly profile: Profile;
  readonly lines: string[];
  readonly tables: TableFile[];
  /** Networks whose boundaries the questions probe. */
  readonly nets: Net[];
  /** Extra client addresses worth asking about. */
  readonly clients: string[];
  readonly senders: string[];
  readonly recipients: string[];
  sasl: boolean;
  tableCount: number;
}

function usable(profile: Profile, family: Family, v: bigint): boolean {
  if (family === 6) return profile.v6Pool.includes(formatAddr(6, v));
  if (profile.v4Excluded.includes(formatV4(v))) return false;
  return profile.v4Spaces.some((s) => contains(s, 4, v));
}

/** A network drawn around a bindable address; `text` is how the case writes it. */
function drawNet(d: Draft, opts: { hostBits: number; v6: number }): { net: Net; text: string } {
  const { rng, profile } = d;
  if (rng.chance(opts.v6)) {
    const a = parseAddr(rng.pick(profile.v6Pool)).value;
    const prefix = rng.pick([0, 8, 16, 32, 33, 48, 64, 96, 112, 120, 126, 127, 128, 128]);
    const net = netOf(6, a, prefix);
    const hostBits = a !== net.first && rng.chance(opts.hostBits);
    const addr = formatAddr(6, hostBits ? a : net.first);
    const text = prefix === 128 && rng.chance(0.3) ? `[${addr}]` : `[${addr}]/${prefix}`;
    return { net, text };
  }
  const space = rng.pick(profile.v4Spaces);
  const a = rng.big(space.first, space.last);
  const prefix = rng.weighted<number>([
    [6, rng.int(space.prefix, 30)],
    [2, rng.int(24, 31)],
    [1.5, 32],
    [0.6, rng.int(1, Math.max(1, space.prefix - 1))],
    [0.25, 0],
  ]);
  const net = netOf(4, a, prefix);
  const hostBits = prefix < 32 && a !== net.first && rng.chance(opts.hostBits);
  const addr = formatAddr(4, hostBits ? a : net.first);
  const text = prefix === 32 && rng.chance(0.5) ? addr : `${addr}/${prefix}`;
  return { net, text };
}

function sep(rng: Rng): string {
  return rng.weighted([
    [5, ', '],
    [2, ' '],
    [1, ',\n    '],
    [1, '\n  '],
  ]);
}

function addTable(d: Draft, ext: string, content: string): string {
  d.tableCount++;
  const name = `t${d.tableCount}.${ext}`;
  d.tables.push({ name, content });
  return `@MAPS@/${name}`;
}

/** One `mynetworks` item (and the networks it names). */
function mynetworksItem(d: Draft): string {
  const { rng } = d;
  const kind = rng.weighted<string>([
    [10, 'cidr'],
    [2, 'negated'],
    [2, 'table'],
    [0.6, 'file'],
    [0.5, 'unbracketed'],
  ]);
  if (kind === 'table') {
    const lines: string[] = [];
    for (let i = rng.int(1, 3); i > 0; i--) {
      const n = drawNet(d, { hostBits: 0.15, v6: 0.2 });
      d.nets.push(n.net);
      lines.push(
        `${n.text.replace(/^\[|\](?=\/|$)/g, '')}\t${rng.pick(['OK', 'permit', 'trusted'])}`,
      );
    }
    return `cidr:${addTable(d, 'cidr', lines.join('\n') + '\n')}`;
  }
  if (kind === 'file') {
    const lines: string[] = [];
    for (let i = rng.int(1, 2); i > 0; i--) {
      const n = drawNet(d, { hostBits: 0.1, v6: 0.2 });
      d.nets.push(n.net);
      lines.push(n.text);
    }
    return addTable(d, 'list', lines.join('\n') + '\n');
  }
  if (kind === 'unbracketed') {
    const a = rng.pick(d.profile.v6Pool);
    const prefix = rng.pick([64, 128]);
    d.nets.push(netOf(6, parseAddr(a).value, prefix));
    return rng.chance(0.7)
      ? `${formatAddr(6, netOf(6, parseAddr(a).value, prefix).first)}/${prefix}`
      : a;
  }
  const n = drawNet(d, { hostBits: 0.18, v6: 0.18 });
  d.nets.push(n.net);
  return kind === 'negated' ? `!${n.text}` : n.text;
}

function mynetworks(d: Draft): void {
  const { rng } = d;
  const mode = rng.weighted<string>([
    [64, 'list'],
    [6, 'empty'],
    [18, 'unset'],
    [4, 'negation-pair'],
  ]);
  if (mode === 'empty') {
    d.lines.push('mynetworks =');
    return;
  }
  if (mode === 'unset') {
    const style = rng.pick(['', 'host', 'subnet']);
    if (style) d.lines.push(`mynetworks_style = ${style}`);
    return;
  }
  const items: string[] = [];
  if (mode === 'negation-pair') {
    // `!inner, outer`: a hole in a trusted network (first match wins).
    const outer = drawNet(d, { hostBits: 0, v6: 0.1 });
    const innerPrefix = Math.min(bitsOf(outer.net.family), outer.net.prefix + rng.int(1, 8));
    const inner = netOf(outer.net.family, rng.big(outer.net.first, outer.net.last), innerPrefix);
    const innerText =
      inner.family === 4
        ? `${formatAddr(4, inner.first)}/${inner.prefix}`
        : `[${formatAddr(6, inner.first)}]/${inner.prefix}`;
    d.nets.push(outer.net, inner);
    items.push(`!${innerText}`, outer.text);
  }
  for (let i = rng.int(mode === 'list' ? 1 : 0, 3); i > 0; i--) items.push(mynetworksItem(d));
  if (items.length === 0) items.push(mynetworksItem(d));
  if (rng.chance(0.1)) {
    // Through a parameter of the case's own: `$name` expands to its value.
    d.lines.push(`oracle_trusted = ${joinList(rng, items)}`);
    d.lines.push(
      `mynetworks = ${rng.pick(['$oracle_trusted', '${oracle_trusted}', '$(oracle_trusted)'])}`,
    );
  } else {
    d.lines.push(`mynetworks = ${joinList(rng, items)}`);
  }
  if (rng.chance(0.05)) d.lines.push(`mynetworks_style = ${rng.pick(['host', 'subnet'])}`);
}

function clientAccessTable(d: Draft): string {
  const { rng } = d;
  const form = rng.weighted<string>([
    [8, 'cidr'],
    [1.5, 'inline'],
    [0.5, 'static'],
  ]);
  if (form === 'static') return `check_client_access static:${rng.pick(['OK', 'REJECT', 'DUNNO'])}`;
  if (form === 'inline') {
    // Not a cidr table: the key is the address text, then its parent networks (`127.0.0`, …).
    let addr = unrelatedClient(d);
    while (addr.includes(':')) addr = unrelatedClient(d);
    const octets = rng.int(1, 4);
    const key = addr.split('.').slice(0, octets).join('.');
    d.nets.push(netOf(4, parseAddr(addr).value, octets * 8));
    d.clients.push(addr);
    return `check_client_access inline:{ ${key}=${rng.pick(['OK', 'OK', 'REJECT'])} }`;
  }
  const lines: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    const n = drawNet(d, { hostBits: 0.25, v6: 0.15 });
    d.nets.push(n.net);
    const action = rng.weighted<string>([
      [5, 'OK'],
      [3, 'REJECT'],
      [1, 'DUNNO'],
      [0.5, '554 5.7.1 go away'],
      [0.5, 'permit'],
      [0.3, '450 4.7.1 try later'],
      [0.3, 'DISCARD'],
      [0.2, 'HOLD'],
      [0.3, 'permit_mynetworks'],
      [0.3, 'reject_unauth_destination'],
    ]);
    lines.push(`${n.text.replace(/^\[|\](?=\/|$)/g, '')}\t${action}`);
  }
  return `check_client_access cidr:${addTable(d, 'cidr', lines.join('\n') + '\n')}`;
}

function senderAccess(d: Draft): string {
  const { rng } = d;
  const key = rng.pick(['client.example', 'sender@client.example', 'sender@']);
  const action = rng.weighted<string>([
    [5, 'OK'],
    [2, 'REJECT'],
    [1, 'DUNNO'],
  ]);
  d.senders.push(FORGED_FROM);
  return rng.chance(0.5)
    ? `check_sender_access inline:{${key}=${action}}`
    : `check_sender_access inline:{ ${key}=${action}, other.example=REJECT }`;
}

function recipientAccess(d: Draft): string {
  const { rng } = d;
  const key = rng.pick(['external.example', 'example.com', 'user@external.example']);
  const action = rng.pick(['OK', 'REJECT', 'DUNNO']);
  d.recipients.push('user@example.com');
  return `check_recipient_access inline:{ ${key}=${action} }`;
}

const GUARDS = ['reject_unauth_destination', 'defer_unauth_destination', 'reject', 'defer'];

function restrictionList(d: Draft, guardBias: number): string[] {
  const { rng } = d;
  const items: string[] = [];
  for (let i = rng.int(0, 4); i > 0; i--) {
    const kind = rng.weighted<string>([
      [3, 'permit_mynetworks'],
      [2, 'permit_sasl_authenticated'],
      [2.5, 'reject_unauth_destination'],
      [1, 'defer_unauth_destination'],
      [0.5, 'permit'],
      [0.3, 'reject'],
      [0.2, 'defer'],
      [0.3, 'defer_if_permit'],
      [0.5, 'permit_auth_destination'],
      [1.2, 'client'],
      [0.9, 'sender'],
      [0.3, 'recipient'],
      [0.5, 'misspelled'],
      [0.3, 'warn_if_reject'],
      [0.6, 'rare'],
    ]);
    if (kind === 'client') items.push(clientAccessTable(d));
    else if (kind === 'sender') items.push(senderAccess(d));
    else if (kind === 'recipient') items.push(recipientAccess(d));
    else if (kind === 'misspelled') items.push(rng.pick(MISSPELLED));
    else if (kind === 'warn_if_reject') {
      // Only logs what the next restriction would reject.
      items.push(
        `warn_if_reject ${rng.pick(['reject_unauth_destination', 'defer_unauth_destination', 'reject'])}`,
      );
    } else if (kind === 'rare') {
      // Restrictions that look at nothing outside this machine (none of them queries DNS).
      items.push(
        rng.pick([
          'check_relay_domains',
          'reject_non_fqdn_recipient',
          'reject_unauth_pipelining',
          'permit_tls_clientcerts',
          'permit_tls_all_clientcerts',
          'reject_unlisted_recipient',
          'defer_if_reject',
        ]),
      );
    } else items.push(kind);
  }
  if (!items.some((i) => GUARDS.includes(i)) && rng.chance(guardBias)) {
    items.push(rng.chance(0.8) ? 'reject_unauth_destination' : 'defer_unauth_destination');
  }
  return items;
}

function joinList(rng: Rng, items: readonly string[]): string {
  let text = items[0] ?? '';
  for (const item of items.slice(1)) text += sep(rng) + item;
  return text;
}

function restrictions(d: Draft): void {
  const { rng } = d;
  const relay = rng.weighted<string>([
    [25, 'unset'],
    [5, 'empty'],
    [70, 'list'],
  ]);
  if (relay === 'empty') d.lines.push('smtpd_relay_restrictions =');
  if (relay === 'list') {
    const items = restrictionList(d, 0.85);
    d.lines.push(`smtpd_relay_restrictions = ${joinList(rng, items)}`);
  }
  // With smtpd_delay_reject (the default) the client and sender lists are evaluated at RCPT
  // time too, before the relay and recipient lists.
  for (const name of ['smtpd_client_restrictions', 'smtpd_sender_restrictions']) {
    if (!rng.chance(0.08)) continue;
    const items: string[] = [];
    for (let i = rng.int(1, 2); i > 0; i--) {
      const kind = rng.weighted<string>([
        [3, 'client'],
        [2, 'sender'],
        [1, 'permit_mynetworks'],
        [0.5, 'permit_sasl_authenticated'],
        [0.3, 'reject'],
      ]);
      if (kind === 'client') items.push(clientAccessTable(d));
      else if (kind === 'sender') items.push(senderAccess(d));
      else items.push(kind);
    }
    d.lines.push(`${name} = ${joinList(rng, items)}`);
  }
  const rcpt = rng.weighted<string>([
    [55, 'unset'],
    [8, 'empty'],
    [37, 'list'],
  ]);
  if (rcpt === 'empty') d.lines.push('smtpd_recipient_restrictions =');
  if (rcpt === 'list') {
    const items = restrictionList(d, relay === 'list' ? 0.3 : 0.75);
    d.lines.push(`smtpd_recipient_restrictions = ${joinList(rng, items)}`);
  }
}

function domains(d: Draft): void {
  const { rng } = d;
  const relay = rng.weighted<string>([
    [40, ''],
    [8, 'relay_domains ='],
    [15, 'relay_domains = example.com'],
    [9, 'relay_domains = .example.com'],
    [5, 'relay_domains = example.com, .example.com'],
    [7, 'relay_domains = static:ALL'],
    [4, 'relay_domains = other.example'],
    [4, 'relay_domains = EXAMPLE.COM'],
    [3, 'relay_domains = $mydestination, example.com'],
    [2, 'relay_domains = sub.example.com'],
  ]);
  if (relay) d.lines.push(relay);
  const parent = rng.weighted<string>([
    [70, ''],
    [25, 'parent_domain_matches_subdomains ='],
    [5, 'parent_domain_matches_subdomains = relay_domains'],
  ]);
  if (parent) d.lines.push(parent);
  const dest = rng.weighted<string>([
    [70, ''],
    [15, 'mydestination = $myhostname, localhost, local.example'],
    [8, 'mydestination = local.example'],
    [4, 'mydestination ='],
    [3, 'mydestination = example.com'],
  ]);
  if (dest) d.lines.push(dest);
  d.recipients.push(
    'user@example.com',
    'user@sub.example.com',
    'user@a.sub.example.com',
    'user@Sub.Example.COM',
    'user@other.example',
    'user@oracle.invalid',
    'user@local.example',
    'user@localhost.invalid',
    'user@[127.0.0.1]',
    'user@example.com.',
  );
}

function compat(d: Draft): void {
  const level = d.rng.weighted<string>([
    [10, ''],
    [2, '0'],
    [5, '1'],
    [12, '2'],
    [58, '3.6'],
    [13, '3.7'],
  ]);
  if (level) d.lines.push(`compatibility_level = ${level}`);
}

function sasl(d: Draft): void {
  const { rng } = d;
  const mode = rng.weighted<string>([
    [70, ''],
    [25, 'yes'],
    [5, 'no'],
  ]);
  if (mode === 'yes') {
    d.sasl = true;
    d.lines.push(
      'smtpd_sasl_auth_enable = yes',
      'smtpd_sasl_type = cyrus',
      'smtpd_sasl_path = smtpd',
      'smtpd_sasl_local_domain = oracle.invalid',
    );
  } else if (mode === 'no') {
    d.lines.push('smtpd_sasl_auth_enable = no');
  }
}

/**
 * Clients on the boundaries of every network (first, last, one before, one after), at most
 * `cap`: first one boundary of each network, then the others, so every network is asked about.
 */
function boundaryClients(d: Draft, cap: number): string[] {
  const perNet: string[][] = [];
  for (const n of d.nets) {
    const max = maxOf(n.family);
    const list: string[] = [];
    for (const v of [n.first, n.last, n.first - 1n, n.last + 1n]) {
      if (v < 0n || v > max) continue;
      if (usable(d.profile, n.family, v)) list.push(formatAddr(n.family, v));
    }
    perNet.push(d.rng.shuffle(list));
  }
  const out = new Set<string>();
  for (let round = 0; round < 4 && out.size < cap; round++) {
    for (const list of perNet) {
      const a = list[round];
      if (a !== undefined && out.size < cap) out.add(a);
    }
  }
  return [...out];
}

function unrelatedClient(d: Draft): string {
  const { rng, profile } = d;
  if (rng.chance(0.15)) return rng.pick(profile.v6Pool);
  for (;;) {
    const s = rng.pick(profile.v4Spaces);
    const v = rng.big(s.first, s.last);
    if (usable(profile, 4, v)) return formatAddr(4, v);
  }
}

function questions(d: Draft, params: string): ProbeSpec[] {
  const { rng } = d;
  const clients = new Set<string>();
  for (const c of boundaryClients(d, 10)) clients.add(c);
  for (const c of d.clients) clients.add(c);
  clients.add(unrelatedClient(d));
  if (rng.chance(0.3)) clients.add(rng.pick(d.profile.v6Pool));
  if (rng.chance(0.3)) clients.add('127.0.0.1');
  while (clients.size < 5) clients.add(unrelatedClient(d));
  const probes: ProbeSpec[] = [];
  const add = (client: string, to: string, from = DEFAULT_FROM, auth: ProbeSpec['auth'] = 'none') =>
    probes.push({ id: `q${probes.length + 1}`, client, to, from, auth });
  for (const c of clients) add(c, EXTERNAL);
  const some = (): string => rng.pick([...clients]);
  // Recipients: relay domain, its subdomains, local, other.
  for (const to of rng.shuffle(d.recipients).slice(0, rng.int(2, 4))) add(some(), to);
  if (rng.chance(0.05)) add(some(), 'user%external.example@oracle.invalid');
  if (rng.chance(0.05)) add(some(), '@oracle.invalid:user@external.example');
  // Senders a table may trust.
  for (const from of new Set(d.senders)) add(some(), EXTERNAL, from);
  // AUTH: the right password, and a wrong one.
  if (d.sasl || params.includes('permit_sasl_authenticated') || rng.chance(0.1)) {
    add(some(), EXTERNAL, DEFAULT_FROM, 'good');
    if (rng.chance(0.5)) add(some(), EXTERNAL, DEFAULT_FROM, 'bad');
  }
  return probes;
}

/** One generated configuration with its questions. */
export function generateCase(profile: Profile, rng: Rng, id: string): CaseSpec {
  const d: Draft = {
    rng,
    profile,
    lines: [],
    tables: [],
    nets: [],
    clients: [],
    senders: [],
    recipients: [],
    sasl: false,
    tableCount: 0,
  };
  compat(d);
  mynetworks(d);
  restrictions(d);
  domains(d);
  sasl(d);
  // Host/subnet-style trust follows the interface addresses: ask from them and their neighbours.
  if (!d.lines.some((l) => l.startsWith('mynetworks ='))) {
    for (const a of profile.runner === 'netns' ? NETNS_V4_ADDRESSES : ['127.0.0.1']) {
      d.nets.push(netOf(4, parseAddr(a).value, 32));
    }
  }
  // Now and then an earlier, overridden definition (the later one wins) and a comment line.
  const overridable: Readonly<Record<string, string>> = {
    mynetworks: '0.0.0.0/0',
    smtpd_relay_restrictions: 'permit',
    smtpd_recipient_restrictions: 'permit_mynetworks',
    relay_domains: 'static:ALL',
    mydestination: 'external.example',
  };
  const targets = d.lines
    .map((l, at) => ({ at, name: /^(\w+) =/.exec(l)?.[1] ?? '' }))
    .filter((t) => Object.hasOwn(overridable, t.name));
  if (targets.length > 0 && rng.chance(0.12)) {
    const t = rng.pick(targets);
    const stale = rng.chance(0.7) ? overridable[t.name] : '';
    d.lines.splice(t.at, 0, `${t.name} = ${stale ?? ''}`, '# the definition below wins');
  }
  const params = d.lines.join('\n') + '\n';
  return {
    id,
    title: 'gen',
    runner: profile.runner,
    params,
    tables: d.tables,
    probes: questions(d, params),
  };
}

export function generateCases(profile: Profile, seed: number, count: number): CaseSpec[] {
  const rng = new Rng(seed ^ (profile.runner === 'netns' ? 0x5bd1e995 : 0));
  const out: CaseSpec[] = [];
  const tag = profile.runner === 'netns' ? 'N' : 'L';
  for (let i = 0; i < count; i++) {
    out.push(generateCase(profile, rng, `g${tag}${String(i).padStart(4, '0')}`));
  }
  return out;
}
