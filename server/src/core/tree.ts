import type { JsonPath, ObjectNode, ScalarNode, SyntaxNode } from './model.js';

/** The child of an object node by key (the last one wins, as in YAML/JSON loaders). */
export function child(node: SyntaxNode | undefined, key: string): SyntaxNode | undefined {
  if (node?.kind !== 'object') return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) {
    const e = node.entries[i];
    if (e?.key === key) return e.value;
  }
  return undefined;
}

export function entryOf(
  node: SyntaxNode | undefined,
  key: string,
): ObjectNode['entries'][number] | undefined {
  if (node?.kind !== 'object') return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) {
    const e = node.entries[i];
    if (e?.key === key) return e;
  }
  return undefined;
}

export function scalar(node: SyntaxNode | undefined): ScalarNode | undefined {
  return node?.kind === 'scalar' ? node : undefined;
}

export function stringValue(node: SyntaxNode | undefined): string | undefined {
  const s = scalar(node);
  return typeof s?.value === 'string' ? s.value : undefined;
}

export function boolValue(node: SyntaxNode | undefined): boolean | undefined {
  const s = scalar(node);
  return typeof s?.value === 'boolean' ? s.value : undefined;
}

/** The node at `path`, or the deepest existing ancestor when the path runs off the tree. */
export function nearest(root: SyntaxNode | undefined, path: JsonPath): SyntaxNode | undefined {
  let node = root;
  for (const seg of path) {
    const next =
      typeof seg === 'number'
        ? node?.kind === 'array'
          ? node.items[seg]
          : undefined
        : child(node, seg);
    if (next === undefined) return node;
    node = next;
  }
  return node;
}

/** The exact node at `path`, or undefined. */
export function at(root: SyntaxNode | undefined, path: JsonPath): SyntaxNode | undefined {
  const n = nearest(root, path);
  return n !== undefined && samePath(n.path, path) ? n : undefined;
}

export function samePath(a: JsonPath, b: JsonPath): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Plain JSON value of a tree, for schema validation. */
export function toValue(node: SyntaxNode | undefined): unknown {
  if (node === undefined) return null;
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'array':
      return node.items.map(toValue);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) out[e.key] = toValue(e.value);
      return out;
    }
  }
}
