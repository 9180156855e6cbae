import type { JsonPath, Span, SyntaxNode } from '../../model.js';
import { type Interval, IntervalSet, V4_BASE, V4_MAX } from '../../net/interval-set.js';
import { formatAddress, isV4Value } from '../../net/ip.js';
import { describeAddresses } from '../../relay/describe.js';
import { effectiveParam } from './instance.js';
import type { PfItem, PfListener, PostfixInstance, UnauthRelay } from './model.js';
import { mynetworksInfo } from './tables.js';
import { binding, type Builder, itemWhere, type TreeInput } from './tree-builder.js';

/**
 * The hidden second server of the Postfix tree (see view.ts): each listener's exact U(L), from
 * the evaluator, as relay entries at the items that admit them, so that the model's open-relay
 * rule applies the project's trust model to it and refine can move its finding to that item.
 */

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

/** The hidden server whose listeners hold each real listener's exact U(L) (see view.ts). */
export function anchorServer(
  b: Builder,
  input: TreeInput,
  fileStart: Span,
): SyntaxNode | undefined {
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
          b.scalar(
            ePath,
            text,
            { start: at.start, end: at.start },
            {
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
            },
          ),
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
