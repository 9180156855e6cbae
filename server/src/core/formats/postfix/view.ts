import type { Entry, JsonPath, ScalarNode, Span, SyntaxNode } from '../../model.js';
import { type Interval, IntervalSet, V4_BASE, V4_MAX } from '../../net/interval-set.js';
import { formatAddress, isV4Value } from '../../net/ip.js';
import { describeAddresses } from '../../relay/describe.js';
import type { NodeInfo, NodeRole } from './file-data.js';
import { effectiveParam, isYes } from './instance.js';
import type {
  EffectiveParam,
  PfFileKind,
  PfItem,
  PfListener,
  PfParamDef,
  PostfixInstance,
  UnauthRelay,
} from './model.js';
import { mynetworksEntries, mynetworksInfo } from './tables.js';

/**
 * The Postfix instance as a relay-model tree (SPEC §1), built by hand so that the model rules
 * run unchanged on it (ARCHITECTURE §17):
 *
 * - `servers[0]` is the instance: one listener per smtpd `inet` service, its relay list the
 *   `mynetworks` entries (as allow entries, for the address rules RLY010–RLY025), its accepted
 *   domains the `relay_domains` items, `anonymous: true` (anonymous SMTP is Postfix's nature),
 *   `basic` from SASL, `requireTls` from `smtpd_tls_auth_only` / `smtpd_tls_security_level`,
 *   `allowAuthenticated` from `permit_sasl_authenticated`.
 * - `servers[1]`, present when some listener relays for somebody, carries the evaluator's exact
 *   `U(L)` as relay entries, one listener per real one. The model's open-relay rule (RLY001)
 *   then applies the project's trust model to the exact set, and refine moves its finding to
 *   the item that permits. Every other rule's report on this server is dropped by refine.
 *
 * Every node's span lies in the file being linted: a value written in the other file of the
 * instance, or written nowhere (a default), sits at a fallback span and its `NodeInfo.file`
 * says where it really is, so refine can drop or move what does not belong here.
 */
export interface PostfixTree {
  readonly root: SyntaxNode;
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  /** Paths of the `_source` nodes by span (`start:end`), for related locations. */
  readonly spanPaths: ReadonlyMap<string, JsonPath>;
}

export interface TreeInput {
  readonly instance: PostfixInstance;
  readonly unauth: readonly UnauthRelay[];
  readonly kind: PfFileKind;
  readonly text: string;
  /** Where values written nowhere (defaults) go in main.cf. */
  readonly defaultSpan: Span;
  /** The server's name. */
  readonly serverName: string;
}

class Builder {
  readonly nodes = new Map<string, NodeInfo>();

  constructor(private readonly input: TreeInput) {}

  /** The span a value has in this file: its own when written here, else the fallback. */
  spanOf(
    where: { readonly file: PfFileKind | 'default'; readonly span?: Span },
    fallback: Span,
  ): Span {
    if (where.file === this.input.kind && where.span !== undefined) return where.span;
    if (where.file === 'default' && this.input.kind === 'main.cf') return this.input.defaultSpan;
    return fallback;
  }

  note(path: JsonPath, info: NodeInfo): void {
    this.nodes.set(JSON.stringify(path), info);
  }

  scalar(
    path: JsonPath,
    value: string | boolean | number,
    span: Span,
    info?: NodeInfo,
  ): ScalarNode {
    if (info !== undefined) this.note(path, info);
    return {
      kind: 'scalar',
      path,
      span,
      value,
      source: String(value),
      quoted: typeof value === 'string',
    };
  }

  object(path: JsonPath, span: Span, entries: readonly [string, SyntaxNode][]): SyntaxNode {
    const list: Entry[] = entries.map(([key, value]) => ({ key, keySpan: value.span, value }));
    return { kind: 'object', path, span, entries: list };
  }

  array(path: JsonPath, span: Span, items: readonly SyntaxNode[]): SyntaxNode {
    return { kind: 'array', path, span, items };
  }
}

/** Where an item is written (`default`: written nowhere). */
export function itemWhere(item: PfItem): { file: PfFileKind | 'default'; span: Span } {
  return { file: item.isDefault === true ? 'default' : item.file, span: item.span };
}

function defWhere(ep: EffectiveParam): {
  file: PfFileKind | 'default';
  span: Span;
  def?: PfParamDef;
} {
  if (ep.def === undefined) return { file: 'default', span: { start: 0, end: 0 } };
  return { file: ep.def.file, span: ep.def.valueSpan, def: ep.def };
}

/** SASL authentication is offered on the listener. */
export function saslEnabled(instance: PostfixInstance, l: PfListener): boolean {
  return isYes(effectiveParam(instance, l, 'smtpd_sasl_auth_enable'));
}

/** The listener refuses AUTH before TLS (`smtpd_tls_auth_only` or TLS `encrypt`). */
export function tlsRequired(
  instance: PostfixInstance,
  l: PfListener,
): { required: boolean; param: EffectiveParam } {
  const only = effectiveParam(instance, l, 'smtpd_tls_auth_only');
  if (isYes(only)) return { required: true, param: only };
  const level = effectiveParam(instance, l, 'smtpd_tls_security_level');
  if (level.value.trim().toLowerCase() === 'encrypt') return { required: true, param: level };
  const legacy = effectiveParam(instance, l, 'smtpd_enforce_tls');
  if (level.value.trim() === '' && isYes(legacy)) return { required: true, param: legacy };
  return { required: false, param: only };
}

export const RESTRICTION_LISTS = ['smtpd_relay_restrictions', 'smtpd_recipient_restrictions'];

/** The first `permit_sasl_authenticated` of the listener's relay decision, if any. */
export function saslPermit(
  instance: PostfixInstance,
  l: PfListener,
): { item: PfItem; param: EffectiveParam } | undefined {
  for (const name of RESTRICTION_LISTS) {
    const param = effectiveParam(instance, l, name);
    const item = param.items.find((i) => i.text.toLowerCase() === 'permit_sasl_authenticated');
    if (item !== undefined) return { item, param };
  }
  return undefined;
}

/** The listener's reach as a binding the model understands. */
function binding(l: PfListener): string {
  const port = l.port ?? 25;
  return l.reach === 'loopback' ? `127.0.0.1:${port}` : `0.0.0.0:${port}`;
}

/** `[2001:db8::]/32` → `2001:db8::/32` (the model writes IPv6 without brackets). */
export function modelNotation(text: string): string {
  return text.replace(/^\[([^\]]*)\]/, '$1');
}

/** IntervalSet → model entries (`a-b` ranges, one family each). */
export function rangesOf(set: IntervalSet): string[] {
  const out: string[] = [];
  const push = (iv: Interval): void => {
    if (iv.lo > iv.hi) return;
    const fam = isV4Value(iv.lo) && isV4Value(iv.hi) ? 4 : 6;
    const lo = formatAddress(iv.lo, fam);
    out.push(iv.lo === iv.hi ? lo : `${lo}-${formatAddress(iv.hi, fam)}`);
  };
  for (const iv of set.intervals) {
    // Split at the IPv4 block so that each entry is written in one family.
    if (iv.lo < V4_BASE && iv.hi >= V4_BASE) {
      push({ lo: iv.lo, hi: V4_BASE - 1n });
      push({ lo: V4_BASE, hi: iv.hi < V4_MAX ? iv.hi : V4_MAX });
      if (iv.hi > V4_MAX) push({ lo: V4_MAX + 1n, hi: iv.hi });
    } else if (iv.lo <= V4_MAX && iv.hi > V4_MAX) {
      push({ lo: iv.lo, hi: V4_MAX });
      push({ lo: V4_MAX + 1n, hi: iv.hi });
    } else push(iv);
  }
  return out;
}

/** relay_domains items as accepted domains (`*` for static:ALL); tables are not known here. */
function relayDomainValue(text: string, parentMatching: boolean): string | undefined {
  const t = text.trim();
  if (/^static:all$/i.test(t)) return '*';
  if (t.includes(':') || t.startsWith('/') || t === '') return undefined;
  if (t.startsWith('.')) return parentMatching ? undefined : `*${t}`;
  return t;
}

function parentMatchesRelayDomains(instance: PostfixInstance): boolean {
  const p = effectiveParam(instance, undefined, 'parent_domain_matches_subdomains');
  return p.items.some((i) => i.text.toLowerCase() === 'relay_domains');
}

export function buildTree(input: TreeInput): PostfixTree {
  const b = new Builder(input);
  const { instance } = input;
  const fileStart: Span = input.kind === 'main.cf' ? input.defaultSpan : { start: 0, end: 0 };
  const servers: SyntaxNode[] = [];
  const sPath: JsonPath = ['servers', 0];

  // relay_domains is read by trivial-rewrite, not smtpd: a -o override has no effect on it.
  const relayDomains = effectiveParam(instance, undefined, 'relay_domains');
  const parentMatching = parentMatchesRelayDomains(instance);
  const domains: SyntaxNode[] = [];
  for (const item of relayDomains.items) {
    const value = relayDomainValue(item.text, parentMatching);
    if (value === undefined || item.unknown !== undefined) continue;
    const dPath: JsonPath = [...sPath, 'acceptedDomains', domains.length];
    const span = b.spanOf(itemWhere(item), fileStart);
    const info: NodeInfo = {
      role: 'relay-domain',
      file: itemWhere(item).file,
      item,
      ...(relayDomains.def !== undefined ? { def: relayDomains.def } : {}),
      param: 'relay_domains',
    };
    b.note(dPath, info);
    domains.push(
      b.object(dPath, span, [
        ['domain', b.scalar([...dPath, 'domain'], value, span, info)],
        ['type', b.scalar([...dPath, 'type'], 'internalRelay', span)],
      ]),
    );
  }

  const seenNetworks = new Set<PfParamDef | 'default'>();
  const listeners = instance.listeners.map((l, i) =>
    listenerNode(b, input, l, i, [...sPath, 'listeners', i], seenNetworks),
  );
  const serverSpan = fileStart;
  servers.push(
    b.object(sPath, serverSpan, [
      ['name', b.scalar([...sPath, 'name'], input.serverName, serverSpan)],
      ['product', b.scalar([...sPath, 'product'], 'postfix', serverSpan)],
      ...(domains.length > 0
        ? [
            ['acceptedDomains', b.array([...sPath, 'acceptedDomains'], serverSpan, domains)] as [
              string,
              SyntaxNode,
            ],
          ]
        : []),
      ['listeners', b.array([...sPath, 'listeners'], serverSpan, listeners)],
    ]),
  );

  const anchor = anchorServer(b, input, fileStart);
  if (anchor !== undefined) servers.push(anchor);

  const rootSpan: Span = { start: 0, end: input.text.length };
  const spanPaths = new Map<string, JsonPath>();
  const root = b.object([], rootSpan, [
    ['version', b.scalar(['version'], 1, fileStart)],
    ['servers', b.array(['servers'], rootSpan, servers)],
    ['_source', sourceNodes(b, input, spanPaths)],
  ]);
  return { root, nodes: b.nodes, spanPaths };
}

export function spanKey(span: Span): string {
  return `${span.start}:${span.end}`;
}

/**
 * Every definition and item written in this file as plain nodes under `_source` (no rule reads
 * them): the targets of related locations, which reports give as paths.
 */
function sourceNodes(b: Builder, input: TreeInput, spanPaths: Map<string, JsonPath>): SyntaxNode {
  const defs =
    input.kind === 'main.cf'
      ? input.instance.main.defs
      : input.instance.stockMaster
        ? []
        : input.instance.master.services.flatMap((s) => s.overrides);
  const whole: Span = { start: 0, end: input.text.length };
  const add = (path: JsonPath, value: string, span: Span): SyntaxNode => {
    if (!spanPaths.has(spanKey(span))) spanPaths.set(spanKey(span), path);
    // An empty `source`: where a model value and a `_source` node share a span, a reader that
    // prefers the value written as it is (hover) takes the model value.
    return { ...b.scalar(path, value, span), source: '' };
  };
  const nodes = defs.map((d, k) => {
    const path: JsonPath = ['_source', k];
    return b.object(path, d.lineSpan, [
      ['name', add([...path, 'name'], d.name, d.nameSpan)],
      ['value', add([...path, 'value'], d.value, d.valueSpan)],
      [
        'items',
        b.array(
          [...path, 'items'],
          d.valueSpan,
          d.items.map((it, j) => add([...path, 'items', j], it.text, it.span)),
        ),
      ],
    ]);
  });
  if (input.kind === 'master.cf' && !input.instance.stockMaster) {
    for (const s of input.instance.master.services) {
      const path: JsonPath = ['_source', nodes.length];
      nodes.push(add(path, s.service.text, s.service.span));
    }
  }
  return b.array(['_source'], whole, nodes);
}

function listenerSpan(input: TreeInput, l: PfListener, fallback: Span): Span {
  if (input.kind === 'master.cf' && !l.stock) return l.service.service.span;
  return fallback;
}

function listenerNode(
  b: Builder,
  input: TreeInput,
  l: PfListener,
  index: number,
  path: JsonPath,
  seenNetworks: Set<PfParamDef | 'default'>,
): SyntaxNode {
  const { instance } = input;
  const fallback = listenerSpan(
    input,
    l,
    input.kind === 'main.cf' ? input.defaultSpan : { start: 0, end: 0 },
  );
  const structure = (role: NodeRole = 'structure'): NodeInfo => ({
    role,
    file: input.kind === 'master.cf' && !l.stock ? 'master.cf' : 'default',
    listener: index,
  });
  b.note(path, structure());
  const down = input.unauth[index]?.serviceDown !== undefined;

  // Authentication: SASL = "basic" (a password over the session), TLS-only AUTH = requireTls.
  const auth: [string, SyntaxNode][] = [
    ['anonymous', b.scalar([...path, 'authentication', 'anonymous'], true, fallback)],
  ];
  const sasl = effectiveParam(instance, l, 'smtpd_sasl_auth_enable');
  if (isYes(sasl)) {
    const where = defWhere(sasl);
    const info: NodeInfo = {
      role: 'sasl-enable',
      file: where.file,
      listener: index,
      ...(where.def !== undefined ? { def: where.def } : {}),
      param: 'smtpd_sasl_auth_enable',
    };
    auth.push([
      'basic',
      b.scalar([...path, 'authentication', 'basic'], true, b.spanOf(where, fallback), info),
    ]);
    const tls = tlsRequired(instance, l);
    const tWhere = defWhere(tls.param);
    const tInfo: NodeInfo = {
      role: 'tls',
      file: tWhere.file,
      listener: index,
      ...(tWhere.def !== undefined ? { def: tWhere.def } : {}),
      param: tls.param.name,
    };
    auth.push([
      'requireTls',
      b.scalar(
        [...path, 'authentication', 'requireTls'],
        tls.required,
        b.spanOf(tWhere, fallback),
        tInfo,
      ),
    ]);
  }

  const relay: [string, SyntaxNode][] = [
    ['mode', b.scalar([...path, 'relay', 'mode'], 'onlyList', fallback)],
  ];
  const networks = effectiveParam(instance, l, 'mynetworks');
  const networksKey = networks.def ?? 'default';
  const entries: SyntaxNode[] = [];
  // Entry rules describe the configuration: one listener carries each mynetworks definition,
  // so that a main.cf entry shared by every service is judged once.
  if (!seenNetworks.has(networksKey)) {
    seenNetworks.add(networksKey);
    for (const e of mynetworksEntries(instance, l)) {
      if (e.negated || e.item.unknown !== undefined) continue;
      const ePath: JsonPath = [...path, 'relay', 'list', entries.length];
      const where = itemWhere(e.item);
      const info: NodeInfo = {
        role: 'mynetworks',
        file: where.file,
        listener: index,
        item: e.item,
        ...(networks.def !== undefined ? { def: networks.def } : {}),
        param: 'mynetworks',
      };
      const span = b.spanOf(where, fallback);
      if (e.kind === 'hostname') {
        b.note(ePath, info);
        entries.push(
          b.object(ePath, span, [
            ['domain', b.scalar([...ePath, 'domain'], e.item.text, span, info)],
          ]),
        );
      } else if (e.kind === 'cidr' || e.kind === 'hostbits') {
        // A network with host bits is shown as written (RLY014 judges it); the core's model
        // text for it is the network it would have meant.
        const model = e.kind === 'hostbits' ? modelNotation(e.item.text) : e.modelText;
        if (model !== undefined) entries.push(b.scalar(ePath, model, span, { ...info, model }));
      }
    }
  }
  const listWhere = defWhere(networks);
  relay.push(['list', b.array([...path, 'relay', 'list'], b.spanOf(listWhere, fallback), entries)]);
  const permit = down ? undefined : saslPermit(instance, l);
  if (permit !== undefined && isYes(sasl)) {
    const where = itemWhere(permit.item);
    const info: NodeInfo = {
      role: 'sasl-permit',
      file: where.file,
      listener: index,
      item: permit.item,
      ...(permit.param.def !== undefined ? { def: permit.param.def } : {}),
      param: permit.param.name,
    };
    relay.push([
      'allowAuthenticated',
      b.scalar([...path, 'relay', 'allowAuthenticated'], true, b.spanOf(where, fallback), info),
    ]);
  }

  return b.object(path, fallback, [
    ['name', b.scalar([...path, 'name'], l.name, fallback)],
    ['role', b.scalar([...path, 'role'], l.role, fallback)],
    ['enabled', b.scalar([...path, 'enabled'], true, fallback)],
    [
      'bindings',
      b.array([...path, 'bindings'], fallback, [
        b.scalar([...path, 'bindings', 0], binding(l), fallback),
      ]),
    ],
    ['authentication', b.object([...path, 'authentication'], fallback, auth)],
    ['relay', b.object([...path, 'relay'], b.spanOf(listWhere, fallback), relay)],
  ]);
}

/** One part of U(L) and the item that admits it. */
interface Grant {
  readonly item: PfItem;
  readonly set: IntervalSet;
  /** What the message counts: the entry's own addresses for a mynetworks entry. */
  readonly count: string;
  /** The restriction that consults the item (`permit_mynetworks` for a mynetworks entry). */
  readonly via?: PfItem;
}

/**
 * U(L) split by the item that admits each part: a `permit_mynetworks` grant goes to the
 * mynetworks entries in first-match order (a negated entry takes its addresses out of the later
 * ones); what the lists accept by falling off their end goes to the `relay_domains` item that
 * makes every recipient a relay destination.
 */
export function grantsOf(
  instance: PostfixInstance,
  l: PfListener,
  u: UnauthRelay,
  defaultSpan: Span,
): Grant[] {
  const grants: Grant[] = [];
  let attributed = IntervalSet.EMPTY;
  for (const p of u.permits) {
    attributed = attributed.union(p.set);
    if (p.item.text.toLowerCase() !== 'permit_mynetworks') {
      grants.push({ item: p.item, set: p.set, count: describeAddresses(p.set) });
      continue;
    }
    let remaining = p.set;
    for (const e of mynetworksInfo(instance, l).entries) {
      if (remaining.isEmpty()) break;
      if (e.set === undefined) continue;
      const part = remaining.intersect(e.set);
      remaining = remaining.subtract(e.set);
      if (e.negated || part.isEmpty() || e.kind !== 'cidr') continue;
      grants.push({ item: e.item, set: part, count: describeAddresses(e.set), via: p.item });
    }
    if (!remaining.isEmpty())
      grants.push({ item: p.item, set: remaining, count: describeAddresses(remaining) });
  }
  const rest = u.set.subtract(attributed);
  if (!rest.isEmpty()) {
    const domains = effectiveParam(instance, undefined, 'relay_domains');
    const item: PfItem = domains.items.find((i) => /^static:all$/i.test(i.text.trim())) ??
      domains.items[0] ?? {
        text: 'relay_domains',
        span: defaultSpan,
        file: 'main.cf',
        isDefault: true,
      };
    grants.push({ item, set: rest, count: describeAddresses(rest) });
  }
  return grants;
}

/** The hidden server whose listeners hold each real listener's exact U(L) (see the top). */
function anchorServer(b: Builder, input: TreeInput, fileStart: Span): SyntaxNode | undefined {
  if (input.unauth.every((u) => u.set.isEmpty())) return undefined;
  const sPath: JsonPath = ['servers', 1];
  b.note(sPath, { role: 'anchor', file: 'default' });
  // Listeners that relay for the same addresses through the same items share one finding.
  const grants = input.instance.listeners.map((l, i) => {
    const u = input.unauth[i];
    return u === undefined ? [] : grantsOf(input.instance, l, u, input.defaultSpan);
  });
  const groups = new Map<string, number[]>();
  grants.forEach((gs, i) => {
    const key = gs
      .map(
        (g) =>
          `${g.item.file}:${g.item.span.start}:${g.item.span.end}:${rangesOf(g.set).join(',')}`,
      )
      .join('|');
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const groupOf = new Map<number, number[]>();
  for (const members of groups.values()) for (const m of members) groupOf.set(m, members);
  const listeners = input.instance.listeners.map((l, i) => {
    const path: JsonPath = [...sPath, 'listeners', i];
    b.note(path, { role: 'anchor', file: 'default', listener: i });
    const entries: SyntaxNode[] = [];
    const group = groupOf.get(i);
    for (const g of group === undefined ? [] : (grants[i] ?? [])) {
      for (const text of rangesOf(g.set)) {
        const ePath: JsonPath = [...path, 'relay', 'list', entries.length];
        const where = itemWhere(g.item);
        // Empty spans: hover never lands on these (refine places RLY001 at the item itself).
        const at = b.spanOf(where, fileStart);
        entries.push(
          b.scalar(ePath, text, { start: at.start, end: at.start }, {
            role: 'anchor',
            file: where.file,
            listener: i,
            item: g.item,
            permit: {
              item: g.item,
              count: g.count,
              ...(g.via !== undefined ? { via: g.via } : {}),
              group: group ?? [i],
            },
          }),
        );
      }
    }
    return b.object(path, fileStart, [
      ['name', b.scalar([...path, 'name'], l.name, fileStart)],
      ['role', b.scalar([...path, 'role'], l.role, fileStart)],
      [
        'bindings',
        b.array([...path, 'bindings'], fileStart, [
          b.scalar([...path, 'bindings', 0], binding(l), fileStart),
        ]),
      ],
      [
        'authentication',
        b.object([...path, 'authentication'], fileStart, [
          ['anonymous', b.scalar([...path, 'authentication', 'anonymous'], true, fileStart)],
        ]),
      ],
      [
        'relay',
        b.object([...path, 'relay'], fileStart, [
          ['mode', b.scalar([...path, 'relay', 'mode'], 'onlyList', fileStart)],
          ['list', b.array([...path, 'relay', 'list'], fileStart, entries)],
        ]),
      ],
    ]);
  });
  return b.object(sPath, fileStart, [
    ['name', b.scalar([...sPath, 'name'], input.serverName, fileStart)],
    ['product', b.scalar([...sPath, 'product'], 'postfix', fileStart)],
    ['listeners', b.array([...sPath, 'listeners'], fileStart, listeners)],
  ]);
}
