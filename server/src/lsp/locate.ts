import type { ConfigDocument, JsonPath, ParsedFile, Span, SyntaxNode } from '../core/model.js';

/** What the cursor is on: a key, or the innermost node whose span holds the offset. */
export interface Located {
  readonly doc: ConfigDocument;
  readonly node: SyntaxNode;
  /** Path of the node (for a key: the path of its value). */
  readonly path: JsonPath;
  readonly onKey: boolean;
  /** The span of the key or node under the cursor. */
  readonly span: Span;
}

function holds(span: Span, offset: number): boolean {
  return span.start <= offset && offset <= span.end;
}

export function locate(parsed: ParsedFile, offset: number): Located | undefined {
  for (const doc of parsed.documents) {
    if (doc.root === undefined || !holds(doc.root.span, offset)) continue;
    return descend(doc, doc.root, offset);
  }
  return undefined;
}

function descend(doc: ConfigDocument, node: SyntaxNode, offset: number): Located {
  if (node.kind === 'object') {
    for (const e of node.entries) {
      if (holds(e.keySpan, offset))
        return { doc, node: e.value, path: e.value.path, onKey: true, span: e.keySpan };
      if (e.value.span.end > e.value.span.start && holds(e.value.span, offset))
        return descend(doc, e.value, offset);
    }
  } else if (node.kind === 'array') {
    for (const item of node.items) if (holds(item.span, offset)) return descend(doc, item, offset);
  }
  return { doc, node, path: node.path, onKey: false, span: node.span };
}
