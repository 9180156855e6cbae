import type { ConfigDocument, JsonPath, ScalarNode, SyntaxNode } from '../model.js';
import type { EntryParse } from '../net/entry.js';
import { child, scalar, stringValue } from '../tree.js';
import { parseEntryCached } from './entry-cache.js';

export type ListKind = 'relay' | 'connection';
export type ListMode = 'onlyList' | 'allExcept';

/** One item of a relay or connection list, read tolerantly (schema errors do not stop rules). */
export interface ListEntry {
  readonly node: SyntaxNode;
  readonly path: JsonPath;
  readonly index: number;
  /** An address entry (string, `{address}` or a YAML number read from its source text). */
  readonly address?: {
    readonly text: string;
    readonly node: ScalarNode;
    readonly parsed: EntryParse;
  };
  /** A `{ domain: … }` entry. */
  readonly domain?: { readonly name: string; readonly node: ScalarNode };
}

export interface ListView {
  readonly kind: ListKind;
  readonly node: SyntaxNode;
  readonly path: JsonPath;
  readonly modeNode?: ScalarNode;
  readonly mode?: ListMode;
  readonly listNode?: SyntaxNode;
  readonly entries: readonly ListEntry[];
}

export interface ListenerView {
  readonly node: SyntaxNode;
  readonly path: JsonPath;
  readonly name: string;
  readonly server: ServerView;
  readonly role: string;
  readonly enabled: boolean;
  readonly exposure: 'internet' | 'internal';
  readonly bindings: readonly string[];
  readonly bindingsNode?: SyntaxNode;
  readonly enabledNode?: ScalarNode;
  readonly exposureNode?: ScalarNode;
  readonly connection?: ListView;
  readonly relay?: ListView;
  readonly authNode?: SyntaxNode;
  readonly anonymous?: ScalarNode;
  readonly basic?: ScalarNode;
  readonly integratedWindows?: ScalarNode;
  readonly requireTls?: ScalarNode;
  readonly allowAuthenticated?: ScalarNode;
}

export interface AcceptedDomainView {
  readonly node: SyntaxNode;
  readonly path: JsonPath;
  readonly domainNode?: ScalarNode;
  readonly domain?: string;
  readonly type?: string;
}

export interface ServerView {
  readonly node: SyntaxNode;
  readonly path: JsonPath;
  readonly name: string;
  readonly product: string;
  readonly defaultDomain?: ScalarNode;
  readonly acceptedDomains: readonly AcceptedDomainView[];
  readonly listeners: readonly ListenerView[];
}

export interface DocumentView {
  readonly servers: readonly ServerView[];
  readonly listeners: readonly ListenerView[];
}

function items(node: SyntaxNode | undefined): readonly SyntaxNode[] {
  return node?.kind === 'array' ? node.items : [];
}

function flag(node: SyntaxNode | undefined): ScalarNode | undefined {
  const s = scalar(node);
  return s !== undefined && typeof s.value === 'boolean' ? s : undefined;
}

function readEntry(node: SyntaxNode, index: number): ListEntry {
  // Object literals, not spreads: a view of a large file reads tens of thousands of entries.
  const addressNode = node.kind === 'object' ? scalar(child(node, 'address')) : scalar(node);
  if (
    addressNode !== undefined &&
    (typeof addressNode.value === 'string' || typeof addressNode.value === 'number')
  ) {
    // A YAML number (unquoted 10.1 or 167772161) is judged by what was written.
    const text = typeof addressNode.value === 'number' ? addressNode.source : addressNode.value;
    const address = { text, node: addressNode, parsed: parseEntryCached(text) };
    return { node, path: node.path, index, address };
  }
  const domainNode = scalar(child(node, 'domain'));
  if (node.kind === 'object' && typeof domainNode?.value === 'string') {
    return { node, path: node.path, index, domain: { name: domainNode.value, node: domainNode } };
  }
  return { node, path: node.path, index };
}

function readList(kind: ListKind, node: SyntaxNode | undefined): ListView | undefined {
  if (node === undefined) return undefined;
  const modeNode = scalar(child(node, 'mode'));
  const mode =
    modeNode?.value === 'onlyList' || modeNode?.value === 'allExcept' ? modeNode.value : undefined;
  const listNode = child(node, 'list');
  const entries = items(listNode).map(readEntry);
  return {
    kind,
    node,
    path: node.path,
    ...(modeNode !== undefined ? { modeNode } : {}),
    ...(mode !== undefined ? { mode } : {}),
    ...(listNode !== undefined ? { listNode } : {}),
    entries,
  };
}

function readListener(node: SyntaxNode, server: ServerView): ListenerView {
  const auth = child(node, 'authentication');
  const relayNode = child(node, 'relay');
  const bindingsNode = child(node, 'bindings');
  const enabledNode = flag(child(node, 'enabled'));
  const exposureNode = scalar(child(node, 'exposure'));
  const optional = {
    bindingsNode,
    enabledNode,
    exposureNode,
    connection: readList('connection', child(node, 'connection')),
    relay: readList('relay', relayNode),
    authNode: auth,
    anonymous: flag(child(auth, 'anonymous')),
    basic: flag(child(auth, 'basic')),
    integratedWindows: flag(child(auth, 'integratedWindows')),
    requireTls: flag(child(auth, 'requireTls')),
    allowAuthenticated: flag(child(relayNode, 'allowAuthenticated')),
  };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  const bindings =
    bindingsNode?.kind === 'array'
      ? bindingsNode.items.flatMap((b) =>
          typeof stringValue(b) === 'string' ? [stringValue(b) as string] : [],
        )
      : ['0.0.0.0:25'];
  return {
    node,
    path: node.path,
    name: stringValue(child(node, 'name')) ?? `#${String(node.path[node.path.length - 1])}`,
    server,
    role: stringValue(child(node, 'role')) ?? 'relay',
    enabled: enabledNode?.value !== false,
    exposure: exposureNode?.value === 'internal' ? 'internal' : 'internet',
    bindings,
    ...(defined as Partial<ListenerView>),
  };
}

/** A typed, tolerant view of one configuration document: wrong types read as absent. */
export function viewOf(doc: ConfigDocument): DocumentView {
  const servers: ServerView[] = [];
  const listeners: ListenerView[] = [];
  for (const s of items(child(doc.root, 'servers'))) {
    const defaultDomain = scalar(child(s, 'defaultDomain'));
    const acceptedDomains = items(child(s, 'acceptedDomains')).map((d) => {
      const domainNode = scalar(child(d, 'domain'));
      const domain = stringValue(domainNode);
      const type = stringValue(child(d, 'type'));
      return {
        node: d,
        path: d.path,
        ...(domainNode !== undefined ? { domainNode } : {}),
        ...(domain !== undefined ? { domain } : {}),
        ...(type !== undefined ? { type } : {}),
      };
    });
    const serverListeners: ListenerView[] = [];
    const server: ServerView = {
      node: s,
      path: s.path,
      name: stringValue(child(s, 'name')) ?? `#${String(s.path[s.path.length - 1])}`,
      product: stringValue(child(s, 'product')) ?? 'other',
      ...(defaultDomain !== undefined ? { defaultDomain } : {}),
      acceptedDomains,
      listeners: serverListeners,
    };
    for (const l of items(child(s, 'listeners'))) serverListeners.push(readListener(l, server));
    servers.push(server);
    listeners.push(...serverListeners);
  }
  return { servers, listeners };
}
