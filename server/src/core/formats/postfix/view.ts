import type { JsonPath, Span, SyntaxNode } from '../../model.js';
import { anchorServer } from './anchors.js';
import type { NodeInfo, NodeRole } from './file-data.js';
import { effectiveParam, isYes } from './instance.js';
import type {
  EffectiveParam,
  PfFileKind,
  PfItem,
  PfListener,
  PfParamDef,
  PostfixInstance,
} from './model.js';
import { accessAction, mynetworksEntries, openTable } from './tables.js';
import { binding, Builder, itemWhere, sourceNodes, type TreeInput } from './tree-builder.js';

export type { TreeInput } from './tree-builder.js';

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

/** `[2001:db8::]/32` → `2001:db8::/32` (the model writes IPv6 without brackets). */
export function modelNotation(text: string): string {
  return text.replace(/^\[([^\]]*)\]/, '$1');
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

  const seenNetworks = new Set<PfParamDef | string>();
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
  seenNetworks: Set<PfParamDef | string>,
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
  for (const c of clientAccessOks(input, l)) {
    // One listener carries each table item, as for mynetworks.
    const key = `${c.table.file}:${c.table.span.start}:${c.item.span.start}`;
    if (seenNetworks.has(key)) continue;
    seenNetworks.add(key);
    const ePath: JsonPath = [...path, 'relay', 'list', entries.length];
    entries.push(
      b.scalar(ePath, c.model, c.item.span, {
        role: 'client-access',
        file: c.item.file,
        listener: index,
        item: c.item,
        param: `check_client_access ${c.table.text}`,
        model: c.model,
      }),
    );
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

/**
 * The OK lines of inline `check_client_access cidr:{ … }` tables that a relay decision reaches
 * before its guard, as items at their patterns (a table file's lines are not in this text).
 */
function clientAccessOks(
  input: TreeInput,
  l: PfListener,
): { item: PfItem; table: PfItem; model: string }[] {
  const out: { item: PfItem; table: PfItem; model: string }[] = [];
  const relay = effectiveParam(input.instance, l, 'smtpd_relay_restrictions').items;
  const lists = relayGuarded(relay)
    ? [relay]
    : [relay, effectiveParam(input.instance, l, 'smtpd_recipient_restrictions').items];
  for (const items of lists) {
    for (let i = 0; i < items.length; i++) {
      const name = items[i]?.text.toLowerCase() ?? '';
      if (GUARD_NAMES.has(name) || name === 'permit') break;
      const table = items[i + 1];
      if (name !== 'check_client_access' || table === undefined) continue;
      i++;
      if (table.file !== input.kind || table.isDefault === true || !/^cidr:\{/i.test(table.text))
        continue;
      const t = openTable(input.instance, table.text);
      if (t.kind !== 'cidr') continue;
      const written = input.text.slice(table.span.start, table.span.end);
      let from = written.indexOf('{');
      for (const rule of t.rules) {
        const at = from < 0 ? -1 : written.indexOf(rule.pattern, from);
        if (at < 0) break;
        from = at + rule.pattern.length;
        const model = rule.parsed.modelText;
        if (rule.negated || rule.skipped !== undefined || model === undefined) continue;
        if (accessAction(rule.value).kind !== 'ok') continue;
        const span = {
          start: table.span.start + at,
          end: table.span.start + at + rule.pattern.length,
        };
        out.push({ item: { text: rule.pattern, span, file: table.file }, table, model });
      }
    }
  }
  return out;
}

const GUARD_NAMES = new Set([
  'reject_unauth_destination',
  'defer_unauth_destination',
  'reject',
  'defer',
  'defer_if_permit',
  'check_relay_domains',
]);

function relayGuarded(items: readonly PfItem[]): boolean {
  return items.some((i) => GUARD_NAMES.has(i.text.toLowerCase()));
}
