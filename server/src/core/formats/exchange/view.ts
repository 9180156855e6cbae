import type { Entry, JsonPath, ObjectNode, ScalarNode, Span, SyntaxNode } from '../../model.js';
import { formatAddress } from '../../net/ip.js';
import { IntervalSet, V4_BASE, V4_MAX } from '../../net/interval-set.js';
import {
  ACCEPT_ANY_RECIPIENT,
  AM,
  type Connector,
  type ExchangeExport,
  type Permission,
  PG,
  SUBMIT,
} from './export.js';
import { isAnonymousPrincipal } from './principals.js';
import { bindingPort, type Served } from './selection.js';

/**
 * The Exchange export as the relay model of SPEC §1 (a synthetic tree whose every node spans the
 * export text that produced it), per SPEC §7.2 "Model": each receive connector is a listener.
 */

export type GrantRoute = 'permission' | 'externalAuthoritative';

export interface Grant {
  readonly route: GrantRoute;
  /** Where the grant is written: the right in ExtendedRights, or the AuthMechanism value. */
  readonly span?: Span;
  readonly permission?: Permission;
}

export interface ConnectorModel {
  readonly connector: Connector;
  /** Ways anonymous clients get ms-Exch-SMTP-Accept-Any-Recipient. */
  readonly grants: readonly Grant[];
  /** Deny entries that cancel an ANONYMOUS LOGON grant of the right. */
  readonly denials: readonly Permission[];
  /** Permissions that let ANONYMOUS LOGON submit outside the AnonymousUsers group. */
  readonly submitters: readonly Permission[];
  /** Unauthenticated sessions may submit (AnonymousUsers, a Submit grant, or route 2). */
  readonly anonymousSessions: boolean;
  /** Anonymous relay is granted: RemoteIPRanges are judged as relay allow entries. */
  readonly relays: boolean;
  readonly role: 'relay' | 'inbound' | 'submission';
  readonly served: Served;
  /** JSON path of the listener in the synthetic tree. */
  readonly path: JsonPath;
}

function hasRight(p: Permission, right: string): boolean {
  const r = right.toLowerCase();
  return p.allExtendedRights || p.rights.some((x) => x.value.toLowerCase() === r);
}

function rightSpan(p: Permission, right: string): Span | undefined {
  const r = right.toLowerCase();
  return p.rights.find((x) => x.value.toLowerCase() === r)?.span ?? p.span;
}

/** How anonymous clients may relay through one connector (shared/EXCHANGE-IIS.md A.3). */
export function analyseConnector(c: Connector, served: Served, path: JsonPath): ConnectorModel {
  const anon = c.permissions.filter((p) => isAnonymousPrincipal(p.kind));
  // A deny for ANONYMOUS LOGON itself overrides (AD ACL order: explicit deny before allow). A deny
  // for Everyone is not counted: whether it is in an anonymous token is UNCONFIRMED, and the
  // linter errs towards the finding.
  const denials = anon.filter(
    (p) => p.deny && p.kind === 'anonymous' && hasRight(p, ACCEPT_ANY_RECIPIENT),
  );
  const grants: Grant[] = [];
  if (denials.length === 0) {
    for (const p of anon) {
      if (p.deny || !hasRight(p, ACCEPT_ANY_RECIPIENT)) continue;
      const span = rightSpan(p, ACCEPT_ANY_RECIPIENT);
      grants.push({ route: 'permission', permission: p, ...(span !== undefined ? { span } : {}) });
    }
  }
  const pg = c.permissionGroups.bits;
  const am = c.authMechanism.bits;
  const route2 = (am & AM.externalAuthoritative) !== 0 && (pg & PG.servers) !== 0;
  if (route2) {
    grants.push({
      route: 'externalAuthoritative',
      ...(c.authMechanism.span !== undefined ? { span: c.authMechanism.span } : {}),
    });
  }
  const submitDenied = anon.some((p) => p.deny && p.kind === 'anonymous' && hasRight(p, SUBMIT));
  const submitters = anon.filter((p) => !p.deny && hasRight(p, SUBMIT));
  const anonymousSubmit = !submitDenied && ((pg & PG.anonymous) !== 0 || submitters.length > 0);
  const relays = grants.length > 0;
  const port = c.bindings.map((b) => bindingPort(b.value)).find((p) => p !== undefined) ?? '25';
  const role = relays ? 'relay' : port === '587' || port === '465' ? 'submission' : 'inbound';
  return {
    connector: c,
    grants,
    denials,
    anonymousSessions: anonymousSubmit || route2,
    submitters: submitDenied ? [] : submitters,
    relays,
    role,
    served,
    path,
  };
}

// ---- synthetic tree ---------------------------------------------------------------------------

function sc(value: string | number | boolean, span: Span, path: JsonPath): ScalarNode {
  return {
    kind: 'scalar',
    span,
    path,
    value,
    source: String(value),
    quoted: typeof value === 'string',
  };
}

class ObjectBuilder {
  readonly entries: Entry[] = [];

  constructor(
    readonly span: Span,
    readonly path: JsonPath,
  ) {}

  add(key: string, value: SyntaxNode, keySpan: Span = value.span): this {
    this.entries.push({ key, keySpan, value });
    return this;
  }

  scalar(key: string, value: string | number | boolean, span: Span, keySpan: Span = span): this {
    return this.add(key, sc(value, span, [...this.path, key]), keySpan);
  }

  build(): ObjectNode {
    return { kind: 'object', span: this.span, path: this.path, entries: this.entries };
  }
}

function carveOut(model: ConnectorModel): IntervalSet {
  if (!model.connector.enabled.value) return IntervalSet.EMPTY;
  return model.served.ranges.subtract(model.served.served);
}

/**
 * An interval as a range the address rules parse: dotted IPv4 when it lies in IPv4 space,
 * IPv6 text otherwise (an interval that crosses into IPv4-mapped space stays IPv6 text).
 */
function intervalText(lo: bigint, hi: bigint): string {
  const v4 = lo >= V4_BASE && hi <= V4_MAX;
  const a = formatAddress(lo, v4 ? 4 : 6);
  return lo === hi ? a : `${a}-${formatAddress(hi, v4 ? 4 : 6)}`;
}

function rangeList(c: Connector, path: JsonPath, fallback: Span): SyntaxNode {
  const items = c.ranges.map((r, i) => sc(r.text, r.span, [...path, i]));
  return { kind: 'array', span: c.rangesSpan ?? fallback, path, items };
}

function listenerNode(model: ConnectorModel): ObjectNode {
  const c = model.connector;
  const p = model.path;
  const id = c.identitySpan;
  const pgSpan = c.permissionGroups.span ?? id;
  const amSpan = c.authMechanism.span ?? id;
  const am = c.authMechanism.bits;
  const pg = c.permissionGroups.bits;
  const o = new ObjectBuilder(c.span, p);
  o.scalar('name', c.name, c.nameSpan ?? id);
  o.scalar('role', model.role, id);
  o.scalar('enabled', c.enabled.value, c.enabled.span ?? id);
  const bPath = [...p, 'bindings'];
  const bindings = c.bindings.length > 0 ? c.bindings : [{ value: '0.0.0.0:25' }];
  o.add('bindings', {
    kind: 'array',
    span: c.bindingsSpan ?? id,
    path: bPath,
    items: bindings.map((b, i) => sc(b.value, b.span ?? id, [...bPath, i])),
  });
  const authPath = [...p, 'authentication'];
  // anonymous: where anonymous sessions come from (PermissionGroups, or AuthMechanism for the
  // ExternalAuthoritative route, which admits every host of the ranges without credentials).
  const anonSpan =
    (pg & PG.anonymous) === 0 && model.grants.some((g) => g.route === 'externalAuthoritative')
      ? amSpan
      : pgSpan;
  const requireTls = (am & AM.basicRequireTls) !== 0 || c.requireTls.value;
  const auth = new ObjectBuilder(c.permissionGroups.span ?? id, authPath)
    .scalar('anonymous', model.anonymousSessions, anonSpan)
    .scalar('basic', (am & (AM.basic | AM.basicRequireTls)) !== 0, amSpan)
    .scalar('integratedWindows', (am & AM.integrated) !== 0, amSpan)
    .scalar(
      'requireTls',
      requireTls,
      (am & AM.basicRequireTls) === 0 && c.requireTls.value
        ? (c.requireTls.span ?? amSpan)
        : amSpan,
    );
  o.add('authentication', auth.build(), c.permissionGroups.keySpan ?? pgSpan);
  const grant = model.grants[0];
  const grantSpan = grant?.span ?? (grant !== undefined ? id : pgSpan);
  const relayPath = [...p, 'relay'];
  const relay = new ObjectBuilder(grantSpan, relayPath).scalar('mode', 'onlyList', grantSpan);
  const listPath = [...relayPath, 'list'];
  relay.add(
    'list',
    model.relays
      ? rangeList(c, listPath, grantSpan)
      : { kind: 'array', span: grantSpan, path: listPath, items: [] },
  );
  relay.scalar('allowAuthenticated', (pg & PG.users) !== 0, pgSpan);
  o.add('relay', relay.build(), grantSpan);
  const connPath = [...p, 'connection'];
  const rangesSpan = c.rangesSpan ?? id;
  const modeSpan = c.rangesKeySpan ?? rangesSpan;
  if (!model.relays) {
    const conn = new ObjectBuilder(rangesSpan, connPath)
      .scalar('mode', 'onlyList', modeSpan)
      .add('list', rangeList(c, [...connPath, 'list'], id));
    o.add('connection', conn.build(), modeSpan);
  } else {
    const carve = carveOut(model);
    if (!carve.isEmpty()) {
      // The addresses more specific connectors take: the model's allExcept says "all but these".
      const lPath = [...connPath, 'list'];
      const items = carve.intervals.map((iv, i) =>
        sc(intervalText(iv.lo, iv.hi), rangesSpan, [...lPath, i]),
      );
      const conn = new ObjectBuilder(rangesSpan, connPath)
        .scalar('mode', 'allExcept', modeSpan)
        .add('list', { kind: 'array', span: rangesSpan, path: lPath, items });
      o.add('connection', conn.build(), modeSpan);
    }
  }
  return o.build();
}

export interface ModelTree {
  readonly root: ObjectNode;
  readonly models: readonly ConnectorModel[];
  /** Listener path key (`si/li`) → connector index. */
  readonly byListener: ReadonlyMap<string, number>;
  /** Accepted-domain path key (`si/di`) → index into export.acceptedDomains. */
  readonly byDomain: ReadonlyMap<string, number>;
}

export function listenerKey(path: JsonPath): string | undefined {
  if (path[0] !== 'servers' || path[2] !== 'listeners') return undefined;
  return `${String(path[1])}/${String(path[3])}`;
}

export function domainKey(path: JsonPath): string | undefined {
  if (path[0] !== 'servers' || path[2] !== 'acceptedDomains') return undefined;
  return `${String(path[1])}/${String(path[3])}`;
}

/** Builds the model tree. `served` is selection.ts's result, by connector index. */
export function buildModelTree(
  exp: ExchangeExport,
  served: readonly Served[],
  text: string,
  serverName?: string,
): ModelTree {
  const whole = { start: 0, end: text.length };
  const nl = text.search(/\r|\n/);
  const firstLine = { start: 0, end: nl < 0 ? text.length : nl };
  const servers = new Map<string, Connector[]>();
  for (const c of exp.connectors) {
    const key = c.server !== '' ? c.server : (serverName ?? 'Exchange');
    const list = servers.get(key) ?? [];
    list.push(c);
    servers.set(key, list);
  }
  if (servers.size === 0) servers.set(serverName ?? 'Exchange', []);
  const models: ConnectorModel[] = [];
  const byListener = new Map<string, number>();
  const byDomain = new Map<string, number>();
  const serverNodes: ObjectNode[] = [];
  let si = 0;
  for (const [name, list] of servers) {
    const sPath: JsonPath = ['servers', si];
    const first = list[0];
    const sSpan = exp.serverSpan ?? first?.serverSpan ?? first?.identitySpan ?? firstLine;
    const s = new ObjectBuilder(sSpan, sPath)
      .scalar('name', name, sSpan)
      .scalar('product', 'exchange', sSpan);
    if (si === 0 && exp.acceptedDomains.length > 0) {
      const dPath = [...sPath, 'acceptedDomains'];
      const items = exp.acceptedDomains.map((d, di) => {
        byDomain.set(`${si}/${di}`, di);
        const span = d.file === undefined ? d.span : firstLine;
        const b = new ObjectBuilder(span, [...dPath, di]).scalar(
          'domain',
          d.domain,
          d.domainSpan ?? span,
        );
        if (d.type !== undefined) b.scalar('type', d.type, d.typeSpan ?? span);
        return b.build();
      });
      s.add('acceptedDomains', {
        kind: 'array',
        span: items[0]?.span ?? firstLine,
        path: dPath,
        items,
      });
    }
    const lPath = [...sPath, 'listeners'];
    const listeners = list.map((c, li) => {
      const model = analyseConnector(
        c,
        served[c.index] ?? { served: IntervalSet.EMPTY, ranges: IntervalSet.EMPTY },
        [...lPath, li],
      );
      models.push(model);
      byListener.set(`${si}/${li}`, c.index);
      return listenerNode(model);
    });
    s.add('listeners', { kind: 'array', span: sSpan, path: lPath, items: listeners });
    serverNodes.push(s.build());
    si++;
  }
  const root = new ObjectBuilder(whole, [])
    .scalar('version', 1, { start: 0, end: 0 })
    .add('servers', { kind: 'array', span: whole, path: ['servers'], items: serverNodes })
    .build();
  models.sort((a, b) => a.connector.index - b.connector.index);
  return { root, models, byListener, byDomain };
}
