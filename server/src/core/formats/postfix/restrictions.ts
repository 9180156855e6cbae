/**
 * The Postfix 3.7 relay evaluator: what smtpd answers to RCPT TO (smtpd/smtpd_check.c).
 *
 *   serviceDown(instance, listener): ServiceDown | undefined
 *   evaluate(instance, listener, question): PostfixAnswer
 *   unauthRelaySet(instance, listener, hostAddresses?): UnauthRelay
 *
 * Order at RCPT (smtpd_delay_reject = yes): smtpd_client_restrictions, smtpd_helo_restrictions,
 * smtpd_sender_restrictions, then smtpd_relay_restrictions and smtpd_recipient_restrictions —
 * relay first only when smtpd_relay_before_recipient_restrictions = yes (the default from
 * compatibility level 3.6; below it the recipient list runs first). Within a list the first
 * item that decides (OK / REJECT) ends the list; a permit ends only its own list. A server
 * error (unknown restriction, bad table argument) answers 451 4.3.5 at once; a lookup error
 * (host bits in mynetworks, a table Postfix cannot open) 451 4.3.0. Whatever relay-lint cannot
 * see (DNS, policy servers, unreadable tables) makes the answer `unknown`, naming the input.
 */
import type { Span } from '../../model.js';
import { IntervalSet, MAX_ADDRESS, V4_BASE, V4_MAX } from '../../net/interval-set.js';
import type { ExplainQuestion, TraceStep } from '../types.js';
import { tokenize } from './expand.js';
import { scanLines } from './lines.js';
import { compatLevel, effectiveParam, HOST_CHAR, isYes } from './instance.js';
import type {
  EffectiveParam,
  PfItem,
  PfListener,
  PostfixAnswer,
  PostfixInstance,
  ServiceDown,
  UnauthRelay,
} from './model.js';
import {
  accessAction,
  clientFromValue,
  mynetworksInfo,
  openTable,
  ownAddresses,
  parseClient,
  tableAddressSets,
  tableLookup,
  type ClientAddress,
  type LookupResult,
  type MynetworksInfo,
  type MynetworksPattern,
  type PfTable,
} from './tables.js';

/** Every restriction name Postfix 3.7's smtpd knows (others: 451 "unknown smtpd restriction"). */
export const KNOWN_RESTRICTIONS: ReadonlySet<string> = new Set([
  'check_ccert_access',
  'check_client_a_access',
  'check_client_access',
  'check_client_mx_access',
  'check_client_ns_access',
  'check_etrn_access',
  'check_helo_a_access',
  'check_helo_access',
  'check_helo_mx_access',
  'check_helo_ns_access',
  'check_policy_service',
  'check_recipient_a_access',
  'check_recipient_access',
  'check_recipient_maps',
  'check_recipient_mx_access',
  'check_recipient_ns_access',
  'check_relay_domains',
  'check_reverse_client_hostname_a_access',
  'check_reverse_client_hostname_access',
  'check_reverse_client_hostname_mx_access',
  'check_reverse_client_hostname_ns_access',
  'check_sasl_access',
  'check_sender_a_access',
  'check_sender_access',
  'check_sender_mx_access',
  'check_sender_ns_access',
  'defer',
  'defer_if_permit',
  'defer_if_reject',
  'defer_unauth_destination',
  'permit',
  'permit_auth_destination',
  'permit_dnswl_client',
  'permit_inet_interfaces',
  'permit_mx_backup',
  'permit_mynetworks',
  'permit_naked_ip_address',
  'permit_rhswl_client',
  'permit_sasl_authenticated',
  'permit_tls_all_clientcerts',
  'permit_tls_clientcerts',
  'reject',
  'reject_authenticated_sender_login_mismatch',
  'reject_invalid_helo_hostname',
  'reject_invalid_hostname',
  'reject_known_sender_login_mismatch',
  'reject_maps_rbl',
  'reject_multi_recipient_bounce',
  'reject_non_fqdn_helo_hostname',
  'reject_non_fqdn_hostname',
  'reject_non_fqdn_recipient',
  'reject_non_fqdn_sender',
  'reject_plaintext_session',
  'reject_rbl',
  'reject_rbl_client',
  'reject_rhsbl_client',
  'reject_rhsbl_helo',
  'reject_rhsbl_recipient',
  'reject_rhsbl_reverse_client',
  'reject_rhsbl_sender',
  'reject_sender_login_mismatch',
  'reject_unauth_destination',
  'reject_unauth_pipelining',
  'reject_unauthenticated_sender_login_mismatch',
  'reject_unknown_address',
  'reject_unknown_client',
  'reject_unknown_client_hostname',
  'reject_unknown_helo_hostname',
  'reject_unknown_hostname',
  'reject_unknown_recipient_domain',
  'reject_unknown_reverse_client_hostname',
  'reject_unknown_sender_domain',
  'reject_unlisted_recipient',
  'reject_unlisted_sender',
  'reject_unverified_recipient',
  'reject_unverified_sender',
  'sleep',
  'warn_if_reject',
]);

/** The items that make a list "working" (has_required). */
export const GUARDS: ReadonlySet<string> = new Set([
  'reject_unauth_destination',
  'defer_unauth_destination',
  'reject',
  'defer',
  'defer_if_permit',
  'check_relay_domains',
]);

/** Names that take the next item as an argument (a table, a domain, a number …). */
export const TAKES_ARGUMENT: ReadonlySet<string> = new Set([
  'check_ccert_access',
  'check_client_a_access',
  'check_client_access',
  'check_client_mx_access',
  'check_client_ns_access',
  'check_etrn_access',
  'check_helo_a_access',
  'check_helo_access',
  'check_helo_mx_access',
  'check_helo_ns_access',
  'check_policy_service',
  'check_recipient_a_access',
  'check_recipient_access',
  'check_recipient_mx_access',
  'check_recipient_ns_access',
  'check_reverse_client_hostname_a_access',
  'check_reverse_client_hostname_access',
  'check_reverse_client_hostname_mx_access',
  'check_reverse_client_hostname_ns_access',
  'check_sasl_access',
  'check_sender_a_access',
  'check_sender_access',
  'check_sender_mx_access',
  'check_sender_ns_access',
  'reject_rbl_client',
  'reject_rbl',
  'permit_dnswl_client',
  'reject_rhsbl_client',
  'permit_rhswl_client',
  'reject_rhsbl_reverse_client',
  'reject_rhsbl_helo',
  'reject_rhsbl_sender',
  'reject_rhsbl_recipient',
  'sleep',
]);

export interface PostfixQuestion extends ExplainQuestion {
  /** The HELO/EHLO name, when known. */
  readonly helo?: string;
}

interface Reply {
  readonly code: number;
  readonly dsn: string;
  readonly text: string;
  readonly item?: PfItem;
  readonly configError: boolean;
}

type Status = { readonly kind: 'dunno' } | { readonly kind: 'ok'; readonly item?: PfItem } | Reject;
interface Reject {
  readonly kind: 'reject';
  readonly reply: Reply;
}

const DUNNO: Status = { kind: 'dunno' };

/** smtpd_check's longjmp: the whole RCPT check ends with this reply. */
class Abort extends Error {
  constructor(readonly reply: Reply) {
    super(`${reply.code} ${reply.dsn} ${reply.text}`);
  }
}

/** The answer depends on something relay-lint cannot see. */
class Unknown extends Error {
  constructor(
    readonly reason: string,
    readonly item?: PfItem,
  ) {
    super(reason);
  }
}

type ListClass = 'Client host' | 'Helo command' | 'Sender address' | 'Recipient address';

interface State {
  readonly inst: PostfixInstance;
  readonly listener: PfListener;
  readonly q: PostfixQuestion;
  readonly client: ClientAddress;
  /** Client host name: "unknown" without reverse lookups; undefined = not known. */
  readonly hostname: string | undefined;
  readonly namaddr: string;
  readonly recipient: string;
  readonly sender: string;
  readonly sasl: boolean;
  readonly trace: TraceStep[];
  deferIfPermit: Reply | undefined;
  deferIfReject: Reply | undefined;
  warnIfReject: number;
  recursion: number;
  /** The domain-list item the last domain match used. */
  matched?: PfItem | undefined;
  /** The relay_domains item that made the recipient an authorized destination. */
  destination?: PfItem;
  /** An access table answered DISCARD (state->discard): every later check is skipped. */
  discard?: PfItem;
}

function param(s: { inst: PostfixInstance; listener: PfListener }, name: string): EffectiveParam {
  return effectiveParam(s.inst, s.listener, name);
}

function numParam(s: State, name: string, fallback: number): number {
  const v = param(s, name).value.trim();
  return /^\d+$/.test(v) ? Number(v) : fallback;
}

function step(s: State, item: PfItem | undefined, label: string, result: string): void {
  s.trace.push(traceStep(item, label, result));
}

/** Item text for people: a template expression shows as `{{…}}`. */
export function shown(text: string): string {
  return text.replace(/\uE000+/g, '{{…}}');
}

export function traceStep(item: PfItem | undefined, label: string, result: string): TraceStep {
  if (item === undefined || item.isDefault === true) return { item: shown(label), result };
  return {
    item: shown(label),
    span: item.span,
    ...(item.file === 'master.cf' ? { file: 'master.cf' } : {}),
    result,
  };
}

// ---------------------------------------------------------------------------------------------
// Service-down sanity checks

function listItems(inst: PostfixInstance, l: PfListener, name: string): EffectiveParam {
  return effectiveParam(inst, l, name);
}

/** has_required(): a guard before any `permit`, looking into restriction classes. */
function hasRequired(
  inst: PostfixInstance,
  l: PfListener,
  items: readonly PfItem[],
  classes: ReadonlyMap<string, EffectiveParam>,
  depth: number,
): { found: boolean; ignoredAfterPermit?: PfItem } {
  for (let i = 0; i < items.length; i++) {
    const name = (items[i] as PfItem).text.toLowerCase();
    if (name === 'warn_if_reject' && i + 1 < items.length) {
      i++;
      continue;
    }
    if (name === 'permit') {
      const next = items[i + 1];
      return { found: false, ...(next !== undefined ? { ignoredAfterPermit: next } : {}) };
    }
    if (GUARDS.has(name)) return { found: true };
    const cls = classes.get((items[i] as PfItem).text);
    if (cls !== undefined && depth < 20) {
      if (hasRequired(inst, l, cls.items, classes, depth + 1).found) return { found: true };
    }
  }
  return { found: false };
}

/** smtpd_restriction_classes: name → its definition. */
function restrictionClasses(
  inst: PostfixInstance,
  l: PfListener,
): { classes: Map<string, EffectiveParam>; fatal?: string } {
  const classes = new Map<string, EffectiveParam>();
  const p = listItems(inst, l, 'smtpd_restriction_classes');
  for (const item of p.items) {
    const def = effectiveParam(inst, l, item.text);
    if (def.origin === 'default' || def.value.trim() === '') {
      return { classes, fatal: `restriction class \`${item.text}' needs a definition` };
    }
    classes.set(item.text, def);
  }
  return { classes };
}

const RESTRICTION_LISTS = [
  'smtpd_client_restrictions',
  'smtpd_helo_restrictions',
  'smtpd_sender_restrictions',
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
] as const;

/** Why smtpd (or all of Postfix) would not start for this listener; undefined when it would. */
export function serviceDown(inst: PostfixInstance, l: PfListener): ServiceDown | undefined {
  const main = inst.main;
  const first = main.problems[0];
  if (first !== undefined) {
    return { reason: `Postfix refuses to start: main.cf: ${first.message}` };
  }
  const mfirst = inst.master.problems[0];
  if (mfirst !== undefined) {
    return { reason: `The Postfix master refuses to start: master.cf: ${mfirst.message}` };
  }
  const compat = compatLevel(inst, l);
  if (compat.error !== undefined) return { reason: `Postfix refuses to start: ${compat.error}` };
  for (const name of [...RESTRICTION_LISTS, 'relay_domains', 'mydestination']) {
    const p = listItems(inst, l, name);
    if (p.error !== undefined) {
      return {
        reason: `smtpd cannot start: ${name}: macro processing error (${p.error})`,
        ...(p.def !== undefined ? { item: p.items[0] ?? defItem(p) } : {}),
      };
    }
  }
  const my = mynetworksInfo(inst, l);
  if (my.fatal !== undefined) {
    const bad = my.entries.find((e) => e.fatal !== undefined);
    return {
      reason: `smtpd cannot start: fatal: ${my.fatal}`,
      ...(bad !== undefined ? { item: bad.item } : {}),
    };
  }
  const classes = restrictionClasses(inst, l);
  if (classes.fatal !== undefined) return { reason: `smtpd cannot start: fatal: ${classes.fatal}` };
  // Tables named in restriction lists are opened at start-up.
  for (const name of RESTRICTION_LISTS) {
    for (const item of listItems(inst, l, name).items) {
      if (item.text.includes(':') && !item.text.startsWith('{')) {
        const t = openTable(inst, item.text);
        if (t.kind === 'fatal') return { reason: `smtpd cannot start: fatal: ${t.reason}`, item };
      }
    }
  }
  const relay = listItems(inst, l, 'smtpd_relay_restrictions');
  const rcpt = listItems(inst, l, 'smtpd_recipient_restrictions');
  const a = hasRequired(inst, l, rcpt.items, classes.classes, 0);
  const b = hasRequired(inst, l, relay.items, classes.classes, 0);
  if (!a.found && !b.found) {
    const ignored = b.ignoredAfterPermit ?? a.ignoredAfterPermit;
    return {
      reason:
        'smtpd refuses to start: fatal: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer, defer_if_permit or check_relay_domains' +
        (ignored !== undefined ? ` (\`${ignored.text}' after \`permit' is ignored)` : ''),
      ...(ignored !== undefined
        ? { item: ignored }
        : relay.items[0] !== undefined
          ? { item: relay.items[0] }
          : rcpt.items[0] !== undefined
            ? { item: rcpt.items[0] }
            : {}),
    };
  }
  return undefined;
}

function defItem(p: EffectiveParam): PfItem {
  const d = p.def;
  if (d === undefined)
    return { text: p.name, span: { start: 0, end: 0 }, file: 'main.cf', isDefault: true };
  return { text: p.name, span: d.nameSpan, file: d.file };
}

// ---------------------------------------------------------------------------------------------
// Address resolution (trivial-rewrite resolve_addr, simplified to what relay control needs)

type AddressClass = 'local' | 'alias' | 'mailbox' | 'relay' | 'default';

/** valid_hostname(): ASCII labels of letters, digits, `_` and inner `-`; not all-numeric. */
export function validHostname(name: string): boolean {
  if (name === '' || name.length > 255) return false;
  let labelLength = 0;
  let nonNumeric = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    if (/[A-Za-z0-9_]/.test(ch)) {
      labelLength++;
      if (labelLength > 63) return false;
      if (!/[0-9]/.test(ch)) nonNumeric = true;
    } else if (ch === '.') {
      if (labelLength === 0 || i + 1 === name.length) return false;
      labelLength = 0;
    } else if (ch === '-') {
      nonNumeric = true;
      labelLength++;
      if (labelLength === 1 || i + 1 === name.length || name[i + 1] === '.') return false;
    } else return false;
  }
  return nonNumeric;
}

/** valid_mailhost_literal(): `[a.b.c.d]` or `[IPv6:…]`. */
function validLiteral(domain: string): boolean {
  const inner = domain.slice(1, -1);
  if (!domain.endsWith(']')) return false;
  if (/^ipv6:/i.test(inner)) {
    const c = parseClient(inner.slice(5));
    return c !== undefined && inner.slice(5).includes(':');
  }
  return parseStrictV4Text(inner);
}

function parseStrictV4Text(text: string): boolean {
  const c = parseClient(text);
  return c !== undefined && c.family === 4 && !text.includes(':');
}

interface Resolved {
  /** The relay_domains item that matched (relay class). */
  readonly item?: PfItem;
  readonly address: string;
  readonly domain: string;
  readonly cls: AddressClass;
  readonly routed: boolean;
  readonly note: string;
}

function isParentStyle(s: { inst: PostfixInstance; listener: PfListener }, name: string): boolean {
  const v = param(s, 'parent_domain_matches_subdomains').value.toLowerCase();
  return tokenize(v).some(([a, b]) => v.slice(a, b) === name);
}

/** Strips an RFC 821 source route (`@a,@b:user@domain` → `user@domain`). */
export function stripSourceRoute(addr: string): string {
  const a = addr.trim().replace(/^<(.*)>$/, '$1');
  const m = /^@[^:]*:(.*)$/.exec(a);
  return m !== null ? (m[1] ?? '') : a;
}

/** string_list / domain_list match of a domain (match_list with match_string / match_hostname). */
/** The item the last domain-list match used (set by `hit`, behind a call TS cannot see). */
function lastMatched(s: State): PfItem | undefined {
  return s.matched;
}

/** Records the list item that matched (the cause an open-relay finding points at). */
function hit(s: State, item: PfItem, match: boolean): boolean {
  if (match) s.matched = item;
  return match;
}

function listMatchesDomain(
  s: State,
  items: readonly PfItem[],
  domainIn: string,
  parent: boolean,
  what: string,
): boolean {
  return firstMatch(s, items, domainIn.toLowerCase(), parent, what, 0) ?? false;
}

/** First matching pattern's verdict (false for a `!` pattern), undefined when none matches. */
function firstMatch(
  s: State,
  items: readonly PfItem[],
  domain: string,
  parent: boolean,
  what: string,
  depth: number,
): boolean | undefined {
  for (const item of items) {
    let pat = item.text;
    let match = true;
    while (pat.startsWith('!')) {
      match = !match;
      pat = pat.slice(1);
    }
    if (item.unknown !== undefined || pat.includes(HOST_CHAR)) {
      if (pat.includes(HOST_CHAR) && !domain.includes(HOST_CHAR)) {
        // The machine's own name is assumed not to be the question's domain.
        continue;
      }
      if (pat === domain) return hit(s, item, match);
      throw new Unknown(`${what}: ${item.unknown ?? 'a value that depends on the machine'}`, item);
    }
    if (pat.startsWith('/')) {
      const text = depth < 5 && s.inst.readFile !== undefined ? safeRead(s, pat) : undefined;
      if (text === undefined) throw new Unknown(`${what}: the file ${pat} cannot be read`, item);
      const sub: PfItem[] = scanLines(text).lines.flatMap((line) =>
        tokenize(line.text).map(([a, b]) => ({
          ...item,
          text: (match ? '' : '!') + line.text.slice(a, b),
        })),
      );
      const r = firstMatch(s, sub, domain, parent, what, depth + 1);
      if (r !== undefined) return hit(s, item, r);
      continue;
    }
    if (!pat.startsWith('[') && pat.includes(':')) {
      const t = openTable(s.inst, pat);
      const fixed = t.kind === 'map' || t.kind === 'static';
      let name = domain;
      for (;;) {
        const r = tableLookup(t, name, false);
        if (r.kind === 'found') return hit(s, item, match);
        if (r.kind === 'error') {
          throw new Abort(tempFail(s, `${what}: ${r.reason}`, item));
        }
        if (r.kind === 'unknown') throw new Unknown(`${what}: ${r.reason}`, item);
        if (!fixed) break;
        const dot = name.indexOf('.', 1);
        if (dot < 0) break;
        name = parent ? name.slice(dot + 1) : name.slice(dot);
      }
      continue;
    }
    const p = pat.toLowerCase();
    if (p === domain) return hit(s, item, match);
    if (parent) {
      if (
        domain.length > p.length &&
        domain.endsWith(p) &&
        domain[domain.length - p.length - 1] === '.'
      ) {
        return hit(s, item, match);
      }
    } else if (p.startsWith('.') && domain.length > p.length && domain.endsWith(p)) {
      return hit(s, item, match);
    }
  }
  return undefined;
}

function safeRead(s: State, path: string): string | undefined {
  try {
    return s.inst.readFile?.(path);
  } catch {
    return undefined;
  }
}

function tempFail(s: State, why: string, item?: PfItem): Reply {
  return {
    code: 451,
    dsn: '4.3.0',
    text: `<${s.recipient}>: Temporary lookup failure (${why})`,
    ...(item !== undefined ? { item } : {}),
    configError: true,
  };
}

/** resolve_local(): the domain is one of mydestination or an own interface literal. */
function isLocal(s: State, domainIn: string): boolean {
  let domain = domainIn;
  if (domain.endsWith('.') && !domain.endsWith('..')) domain = domain.slice(0, -1);
  if (domain === '' || domain.endsWith('.')) return false;
  const mydest = param(s, 'mydestination');
  if (listMatchesDomain(s, mydest.items, domain, false, 'mydestination')) return true;
  if (domain.startsWith('[') && domain.endsWith(']')) {
    const inner = domain.slice(1, -1).replace(/^ipv6:/i, '');
    const c = parseClient(inner);
    if (c === undefined) return false;
    const own = ownAddresses(s.inst, s.q.hostAddresses);
    const proxy = param(s, 'proxy_interfaces').items.map((i) => i.text);
    if (proxy.some((p) => parseClient(p)?.value === c.value)) return true;
    if (own === undefined) {
      throw new Unknown(
        `whether ${domain} is one of the server's own addresses (inet_interfaces = all; give --host-addresses)`,
      );
    }
    return own.some((o) => parseClient(o.split('/')[0] ?? '')?.value === c.value);
  }
  return false;
}

function resolve(s: State, addrIn: string): Resolved {
  let addr = stripSourceRoute(addrIn);
  const percent = isYes(param(s, 'allow_percent_hack'));
  const bang = isYes(param(s, 'swap_bangpath'));
  const myhostname = param(s, 'myhostname').value.trim();
  let savedDomain: string | undefined;
  let domain: string | undefined;
  let local = addr;
  for (let loop = 0; loop < addrIn.length + 100; loop++) {
    const at = addr.lastIndexOf('@');
    if (at >= 0) {
      let d = addr.slice(at + 1);
      if (d.endsWith('.') && !d.endsWith('..') && d.length > 1) d = d.slice(0, -1);
      local = addr.slice(0, at);
      if (d !== '' && !isLocal(s, d)) {
        domain = d;
        break;
      }
      savedDomain = d;
      addr = local;
    } else {
      local = addr;
    }
    // After stripping a local domain: foo%bar → foo@bar, site!user → user@site.
    if (addr.includes('@')) continue;
    if (bang && addr.includes('!')) {
      const i = addr.indexOf('!');
      addr = `${addr.slice(i + 1)}@${addr.slice(0, i)}`;
      continue;
    }
    if (percent && addr.includes('%')) {
      const i = addr.lastIndexOf('%');
      addr = `${addr.slice(0, i)}@${addr.slice(i + 1)}`;
      continue;
    }
    if (savedDomain === undefined) {
      addr = `${addr}@${myhostname}`;
      continue;
    }
    break;
  }
  const finalDomain = domain ?? savedDomain ?? myhostname;
  const address = `${local}@${finalDomain}`;
  const routed = /[@!%]/.test(local);
  if (domain === undefined) {
    return {
      address,
      domain: finalDomain,
      cls: 'local',
      routed,
      note: `${finalDomain} is local (mydestination)`,
    };
  }
  if (
    listMatchesDomain(
      s,
      param(s, 'virtual_alias_domains').items,
      domain,
      false,
      'virtual_alias_domains',
    )
  ) {
    return { address, domain, cls: 'alias', routed, note: `${domain} is a virtual alias domain` };
  }
  if (
    listMatchesDomain(
      s,
      param(s, 'virtual_mailbox_domains').items,
      domain,
      false,
      'virtual_mailbox_domains',
    )
  ) {
    return {
      address,
      domain,
      cls: 'mailbox',
      routed,
      note: `${domain} is a virtual mailbox domain`,
    };
  }
  const relayItems = param(s, 'relay_domains').items;
  s.matched = undefined;
  if (
    listMatchesDomain(s, relayItems, domain, isParentStyle(s, 'relay_domains'), 'relay_domains')
  ) {
    const item = lastMatched(s);
    return {
      ...(item !== undefined ? { item } : {}),
      address,
      domain,
      cls: 'relay',
      routed,
      note: `${domain} matches relay_domains${item !== undefined ? ` (${shown(item.text)})` : ''}`,
    };
  }
  return {
    address,
    domain,
    cls: 'default',
    routed,
    note: `${domain} is not a local, virtual or relay domain`,
  };
}

/** smtpd_check_addr(): the resolved domain is a valid host name or address literal. */
function addressSyntaxOk(s: State, addr: string): boolean {
  if (addr === '') return true;
  const a = stripSourceRoute(addr);
  const at = a.lastIndexOf('@');
  let d: string;
  if (at >= 0 && !/[@%!]/.test(a.slice(0, at))) {
    // No routing in the local part: the domain is what it is, local or not.
    d = a.slice(at + 1);
    if (d.endsWith('.') && !d.endsWith('..') && d.length > 1) d = d.slice(0, -1);
  } else d = resolve(s, addr).domain;
  return d.startsWith('[') ? validLiteral(d) : d.includes(HOST_CHAR) || validHostname(d);
}

/** permit_auth_destination(): true = OK. */
function authDestination(s: State, rcpt: string): { ok: boolean; why: string } {
  if (rcpt === '') return { ok: false, why: 'no recipient' };
  const r = resolve(s, rcpt);
  if (r.routed && !isYes(param(s, 'allow_untrusted_routing'))) {
    return { ok: false, why: `${r.address} has sender-specified routing` };
  }
  if (r.cls === 'relay' && r.item !== undefined) s.destination = r.item;
  if (r.cls === 'local' || r.cls === 'alias' || r.cls === 'mailbox' || r.cls === 'relay') {
    return { ok: true, why: r.note };
  }
  return { ok: false, why: r.note };
}

// ---------------------------------------------------------------------------------------------
// Replies

function reject(
  s: State,
  code: number,
  dsn: string,
  text: string,
  item: PfItem | undefined,
): Status {
  if (s.warnIfReject > 0) {
    step(s, item, item?.text ?? 'reject', `${code} ${dsn} ${text} (warn_if_reject: logged only)`);
    return DUNNO;
  }
  let c = code;
  let d = dsn;
  let t = text;
  if (c < 400 || c > 599) {
    c = 450;
    d = '4.7.1';
    t = 'Service unavailable';
  }
  if (s.deferIfReject !== undefined && String(c).startsWith('5')) {
    const r = s.deferIfReject;
    s.deferIfReject = undefined;
    return { kind: 'reject', reply: r };
  }
  if (isYes(param(s, 'soft_bounce')) && String(c).startsWith('5')) {
    c -= 100;
    d = `4${d.slice(1)}`;
  }
  return {
    kind: 'reject',
    reply: {
      code: c,
      dsn: d,
      text: t,
      ...(item !== undefined ? { item } : {}),
      configError: false,
    },
  };
}

function serverError(s: State, item: PfItem | undefined, why: string): never {
  step(s, item, item?.text ?? 'restriction', `451 4.3.5 Server configuration error (${why})`);
  throw new Abort({
    code: 451,
    dsn: '4.3.5',
    text: `Server configuration error (${why})`,
    ...(item !== undefined ? { item } : {}),
    configError: true,
  });
}

function dictRetry(s: State, item: PfItem | undefined, why: string, replyName: string): never {
  step(s, item, item?.text ?? 'lookup', `451 4.3.0 Temporary lookup failure (${why})`);
  throw new Abort({
    code: 451,
    dsn: '4.3.0',
    text: `<${replyName}>: Temporary lookup failure`,
    ...(item !== undefined ? { item } : {}),
    configError: true,
  });
}

// ---------------------------------------------------------------------------------------------
// mynetworks

function mynetworksMatch(s: State, item: PfItem | undefined, replyName: string): boolean {
  const info = mynetworksInfo(s.inst, s.listener, s.q.hostAddresses);
  if (info.unknown !== undefined && info.entries.length === 0) {
    // Whatever the interfaces, the loopback interface is one of them: its part of the derived
    // value is known (127.0.0.1/32 or 127.0.0.0/8, and ::1).
    if (info.derived && info.style !== undefined && isLoopbackClient(s.client)) {
      const v4 = s.client.family === 4;
      const protocols = param(s, 'inet_protocols').value.toLowerCase();
      const familyOn = /all/.test(protocols) || protocols.includes(v4 ? 'ipv4' : 'ipv6');
      const inIfaces = param(s, 'inet_interfaces').value.trim().toLowerCase() === 'all';
      const hostOnly = info.style === 'host';
      const known = v4 ? !hostOnly || s.client.text === '127.0.0.1' : s.client.text === '::1';
      if (familyOn && inIfaces && known) {
        step(
          s,
          item,
          `mynetworks (mynetworks_style = ${info.style})`,
          `${s.client.text} is on the loopback interface, which ${info.style} style always trusts`,
        );
        return true;
      }
    }
    throw new Unknown(info.unknown, item);
  }
  const index = firstMatchIndex(info, s.client.family);
  const plain = plainOwner(index, s.client.value);
  // Only the entries that can do more than match (tables, names, errors) are asked in order;
  // the first plain entry that holds the client comes from the index. Same answer as asking
  // every entry in order, without the O(entries) walk per cell.
  const candidates = index.others.filter((i) => i < plain);
  if (plain < info.entries.length) candidates.push(plain);
  for (const i of candidates) {
    const e = info.entries[i];
    if (e === undefined) continue;
    const hit = patternMatches(s, e, item, replyName);
    if (hit === undefined) continue;
    step(
      s,
      e.item,
      `mynetworks ${e.negated ? '!' : ''}${e.item.text.replace(/^!+/, '')}`,
      e.negated
        ? `${s.client.text} matches: excluded (first match wins)`
        : `${s.client.text} matches`,
    );
    return !e.negated;
  }
  if (info.unknown !== undefined) throw new Unknown(info.unknown, item);
  return false;
}

/** True/false = the pattern matches (negation not applied); undefined = no match. */
function patternMatches(
  s: State,
  e: MynetworksPattern,
  item: PfItem | undefined,
  replyName: string,
): true | undefined {
  if (e.unknown !== undefined && e.table === undefined)
    throw new Unknown(`mynetworks: ${e.unknown}`, e.item);
  const fam = s.client.family;
  if (e.table !== undefined) {
    const t = e.table;
    // match_hostname() first: the client name looked up in the table.
    const nameHit = tableNameLookup(s, t, e.item, item, replyName);
    if (nameHit) return true;
    const r = tableLookup(t, s.client.text, false);
    if (r.kind === 'found') return true;
    if (r.kind === 'error') {
      step(s, e.item, `mynetworks ${e.item.text}`, `lookup error: ${r.reason}`);
      dictRetry(s, item, `mynetworks: ${r.reason}`, replyName);
    }
    if (r.kind === 'unknown') throw new Unknown(`mynetworks: ${r.reason}`, e.item);
    return undefined;
  }
  if (e.kind === 'hostname' && e.hostname !== undefined) {
    if (nameMatches(s, e.hostname, isParentStyle(s, 'mynetworks'), e.item)) return true;
    return undefined;
  }
  const eff = fam === 4 ? e.v4 : e.v6;
  if (eff.set !== undefined && setHas(eff.set, s.client.value)) return true;
  if (eff.error !== undefined) {
    step(s, e.item, `mynetworks ${e.item.text}`, `error: ${eff.error}`);
    dictRetry(s, item, `mynetworks: ${eff.error}`, replyName);
  }
  return undefined;
}

/**
 * For one family, the first plain entry (an address pattern with no table, name, error or
 * unknown) holding each address: sorted segment starts and, per segment, the index of that
 * entry (`Infinity` = none). `others` are the indices of the entries that are not plain.
 */
interface FirstMatchIndex {
  readonly starts: readonly bigint[];
  readonly owners: readonly number[];
  readonly others: readonly number[];
}

const FIRST_MATCH = new WeakMap<MynetworksInfo, Map<4 | 6, FirstMatchIndex>>();

function firstMatchIndex(info: MynetworksInfo, family: 4 | 6): FirstMatchIndex {
  let byFamily = FIRST_MATCH.get(info);
  if (byFamily === undefined) {
    byFamily = new Map();
    FIRST_MATCH.set(info, byFamily);
  }
  const known = byFamily.get(family);
  if (known !== undefined) return known;
  const built = buildFirstMatchIndex(info.entries, family);
  byFamily.set(family, built);
  return built;
}

function buildFirstMatchIndex(
  entries: readonly MynetworksPattern[],
  family: 4 | 6,
): FirstMatchIndex {
  const others: number[] = [];
  // Sweep over interval ends: at each boundary the owner is the smallest active index.
  const events: { at: bigint; index: number; add: boolean }[] = [];
  entries.forEach((e, index) => {
    const eff = family === 4 ? e.v4 : e.v6;
    const plain =
      e.unknown === undefined &&
      e.table === undefined &&
      !(e.kind === 'hostname' && e.hostname !== undefined) &&
      eff.error === undefined;
    if (!plain) {
      others.push(index);
      return;
    }
    for (const iv of eff.set?.intervals ?? []) {
      events.push({ at: iv.lo, index, add: true });
      events.push({ at: iv.hi + 1n, index, add: false });
    }
  });
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const heap = new MinHeap();
  const removed = new Map<number, number>();
  const starts: bigint[] = [];
  const owners: number[] = [];
  for (let k = 0; k < events.length;) {
    const at = events[k]?.at;
    for (; k < events.length && events[k]?.at === at; k++) {
      const ev = events[k];
      if (ev === undefined) continue;
      if (ev.add) heap.push(ev.index);
      else removed.set(ev.index, (removed.get(ev.index) ?? 0) + 1);
    }
    // Lazy deletion: drop removed indices from the top only.
    for (let top = heap.peek(); top !== undefined && (removed.get(top) ?? 0) > 0;) {
      removed.set(top, (removed.get(top) ?? 0) - 1);
      heap.pop();
      top = heap.peek();
    }
    if (at === undefined) continue;
    const owner = heap.peek() ?? Infinity;
    if (owners[owners.length - 1] === owner) continue;
    starts.push(at);
    owners.push(owner);
  }
  return { starts, owners, others };
}

/** The index of the first plain entry holding `v` (`Infinity` when none does). */
function plainOwner(index: FirstMatchIndex, v: bigint): number {
  let lo = 0;
  let hi = index.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((index.starts[mid] ?? 0n) <= v) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? Infinity : (index.owners[found] ?? Infinity);
}

/** A binary min-heap of entry indices. */
class MinHeap {
  private readonly a: number[] = [];

  peek(): number | undefined {
    return this.a[0];
  }

  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pv = a[p] ?? 0;
      if (pv <= v) break;
      a[i] = pv;
      i = p;
    }
    a[i] = v;
  }

  pop(): void {
    const a = this.a;
    const last = a.pop();
    if (last === undefined || a.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && (a[r] ?? 0) < (a[l] ?? 0) ? r : l;
      const cv = a[c] ?? 0;
      if (cv >= last) break;
      a[i] = cv;
      i = c;
    }
    a[i] = last;
  }
}

/** Membership by binary search (no allocation: U(L) asks this per cell and entry). */
export function setHas(set: IntervalSet, v: bigint): boolean {
  const ivs = set.intervals;
  let lo = 0;
  let hi = ivs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const iv = ivs[mid];
    if (iv === undefined) return false;
    if (v < iv.lo) hi = mid - 1;
    else if (v > iv.hi) lo = mid + 1;
    else return true;
  }
  return false;
}

function nameMatches(s: State, pattern: string, parent: boolean, item: PfItem): boolean {
  if (s.hostname === undefined) {
    throw new Unknown(
      `the name pattern ${pattern} matches by the client's reverse DNS name, which the question does not give (smtpd_peername_lookup = yes)`,
      item,
    );
  }
  const n = s.hostname.toLowerCase();
  if (n === pattern) return true;
  if (parent)
    return (
      n.length > pattern.length && n.endsWith(pattern) && n[n.length - pattern.length - 1] === '.'
    );
  return pattern.startsWith('.') && n.length > pattern.length && n.endsWith(pattern);
}

function tableNameLookup(
  s: State,
  t: PfTable,
  entryItem: PfItem,
  item: PfItem | undefined,
  replyName: string,
): boolean {
  if (t.kind === 'static') return true;
  if (t.kind === 'broken' || t.kind === 'fatal') {
    step(s, entryItem, `mynetworks ${entryItem.text}`, `lookup error: ${t.reason}`);
    dictRetry(s, item, `mynetworks: ${t.reason}`, replyName);
  }
  if (t.kind === 'unknown') throw new Unknown(`mynetworks: ${t.reason}`, entryItem);
  if (t.kind === 'cidr') return false;
  if (s.hostname === undefined) {
    const nameKeys = [...t.entries.keys()].filter((k) => !/^[0-9a-f:.]+$/.test(k));
    if (nameKeys.length > 0) {
      throw new Unknown(
        `${t.spec} has name keys matched against the client's reverse DNS name, which the question does not give`,
        entryItem,
      );
    }
    return false;
  }
  let name = s.hostname.toLowerCase();
  const parent = isParentStyle(s, 'mynetworks');
  for (;;) {
    if (t.entries.has(name)) return true;
    const dot = name.indexOf('.', 1);
    if (dot < 0) return false;
    name = parent ? name.slice(dot + 1) : name.slice(dot);
  }
}

// ---------------------------------------------------------------------------------------------
// Access tables

function tableForItem(s: State, tableItem: PfItem): PfTable {
  if (tableItem.unknown !== undefined) {
    throw new Unknown(`the table ${tableItem.text} is ${tableItem.unknown}`, tableItem);
  }
  return openTable(s.inst, tableItem.text);
}

function lookupOrFail(
  _s: State,
  t: PfTable,
  tableItem: PfItem,
  key: string,
  partial: boolean,
): LookupResult {
  const r = tableLookup(t, key, partial);
  if (r.kind === 'unknown') throw new Unknown(r.reason, tableItem);
  return r;
}

/** check_table_result() for a found value. */
function tableResult(
  s: State,
  t: PfTable,
  tableItem: PfItem,
  value: string,
  cls: ListClass,
  replyName: string,
  defAcl: string,
  cmdItem: PfItem,
): Status {
  const a = accessAction(value);
  const label = `${cmdItem.text} ${tableItem.text}`;
  switch (a.kind) {
    case 'dunno':
      step(s, tableItem, label, `${value}: no decision`);
      return DUNNO;
    case 'ok':
      if (a.discard === true) {
        step(s, tableItem, label, `${value}: accept and discard; later restrictions are skipped`);
        s.discard = tableItem;
      } else step(s, tableItem, label, `${value}: permit`);
      return { kind: 'ok', item: tableItem };
    case 'reject': {
      const code =
        a.code === 'map-reject' ? numParam(s, 'access_map_reject_code', 554) : Number(a.code);
      const text = value.replace(/^\S+\s*/, '');
      step(s, tableItem, label, `${value}: reject`);
      return reject(
        s,
        code,
        a.code === 'map-reject' ? '5.7.1' : `${a.code[0] ?? '5'}.7.1`,
        `<${replyName}>: ${cls} rejected: ${text !== '' ? text : 'Access denied'}`,
        tableItem,
      );
    }
    case 'defer': {
      const code =
        a.code === 'map-defer' ? numParam(s, 'access_map_defer_code', 450) : Number(a.code);
      const text = value.replace(/^\S+\s*/, '');
      step(s, tableItem, label, `${value}: defer`);
      return reject(
        s,
        code,
        '4.7.1',
        `<${replyName}>: ${cls} rejected: ${text !== '' ? text : 'Access denied'}`,
        tableItem,
      );
    }
    case 'defer_if_permit':
      step(s, tableItem, label, `${value}: defer if later permitted`);
      s.deferIfPermit ??= {
        code: numParam(s, 'access_map_defer_code', 450),
        dsn: '4.7.1',
        text: `<${replyName}>: ${cls} rejected: ${value.replace(/^\S+\s*/, '') || 'Access denied'}`,
        item: tableItem,
        configError: false,
      };
      return DUNNO;
    case 'defer_if_reject':
      step(s, tableItem, label, `${value}: defer if later rejected`);
      s.deferIfReject ??= {
        code: numParam(s, 'access_map_defer_code', 450),
        dsn: '4.7.1',
        text: `<${replyName}>: ${cls} rejected: ${value.replace(/^\S+\s*/, '') || 'Access denied'}`,
        item: tableItem,
        configError: false,
      };
      return DUNNO;
    case 'other':
      return serverError(
        s,
        tableItem,
        `access table ${t.spec} has entry with lookup table: ${value}`,
      );
    case 'restrictions': {
      step(s, tableItem, label, `${value}: evaluated as restrictions`);
      if (s.recursion > 100) serverError(s, tableItem, 'unreasonable recursion');
      const items: PfItem[] = a.items.map((text) => ({ ...tableItem, text }));
      return generic(s, items, cls, replyName, defAcl);
    }
  }
}

/** A failed table lookup: check_table_result("451 4.3.5 Server configuration error"). */
function lookupError(
  s: State,
  tableItem: PfItem,
  why: string,
  replyName: string,
  cls: ListClass,
): Status {
  step(s, tableItem, tableItem.text, `lookup error: ${why}: 451 4.3.5 Server configuration error`);
  return {
    kind: 'reject',
    reply: {
      code: 451,
      dsn: '4.3.5',
      text: `<${replyName}>: ${cls} rejected: Server configuration error (${why})`,
      item: tableItem,
      configError: true,
    },
  };
}

/** check_namadr_access(): client name (and parents), then address (and parent networks). */
function checkClientAccess(
  s: State,
  cmdItem: PfItem,
  tableItem: PfItem,
  cls: ListClass,
  defAcl: string,
  name: string | undefined,
): Status {
  const t = tableForItem(s, tableItem);
  const replyName = s.namaddr;

  // Host name lookups.
  if (name === undefined) {
    if (t.kind === 'static') {
      // Found whatever the name is.
    } else if (t.kind === 'map' && [...t.entries.keys()].some((k) => !/^[0-9a-f:.]+$/.test(k))) {
      throw new Unknown(
        `${tableItem.text} has name keys matched against the client's reverse DNS name, which the question does not give`,
        tableItem,
      );
    }
  }
  const hn = name ?? 'unknown';
  const parent = isParentStyle(s, 'smtpd_access_maps');
  let key = hn.toLowerCase();
  let partial = false;
  const numeric = parseClient(key) !== undefined;
  for (;;) {
    const r = lookupOrFail(s, t, tableItem, key, partial);
    if (r.kind === 'error') return lookupError(s, tableItem, r.reason, replyName, cls);
    if (r.kind === 'found')
      return tableResult(s, t, tableItem, r.value, cls, replyName, defAcl, cmdItem);
    if (numeric) break;
    const dot = key.indexOf('.', 1);
    if (dot < 0) break;
    key = parent ? key.slice(dot + 1) : key.slice(dot);
    partial = true;
  }
  // Address lookups: full, then shorter networks (fixed tables only).
  let addr = s.client.text;
  const delim = addr.includes(':') ? ':' : '.';
  partial = false;
  for (;;) {
    const r = lookupOrFail(s, t, tableItem, addr, partial);
    if (r.kind === 'error') return lookupError(s, tableItem, r.reason, replyName, cls);
    if (r.kind === 'found') {
      return tableResult(s, t, tableItem, r.value, cls, replyName, defAcl, cmdItem);
    }
    partial = true;
    const cut = addr.lastIndexOf(delim);
    if (cut < 0) break;
    addr = addr.slice(0, cut);
  }
  step(s, tableItem, `${cmdItem.text} ${tableItem.text}`, `${s.client.text}: not found`);
  return DUNNO;
}

/** check_domain_access() for HELO names. */
function checkDomainAccess(
  s: State,
  cmdItem: PfItem,
  tableItem: PfItem,
  cls: ListClass,
  defAcl: string,
  domain: string,
): Status {
  const t = tableForItem(s, tableItem);
  const parent = isParentStyle(s, 'smtpd_access_maps');
  let key = domain.toLowerCase();
  let partial = false;
  const numeric = parseClient(key.replace(/^\[|\]$/g, '')) !== undefined;
  for (;;) {
    const r = lookupOrFail(s, t, tableItem, key, partial);
    if (r.kind === 'error') return lookupError(s, tableItem, r.reason, domain, cls);
    if (r.kind === 'found')
      return tableResult(s, t, tableItem, r.value, cls, domain, defAcl, cmdItem);
    if (numeric) break;
    const dot = key.indexOf('.', 1);
    if (dot < 0) break;
    key = parent ? key.slice(dot + 1) : key.slice(dot);
    partial = true;
  }
  step(s, tableItem, `${cmdItem.text} ${tableItem.text}`, `${domain}: not found`);
  return DUNNO;
}

/** check_mail_access(): user@domain, then domain and parents, then user@. */
function checkMailAccess(
  s: State,
  cmdItem: PfItem,
  tableItem: PfItem,
  cls: ListClass,
  defAcl: string,
  address: string,
): Status {
  const t = tableForItem(s, tableItem);
  const r0 = resolve(s, address);
  const full = r0.address.toLowerCase();
  const at = full.lastIndexOf('@');
  const parent = isParentStyle(s, 'smtpd_access_maps');
  const keys: Array<{ key: string; partial: boolean }> = [{ key: full, partial: false }];
  if (at >= 0) {
    let name = full.slice(at + 1);
    keys.push({ key: name, partial: true });
    for (;;) {
      const dot = name.indexOf('.', 1);
      if (dot < 0) break;
      name = parent ? name.slice(dot + 1) : name.slice(dot);
      keys.push({ key: name, partial: true });
    }
    keys.push({ key: full.slice(0, at + 1), partial: true });
  }
  for (const { key, partial } of keys) {
    const r = lookupOrFail(s, t, tableItem, key, partial);
    if (r.kind === 'error') return lookupError(s, tableItem, r.reason, address, cls);
    if (r.kind === 'found') {
      const st = tableResult(s, t, tableItem, r.value, cls, address, defAcl, cmdItem);
      const suspicious =
        !isYes(param(s, 'allow_untrusted_routing')) && r0.routed && cls === 'Recipient address';
      if (st.kind === 'ok' && suspicious) {
        step(
          s,
          tableItem,
          `${cmdItem.text} ${tableItem.text}`,
          'OK ignored: the recipient is source-routed',
        );
        return DUNNO;
      }
      return st;
    }
  }
  step(s, tableItem, `${cmdItem.text} ${tableItem.text}`, `${address}: not found`);
  return DUNNO;
}

// ---------------------------------------------------------------------------------------------
// generic_checks

function dnsUnknown(name: string, item: PfItem): never {
  throw new Unknown(`${name} depends on DNS lookups`, item);
}

function generic(
  s: State,
  items: readonly PfItem[],
  cls: ListClass,
  replyName: string,
  defAcl: string,
): Status {
  const saved = s.recursion++;
  let status: Status = DUNNO;
  const classes = restrictionClasses(s.inst, s.listener).classes;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as PfItem;
    if (item.unknown !== undefined)
      throw new Unknown(`${shown(item.text)} is ${item.unknown}`, item);
    let name = item.text.toLowerCase();
    const next = (): PfItem => {
      const n = items[i + 1];
      if (n === undefined || !n.text.includes(':')) {
        serverError(
          s,
          item,
          `restriction ${item.text}: bad argument "${n?.text ?? ''}": need maptype:mapname`,
        );
      }
      i++;
      return n;
    };
    const arg = (): PfItem | undefined => {
      const n = items[i + 1];
      if (n !== undefined) i++;
      return n;
    };
    if (name === 'warn_if_reject') {
      if (s.warnIfReject === 0) s.warnIfReject = s.recursion;
      step(s, item, item.text, 'the next reject is only logged');
      continue;
    }
    let cmdItem = item;
    let tableItem: PfItem | undefined;
    if (item.text.includes(':')) {
      if (defAcl === '')
        serverError(s, item, `a table with no check_*_access before it: ${item.text}`);
      name = defAcl;
      cmdItem = { ...item, text: defAcl };
      tableItem = item;
    }
    const takeTable = (): PfItem => tableItem ?? next();
    if (name === 'permit') {
      step(s, item, item.text, 'permit');
      status = { kind: 'ok', item };
    } else if (name === 'defer') {
      step(s, item, item.text, 'defer');
      status = reject(
        s,
        numParam(s, 'defer_code', 450),
        '4.3.2',
        `<${replyName}>: ${cls} rejected: Try again later`,
        item,
      );
    } else if (name === 'reject') {
      step(s, item, item.text, 'reject');
      status = reject(
        s,
        numParam(s, 'reject_code', 554),
        '5.7.1',
        `<${replyName}>: ${cls} rejected: Access denied`,
        item,
      );
    } else if (name === 'defer_if_permit') {
      step(s, item, item.text, 'defer if later permitted');
      if (s.warnIfReject === 0) {
        s.deferIfPermit ??= {
          code: 450,
          dsn: '4.7.0',
          text: `<${replyName}>: ${cls} rejected: defer_if_permit requested`,
          item,
          configError: false,
        };
      }
    } else if (name === 'defer_if_reject') {
      step(s, item, item.text, 'defer if later rejected');
      s.deferIfReject ??= {
        code: 450,
        dsn: '4.7.0',
        text: `<${replyName}>: ${cls} rejected: defer_if_reject requested`,
        item,
        configError: false,
      };
    } else if (name === 'permit_mynetworks') {
      const ok = mynetworksMatch(s, item, s.recipient !== '' ? s.recipient : replyName);
      step(
        s,
        item,
        item.text,
        ok ? `${s.client.text} is in mynetworks: permit` : `${s.client.text} is not in mynetworks`,
      );
      if (ok) status = { kind: 'ok', item };
    } else if (name === 'permit_sasl_authenticated') {
      const enabled = isYes(param(s, 'smtpd_sasl_auth_enable'));
      const ok = enabled && s.q.auth;
      step(
        s,
        item,
        item.text,
        ok
          ? 'authenticated: permit'
          : enabled
            ? 'not authenticated'
            : 'SASL is off (smtpd_sasl_auth_enable = no): no client is authenticated',
      );
      if (ok) status = { kind: 'ok', item };
    } else if (name === 'permit_inet_interfaces') {
      const own = ownAddresses(s.inst, s.q.hostAddresses);
      if (own === undefined)
        throw new Unknown(
          "permit_inet_interfaces needs the server's own addresses (give --host-addresses)",
          item,
        );
      const ok = own.some((o) => parseClient(o.split('/')[0] ?? '')?.value === s.client.value);
      step(
        s,
        item,
        item.text,
        ok ? 'client is an own address: permit' : 'client is not an own address',
      );
      if (ok) status = { kind: 'ok', item };
    } else if (name === 'reject_unauth_destination' || name === 'defer_unauth_destination') {
      if (s.recipient !== '') {
        const d = authDestination(s, s.recipient);
        if (d.ok) step(s, item, item.text, `authorized destination: ${d.why}`);
        else {
          const relayCode = numParam(s, 'relay_domains_reject_code', 554);
          const deferring = name === 'defer_unauth_destination';
          step(
            s,
            item,
            item.text,
            `${d.why}: ${deferring ? 'defer' : 'reject'} (Relay access denied)`,
          );
          status = reject(
            s,
            deferring ? relayCode - 100 : relayCode,
            deferring ? '4.7.1' : '5.7.1',
            `<${s.recipient}>: Relay access denied`,
            item,
          );
        }
      }
    } else if (name === 'permit_auth_destination') {
      if (s.recipient !== '') {
        const d = authDestination(s, s.recipient);
        step(s, item, item.text, d.ok ? `${d.why}: permit` : d.why);
        if (d.ok) status = { kind: 'ok', item };
      }
    } else if (name === 'check_relay_domains') {
      if (s.recipient !== '') {
        const d = authDestination(s, s.recipient);
        if (d.ok) {
          step(s, item, item.text, `${d.why}: permit`);
          status = { kind: 'ok', item };
        } else if (s.hostname === undefined) {
          throw new Unknown('check_relay_domains matches the client name by reverse DNS', item);
        } else if (
          listMatchesDomain(
            s,
            param(s, 'relay_domains').items,
            s.hostname,
            isParentStyle(s, 'relay_domains'),
            'relay_domains',
          )
        ) {
          step(s, item, item.text, 'client name matches relay_domains: permit');
          status = { kind: 'ok', item };
        } else {
          step(s, item, item.text, 'reject (Relay access denied)');
          status = reject(
            s,
            numParam(s, 'relay_domains_reject_code', 554),
            '5.7.1',
            `<${s.recipient}>: Relay access denied`,
            item,
          );
        }
      }
    } else if (name === 'check_client_access') {
      status = checkClientAccess(s, cmdItem, takeTable(), 'Client host', defAcl, s.hostname);
    } else if (name === 'check_reverse_client_hostname_access') {
      status = checkClientAccess(s, cmdItem, takeTable(), 'Client host', defAcl, s.hostname);
    } else if (name === 'check_helo_access') {
      const t = takeTable();
      if (s.q.helo === undefined) {
        throw new Unknown(
          `${item.text} ${t.text} looks up the HELO name, which the client chooses and the question does not give`,
          t,
        );
      }
      status = checkDomainAccess(s, cmdItem, t, 'Helo command', defAcl, s.q.helo);
    } else if (name === 'check_sender_access') {
      const t = takeTable();
      if (s.sender !== '') {
        status = checkMailAccess(s, cmdItem, t, 'Sender address', defAcl, s.sender);
      } else {
        const tab = tableForItem(s, t);
        const r = lookupOrFail(s, tab, t, param(s, 'smtpd_null_access_lookup_key').value, false);
        if (r.kind === 'error') serverError(s, t, r.reason);
        if (r.kind === 'found')
          status = tableResult(s, tab, t, r.value, 'Sender address', s.sender, defAcl, cmdItem);
      }
    } else if (name === 'check_recipient_access') {
      const t = takeTable();
      if (s.recipient !== '') {
        status = checkMailAccess(s, cmdItem, t, 'Recipient address', defAcl, s.recipient);
      }
    } else if (name === 'check_ccert_access' || name === 'check_etrn_access') {
      const t = takeTable();
      step(
        s,
        t,
        `${item.text} ${t.text}`,
        name === 'check_ccert_access' ? 'no client certificate' : 'not ETRN',
      );
    } else if (name === 'check_sasl_access') {
      const t = takeTable();
      if (isYes(param(s, 'smtpd_sasl_auth_enable')) && s.q.auth) {
        throw new Unknown(`${item.text} ${t.text} looks up the SASL login name`, t);
      }
      step(s, t, `${item.text} ${t.text}`, 'not authenticated: skipped');
    } else if (
      name === 'check_client_ns_access' ||
      name === 'check_client_mx_access' ||
      name === 'check_client_a_access' ||
      name === 'check_reverse_client_hostname_ns_access' ||
      name === 'check_reverse_client_hostname_mx_access' ||
      name === 'check_reverse_client_hostname_a_access'
    ) {
      const t = takeTable();
      if (s.hostname === 'unknown')
        step(s, t, `${item.text} ${t.text}`, 'client name unknown: skipped');
      else dnsUnknown(item.text, item);
    } else if (/^check_(helo|sender|recipient)_(ns|mx|a)_access$/.test(name)) {
      takeTable();
      dnsUnknown(item.text, item);
    } else if (name === 'check_policy_service') {
      const n = items[i + 1];
      if (n === undefined || !n.text.includes(':')) {
        serverError(
          s,
          item,
          'restriction check_policy_service must be followed by transport:server',
        );
      }
      throw new Unknown(`check_policy_service ${n.text}: a policy server decides`, item);
    } else if (
      name === 'reject_rbl_client' ||
      name === 'reject_rbl' ||
      name === 'permit_dnswl_client'
    ) {
      if (arg() === undefined) step(s, item, item.text, 'requires a domain argument: ignored');
      else dnsUnknown(item.text, item);
    } else if (
      name === 'reject_rhsbl_client' ||
      name === 'permit_rhswl_client' ||
      name === 'reject_rhsbl_reverse_client'
    ) {
      if (arg() === undefined) step(s, item, item.text, 'requires a domain argument: ignored');
      else if (s.hostname === 'unknown') step(s, item, item.text, 'client name unknown: skipped');
      else dnsUnknown(item.text, item);
    } else if (
      name === 'reject_rhsbl_helo' ||
      name === 'reject_rhsbl_sender' ||
      name === 'reject_rhsbl_recipient'
    ) {
      if (arg() === undefined) step(s, item, item.text, 'requires a domain argument: ignored');
      else if (name === 'reject_rhsbl_sender' && s.sender === '')
        step(s, item, item.text, 'null sender: skipped');
      else dnsUnknown(item.text, item);
    } else if (name === 'reject_maps_rbl') {
      dnsUnknown(item.text, item);
    } else if (name === 'sleep') {
      const n = items[i + 1];
      if (n === undefined || !/^\d+$/.test(n.text))
        serverError(s, item, 'restriction sleep must be followed by number');
      i++;
      step(s, item, `${item.text} ${n.text}`, 'waits, no decision');
    } else if (name === 'reject_unauth_pipelining' || name === 'reject_multi_recipient_bounce') {
      step(s, item, item.text, 'no decision for this question');
    } else if (name === 'permit_tls_clientcerts' || name === 'permit_tls_all_clientcerts') {
      step(s, item, item.text, 'no TLS client certificate in the question: no decision');
    } else if (name === 'reject_plaintext_session') {
      throw new Unknown('reject_plaintext_session depends on whether the session uses TLS', item);
    } else if (
      name === 'reject_authenticated_sender_login_mismatch' ||
      name === 'reject_known_sender_login_mismatch' ||
      name === 'reject_unauthenticated_sender_login_mismatch' ||
      name === 'reject_sender_login_mismatch'
    ) {
      if (!isYes(param(s, 'smtpd_sasl_auth_enable')))
        step(s, item, item.text, 'ignored: SASL is off');
      else if (s.sender === '') step(s, item, item.text, 'null sender: skipped');
      else throw new Unknown(`${item.text} looks up smtpd_sender_login_maps`, item);
    } else if (name === 'reject_non_fqdn_recipient' || name === 'reject_non_fqdn_sender') {
      const addr = name === 'reject_non_fqdn_recipient' ? s.recipient : s.sender;
      if (addr !== '') {
        const d = stripSourceRoute(addr);
        const raw = d.includes('@') ? d.slice(d.lastIndexOf('@') + 1) : '';
        // reject_non_fqdn_address(): literals pass; then one trailing dot (not "..") is dropped.
        const literal = raw.startsWith('[') && raw.endsWith(']');
        const dom = raw.endsWith('.') && !raw.endsWith('..') ? raw.slice(0, -1) : raw;
        const fq = literal || (dom !== '' && validHostname(dom) && dom.includes('.'));
        if (!fq) {
          const c = name === 'reject_non_fqdn_recipient' ? 'Recipient address' : 'Sender address';
          step(s, item, item.text, `${addr} is not fully qualified: reject`);
          status = reject(
            s,
            numParam(s, 'non_fqdn_reject_code', 504),
            '5.5.2',
            `<${addr}>: ${c} rejected: need fully-qualified address`,
            item,
          );
        } else step(s, item, item.text, 'fully qualified');
      }
    } else if (
      name === 'reject_invalid_helo_hostname' ||
      name === 'reject_invalid_hostname' ||
      name === 'reject_non_fqdn_helo_hostname' ||
      name === 'reject_non_fqdn_hostname' ||
      name === 'reject_unknown_helo_hostname' ||
      name === 'reject_unknown_hostname'
    ) {
      throw new Unknown(
        `${item.text} checks the HELO name, which the question does not give`,
        item,
      );
    } else if (
      name === 'reject_unknown_client_hostname' ||
      name === 'reject_unknown_client' ||
      name === 'reject_unknown_reverse_client_hostname' ||
      name === 'reject_unknown_sender_domain' ||
      name === 'reject_unknown_address' ||
      name === 'reject_unknown_recipient_domain' ||
      name === 'permit_mx_backup' ||
      name === 'reject_unverified_recipient' ||
      name === 'reject_unverified_sender'
    ) {
      if (name === 'reject_unknown_sender_domain' && s.sender === '')
        step(s, item, item.text, 'null sender: skipped');
      else dnsUnknown(item.text, item);
    } else if (name === 'reject_unlisted_recipient' || name === 'check_recipient_maps') {
      if (s.recipient !== '') status = unlistedRecipient(s, item);
    } else if (name === 'reject_unlisted_sender') {
      if (s.sender !== '') {
        const r = resolve(s, s.sender);
        if (r.cls === 'default') step(s, item, item.text, 'remote sender: no decision');
        else throw new Unknown(`${item.text}: whether ${s.sender} is a known user`, item);
      }
    } else if (name === 'permit_naked_ip_address') {
      throw new Unknown('permit_naked_ip_address checks the HELO name', item);
    } else if (classes.has(item.text)) {
      const def = classes.get(item.text) as EffectiveParam;
      step(s, item, item.text, 'restriction class: evaluated');
      status = generic(s, def.items, cls, replyName, defAcl);
    } else {
      step(s, item, item.text, `unknown restriction: 451 4.3.5 Server configuration error`);
      throw new Abort({
        code: 451,
        dsn: '4.3.5',
        text: `Server configuration error (unknown smtpd restriction: "${item.text}")`,
        item,
        configError: true,
      });
    }
    if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
    if (status.kind !== 'dunno') break;
    if (s.deferIfPermit !== undefined && s.deferIfReject !== undefined) break;
  }
  s.recursion = saved;
  if (s.warnIfReject >= s.recursion) s.warnIfReject = 0;
  return status;
}

/** mail_addr_find() over a maps parameter: user@domain, then user (local domains), then @domain. */
function mapsFind(s: State, mapName: string, r: Resolved): boolean {
  const p = param(s, mapName);
  if (p.items.length === 0) return false;
  const addr = r.address.toLowerCase();
  const at = addr.lastIndexOf('@');
  const keys: Array<{ key: string; partial: boolean }> = [{ key: addr, partial: false }];
  if (at >= 0) {
    if (r.cls === 'local') keys.push({ key: addr.slice(0, at), partial: true });
    keys.push({ key: addr.slice(at), partial: true });
  }
  for (const { key, partial } of keys) {
    for (const item of p.items) {
      if (item.unknown !== undefined) {
        throw new Unknown(`${mapName} holds ${item.unknown}`, item);
      }
      const t = openTable(s.inst, item.text);
      const res = tableLookup(t, key, partial);
      if (res.kind === 'found') return true;
      if (res.kind === 'unknown') {
        throw new Unknown(`whether ${s.recipient} is listed in ${mapName} (${res.reason})`, item);
      }
      if (res.kind === 'error') dictRetry(s, item, `${mapName}: ${res.reason}`, s.recipient);
    }
  }
  return false;
}

/** check_rcpt_maps(): is the recipient a known user of its address class? */
function unlistedRecipient(s: State, item: PfItem | undefined): Status {
  const r = resolve(s, s.recipient);
  for (const m of ['recipient_canonical_maps', 'canonical_maps', 'virtual_alias_maps']) {
    if (mapsFind(s, m, r)) {
      s.trace.push(
        traceStep(item, 'smtpd_reject_unlisted_recipient', `${r.address} is listed in ${m}`),
      );
      return DUNNO;
    }
  }
  const unknownUser = (code: string, table: string): Status => {
    s.trace.push(
      traceStep(item, 'smtpd_reject_unlisted_recipient', `${r.address}: User unknown in ${table}`),
    );
    return reject(
      s,
      numParam(s, code, 550),
      '5.1.1',
      `<${s.recipient}>: Recipient address rejected: User unknown in ${table}`,
      item,
    );
  };
  const local = r.address.slice(0, r.address.lastIndexOf('@')).toLowerCase();
  const bounce = param(s, 'double_bounce_sender').value.trim().toLowerCase();
  switch (r.cls) {
    case 'alias':
      return unknownUser('unknown_virtual_alias_reject_code', 'virtual alias table');
    case 'local':
      if (
        param(s, 'local_recipient_maps').items.length > 0 &&
        ![bounce, 'postmaster', 'mailer-daemon'].includes(local) &&
        !mapsFind(s, 'local_recipient_maps', r)
      ) {
        return unknownUser('unknown_local_recipient_reject_code', 'local recipient table');
      }
      break;
    case 'mailbox':
      if (
        param(s, 'virtual_mailbox_maps').items.length > 0 &&
        !mapsFind(s, 'virtual_mailbox_maps', r)
      ) {
        return unknownUser('unknown_virtual_mailbox_reject_code', 'virtual mailbox table');
      }
      break;
    case 'relay':
      if (
        param(s, 'relay_recipient_maps').items.length > 0 &&
        !mapsFind(s, 'relay_recipient_maps', r)
      ) {
        return unknownUser('unknown_relay_recipient_reject_code', 'relay recipient table');
      }
      break;
    case 'default':
      break;
  }
  return DUNNO;
}

// ---------------------------------------------------------------------------------------------
// smtpd_check_rcpt

function listItemsOf(s: State, name: string): EffectiveParam {
  return param(s, name);
}

function runList(
  s: State,
  name: string,
  cls: ListClass,
  replyName: string,
  defAcl: string,
  override?: readonly PfItem[],
): Status {
  const p = listItemsOf(s, name);
  const items = override ?? p.items;
  if (items.length === 0 || s.discard !== undefined) return DUNNO;
  s.recursion = 0;
  s.warnIfReject = 0;
  s.deferIfReject = undefined;
  const label = override !== undefined ? `${name} (compatibility_level < 1, not set)` : name;
  s.trace.push(
    p.def !== undefined
      ? traceStep(
          { text: name, span: p.def.nameSpan, file: p.def.file },
          label,
          `${p.origin === 'override' ? '-o override: ' : ''}${p.value}`,
        )
      : {
          item: label,
          result: `default: ${override !== undefined ? override.map((i) => i.text).join(', ') : p.value}`,
        },
  );
  return generic(s, items, cls, replyName, defAcl);
}

function answerFrom(
  s: State,
  base: { server: string; listener: string },
  reply: Reply | 'allow',
  allowItem?: PfItem,
): PostfixAnswer {
  if (reply === 'allow') {
    return {
      ...base,
      outcome: 'allow',
      reply: '250',
      reason: `250 2.1.5 Ok: <${s.recipient}> is accepted${allowItem !== undefined ? ` (${allowItem.text})` : ''}`,
      trace: s.trace,
      ...(allowItem !== undefined ? { decidedBy: allowItem } : {}),
    };
  }
  return {
    ...base,
    outcome: reply.configError ? 'config-error' : 'deny',
    reply: String(reply.code),
    reason: `${reply.code} ${reply.dsn} ${reply.text}`,
    trace: s.trace,
    ...(reply.item !== undefined ? { decidedBy: reply.item } : {}),
  };
}

/** Name of the server (for answers): myhostname when set, else "postfix". */
function serverName(inst: PostfixInstance): string {
  const h = effectiveParam(inst, undefined, 'myhostname');
  return h.origin === 'default' || h.value.includes(HOST_CHAR) ? 'postfix' : h.value.trim();
}

/** Answers one question for one listener (SPEC §7.1, §7.4). */
export function evaluate(
  inst: PostfixInstance,
  listener: PfListener,
  question: PostfixQuestion,
): PostfixAnswer {
  return evaluateWith(inst, listener, question, serviceDown(inst, listener));
}

function evaluateWith(
  inst: PostfixInstance,
  listener: PfListener,
  question: PostfixQuestion,
  down: ServiceDown | undefined,
): PostfixAnswer {
  const base = { server: serverName(inst), listener: listener.name };
  if (down !== undefined) {
    return {
      ...base,
      outcome: 'service-down',
      reply: 'none',
      reason: down.reason,
      trace: [traceStep(down.item, down.item?.text ?? 'smtpd', down.reason)],
      ...(down.item !== undefined ? { decidedBy: down.item } : {}),
    };
  }
  const client = parseClient(question.client);
  if (client === undefined) {
    return {
      ...base,
      outcome: 'unknown',
      reply: null,
      reason: `"${question.client}" is not an IP address`,
      trace: [],
      unknownInputs: ['the client address'],
    };
  }
  const peer = isYes(effectiveParam(inst, listener, 'smtpd_peername_lookup'));
  const s: State = {
    inst,
    listener,
    q: question,
    client,
    hostname: peer ? undefined : 'unknown',
    namaddr: `unknown[${client.text}]`,
    recipient: stripSourceRoute(question.to),
    sender: stripSourceRoute(question.from),
    sasl: isYes(effectiveParam(inst, listener, 'smtpd_sasl_auth_enable')) && question.auth,
    trace: [],
    deferIfPermit: undefined,
    deferIfReject: undefined,
    warnIfReject: 0,
    recursion: 0,
  };
  if (!familyEnabled(inst, client.family)) {
    const why = `inet_protocols = ${effectiveParam(inst, undefined, 'inet_protocols').value.trim()}: Postfix does not listen on IPv${client.family}, so ${client.text} cannot connect`;
    return {
      ...base,
      outcome: 'deny',
      reply: 'none',
      reason: why,
      trace: [{ item: 'inet_protocols', result: why }],
    };
  }
  if (listener.reach === 'loopback' && !isLoopbackClient(client)) {
    // Only local processes can connect, but they may use any address of the host: answer as
    // smtpd would for this client, and say so.
    s.trace.push({
      item: listener.name,
      result: `listens on loopback only: ${client.text} can connect only from this host`,
    });
  }
  if (question.auth && !isYes(effectiveParam(inst, listener, 'smtpd_sasl_auth_enable'))) {
    s.trace.push({
      item: 'smtpd_sasl_auth_enable',
      result:
        'no: AUTH gets "503 5.5.1 Error: authentication not enabled"; the client stays anonymous',
    });
  }
  try {
    if (!addressSyntaxOk(s, s.sender)) {
      s.trace.push({
        item: 'MAIL FROM',
        result: `<${s.sender}>: 501 5.1.7 Bad sender address syntax`,
      });
      return finish(s, base, {
        code: 501,
        dsn: '5.1.7',
        text: 'Bad sender address syntax (RCPT then gets 503 5.5.1 Error: need MAIL command)',
        configError: false,
      });
    }
    if (!addressSyntaxOk(s, s.recipient)) {
      s.trace.push({
        item: 'RCPT TO',
        result: `<${s.recipient}>: 501 5.1.3 Bad recipient address syntax`,
      });
      return finish(s, base, {
        code: 501,
        dsn: '5.1.3',
        text: 'Bad recipient address syntax',
        configError: false,
      });
    }
    if (s.recipient.toLowerCase() === 'postmaster') {
      s.trace.push({ item: 'RCPT TO:<postmaster>', result: 'always accepted (RFC 5321)' });
      return answerFrom(s, base, 'allow');
    }
    const stages: Array<[string, ListClass, string, string]> = [
      ['smtpd_client_restrictions', 'Client host', s.namaddr, 'check_client_access'],
      ['smtpd_helo_restrictions', 'Helo command', question.helo ?? '', 'check_helo_access'],
      ['smtpd_sender_restrictions', 'Sender address', s.sender, 'check_sender_access'],
    ];
    for (const [name, cls, replyName, defAcl] of stages) {
      const st = runList(s, name, cls, replyName, defAcl);
      if (st.kind === 'reject') return finish(s, base, st.reply);
    }
    const level = compatLevel(inst, listener).text;
    const relaySet =
      effectiveParam(inst, listener, 'smtpd_relay_restrictions').origin !== 'default';
    const warnCompat = compareLevelsSafe(level, '1') < 0 && !relaySet;
    const relayFirst =
      isYes(effectiveParam(inst, listener, 'smtpd_relay_before_recipient_restrictions')) &&
      !warnCompat;
    const fake: PfItem[] | undefined = warnCompat
      ? ['permit_mynetworks', 'permit_sasl_authenticated', 'permit_auth_destination'].map(
          (text) => ({
            text,
            span: { start: 0, end: 0 },
            file: 'main.cf' as const,
            isDefault: true,
          }),
        )
      : undefined;
    const order: Array<'relay' | 'rcpt'> = relayFirst ? ['relay', 'rcpt'] : ['rcpt', 'relay'];
    let status: Status = DUNNO;
    let allowItem: PfItem | undefined;
    for (const which of order) {
      const st =
        which === 'relay'
          ? runList(
              s,
              'smtpd_relay_restrictions',
              'Recipient address',
              s.recipient,
              'check_recipient_access',
              fake,
            )
          : runList(
              s,
              'smtpd_recipient_restrictions',
              'Recipient address',
              s.recipient,
              'check_recipient_access',
            );
      status = st;
      if (st.kind === 'ok' && which === 'relay' && fake === undefined)
        allowItem = st.item ?? allowItem;
      if (st.kind === 'ok' && which === 'rcpt' && allowItem === undefined) allowItem = st.item;
      if (st.kind === 'reject') break;
    }
    if (status.kind === 'reject') return finish(s, base, status.reply);
    if (s.deferIfPermit !== undefined) {
      s.trace.push({
        item: 'defer_if_permit',
        result: 'an earlier defer_if_permit turns the permit into a deferral',
      });
      return finish(s, base, s.deferIfPermit);
    }
    if (
      s.discard === undefined &&
      isYes(effectiveParam(inst, listener, 'smtpd_reject_unlisted_recipient'))
    ) {
      const st = unlistedRecipient(s, undefined);
      if (st.kind === 'reject') return finish(s, base, st.reply);
    }
    if (s.discard !== undefined) {
      return { ...answerFrom(s, base, 'allow', s.discard), discarded: true };
    }
    return answerFrom(s, base, 'allow', allowItem ?? s.destination);
  } catch (e) {
    if (e instanceof Abort) return finish(s, base, e.reply);
    if (e instanceof Unknown) {
      if (e.item !== undefined)
        s.trace.push(traceStep(e.item, e.item.text, `unknown: ${e.reason}`));
      return {
        ...base,
        outcome: 'unknown',
        reply: null,
        reason: `The answer depends on ${e.reason}`,
        trace: s.trace,
        unknownInputs: [e.reason],
        ...(e.item !== undefined ? { decidedBy: e.item } : {}),
      };
    }
    throw e;
  }
}

function compareLevelsSafe(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function finish(s: State, base: { server: string; listener: string }, reply: Reply): PostfixAnswer {
  return answerFrom(s, base, reply);
}

/** inet_protocols: `all`, `ipv4`, `ipv6` or both (master.cf cannot override it). */
function familyEnabled(inst: PostfixInstance, family: 4 | 6): boolean {
  const v = effectiveParam(inst, undefined, 'inet_protocols').value.toLowerCase();
  return /\ball\b/.test(v) || v.includes(family === 4 ? 'ipv4' : 'ipv6');
}

function isLoopbackClient(c: ClientAddress): boolean {
  if (c.family === 4) return (c.value - V4_BASE) >> 24n === 127n;
  return c.value === 1n;
}

// ---------------------------------------------------------------------------------------------
// U(L)

const EXTERNAL_RECIPIENT = 'user@relay-lint.invalid';
const DEFAULT_SENDER = 'probe@relay-lint.invalid';

/** Sender / HELO / recipient values the client may choose that tables react to. */
function candidates(
  inst: PostfixInstance,
  l: PfListener,
): { senders: string[]; helos: (string | undefined)[]; rcpts: string[] } {
  const senders = new Set<string>([DEFAULT_SENDER, '']);
  const helos = new Set<string | undefined>();
  const rcpts = new Set<string>([EXTERNAL_RECIPIENT]);
  let helo = false;
  for (const list of RESTRICTION_LISTS) {
    const items = effectiveParam(inst, l, list).items;
    for (let i = 0; i < items.length; i++) {
      const n = (items[i] as PfItem).text.toLowerCase();
      const t = items[i + 1];
      if (t === undefined) continue;
      const keysOf = (): string[] => {
        const tab = openTable(inst, t.text);
        return tab.kind === 'map' ? [...tab.entries.keys()] : [];
      };
      if (n === 'check_sender_access') {
        for (const k of keysOf()) senders.add(keyToAddress(k));
      } else if (n === 'check_recipient_access') {
        for (const k of keysOf()) rcpts.add(keyToAddress(k));
      } else if (n === 'check_helo_access' || n.includes('helo')) {
        helo = true;
        if (n === 'check_helo_access')
          for (const k of keysOf()) helos.add(k.startsWith('.') ? `x${k}` : k);
      }
    }
  }
  if (helo) helos.add('relay-lint.invalid');
  else helos.add(undefined);
  return {
    senders: [...senders].slice(0, 12),
    helos: [...helos].slice(0, 8),
    rcpts: [...rcpts].slice(0, 8),
  };
}

function keyToAddress(k: string): string {
  if (k.endsWith('@')) return `${k}relay-lint.invalid`;
  if (k.includes('@')) return k;
  if (k.startsWith('.')) return `user@x${k}`;
  return `user@${k}`;
}

/** Boundaries of every address set the answer can depend on. */
function cellSets(
  inst: PostfixInstance,
  l: PfListener,
  hostAddresses?: readonly string[],
): IntervalSet[] {
  const sets: IntervalSet[] = [
    IntervalSet.of(V4_BASE, V4_MAX),
    // Loopback: a loopback-only listener serves these alone.
    IntervalSet.of(V4_BASE + (127n << 24n), V4_BASE + (128n << 24n) - 1n),
    IntervalSet.of(V4_BASE + (127n << 24n) + 1n, V4_BASE + (127n << 24n) + 1n),
    IntervalSet.of(1n, 1n),
  ];
  const info = mynetworksInfo(inst, l, hostAddresses);
  for (const e of info.entries) {
    for (const s of [e.set, e.v4.set, e.v6.set]) if (s !== undefined) sets.push(s);
    if (e.table !== undefined) sets.push(...tableAddressSets(e.table));
  }
  for (const list of RESTRICTION_LISTS) {
    for (const item of effectiveParam(inst, l, list).items) {
      if (item.text.includes(':') && !item.text.startsWith('{')) {
        sets.push(...tableAddressSets(openTable(inst, item.text)));
      }
    }
  }
  for (const h of [...(hostAddresses ?? [])]) {
    const c = parseClient(h.split('/')[0] ?? '');
    if (c !== undefined) sets.push(IntervalSet.of(c.value, c.value));
  }
  return sets;
}

/** Representatives of the cells the sets' boundaries cut the address space into. */
function cells(sets: readonly IntervalSet[]): Array<{ lo: bigint; hi: bigint }> {
  const cuts = new Set<bigint>([0n]);
  for (const s of sets) {
    for (const iv of s.intervals) {
      cuts.add(iv.lo);
      if (iv.hi < MAX_ADDRESS) cuts.add(iv.hi + 1n);
    }
  }
  const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map((lo, i) => ({
    lo,
    hi: i + 1 < sorted.length ? (sorted[i + 1] as bigint) - 1n : MAX_ADDRESS,
  }));
}

/**
 * U(L): the client addresses for which an external recipient is accepted without
 * authentication, for some sender, computed exactly per cell of the address space.
 */
export function unauthRelaySet(
  inst: PostfixInstance,
  listener: PfListener,
  hostAddresses?: readonly string[],
): UnauthRelay {
  const down = serviceDown(inst, listener);
  if (down !== undefined) {
    return {
      set: IntervalSet.EMPTY,
      permits: [],
      maybe: IntervalSet.EMPTY,
      unknown: [],
      serviceDown: down,
    };
  }
  const cand = candidates(inst, listener);
  const permitted = new Map<PfItem | undefined, IntervalSet[]>();
  const maybe: IntervalSet[] = [];
  const unknown = new Set<string>();
  const all: IntervalSet[] = [];
  for (const cell of cells(cellSets(inst, listener, hostAddresses))) {
    // IPv4-mapped IPv6 clients are IPv4 clients: the ::ffff:0:0/96 block is the IPv4 cells.
    const rep = clientFromValue(cell.lo);
    const cellSet = IntervalSet.of(cell.lo, cell.hi);
    if (listener.reach === 'loopback' && !isLoopbackClient(rep)) continue;
    if (!familyEnabled(inst, rep.family)) continue;
    let decided = false;
    let cellUnknown: string | undefined;
    outer: for (const rcpt of cand.rcpts) {
      for (const sender of cand.senders) {
        for (const helo of cand.helos) {
          const q: PostfixQuestion = {
            client: rep.text,
            to: rcpt,
            from: sender,
            auth: false,
            ...(hostAddresses !== undefined ? { hostAddresses } : {}),
            ...(helo !== undefined ? { helo } : {}),
          };
          const a = evaluateWith(inst, listener, q, undefined);
          if (a.outcome === 'allow' && a.discarded !== true) {
            // Only an external recipient counts.
            if (rcpt !== EXTERNAL_RECIPIENT && !isExternal(inst, listener, rcpt, q)) continue;
            const list = permitted.get(a.decidedBy) ?? [];
            list.push(cellSet);
            permitted.set(a.decidedBy, list);
            all.push(cellSet);
            decided = true;
            break outer;
          }
          if (a.outcome === 'unknown') cellUnknown ??= a.unknownInputs?.[0] ?? a.reason;
        }
      }
    }
    if (!decided && cellUnknown !== undefined) {
      maybe.push(cellSet);
      unknown.add(cellUnknown);
    }
  }
  const permits: Array<{ item: PfItem; set: IntervalSet }> = [];
  for (const [item, sets] of permitted) {
    if (item !== undefined) permits.push({ item, set: IntervalSet.union(sets) });
  }
  return {
    set: IntervalSet.union(all),
    permits,
    maybe: IntervalSet.union(maybe),
    unknown: [...unknown],
  };
}

/** True when `rcpt` is not a local, virtual or relay destination (so accepting it relays). */
function isExternal(
  inst: PostfixInstance,
  l: PfListener,
  rcpt: string,
  q: PostfixQuestion,
): boolean {
  const client = parseClient(q.client);
  if (client === undefined) return false;
  const s: State = {
    inst,
    listener: l,
    q,
    client,
    hostname: 'unknown',
    namaddr: '',
    recipient: rcpt,
    sender: '',
    sasl: false,
    trace: [],
    deferIfPermit: undefined,
    deferIfReject: undefined,
    warnIfReject: 0,
    recursion: 0,
  };
  try {
    return resolve(s, rcpt).cls === 'default';
  } catch {
    return false;
  }
}

/** Where a span lies, for callers that need it with the file. */
export interface Located {
  readonly span: Span;
  readonly file: PfItem['file'];
}
