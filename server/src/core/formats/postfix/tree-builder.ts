import type { Entry, JsonPath, ScalarNode, Span, SyntaxNode } from '../../model.js';
import type { NodeInfo } from './file-data.js';
import type { PfFileKind, PfItem, PfListener, PostfixInstance, UnauthRelay } from './model.js';

/** The node builder the Postfix view and its anchors share (view.ts, anchors.ts). */

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

export class Builder {
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

/** The listener's reach as a binding the model understands. */
export function binding(l: PfListener): string {
  const port = l.port ?? 25;
  return l.reach === 'loopback' ? `127.0.0.1:${port}` : `0.0.0.0:${port}`;
}

export function spanKey(span: Span): string {
  return `${span.start}:${span.end}`;
}

/**
 * Every definition and item written in this file as plain nodes under `_source` (no rule reads
 * them): the targets of related locations, which reports give as paths.
 */
export function sourceNodes(
  b: Builder,
  input: TreeInput,
  spanPaths: Map<string, JsonPath>,
): SyntaxNode {
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
