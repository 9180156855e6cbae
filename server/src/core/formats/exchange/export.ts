import type { Problem, Span } from '../../model.js';
import type { Siblings } from '../types.js';
import {
  boolOf,
  elementsOf,
  type JsonNode,
  parseJsonText,
  Props,
  spanOf,
  stringOf,
  textOf,
} from './json-read.js';
import { principalKind, type PrincipalKind } from './principals.js';

/**
 * Reads an Exchange receive-connector export (SPEC §7.2) in either shape, keeping the offset of
 * every value: the project's own export (`relayLintExport: 1`, written by
 * scripts/export-exchange.ps1) and raw `ConvertTo-Json` output of Get-ReceiveConnector, with
 * Get-ADPermission / Get-AcceptedDomain output read from sibling files. Values are read
 * liberally (shared/EXCHANGE-IIS.md A.1): every form Windows PowerShell 5.1 may plausibly write.
 */

/** PermissionGroups flags (Microsoft.Exchange.Data.PermissionGroups). */
export const PERMISSION_GROUPS: Readonly<Record<string, number>> = {
  None: 0,
  AnonymousUsers: 1,
  ExchangeUsers: 2,
  ExchangeServers: 4,
  ExchangeLegacyServers: 8,
  Partners: 16,
  Custom: 32,
};

/** Receive-connector AuthMechanisms flags (not the send connector's, whose values differ). */
export const AUTH_MECHANISMS: Readonly<Record<string, number>> = {
  None: 0,
  Tls: 1,
  Integrated: 2,
  BasicAuth: 4,
  BasicAuthRequireTLS: 8,
  ExchangeServer: 16,
  ExternalAuthoritative: 32,
};

/** ServerRole flags for TransportRole. */
export const SERVER_ROLES: Readonly<Record<string, number>> = {
  None: 0,
  Cafe: 1,
  Mailbox: 2,
  ClientAccess: 4,
  HubTransport: 32,
  Edge: 64,
  FrontendTransport: 16384,
};

export const PG = { anonymous: 1, users: 2, servers: 4, legacy: 8, partners: 16, custom: 32 };
export const AM = {
  tls: 1,
  integrated: 2,
  basic: 4,
  basicRequireTls: 8,
  exchangeServer: 16,
  externalAuthoritative: 32,
};

export const ACCEPT_ANY_RECIPIENT = 'ms-Exch-SMTP-Accept-Any-Recipient';
export const SUBMIT = 'ms-Exch-SMTP-Submit';

/** ActiveDirectoryRights bits that grant every extended right when no right is named. */
const AD_EXTENDED_RIGHT = 0x100;
// System.DirectoryServices.ActiveDirectoryRights: GenericAll is 0xF01FF (it includes
// ExtendedRight); 0x10000000 is the raw ACCESS_MASK generic bit a tool might print instead.
const AD_GENERIC_ALL = 0xf01ff;
const AD_RAW_GENERIC_ALL = 0x10000000;
const AD_RIGHTS: Readonly<Record<string, number>> = {
  ExtendedRight: AD_EXTENDED_RIGHT,
  GenericAll: AD_GENERIC_ALL,
};

export interface Located<T> {
  readonly value: T;
  /** Where it is written in the linted file; undefined for a default or a sibling file. */
  readonly span?: Span;
}

export interface Flags {
  readonly bits: number;
  /** Names that are not members of the enum (kept for messages). */
  readonly unknown: readonly string[];
  readonly span?: Span;
  readonly keySpan?: Span;
  /** The value was written (not absent or null). */
  readonly present: boolean;
}

export interface RangeItem {
  /** The entry as the address rules read it (`a.b.c.d(m)` becomes `a.b.c.d/m`). */
  readonly text: string;
  /** The entry as Exchange wrote it (for commands). */
  readonly written: string;
  readonly span: Span;
}

export interface Permission {
  readonly user?: string;
  readonly sid?: string;
  readonly kind: PrincipalKind;
  readonly rights: readonly Located<string>[];
  /** The ACE grants every extended right (AccessRights ExtendedRight/GenericAll, none named). */
  readonly allExtendedRights: boolean;
  readonly deny: boolean;
  readonly inherited: boolean;
  readonly span?: Span;
  /** The sibling file it was read from, when not the linted file. */
  readonly file?: string;
  /** Its span in that sibling file (for explain traces, which may point into other files). */
  readonly siblingSpan?: Span;
}

export interface Connector {
  readonly index: number;
  /** `SERVER\Name`, as Exchange cmdlets take it. */
  readonly identity: string;
  readonly name: string;
  readonly server: string;
  readonly span: Span;
  readonly identitySpan: Span;
  readonly nameSpan?: Span;
  readonly serverSpan?: Span;
  readonly enabled: Located<boolean>;
  readonly bindings: readonly Located<string>[];
  readonly bindingsSpan?: Span;
  readonly ranges: readonly RangeItem[];
  readonly rangesSpan?: Span;
  readonly rangesKeySpan?: Span;
  readonly permissionGroups: Flags;
  readonly authMechanism: Flags;
  readonly requireTls: Located<boolean>;
  readonly transportRole?: string;
  readonly permissions: readonly Permission[];
}

export type AcceptedDomainType = 'authoritative' | 'internalRelay' | 'externalRelay';

export interface AcceptedDomain {
  readonly name?: string;
  readonly domain: string;
  readonly span: Span;
  readonly domainSpan?: Span;
  readonly type?: AcceptedDomainType;
  readonly typeSpan?: Span;
  readonly isDefault: boolean;
  readonly file?: string;
  /** The DomainName's span in that sibling file (for explain traces). */
  readonly siblingSpan?: Span;
}

export interface ExchangeExport {
  readonly shape: 'own' | 'raw';
  readonly connectors: readonly Connector[];
  readonly acceptedDomains: readonly AcceptedDomain[];
  /** Where the server's name is written (own export), for server-level findings. */
  readonly serverSpan?: Span;
  /** Which permission sources were read; undefined = none (route 1 cannot be judged). */
  readonly permissionsSource?: string;
  readonly acceptedDomainsSource?: string;
  /** Facts the reader could not establish (shown by explain and the docs). */
  readonly notes: readonly string[];
}

export interface ReadResult {
  readonly data?: ExchangeExport;
  readonly problems: Problem[];
}

/** Cheap content test: either shape's distinctive keys (used by `sniff`, before parsing). */
export function looksLikeExchange(text: string): boolean {
  const head = text.slice(0, 1 << 20);
  if (/"relayLintExport"\s*:/i.test(head)) return true;
  return (
    /"RemoteIPRanges"\s*:/i.test(head) &&
    /"(PermissionGroups|AuthMechanism|Bindings)"\s*:/i.test(head)
  );
}

/** The file name of a URI or path (the last segment, percent-decoded when it is a URI). */
export function baseName(uri: string): string {
  const last = uri.split(/[\\/]/).pop() ?? uri;
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(uri) ? decodeURIComponent(last) : last;
  } catch {
    return last;
  }
}

/** Sibling names read beside a raw export `<stem>.json` (documented in docs/exchange.md). */
export function siblingNames(fileName: string): { permissions: string[]; domains: string[] } {
  const stem = fileName.replace(/(\.exchange)?\.json$/i, '').replace(/\.receiveconnectors?$/i, '');
  return {
    permissions: [
      `${stem}.adpermission.json`,
      `${stem}.adpermissions.json`,
      'adpermission.json',
      'adpermissions.json',
    ],
    domains: [
      `${stem}.accepteddomains.json`,
      `${stem}.accepteddomain.json`,
      'accepted-domains.json',
      'accepteddomains.json',
      'accepteddomain.json',
    ],
  };
}

const LOWER = new Map<object, Map<string, number>>();

function lowerTable(table: Readonly<Record<string, number>>): Map<string, number> {
  let m = LOWER.get(table);
  if (m === undefined) {
    m = new Map(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));
    LOWER.set(table, m);
  }
  return m;
}

function flagsOf(
  node: JsonNode | undefined,
  keySpan: Span | undefined,
  table: Readonly<Record<string, number>>,
): Flags {
  const byLower = lowerTable(table);
  let bits = 0;
  const unknown: string[] = [];
  const add = (n: JsonNode): void => {
    if (n.type === 'number') bits |= Number(n.value) | 0;
    else if (n.type === 'string') {
      const s = (n.value as string).trim();
      if (/^\d+$/.test(s)) {
        bits |= Number(s) | 0;
        return;
      }
      // Names joined by ", " (the enum's ToString) or by "|" / "," in hand-made exports.
      for (const part of s.split(/[,|]/)) {
        const name = part.trim();
        if (name === '') continue;
        const v = byLower.get(name.toLowerCase());
        if (v === undefined) unknown.push(name);
        else bits |= v;
      }
    } else if (n.type === 'array') for (const c of n.children ?? []) add(c);
    else if (n.type === 'object') {
      // A deserialised enum may come as an object holding its number.
      const inner = new Props(n).get('value__', 'Value');
      if (inner !== undefined) add(inner);
    }
  };
  if (node !== undefined) add(node);
  return {
    bits,
    unknown,
    present: node !== undefined,
    ...(node !== undefined ? { span: spanOf(node) } : {}),
    ...(keySpan !== undefined ? { keySpan } : {}),
  };
}

/** `SERVER\Name` from a string, or from an ADObjectId object (Name, DistinguishedName). */
function identityOf(node: JsonNode | undefined): { server?: string; name?: string; text?: string } {
  if (node === undefined) return {};
  const s = stringOf(node);
  if (s !== undefined && /^\s*CN=/i.test(s)) {
    // A distinguished name written as a string.
    const dn = connectorFromDn(s);
    if (dn !== undefined) {
      const text = dn.server !== undefined ? `${dn.server}\\${dn.name}` : dn.name;
      return { ...dn, text };
    }
  }
  if (s !== undefined) {
    const i = s.indexOf('\\');
    if (i < 0) return { name: s, text: s };
    return { server: s.slice(0, i), name: s.slice(i + 1), text: s };
  }
  if (node.type !== 'object') return {};
  const p = new Props(node);
  const dn = stringOf(p.get('DistinguishedName'));
  const fromDn = dn === undefined ? undefined : connectorFromDn(dn);
  const name = fromDn?.name ?? stringOf(p.get('Name'));
  const server = fromDn?.server;
  return {
    ...(server !== undefined ? { server } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(name !== undefined ? { text: server !== undefined ? `${server}\\${name}` : name } : {}),
  };
}

/**
 * `CN=Relay,CN=SMTP Receive Connectors,CN=Protocols,CN=EX01,CN=Servers,…` → EX01\Relay.
 * Commas escaped with a backslash belong to the name.
 */
export function connectorFromDn(dn: string): { server?: string; name: string } | undefined {
  const rdns: string[] = [];
  let cur = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i] as string;
    if (c === '\\' && i + 1 < dn.length) {
      cur += dn[i + 1] as string;
      i++;
    } else if (c === ',') {
      rdns.push(cur);
      cur = '';
    } else cur += c;
  }
  rdns.push(cur);
  const values = rdns.map((r) => r.replace(/^\s*\w+=/, ''));
  const name = values[0];
  if (name === undefined || name === '') return undefined;
  const protocols = values.findIndex((v) => v.toLowerCase() === 'protocols');
  const server = protocols >= 0 ? values[protocols + 1] : undefined;
  return server !== undefined ? { server, name } : { name };
}

function serverNameOf(node: JsonNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const s = stringOf(node);
  if (s !== undefined) return s;
  if (node.type === 'object') {
    const p = new Props(node);
    return stringOf(p.get('Name')) ?? identityOf(node).name;
  }
  return undefined;
}

/** `a.b.c.d(m.m.m.m)` (IPRange's Netmask ToString) as the model's `a.b.c.d/m.m.m.m`. */
export function modelRangeText(written: string): string {
  const t = written.trim();
  const m = /^([^()\s]+)\(([^()\s]+)\)$/.exec(t);
  return m === null ? t : `${m[1] ?? ''}/${m[2] ?? ''}`;
}

function rangeOf(node: JsonNode, text: string): RangeItem {
  if (node.type === 'object') {
    const p = new Props(node);
    const expr = p.get('Expression');
    const e = stringOf(expr);
    if (expr !== undefined && e !== undefined) {
      return { text: modelRangeText(e), written: e, span: spanOf(expr) };
    }
    const lo = addressText(p.get('LowerBound'));
    const hi = addressText(p.get('UpperBound'));
    const cidr = p.get('CIDRLength');
    const format = textOf(p.get('RangeFormat'), text)?.toLowerCase();
    let written: string;
    if (lo !== undefined && cidr?.type === 'number' && (format === '1' || format === 'cidr')) {
      written = `${lo}/${String(cidr.value)}`;
    } else if (lo !== undefined && hi !== undefined) {
      written = lo === hi ? lo : `${lo}-${hi}`;
    } else {
      written = text.slice(node.offset, node.offset + node.length);
    }
    return { text: modelRangeText(written), written, span: spanOf(node) };
  }
  const s = textOf(node, text) ?? text.slice(node.offset, node.offset + node.length);
  return { text: modelRangeText(s), written: s, span: spanOf(node) };
}

/** An address value: a string, or an IPAddress-like object past the depth cut. */
function addressText(node: JsonNode | undefined): string | undefined {
  const s = stringOf(node);
  if (s !== undefined) return s.trim();
  if (node?.type === 'object') {
    const p = new Props(node);
    return stringOf(p.get('IPAddressToString', 'Address', 'Expression'))?.trim();
  }
  return undefined;
}

/** A binding as `address:port` (`[v6]:port`), from a string or an { Address, Port } object. */
function bindingOf(node: JsonNode, text: string): Located<string> {
  const s = stringOf(node);
  if (s !== undefined) return { value: s.trim(), span: spanOf(node) };
  if (node.type === 'object') {
    const p = new Props(node);
    const addr = addressText(p.get('Address', 'IPAddress')) ?? '0.0.0.0';
    const port = textOf(p.get('Port'), text) ?? '25';
    return {
      value: addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`,
      span: spanOf(node),
    };
  }
  return { value: text.slice(node.offset, node.offset + node.length), span: spanOf(node) };
}

function roleOf(node: JsonNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  const s = stringOf(node)?.trim();
  const n =
    node.type === 'number'
      ? Number(node.value)
      : s !== undefined && /^\d+$/.test(s)
        ? Number(s)
        : undefined;
  if (n !== undefined) {
    const names = Object.entries(SERVER_ROLES)
      .filter(([, v]) => v !== 0 && (n & v) === v)
      .map(([k]) => k);
    return names.length > 0 ? names.join(', ') : String(n);
  }
  return s;
}

function rightsOf(node: JsonNode | undefined, local: boolean): Located<string>[] {
  const out: Located<string>[] = [];
  for (const e of elementsOf(node)) {
    const s =
      stringOf(e) ??
      (e.type === 'object'
        ? stringOf(new Props(e).get('RawIdentity', 'Name', 'DisplayName'))
        : undefined);
    if (s === undefined) continue;
    // "a, b" when a tool flattened the array into its ToString.
    for (const part of s.split(',')) {
      const v = part.trim();
      if (v !== '') out.push(local ? { value: v, span: spanOf(e) } : { value: v });
    }
  }
  return out;
}

/** The SID in a User object, wherever a depth-limited serialisation put it. */
function sidIn(node: JsonNode | undefined, depth = 0): string | undefined {
  if (node === undefined || depth > 3) return undefined;
  const s = stringOf(node);
  if (s !== undefined) return /^S-\d+-\d+(-\d+)*$/i.test(s.trim()) ? s.trim() : undefined;
  if (node.type === 'object' || node.type === 'array') {
    const kids =
      node.type === 'object'
        ? (node.children ?? []).map((p) => p.children?.[1])
        : (node.children ?? []);
    for (const k of kids) {
      const hit = sidIn(k, depth + 1);
      if (hit !== undefined) return hit;
    }
  }
  return undefined;
}

function userNameOf(node: JsonNode | undefined): string | undefined {
  const s = stringOf(node);
  if (s !== undefined) return s;
  if (node?.type !== 'object') return undefined;
  const p = new Props(node);
  return stringOf(p.get('RawIdentity', 'FriendlyName', 'Name', 'Value'));
}

function permissionOf(node: JsonNode, file: string | undefined): Permission | undefined {
  const p = new Props(node);
  if (!p.isObject) return undefined;
  const userNode = p.get('User', 'Trustee', 'Principal');
  const user = userNameOf(userNode);
  const sid = stringOf(p.get('UserSid', 'Sid', 'SecurityIdentifier')) ?? sidIn(userNode);
  const local = file === undefined;
  const rights = rightsOf(p.get('ExtendedRights', 'Rights'), local);
  const access = flagsOf(p.get('AccessRights'), undefined, AD_RIGHTS);
  const allExtendedRights =
    rights.length === 0 && (access.bits & (AD_EXTENDED_RIGHT | AD_RAW_GENERIC_ALL)) !== 0;
  return {
    ...(user !== undefined ? { user } : {}),
    ...(sid !== undefined ? { sid } : {}),
    kind: principalKind(user, sid),
    rights,
    allExtendedRights,
    deny: boolOf(p.get('Deny')) ?? false,
    inherited: boolOf(p.get('IsInherited')) ?? false,
    ...(local ? { span: spanOf(node) } : {}),
    ...(file !== undefined ? { file, siblingSpan: spanOf(node) } : {}),
  };
}

interface ConnectorDraft extends Omit<Connector, 'permissions'> {
  permissions: Permission[];
  /** The object has a RemoteIPRanges property (what makes raw JSON a connector). */
  hasRanges: boolean;
}

function connectorOf(node: JsonNode, index: number, text: string): ConnectorDraft | undefined {
  const p = new Props(node);
  if (!p.isObject) return undefined;
  const idNode = p.get('Identity', 'DistinguishedName');
  const id = identityOf(idNode);
  const nameNode = p.get('Name');
  const name = stringOf(nameNode) ?? id.name ?? `connector ${index + 1}`;
  const serverNode = p.get('Server');
  const server = serverNameOf(serverNode) ?? id.server ?? '';
  const identity =
    id.text !== undefined && id.text.includes('\\')
      ? id.text
      : server !== ''
        ? `${server}\\${name}`
        : name;
  const enabledNode = p.get('Enabled');
  const requireTlsNode = p.get('RequireTLS');
  const bindingsNode = p.get('Bindings');
  const rangesNode = p.get('RemoteIPRanges');
  const own = spanOf(node);
  return {
    hasRanges: p.has('RemoteIPRanges'),
    index,
    identity,
    name,
    server,
    span: own,
    identitySpan:
      idNode !== undefined
        ? spanOf(idNode)
        : nameNode !== undefined
          ? spanOf(nameNode)
          : { start: own.start, end: own.start + 1 },
    ...(nameNode !== undefined ? { nameSpan: spanOf(nameNode) } : {}),
    ...(serverNode !== undefined ? { serverSpan: spanOf(serverNode) } : {}),
    enabled: {
      value: boolOf(enabledNode) ?? true,
      ...(enabledNode !== undefined ? { span: spanOf(enabledNode) } : {}),
    },
    bindings: elementsOf(bindingsNode).map((b) => bindingOf(b, text)),
    ...(bindingsNode !== undefined ? { bindingsSpan: spanOf(bindingsNode) } : {}),
    ranges: elementsOf(rangesNode).flatMap((r) => splitRangeString(r, text)),
    ...(rangesNode !== undefined ? { rangesSpan: spanOf(rangesNode) } : {}),
    ...(p.keySpan('RemoteIPRanges') !== undefined
      ? { rangesKeySpan: p.keySpan('RemoteIPRanges') as Span }
      : {}),
    permissionGroups: flagsOf(
      p.get('PermissionGroups'),
      p.keySpan('PermissionGroups'),
      PERMISSION_GROUPS,
    ),
    authMechanism: flagsOf(
      p.get('AuthMechanism', 'AuthMechanisms'),
      p.keySpan('AuthMechanism'),
      AUTH_MECHANISMS,
    ),
    requireTls: {
      value: boolOf(requireTlsNode) ?? false,
      ...(requireTlsNode !== undefined ? { span: spanOf(requireTlsNode) } : {}),
    },
    ...(roleOf(p.get('TransportRole')) !== undefined
      ? { transportRole: roleOf(p.get('TransportRole')) as string }
      : {}),
    permissions: elementsOf(p.get('permissions', 'ADPermissions', 'ExtendedRights'))
      .map((a) => permissionOf(a, undefined))
      .filter((a): a is Permission => a !== undefined),
  };
}

/**
 * A string element holding several comma-separated ranges (how `"$($rc.RemoteIPRanges)"` or a
 * hand-made export writes them) becomes one item per range, each with its own span.
 */
function splitRangeString(node: JsonNode, text: string): RangeItem[] {
  const s = stringOf(node);
  if (s === undefined || !s.includes(',') || s.includes('(')) return [rangeOf(node, text)];
  // Offsets inside the string literal: only exact when the literal has no escapes.
  const raw = text.slice(node.offset + 1, node.offset + node.length - 1);
  const exact = raw === s;
  const out: RangeItem[] = [];
  let at = 0;
  for (const part of s.split(/[,\s]+/)) {
    if (part === '') continue;
    const i = s.indexOf(part, at);
    at = i + part.length;
    const span = exact
      ? { start: node.offset + 1 + i, end: node.offset + 1 + i + part.length }
      : spanOf(node);
    out.push({ text: modelRangeText(part), written: part, span });
  }
  return out;
}

function domainTypeOf(node: JsonNode | undefined): AcceptedDomainType | undefined {
  if (node === undefined) return undefined;
  const s = stringOf(node)?.trim().toLowerCase();
  const n =
    node.type === 'number'
      ? Number(node.value)
      : s !== undefined && /^\d+$/.test(s)
        ? Number(s)
        : undefined;
  if (n === 0 || s === 'authoritative') return 'authoritative';
  if (n === 1 || s === 'externalrelay') return 'externalRelay';
  if (n === 2 || s === 'internalrelay') return 'internalRelay';
  return undefined;
}

function domainOf(node: JsonNode, file: string | undefined): AcceptedDomain | undefined {
  const p = new Props(node);
  if (!p.isObject) return undefined;
  const dn = p.get('DomainName');
  // SmtpDomainWithSubdomains past the depth cut is a string; within it, an object with Domain/IsStar.
  let domain = stringOf(dn);
  if (domain === undefined && dn?.type === 'object') {
    const q = new Props(dn);
    const star = boolOf(q.get('IncludeSubDomains')) === true || boolOf(q.get('IsStar')) === true;
    const base = stringOf(q.get('Domain', 'Address'));
    domain =
      boolOf(q.get('IsStar')) === true
        ? '*'
        : base !== undefined
          ? star
            ? `*.${base}`
            : base
          : undefined;
  }
  if (domain === undefined) return undefined;
  const typeNode = p.get('DomainType');
  const type = domainTypeOf(typeNode);
  const name = stringOf(p.get('Name'));
  const local = file === undefined;
  return {
    ...(name !== undefined ? { name } : {}),
    domain: domain.trim(),
    span: local ? spanOf(node) : { start: 0, end: 0 },
    ...(local && dn !== undefined ? { domainSpan: spanOf(dn) } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(local && typeNode !== undefined ? { typeSpan: spanOf(typeNode) } : {}),
    isDefault: boolOf(p.get('Default', 'IsDefault')) ?? false,
    ...(file !== undefined ? { file, siblingSpan: spanOf(dn ?? node) } : {}),
  };
}

/** ACE identity → connector key (lower-case `server\name`, and `name` alone). */
function aceTargets(node: JsonNode): string[] {
  const id = identityOf(new Props(node).get('Identity'));
  const out: string[] = [];
  if (id.text !== undefined) out.push(id.text.toLowerCase());
  if (id.name !== undefined) out.push(id.name.toLowerCase());
  return out;
}

function readSibling(
  siblings: Siblings,
  names: readonly string[],
): { name: string; root: JsonNode } | undefined {
  for (const name of names) {
    const text = siblings.read(name);
    if (text === undefined) continue;
    const parsed = parseJsonText(text);
    if (parsed.root !== undefined && parsed.problems.length === 0)
      return { name, root: parsed.root };
  }
  return undefined;
}

function firstLineSpan(text: string): Span {
  const nl = text.search(/\r|\n/);
  return { start: 0, end: nl < 0 ? text.length : nl };
}

/** Reads the export; a file that is not JSON or not an export gets problems (RLY099). */
export function readExchangeExport(text: string, siblings: Siblings, fileName: string): ReadResult {
  if (text.trim() === '') {
    return {
      problems: [
        { message: 'The file is empty: it is not an Exchange export.', span: { start: 0, end: 0 } },
      ],
    };
  }
  const parsed = parseJsonText(text);
  if (parsed.problems.length > 0 || parsed.root === undefined) {
    return {
      problems:
        parsed.problems.length > 0
          ? parsed.problems
          : [
              {
                message: 'The file is empty: it is not an Exchange export.',
                span: firstLineSpan(text),
              },
            ],
    };
  }
  const root = parsed.root;
  const top = new Props(root);
  const notes: string[] = [];
  let shape: 'own' | 'raw';
  let connectorNodes: JsonNode[];
  let serverSpan: Span | undefined;
  let domainNodes: JsonNode[] = [];
  if (top.isObject && (top.has('relayLintExport') || top.has('receiveConnectors'))) {
    shape = top.has('relayLintExport') ? 'own' : 'raw';
    const rc = top.get('receiveConnectors');
    if (rc !== undefined && rc.type !== 'array' && rc.type !== 'object') {
      return {
        problems: [
          { message: '"receiveConnectors" must be an array of connectors.', span: spanOf(rc) },
        ],
      };
    }
    connectorNodes = elementsOf(rc);
    const server = top.get('server');
    if (server !== undefined) serverSpan = spanOf(server);
    domainNodes = elementsOf(top.get('acceptedDomains'));
  } else {
    shape = 'raw';
    connectorNodes = elementsOf(root);
  }
  const drafts: ConnectorDraft[] = [];
  for (const n of connectorNodes) {
    const c = connectorOf(n, drafts.length, text);
    if (c !== undefined) drafts.push(c);
  }
  const isExport =
    shape === 'own' ||
    (drafts.length > 0 &&
      drafts.length === connectorNodes.length &&
      drafts.every((d) => d.hasRanges));
  if (!isExport) {
    return {
      problems: [
        {
          message:
            'This JSON is not an Exchange receive-connector export: expected the output of scripts/export-exchange.ps1 ("relayLintExport": 1) or Get-ReceiveConnector | ConvertTo-Json (objects with RemoteIPRanges). See docs/exchange.md.',
          span: firstLineSpan(text),
        },
      ],
    };
  }
  const names = siblingNames(fileName);
  let permissionsSource: string | undefined = shape === 'own' ? fileName : undefined;
  if (shape === 'raw' && drafts.every((d) => d.permissions.length === 0)) {
    const sib = readSibling(siblings, names.permissions);
    if (sib !== undefined) {
      permissionsSource = sib.name;
      const byKey = new Map<string, ConnectorDraft[]>();
      for (const d of drafts) {
        for (const k of new Set([d.identity.toLowerCase(), d.name.toLowerCase()])) {
          const list = byKey.get(k) ?? [];
          list.push(d);
          byKey.set(k, list);
        }
      }
      for (const ace of elementsOf(sib.root)) {
        const perm = permissionOf(ace, sib.name);
        if (perm === undefined) continue;
        const targets = aceTargets(ace);
        // An exact SERVER\Name wins; a bare name applies to every connector of that name.
        const hit = targets.map((t) => byKey.get(t)).find((l) => l !== undefined && l.length > 0);
        for (const d of hit ?? []) d.permissions.push(perm);
      }
    } else {
      notes.push(
        `No Get-ADPermission output beside the export (looked for ${names.permissions.join(', ')}): permissions granted with Add-ADPermission, such as anonymous relay, cannot be judged.`,
      );
    }
  } else if (shape === 'raw') permissionsSource = fileName;
  let acceptedDomains: AcceptedDomain[] = domainNodes
    .map((n) => domainOf(n, undefined))
    .filter((d): d is AcceptedDomain => d !== undefined);
  let acceptedDomainsSource: string | undefined =
    domainNodes.length > 0 || shape === 'own' ? fileName : undefined;
  if (acceptedDomains.length === 0 && shape === 'raw') {
    const sib = readSibling(siblings, names.domains);
    if (sib !== undefined) {
      acceptedDomainsSource = sib.name;
      acceptedDomains = elementsOf(sib.root)
        .map((n) => domainOf(n, sib.name))
        .filter((d): d is AcceptedDomain => d !== undefined);
    }
  }
  return {
    data: {
      shape,
      connectors: drafts,
      acceptedDomains,
      ...(serverSpan !== undefined ? { serverSpan } : {}),
      ...(permissionsSource !== undefined ? { permissionsSource } : {}),
      ...(acceptedDomainsSource !== undefined ? { acceptedDomainsSource } : {}),
      notes,
    },
    problems: [],
  };
}

/** Names of the set bits of a flags value, in the enum's order ("None" for zero). */
export function flagNames(bits: number, table: Readonly<Record<string, number>>): string[] {
  const names = Object.entries(table)
    .filter(([, v]) => v !== 0 && (bits & v) === v)
    .map(([k]) => k);
  return names.length > 0 ? names : ['None'];
}
